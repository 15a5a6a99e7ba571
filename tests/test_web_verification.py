"""Verification on the page: consistency checks on the upload result, evidence and incident
pages; an item's status set with a reason and its history; near-duplicate groups with their
earliest appearance; corroboration per fact; what a role without read_sensitive sees.

The far-away photo is the corpus's `Sony DSC-HX5V (2).jpg` (metadata-extractor-images):
captured 2010-05-15 near Paderborn, Germany, 2,112 km from Vuhledar and 11.8 years before
the demo's attack of 24 February 2022.
"""

from __future__ import annotations

import io
import re
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from playwright.sync_api import Page, expect

from evidencelab.locker.case import open_case
from evidencelab.service.evidence.status import evidence_status
from evidencelab.service.verification.views import checks_view
from evidencelab.verify.compared import compared_facts, distance_text, duration_text
from test_web_support import CORPUS, Shots, browser_log_in, log_in, served

INCIDENT = "vuhledar-2022-02-24"
FAR_PHOTO = CORPUS / "metadata-extractor-images" / "jpg" / "Sony DSC-HX5V (2).jpg"
DEMO_ITEM = "vuhledar-remnant-1"


def _upload(
    client: TestClient, token: str, path: Path, *, incident: str = "", sensitive: bool = False
) -> str:
    data = {"csrf_token": token, "incident": incident, "kind": "photo"}
    if sensitive:
        data["sensitive"] = "on"
    with path.open("rb") as handle:
        response = client.post("/upload", data=data, files={"file": (path.name, handle)})
    assert response.status_code == 200, response.text
    return response.text


def _evidence_id(html: str) -> str:
    match = re.search(r'href="/evidence/([^"/#?]+)">Open the evidence page', html)
    assert match, "no evidence link on the upload result"
    return match.group(1)


def _custody_count(case_root: Path) -> int:
    with sqlite3.connect(case_root / "case.sqlite") as db:
        count: int = db.execute("SELECT count(*) FROM custody_event").fetchone()[0]
    return count


def _status_of(case_root: Path, evidence_id: str) -> dict[str, object]:
    with open_case(case_root, actor="test") as case:
        return dict(evidence_status(case, evidence_id))


def _near_copy(client: TestClient, evidence_id: str, folder: Path) -> Path:
    """A re-encoded copy of an item: other bytes, the same picture (a near-duplicate)."""
    original = client.get(f"/evidence/{evidence_id}/original")
    assert original.status_code == 200
    buffer = io.BytesIO()
    Image.open(io.BytesIO(original.content)).convert("RGB").save(buffer, "JPEG", quality=55)
    copy = folder / "reposted.jpg"
    copy.write_bytes(buffer.getvalue())
    return copy


# --- pure parts -----------------------------------------------------------------------------


def test_compared_facts_write_units_out() -> None:
    assert duration_text(371_755_075) == "11.8 years (371,755,075 s)"
    assert duration_text(3600) == "60 min (3,600 s)"
    assert duration_text(45) == "45 s"
    assert distance_text(2_112_458.9) == "2,112.5 km"
    assert distance_text(1550) == "1,550 m"
    facts = compared_facts(
        {
            "before_s": 371_755_075,
            "distance_m": 2_112_458.9,
            "captured_at": "2010-05-15T17:12:05+02:00",
            "windows": [["09:00", "09:40"]],
            "earlier": [{"evidence": "a", "distance_bits": None}],
        }
    )
    assert facts == [
        ("before", "11.8 years (371,755,075 s)"),
        ("distance", "2,112.5 km"),
        ("captured at", "2010-05-15T17:12:05+02:00"),
        ("windows", "09:00 to 09:40"),
        ("earlier", "evidence: a, distance: not given"),
    ]


def test_checks_view_puts_problems_first_and_counts() -> None:
    record = {"evidence": "x", "incident": None, "message": "m", "details": {}}
    checks = [
        {**record, "check": "A", "severity": "info"},
        {**record, "check": "B", "severity": "problem"},
        {**record, "check": "C", "severity": "warning"},
    ]
    view = checks_view(checks)
    assert [c["check"] for c in view["checks"]] == ["B", "C", "A"]
    assert view["counts"] == {"problem": 1, "warning": 1, "info": 1}


# --- pages and forms ------------------------------------------------------------------------


