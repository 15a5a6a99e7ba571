"""The incident workflow in the browser: the filtered, sorted, paginated incident list, its
bulk action bar, the incident's workflow form and the case's statuses; errors beside their
fields; and a Playwright journey at 1366 and 390 px."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from evidencelab.locker.case import open_case
from evidencelab.service.incidents.workflow import incident_workflow, set_workflow
from test_web_support import Shots, browser_log_in, log_in, served

UMAN, CHUHUIV, VUHLEDAR = "uman-2022-02-24", "chuhuiv-2022-02-24", "vuhledar-2022-02-24"
DOCS_IMG = Path(__file__).resolve().parent.parent / "docs" / "img"


def _listed(html: str) -> list[str]:
    """The incident ids of the list's rows, in order."""
    return re.findall(r'<td class="wf-title"><a href="/incidents/([^"]+)"', html)


def test_the_list_filters_sorts_and_keeps_the_filter_values(client: TestClient, demo: Path) -> None:
    with open_case(demo, actor="setup") as case:
        set_workflow(case, [UMAN, CHUHUIV], {"status": "in progress", "assignee": "rita"})
        set_workflow(case, [VUHLEDAR], {"due": "2020-01-01"})
    log_in(client, "vic")
    page = client.get("/incidents", params={"status": "in progress"})
    assert page.status_code == 200
    assert sorted(_listed(page.text)) == sorted([UMAN, CHUHUIV])
    assert "<option selected>in progress</option>" in page.text
    assert 'name="incident"' not in page.text  # a viewer gets no bulk bar
    overdue = client.get("/incidents", params={"overdue": "on"})
    assert _listed(overdue.text) == [VUHLEDAR]
    assert "overdue</span>" in overdue.text
    by_casualties = client.get("/incidents", params={"sort": "casualties", "descending": "on"})
    assert _listed(by_casualties.text)[0] == VUHLEDAR  # at least 4 killed, the others 1
    assert 'aria-sort="descending"' in by_casualties.text
    titled = client.get("/incidents", params={"text": "uman"})
    assert _listed(titled.text) == [UMAN]
    assert 'value="uman"' in titled.text


def test_a_bad_filter_is_named_and_the_page_still_answers(client: TestClient) -> None:
    log_in(client, "vic")
    page = client.get("/incidents", params={"date_from": "24/02/2022", "page": "0"})
    assert page.status_code == 400
    assert "date_from &#39;24/02/2022&#39;: not a date (YYYY-MM-DD)" in page.text
    assert "page &#39;0&#39;: not a whole number from 1 to 1,000,000" in page.text
    assert len(_listed(page.text)) == 3  # shown unfiltered beside the messages


def test_pages_of_the_list(client: TestClient) -> None:
    log_in(client, "vic")
    first = client.get("/incidents", params={"page_size": "2", "sort": "title"})
    second = client.get("/incidents", params={"page_size": "2", "sort": "title", "page": "2"})
    assert len(_listed(first.text)) == 2 and len(_listed(second.text)) == 1
    assert set(_listed(first.text)).isdisjoint(_listed(second.text))
    assert 'rel="next"' in first.text and "page 1 of 2" in first.text


