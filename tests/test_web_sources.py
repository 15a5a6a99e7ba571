"""Sources, pickers, uploads and casualty-report corrections in the browser: each form
refuses a bad value beside its field with nothing recorded, and each change lands in the
custody log. The journeys run in Debian's Chromium."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from evidencelab.locker.case import open_case
from evidencelab.locker.ingest import IngestError, IngestRequest
from evidencelab.locker.verify import verify_case
from evidencelab.service.evidence.items import show_evidence
from evidencelab.service.incidents.listing import show_incident
from evidencelab.service.intake import take_in_whole
from evidencelab.service.integrity.custody import custody_log
from test_web_support import CORPUS, PHOTO, Shots, browser_log_in, log_in, served

INCIDENT = "vuhledar-2022-02-24"
SOURCE = "amnesty-press-release-2022-02"
SECOND_PHOTO = CORPUS / "metadata-extractor-images" / "jpg" / "Nikon D5000.jpg"
NARROW, WIDE = {"width": 390, "height": 844}, {"width": 1366, "height": 900}


def _log(demo: Path) -> list[dict[str, Any]]:
    with open_case(demo) as case:
        return [dict(e) for e in custody_log(case)]


def _objects(demo: Path) -> set[str]:
    return {p.name for p in (demo / "objects").rglob("*") if p.is_file()}


def _field_message(html: str, field: str) -> str:
    match = re.search(rf'<span class="field-error" id="{field}-error">([^<]*)</span>', html)
    assert match, f"no message beside {field}"
    return match.group(1)


def _upload(client: TestClient, csrf: str, files: list[Path], **fields: str) -> Any:
    data = {"csrf_token": csrf} | fields
    sent = [("file", (p.name, p.read_bytes(), "image/jpeg")) for p in files]
    return client.post("/upload", data=data, files=sent)


# --- upload -------------------------------------------------------------------------------


def test_several_files_are_uploaded_with_the_acquisition_fields(
    client: TestClient, demo: Path
) -> None:
    csrf = log_in(client, "ivan")
    response = _upload(
        client,
        csrf,
        [PHOTO, SECOND_PHOTO],
        source=SOURCE,
        incident=INCIDENT,
        url="https://example.org/post/1",
        collected_at="2022-02-24T10:30",
        collected_zone="Europe/Kyiv",
        collector="field team",
        note="from the channel's archive",
    )
    assert response.status_code == 200, response.text
    assert "Stored: 2 files" in response.text
    ids = re.findall(r'href="/evidence/([^"]+)">\1</a>\.', response.text)
    assert len(ids) == 2
    with open_case(demo) as case:
        for evidence_id in ids:
            item = show_evidence(case, evidence_id)
            (acquisition,) = item["acquisitions"]
            assert acquisition["source"] == SOURCE
            assert acquisition["url"] == "https://example.org/post/1"
            # 10:30 on the clock of Kyiv, which is UTC+2 in February
            assert acquisition["collected_at"] == "2022-02-24T10:30:00+02:00"
            assert acquisition["collector"] == "field team"
            assert acquisition["note"] == "from the channel's archive"
        linked = set(show_incident(case, INCIDENT)["evidence"])
    assert set(ids) <= linked
    ingests = [e for e in _log(demo) if e["action"] == "ingest"][-2:]
    assert [e["actor"] for e in ingests] == ["ivan", "ivan"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"source": "amnesty-press-release-2O22-02"}, "source", "not in this case (it holds "),
        ({"incident": "vuhledar-2022-02-42"}, "incident", "not in this case"),
        (
            {"collected_at": "2022-03-27T03:30", "collected_zone": "Europe/Kyiv"},
            "collected_at",
            "occurs twice or never",
        ),
        (
            {"collected_at": "2022-02-24T10:30", "collected_zone": "Europe/Kiyv"},
            "collected_at",
            "not a time zone name",
        ),
        ({"url": "javascript:alert(1)"}, "url", "not a web address"),
        ({"kind": "rumour"}, "kind", "must be one of"),
    ],
)
def test_a_bad_upload_field_is_refused_beside_it_and_nothing_is_recorded(
    client: TestClient, demo: Path, fields: dict[str, str], field: str, message: str
) -> None:
    csrf = log_in(client, "ivan")
    events, objects = len(_log(demo)), _objects(demo)
    typed = {"note": "kept as typed", "collector": "someone"} | fields
    response = _upload(client, csrf, [PHOTO, SECOND_PHOTO], **typed)
    assert response.status_code == 400
    assert message in _field_message(response.text, field)
    assert 'value="kept as typed"' in response.text  # the typed values come back
    assert len(_log(demo)) == events and _objects(demo) == objects
    assert not list(demo.glob("upload-*"))  # no received file left behind


def test_an_upload_without_a_file_is_refused_beside_the_file_field(client: TestClient) -> None:
    csrf = log_in(client, "ivan")
    response = client.post("/upload", data={"csrf_token": csrf, "note": "n"})
    assert response.status_code == 400
    assert "choose at least one file" in _field_message(response.text, "file")


def test_files_taken_in_together_record_nothing_when_one_fails(demo: Path, tmp_path: Path) -> None:
    events, objects = len(_log(demo)), _objects(demo)
    # The second file claims an evidence id that already names other bytes: it fails when
    # recorded, after both files were copied into the store.
    requests = [
        IngestRequest(path=PHOTO, source_id=SOURCE),
        IngestRequest(path=SECOND_PHOTO, evidence_id="vuhledar-remnant-1"),
    ]
    with open_case(demo, actor="ivan") as case, pytest.raises(IngestError, match="nothing"):
        take_in_whole(case, requests, incident_id=INCIDENT)
    assert len(_log(demo)) == events
    assert _objects(demo) == objects  # the copies nothing references were removed
    with open_case(demo) as case:
        assert verify_case(case).intact


# --- sources --------------------------------------------------------------------------------


def test_sources_are_declared_graded_and_show_what_cites_them(
    client: TestClient, demo: Path
) -> None:
    csrf = log_in(client, "ivan")
    bad = client.post("/sources", data={"csrf_token": csrf, "id": SOURCE, "kind": "media"})
    assert bad.status_code == 400
    assert "already declared" in _field_message(bad.text, "id")
    added = client.post(
        "/sources",
        data={
            "csrf_token": csrf,
            "id": "hospital-director",
            "kind": "witness",
            "reliability": "medium",
            "description": "Director of the hospital",
        },
    )
    assert added.status_code == 303
    page = client.get(f"/sources/{SOURCE}").text
    assert f'href="/incidents/{INCIDENT}#report-0"' in page  # its casualty reports

    graded = client.post(
        f"/sources/{SOURCE}",
        data={"csrf_token": csrf, "reliability": "low", "notes": "figures not corroborated"},
    )
    assert graded.status_code == 303
    (event,) = [e for e in _log(demo) if e["action"] == "source_edit"]
    assert event["actor"] == "ivan"
    assert event["payload"]["changed"]["reliability"] == {"before": "high", "after": "low"}
    # Graded low, its "at least 10 injured" no longer sets the minimum; the local source's
    # "at least 6" does.
    with open_case(demo) as case:
        assert show_incident(case, INCIDENT)["casualty_figures"]["injured"]["min"] == 6


def test_revealing_a_sensitive_source_asks_for_confirmation(client: TestClient, demo: Path) -> None:
    csrf = log_in(client, "ivan")
    form = {"csrf_token": csrf, "reliability": "medium"}  # sensitive left unticked
    asked = client.post("/sources/local-source-vuhledar", data=form)
    assert asked.status_code == 400
    assert "tick the confirmation" in _field_message(asked.text, "sensitive")
    assert not [e for e in _log(demo) if e["action"] == "source_edit"]
    done = client.post("/sources/local-source-vuhledar", data=form | {"confirm_reveal": "on"})
    assert done.status_code == 303
    (event,) = [e for e in _log(demo) if e["action"] == "source_edit"]
    assert event["payload"]["changed"]["sensitive"] == {"before": True, "after": False}


def test_a_viewer_reads_the_sources_without_sensitive_details_and_cannot_edit(
    client: TestClient,
) -> None:
    csrf = log_in(client, "vic")
    page = client.get("/sources").text
    assert "withheld: sensitive source" in page
    assert "local-source-vuhledar" not in page and "Declare a source" not in page
    assert client.get("/sources/local-source-vuhledar").status_code == 404
    refused = client.post(f"/sources/{SOURCE}", data={"csrf_token": csrf, "reliability": "low"})
    assert refused.status_code == 403


# --- casualty reports -------------------------------------------------------------------------


def test_a_correction_is_a_new_report_and_the_old_one_is_kept(
    client: TestClient, demo: Path
) -> None:
    csrf = log_in(client, "ivan")
    url = f"/incidents/{INCIDENT}/casualties/0/correct"
    form = client.get(url).text
    assert 'name="killed_count" inputmode="numeric" pattern="[0-9]*" value="4"' in form
    fields = {
        "csrf_token": csrf,
        "scope": "incident",
        "civilian": "true",
        "killed_count": "5",
        "killed_qualifier": "at_least",
        "injured_count": "10",
        "injured_qualifier": "at_least",
        "reported_at": "2022-02-26T12:00",
        "reported_zone": "Europe/Kyiv",
    }
    no_reason = client.post(url, data=fields)
    assert no_reason.status_code == 400
    assert "say why" in _field_message(no_reason.text, "reason")
    assert 'value="5"' in no_reason.text
    done = client.post(url, data=fields | {"reason": "the release was updated"})
    assert done.status_code == 303
    with open_case(demo) as case:
        incident = show_incident(case, INCIDENT)
    old, new = incident["casualties"][0], incident["casualties"][-1]
    assert old["killed"] == {"count": 4, "qualifier": "at_least"}  # never overwritten
    assert new["supersedes"] == old["id"] and new["source"] == SOURCE
    assert new["correction_reason"] == "the release was updated"
    assert new["reported_at"] == "2022-02-26T12:00:00+02:00"
    assert incident["casualty_figures"]["killed"]["min"] == 5
    page = client.get(done.headers["location"]).text
    assert "Correction recorded" in page
    assert '<tr id="report-0" class="src-struck">' in page and "<del>at least 4</del>" in page
    again = client.post(url, data=fields | {"reason": "twice"})
    assert again.status_code == 400 and "already superseded" in again.text
    (event,) = [e for e in _log(demo) if e["action"] == "casualty_correct"]
    assert event["actor"] == "ivan" and event["payload"]["supersedes"] == old["id"]


def test_a_withdrawal_is_confirmed_then_struck_through(client: TestClient, demo: Path) -> None:
    csrf = log_in(client, "ivan")
    url = f"/incidents/{INCIDENT}/casualties/1/withdraw"
    assert "cannot be undone" in client.get(url).text
    unconfirmed = client.post(url, data={"csrf_token": csrf, "reason": "source retracted"})
    assert unconfirmed.status_code == 400
    assert "confirm" in _field_message(unconfirmed.text, "confirm")
    assert "source retracted</textarea>" in unconfirmed.text
    assert not [e for e in _log(demo) if e["action"] == "casualty_withdraw"]
    done = client.post(
        url, data={"csrf_token": csrf, "reason": "source retracted", "confirm": "on"}
    )
    assert done.status_code == 303
    with open_case(demo) as case:
        report = show_incident(case, INCIDENT)["casualties"][1]
    assert report["withdrawn"]["reason"] == "source retracted"
    assert report["killed"]["count"] == 4  # the figures stay as given
    page = client.get(done.headers["location"]).text
    assert "Report withdrawn" in page and '<tr id="report-1" class="src-struck">' in page
    assert (
        client.post(url, data={"csrf_token": csrf, "reason": "x", "confirm": "on"}).status_code
        == 400
    )


def test_a_misspelt_source_in_a_casualty_report_comes_back_beside_the_picker(
    client: TestClient, demo: Path
) -> None:
    csrf = log_in(client, "ivan")
    events = len(_log(demo))
    response = client.post(
        f"/incidents/{INCIDENT}/casualties",
        data={"csrf_token": csrf, "source": "amnesty", "scope": "incident", "killed_count": "3"},
    )
    assert response.status_code == 400
    assert f"not in this case (it holds {SOURCE}" in _field_message(response.text, "source")
    assert 'list="pick-sources"' in response.text and 'value="amnesty"' in response.text
    assert len(_log(demo)) == events


def test_linking_an_unknown_item_comes_back_beside_the_picker(client: TestClient) -> None:
    csrf = log_in(client, "ivan")
    response = client.post(
        f"/incidents/{INCIDENT}/evidence", data={"csrf_token": csrf, "evidence": "vuhledar-remnant"}
    )
    assert response.status_code == 400
    assert "no such evidence item" in _field_message(response.text, "evidence")
    assert "<code>vuhledar-remnant-1</code>" in response.text  # offered beside the field


# --- in the browser ---------------------------------------------------------------------------


# Elements reaching past the right edge of the window, outside any scrolling box.
OVERFLOWING = """() => {
  const edge = document.documentElement.clientWidth + 1;
  const boxed = (el) => ["auto", "scroll", "hidden"].includes(getComputedStyle(el).overflowX);
  const scrolls = (el) => el && (boxed(el) || scrolls(el.parentElement));
  return [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > edge && !scrolls(el.parentElement))
    .map((el) => `${el.tagName}#${el.id}.${el.className}`);
}"""


def _no_page_overflow(page: Page) -> None:
    assert page.evaluate(OVERFLOWING) == []


def test_a_misspelt_source_is_refused_with_the_picker_and_the_overview_stays_up(
    demo: Path, page: Page, tmp_path: Path
) -> None:
    shots = Shots(tmp_path)
    with served(demo) as base:
        browser_log_in(page, base, "ivan")
        events, objects = len(_log(demo)), _objects(demo)
        page.goto(f"{base}/upload?incident={INCIDENT}")
        expect(page.locator("#u-zone")).to_have_value("Europe/Kyiv")  # the incident's zone
        page.locator("#u-file").set_input_files([str(PHOTO), str(SECOND_PHOTO)])
        # A value the picker does not offer, as a hurried typist or a script would send it.
        page.locator("#u-source").evaluate(
            "(el) => { el.value = 'amnesty-press-release-2O22-02'; }"
        )
        page.get_by_label("URL").fill("https://example.org/post/1")
        page.get_by_label("Note").fill("two photos from the channel")
        page.get_by_role("button", name="Upload").click()
        expect(page.locator("#source-error")).to_contain_text("not in this case")
        expect(page.locator("#u-source")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#source-error")).to_contain_text(SOURCE)  # the right one named
        expect(page.get_by_label("URL")).to_have_value("https://example.org/post/1")
        expect(page.get_by_label("Note")).to_have_value("two photos from the channel")
        assert SOURCE in page.locator("#pick-sources option").evaluate_all(
            "(options) => options.map((o) => o.value)"
        )
        for size, name in ((WIDE, "upload-refused"), (NARROW, "upload-refused-390")):
            page.set_viewport_size(size)
            shots(page, name)
        _no_page_overflow(page)
        assert len(_log(demo)) == events and _objects(demo) == objects
        for path in ("/", "/api/summary"):
            assert page.request.get(base + path).status == 200

        # Picked right, with the acquisition fields, both files go in together.
        page.set_viewport_size(WIDE)
        page.locator("#u-file").set_input_files([str(PHOTO), str(SECOND_PHOTO)])
        page.locator("#u-source").fill(SOURCE)
        page.locator("#u-at").fill("2022-02-24T10:30:00")
        page.get_by_role("button", name="Upload").click()
        expect(page.locator("h1")).to_have_text("Stored: 2 files")
        expect(page.get_by_role("status")).to_contain_text(f"linked to incident {INCIDENT}")
        shots(page, "uploaded-two")
    with open_case(demo) as case:
        stored = [e for e in custody_log(case) if e["action"] == "ingest"][-2:]
    assert [e["payload"]["collected_at"] for e in stored] == ["2022-02-24T10:30:00+02:00"] * 2
    assert [e["payload"]["url"] for e in stored] == ["https://example.org/post/1"] * 2
    shots.publish()


def test_a_casualty_report_corrected_and_another_withdrawn_in_the_browser(
    demo: Path, page: Page, tmp_path: Path
) -> None:
    shots = Shots(tmp_path)
    with served(demo) as base:
        browser_log_in(page, base, "ivan")
        page.goto(f"{base}/incidents/{INCIDENT}#casualties")
        page.locator("#report-0").get_by_role("link", name="Correct").click()
        page.get_by_label("Killed").fill("5")
        page.get_by_label("Reason for the correction").fill("the release was updated")
        page.get_by_role("button", name="Record the correction").click()
        expect(page.locator("#casualties [role=status]")).to_contain_text("Correction recorded")
        expect(page.locator("#report-0 del").first).to_have_text("at least 4")
        expect(page.locator("#report-0")).to_contain_text("superseded")

        page.locator("#report-1").get_by_role("link", name="Withdraw").click()
        page.get_by_label("Reason").fill("the local source retracted the breakdown")
        page.get_by_role("button", name="Withdraw the report").click()
        expect(page.locator("#confirm-error")).to_be_visible()  # asked to confirm first
        page.get_by_label("I confirm: withdraw these figures").check()
        page.get_by_role("button", name="Withdraw the report").click()
        expect(page.locator("#casualties [role=status]")).to_contain_text("Report withdrawn")
        expect(page.locator("#report-1")).to_contain_text("the local source retracted")
        expect(page.locator("#report-1 del").first).to_have_text("at least 4")
        expect(page.locator(".finding").first).to_contain_text("at least 5")
        casualties = page.locator("#casualties")
        for size, name in ((WIDE, "casualties-corrected"), (NARROW, "casualties-corrected-390")):
            page.set_viewport_size(size)
            if shots.wanted:
                casualties.screenshot(path=str(tmp_path / f"web-{name}.png"))
                shots.taken.append(tmp_path / f"web-{name}.png")
        _no_page_overflow(page)
        page.goto(f"{base}/sources/{SOURCE}")
        shots(page, "source-390")
        _no_page_overflow(page)
    shots.publish()