def test_far_old_photo_shows_problem_on_upload_evidence_and_incident_pages(
    client: TestClient,
) -> None:
    token = log_in(client, "ivan")
    uploaded = _upload(client, token, FAR_PHOTO, incident=INCIDENT)
    alert = uploaded.split('role="alert"', 1)[1].split("</div>", 1)[0]
    assert "1 problem and 1 warning" in alert
    assert "11.8 years before the incident time" in alert
    assert "2112.5 km from the incident place" in alert
    assert "CAPTURE_OUTSIDE_INCIDENT_TIME" in uploaded
    assert "11.8 years (371,755,075 s)" in uploaded  # the facts compared, in words
    evidence_id = _evidence_id(uploaded)

    page = client.get(f"/evidence/{evidence_id}").text
    # The alert comes before everything else the page shows of the item.
    assert page.index('role="alert"') < page.index('id="view-h"')
    assert "1 problem and 1 warning" in page and "2,112.5 km" in page

    incident = client.get(f"/incidents/{INCIDENT}").text
    assert "CAPTURE_OUTSIDE_INCIDENT_TIME" in incident
    time_fact = incident.split('id="corroboration-time"')[1].split('id="corroboration-place"')[0]
    assert "1 contradicting" in time_fact and evidence_id in time_fact


def test_demo_item_has_no_problem(client: TestClient) -> None:
    log_in(client, "vic")
    page = client.get(f"/evidence/{DEMO_ITEM}").text
    assert 'role="alert"' not in page
    assert "0 problem" in page
    assert "Set status" not in page  # a viewer may not change it