def test_the_bulk_bar_sets_status_and_assignee_in_one_post(client: TestClient, demo: Path) -> None:
    token = log_in(client, "ivan")
    sent = client.post(
        "/incidents/bulk?status=to+do",
        data={
            "csrf_token": token,
            "incident": [UMAN, VUHLEDAR],
            "bulk_status": "ready for review",
            "bulk_assignee": "rita",
        },
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == "/incidents?status=to+do&done=2"
    assert "Workflow set on 2 incident(s)" in client.get(sent.headers["location"]).text
    with open_case(demo) as case:
        for incident in (UMAN, VUHLEDAR):
            current = incident_workflow(case, incident)
            assert (current["status"], current["assignee"]) == ("ready for review", "rita")
        assert incident_workflow(case, CHUHUIV)["status"] == "to do"


def test_a_refused_bulk_change_keeps_the_choices_and_changes_nothing(
    client: TestClient, demo: Path
) -> None:
    token = log_in(client, "ivan")
    refused = client.post(
        "/incidents/bulk",
        data={"csrf_token": token, "incident": [UMAN, "no-such"], "bulk_status": "done"},
    )
    assert refused.status_code == 400
    assert "incidents no-such: no such incident in the case" in refused.text
    assert f'value="{UMAN}" id="wf-pick-' in refused.text
    assert re.search(rf'value="{UMAN}" id="wf-pick-\d+" checked', refused.text)
    assert "<option selected>done</option>" in refused.text
    nothing = client.post("/incidents/bulk", data={"csrf_token": token, "incident": [UMAN]})
    assert nothing.status_code == 400
    assert "choose a status or an assignee to set" in nothing.text
    with open_case(demo) as case:
        assert incident_workflow(case, UMAN)["status"] == "to do"


def test_the_incident_form_saves_and_names_a_bad_value(client: TestClient, demo: Path) -> None:
    token = log_in(client, "ivan")
    page = client.get(f"/incidents/{UMAN}")
    assert 'id="wf-h">Workflow</h2>' in page.text and "Save workflow" in page.text
    saved = client.post(
        f"/incidents/{UMAN}/workflow",
        data={
            "csrf_token": token,
            "status": "in progress",
            "assignee": "ivan",
            "due": "2030-06-01",
        },
    )
    assert saved.status_code == 303
    assert "Workflow saved" in client.get(saved.headers["location"]).text
    refused = client.post(
        f"/incidents/{UMAN}/workflow",
        data={"csrf_token": token, "status": "done", "assignee": "mallory", "due": "soon"},
    )
    assert refused.status_code == 400
    assert "assignee &#39;mallory&#39;: no such active user" in refused.text
    assert "due &#39;soon&#39;: not a date (YYYY-MM-DD)" in refused.text
    assert 'value="soon"' in refused.text and "<option selected>done</option>" in refused.text
    with open_case(demo) as case:
        assert incident_workflow(case, UMAN)["due"] == "2030-06-01"


def test_statuses_page_refuses_removing_one_in_use(client: TestClient) -> None:
    token = log_in(client, "alice")
    refused = client.post(
        "/workflow/statuses", data={"csrf_token": token, "statuses": "triage\ndone"}
    )
    assert refused.status_code == 400
    assert "statuses to do: in use by 3 incident(s)" in refused.text
    assert "triage\ndone</textarea>" in refused.text
    saved = client.post(
        "/workflow/statuses",
        data={
            "csrf_token": token,
            "statuses": "to do\ntriage\nin progress\nready for review\ndone",
        },
    )
    assert saved.status_code == 303
    assert "<li>triage: 0 incident(s)</li>" in client.get("/workflow/statuses").text


def test_only_editors_change_the_workflow(client: TestClient) -> None:
    for name in ("rita", "vic"):
        token = log_in(client, name)
        answer = client.post(
            f"/incidents/{UMAN}/workflow", data={"csrf_token": token, "status": "done"}
        )
        assert answer.status_code == 403, name
        assert "Save workflow" not in client.get(f"/incidents/{UMAN}").text


def test_an_assignee_moves_an_incident_between_filtered_lists(
    demo: Path, page: Page, tmp_path: Path
) -> None:
    """ivan, assigned two incidents in progress, marks one ready for review: it leaves the
    "in progress" list and appears in the "ready for review" one."""
    with open_case(demo, actor="alice") as case:
        set_workflow(case, [UMAN, CHUHUIV], {"status": "in progress", "assignee": "ivan"})
        set_workflow(case, [UMAN], {"due": "2022-03-01"})
    shots = Shots(tmp_path)
    with served(demo) as base:
        page.set_viewport_size({"width": 1366, "height": 900})
        browser_log_in(page, base, "ivan")
        page.goto(base + "/incidents")
        page.get_by_label("Status", exact=True).first.select_option("in progress")
        page.get_by_label("Assigned to me").check()
        page.get_by_role("button", name="Filter").click()
        rows = page.locator("table.wf-list tbody tr")
        expect(rows).to_have_count(2)
        shots(page, "workflow-list-1366")
        page.get_by_role("link", name=re.compile("Strike in Uman")).click()
        page.get_by_label("Status", exact=True).last.select_option("ready for review")
        page.get_by_role("button", name="Save workflow").click()
        expect(page.get_by_role("status")).to_contain_text("Workflow saved")
        page.goto(base + "/incidents?status=in+progress&mine=on")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Chuhuiv")
        page.goto(base + "/incidents?status=ready+for+review")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Uman")
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(base + "/incidents")
        shots(page, "workflow-list-390")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        page.goto(base + f"/incidents/{UMAN}#workflow")
        shots(page, "workflow-incident-390")
    shots.publish()
