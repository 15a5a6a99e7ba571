"""Editing through the web app: incidents, links, casualty reports, uploads and fact review,
each landing in the custody log with the web user as actor."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from evidencelab.locker.case import CaseError, open_case
from evidencelab.locker.verify import verify_case
from evidencelab.service.evidence.items import show_evidence
from evidencelab.service.incidents import incident_edit, review
from evidencelab.service.incidents.listing import show_incident
from evidencelab.service.integrity.custody import custody_log
from test_web_support import PHOTO, log_in

INCIDENT = "uman-2022-02-24"


def _events(demo: Path, action: str) -> list[dict[str, object]]:
    with open_case(demo) as case:
        return [e for e in custody_log(case) if e["action"] == action]


def test_create_and_edit_an_incident_from_the_form(client: TestClient, demo: Path) -> None:
    csrf = log_in(client, "ivan")
    form = {
        "csrf_token": csrf,
        "id": "kharkiv-2022-02-28",
        "title": "Cluster munitions in a residential area",
        "time_start": "2022-02-28T10:00+02:00",
        "approximate": "on",
        "place_name": "Kharkiv",
        "country": "UA",
        "lat": "49.99",
        "lon": "36.23",
        "precision_m": "300",
        "munition": "9M55K",
        "weapon_basis": "remnants in photographs",
        "weapon_confidence": "medium",
    }
    response = client.post("/incidents/new", data=form)
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "Cluster munitions in a residential area" in page
    assert "2022-02-28 08:00:00 UTC</span>" in page  # UTC beside the local time
    with open_case(demo) as case:
        stored = show_incident(case, "kharkiv-2022-02-28")
    assert stored["place"]["lat"] == 49.99 and stored["time"]["approximate"] is True
    form |= {"precision_m": "150"}
    assert client.post("/incidents/kharkiv-2022-02-28/edit", data=form).status_code == 303
    edits = _events(demo, "incident_edit")
    assert [(e["actor"], e["subject"]) for e in edits] == [("ivan", "kharkiv-2022-02-28")]
    change = edits[0]["payload"]["changed"]["place"]  # type: ignore[index]
    assert (change["from"]["precision_m"], change["to"]["precision_m"]) == (300.0, 150.0)
    with open_case(demo) as case:
        report = verify_case(case)
        assert report.intact, report.problems


def test_bad_input_is_refused_in_one_line_and_nothing_changes(
    client: TestClient, demo: Path
) -> None:
    csrf = log_in(client, "ivan")
    before = len(_events(demo, "incident_create"))
    for bad, message in (
        ({"time_start": "2022-02-28T10:00"}, "offset"),
        ({"lat": "91", "lon": "36"}, "latitude"),
        ({"lat": "49.9"}, "lon"),
        ({"id": "Not An Id"}, "id:"),
    ):
        form = {"csrf_token": csrf, "id": "x-1", "title": "T", "place_name": "P"} | bad
        response = client.post("/incidents/new", data=form)
        assert response.status_code == 400, bad
        assert message in response.text, (bad, message)
    assert len(_events(demo, "incident_create")) == before


def test_link_unlink_and_casualty_report(client: TestClient, demo: Path) -> None:
    csrf = log_in(client, "ivan")
    url = f"/incidents/{INCIDENT}"
    assert (
        client.post(f"{url}/evidence/uman-street-1/unlink", data={"csrf_token": csrf}).status_code
        == 303
    )
    assert (
        client.post(
            f"{url}/evidence", data={"csrf_token": csrf, "evidence": "uman-street-1"}
        ).status_code
        == 303
    )
    again = client.post(f"{url}/evidence", data={"csrf_token": csrf, "evidence": "uman-street-1"})
    assert again.status_code == 400 and "already linked" in again.text
    report = {
        "csrf_token": csrf,
        "source": "amnesty-press-release-2022-02",
        "scope": "incident",
        "civilian": "true",
        "killed_count": "3",
        "killed_qualifier": "at_least",
    }
    assert client.post(f"{url}/casualties", data=report).status_code == 303
    with open_case(demo) as case:
        stored = show_incident(case, INCIDENT)
    assert stored["casualties"][-1]["killed"] == {"count": 3, "qualifier": "at_least"}
    unknown = client.post(f"{url}/casualties", data=report | {"source": "nobody"})
    assert unknown.status_code == 400
    assert "source &#39;nobody&#39;: not in this case (it holds " in unknown.text
    actors = {
        e["actor"]
        for a in ("evidence_unlink", "evidence_link", "casualty_add")
        for e in _events(demo, a)
    }
    assert actors == {"ivan"}


def test_upload_stores_the_photo_shows_its_hash_and_metadata(
    client: TestClient, demo: Path
) -> None:
    csrf = log_in(client, "ivan")
    data = PHOTO.read_bytes()
    response = client.post(
        "/upload",
        data={"csrf_token": csrf, "kind": "photo", "incident": INCIDENT, "note": "from a witness"},
        files={"file": ("../../etc/iphone.jpg", data, "image/jpeg")},
    )
    assert response.status_code == 200, response.text
    sha256 = hashlib.sha256(data).hexdigest()
    assert response.text.count(sha256) == 2  # received and stored: the same
    with open_case(demo) as case:
        item = show_evidence(case, sha256)
        linked = show_incident(case, INCIDENT)["evidence"]
    assert item["original_name"] == "iphone.jpg"  # no folder part from the browser
    assert item["acquisitions"][0]["ingested_by"] == "ivan"
    assert item["id"] in linked
    page = client.get(f"/evidence/{item['id']}").text
    assert "41.853" in page  # GPS latitude from the photo's EXIF
    assert "Apple" in page
    assert not list(demo.glob("upload-*"))  # the received copy is gone once in the locker


def test_author_cannot_be_the_only_reviewer(demo: Path) -> None:
    with open_case(demo, actor="alice") as case:
        incident_edit.edit_incident(
            case, INCIDENT, {"place": {"name": "Uman", "lat": 48.75, "lon": 30.22}}
        )
        review.review_fact(case, INCIDENT, "location", "reviewed", "checked my own work")
        states = {s["fact"]: s for s in review.fact_states(case, [INCIDENT])}
        assert states["location"]["author"] == "alice"
        assert states["location"]["state"] == "awaiting review"
        assert states["time"]["author"] == "importer"  # set by the demo import
    with open_case(demo, actor="rita") as case:
        review.review_fact(case, INCIDENT, "location", "reviewed", "matches the imagery")
        state = {s["fact"]: s for s in review.fact_states(case, [INCIDENT])}["location"]
        assert state["state"] == "reviewed"
        with pytest.raises(CaseError, match="say why"):
            review.review_fact(case, INCIDENT, "weapon", "disputed", "")
        review.review_fact(case, INCIDENT, "weapon", "disputed", "remnant not visible")
        assert {s["fact"]: s for s in review.fact_states(case, [INCIDENT])}["weapon"][
            "state"
        ] == "disputed"
    with open_case(demo, actor="ivan") as case:  # a later change makes the review stale
        incident_edit.edit_incident(
            case, INCIDENT, {"place": {"name": "Uman", "lat": 48.751, "lon": 30.22}}
        )
        state = {s["fact"]: s for s in review.fact_states(case, [INCIDENT])}["location"]
        assert state["state"] == "awaiting review"
        assert [m["stale"] for m in state["marks"]] == [True, True]


def test_review_from_the_page_and_overview_progress(client: TestClient, demo: Path) -> None:
    csrf = log_in(client, "rita")
    overview = client.get("/").text
    assert "awaiting review" in overview
    response = client.post(
        f"/incidents/{INCIDENT}/review",
        data={"csrf_token": csrf, "fact": "time", "state": "reviewed", "comment": "sun angle"},
    )
    assert response.status_code == 303
    page = client.get(f"/incidents/{INCIDENT}").text
    assert "reviewed by rita" in page
    [event] = _events(demo, "fact_review")
    assert event["actor"] == "rita" and event["subject"] == INCIDENT