def test_status_change_with_reason_and_history(client: TestClient, demo: Path) -> None:
    token = log_in(client, "ivan")
    for state, reason in (("verified", "GPS and shadows agree"), ("disputed", "clock reads 09:40")):
        response = client.post(
            f"/evidence/{DEMO_ITEM}/status",
            data={"csrf_token": token, "state": state, "reason": reason},
        )
        assert response.status_code == 303
        assert response.headers["location"] == f"/evidence/{DEMO_ITEM}?done=status#status"
    page = client.get(f"/evidence/{DEMO_ITEM}?done=status").text
    assert "Status set to disputed." in page
    history = page.split('class="vstatus-history"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>(\w+)</td><td>([^<]*)</td><td>(\w+)</td>", history)
    assert rows == [
        ("verified", "GPS and shadows agree", "ivan"),
        ("disputed", "clock reads 09:40", "ivan"),
    ]
    assert _status_of(demo, DEMO_ITEM)["state"] == "disputed"


@pytest.mark.parametrize(
    ("state", "reason", "field", "message"),
    [
        ("disputed", "  ", "reason", "reason: required to set status disputed"),
        ("true", "because", "state", "status &#39;true&#39;: not one of unverified"),
    ],
)
def test_bad_status_keeps_input_shows_message_beside_field_and_changes_nothing(
    client: TestClient, demo: Path, state: str, reason: str, field: str, message: str
) -> None:
    token = log_in(client, "ivan")
    before = _custody_count(demo)
    response = client.post(
        f"/evidence/{DEMO_ITEM}/status",
        data={"csrf_token": token, "state": state, "reason": reason},
    )
    assert response.status_code == 400
    beside = re.search(rf'id="status-{field}-error">([^<]*)<', response.text)
    assert beside and message in beside.group(1)
    assert f'<option value="{state}" selected>' in response.text or state == "true"
    assert f">{reason}</textarea>" in response.text
    assert _custody_count(demo) == before
    assert _status_of(demo, DEMO_ITEM)["state"] == "unverified"


def test_status_of_unknown_item_is_404_and_roles_are_enforced(
    client: TestClient, demo: Path
) -> None:
    token = log_in(client, "ivan")
    before = _custody_count(demo)
    missing = client.post(
        "/evidence/no-such/status", data={"csrf_token": token, "state": "verified", "reason": "x"}
    )
    assert missing.status_code == 404 and "no such evidence item" in missing.text
    token = log_in(client, "rita")
    refused = client.post(
        f"/evidence/{DEMO_ITEM}/status",
        data={"csrf_token": token, "state": "verified", "reason": "x"},
    )
    assert refused.status_code == 403
    assert _custody_count(demo) == before


def test_duplicate_groups_and_what_a_viewer_may_not_see(
    client: TestClient, demo: Path, tmp_path: Path
) -> None:
    token = log_in(client, "ivan")
    copy = _near_copy(client, DEMO_ITEM, tmp_path)
    secret = _evidence_id(_upload(client, token, copy, incident=INCIDENT, sensitive=True))
    far = _evidence_id(_upload(client, token, FAR_PHOTO, incident=INCIDENT, sensitive=True))

    groups = client.get("/duplicates").text
    assert secret in groups and DEMO_ITEM in groups
    assert "Earliest collection" in groups and "First ingested" in groups
    assert secret in client.get(f"/evidence/{DEMO_ITEM}").text
    incident = client.get(f"/incidents/{INCIDENT}").text
    assert far in incident and "CAPTURE_OUTSIDE_INCIDENT_TIME" in incident

    log_in(client, "vic")
    assert secret not in client.get("/duplicates").text
    assert "No near-duplicates in the case." in client.get("/duplicates").text
    demo_page = client.get(f"/evidence/{DEMO_ITEM}").text
    assert secret not in demo_page and "No other item in the case" in demo_page
    incident = client.get(f"/incidents/{INCIDENT}").text
    assert far not in incident and secret not in incident
    assert "CAPTURE_OUTSIDE_INCIDENT_TIME" not in incident
    assert client.get(f"/evidence/{far}").status_code == 404


# --- in a real browser ----------------------------------------------------------------------


OVERFLOWING = """(selector) => {
  const width = document.documentElement.clientWidth;
  const found = [];
  for (const part of document.querySelectorAll(selector)) {
    for (const el of [part, ...part.querySelectorAll("*")]) {
      if (el.closest(".table-scroll")) continue;  // a wide table scrolls inside its box
      const right = el.getBoundingClientRect().right;
      if (right > width + 1) found.push(`${el.tagName}.${el.className} ends at ${right}px`);
    }
  }
  return found;
}"""


def _fits(page: Page, selector: str) -> None:
    """Nothing in ``selector`` (the verification parts) reaches beyond the viewport, except
    inside a horizontally scrollable table box."""
    page.wait_for_timeout(200)  # let the layout settle after a resize
    assert page.evaluate(OVERFLOWING, selector) == []


def test_far_old_photo_shows_its_checks_in_the_browser(
    demo: Path, page: Page, tmp_path: Path
) -> None:
    """A far-away, years-old photo shows its check results on the upload page; a status
    change with reason and its history are visible."""
    shots = Shots(tmp_path)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    with served(demo) as base:
        browser_log_in(page, base, "ivan")
        page.goto(f"{base}/upload?incident={INCIDENT}")
        page.get_by_label("File").set_input_files(str(FAR_PHOTO))
        page.get_by_role("button", name="Upload").click()
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("1 problem and 1 warning")
        expect(alert).to_contain_text("11.8 years before the incident time")
        expect(alert).to_contain_text("2112.5 km from the incident place")
        shots(page, "verification-upload-1366")
        page.set_viewport_size({"width": 390, "height": 844})
        _fits(page, "main")
        shots(page, "verification-upload-390")
        page.set_viewport_size({"width": 1366, "height": 900})

        page.get_by_role("link", name="Open the evidence page").click()
        expect(page.get_by_role("alert")).to_contain_text("1 problem")
        page.get_by_label("New status").select_option("discounted")
        page.get_by_role("button", name="Set status").click()
        expect(page.locator("#status-reason-error")).to_contain_text("reason: required")
        page.get_by_label("Reason").fill("taken in Germany in 2010: not this attack")
        page.get_by_role("button", name="Set status").click()
        expect(page.get_by_role("status")).to_contain_text("Status set to discounted.")
        expect(page.locator(".vstatus-history")).to_contain_text("taken in Germany in 2010")
        shots(page, "verification-evidence-1366")
        page.set_viewport_size({"width": 390, "height": 844})
        _fits(page, "#checks, #status, #duplicates")
        shots(page, "verification-evidence-390")

        page.goto(f"{base}/incidents/{INCIDENT}#corroboration")
        expect(page.locator("#corroboration-time")).to_contain_text("status discounted")
        _fits(page, "#checks, #corroboration")
        shots(page, "verification-incident-390")
        page.set_viewport_size({"width": 1366, "height": 900})
        shots(page, "verification-incident-1366")
        page.goto(f"{base}/duplicates")
        _fits(page, "main")
        shots(page, "verification-duplicates-1366")
    shots.publish()
    assert errors == []
