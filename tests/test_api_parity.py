"""Every capability of the command line is in the workbench too: the JSON API of search,
discussion, the incident workflow and content credentials (the same services, records and
permissions as the pages; a refused value answers 4xx and changes nothing), the evidence
page's "Read content credentials" button, and `evidence preview` (the preview the web
serves, written to a file; none for an item flagged as graphic)."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from cli_helpers import run_cli
from evidencelab.locker.case import open_case
from evidencelab.locker.ingest import IngestRequest
from evidencelab.service.access import users
from evidencelab.service.incidents.workflow_list import incident_page
from evidencelab.service.intake import take_in
from evidencelab.service.integrity.custody import custody_log
from evidencelab.store.search_index import KINDS
from evidencelab.web.discussion_api import SearchKind
from test_web_support import PHOTO, hidden_token, log_in

VUHLEDAR = "vuhledar-2022-02-24"
UMAN = "uman-2022-02-24"
ITEM = "uman-street-1"

Headers = dict[str, str]


def _bearer(demo: Path, name: str) -> Headers:
    with open_case(demo) as case:
        return {"Authorization": f"Bearer {users.create_token(case, name)}"}


def _events(demo: Path) -> list[tuple[str, str | None]]:
    with open_case(demo) as case:
        return [(e["action"], e["subject"]) for e in custody_log(case)]


def _sensitive_item(demo: Path) -> str:
    with open_case(demo, actor="importer") as case:
        (stored,) = take_in(case, [IngestRequest(path=PHOTO, sensitive=True)]).stored_ids
    return stored


def _hit_refs(answer: dict[str, Any]) -> set[str]:
    return {hit["ref"] for group in answer["groups"] for hit in group["hits"]}


# --- search -------------------------------------------------------------------------------


def test_search_finds_as_the_page_and_withholds_sensitive_items(
    client: TestClient, demo: Path
) -> None:
    hidden = _sensitive_item(demo)
    vic, ivan = _bearer(demo, "vic"), _bearer(demo, "ivan")
    found = client.get("/api/search", params={"q": "Вугледар", "kind": "incident"}, headers=vic)
    assert found.status_code == 200
    answer = found.json()
    assert answer["kinds"] == ["incident"] and VUHLEDAR in _hit_refs(answer)
    assert any(part["hit"] for part in answer["groups"][0]["hits"][0]["snippet"])
    # The sensitive photo is an iPhone 4 picture: found by its make for an investigator,
    # neither hit nor count for a viewer.
    seen = client.get("/api/search", params={"q": "iPhone"}, headers=ivan).json()
    assert hidden in _hit_refs(seen) and seen["total"] >= 1
    withheld = client.get("/api/search", params={"q": "iPhone"}, headers=vic).json()
    assert withheld["total"] == 0 and withheld["groups"] == []


def test_search_refuses_a_bad_date_or_kind_by_field(client: TestClient, demo: Path) -> None:
    vic = _bearer(demo, "vic")
    bad_date = client.get("/api/search", params={"q": "x", "date_to": "2022-02-30"}, headers=vic)
    assert bad_date.status_code == 422
    assert bad_date.json()["errors"] == {"date_to": "date_to 2022-02-30: not a date (YYYY-MM-DD)"}
    bad_kind = client.get("/api/search", params={"q": "x", "kind": "people"}, headers=vic)
    assert bad_kind.status_code == 422 and "kind" in bad_kind.json()["detail"]
    assert set(get_args(SearchKind)) == set(KINDS)


# --- discussion ---------------------------------------------------------------------------


def test_comments_and_the_activity_feed_through_the_api(client: TestClient, demo: Path) -> None:
    ivan, rita = _bearer(demo, "ivan"), _bearer(demo, "rita")
    url = f"/api/incidents/{UMAN}/comments"
    added = client.post(url, json={"body": "@rita is the time right?"}, headers=ivan)
    assert added.status_code == 201
    comment = added.json()
    assert (comment["author"], comment["mentions"], comment["subject_id"]) == (
        "ivan",
        ["rita"],
        UMAN,
    )
    on_item = client.post(f"/api/evidence/{ITEM}/comments", json={"body": "a street"}, headers=ivan)
    assert on_item.status_code == 201
    assert [c["body"] for c in client.get(url, headers=rita).json()] == ["@rita is the time right?"]
    thread = client.get(f"/api/evidence/{ITEM}/comments", headers=rita).json()
    assert [(c["author"], c["body"]) for c in thread] == [("ivan", "a street")]
    feed = client.get("/api/activity", headers=rita).json()
    assert feed["user"] == "rita" and [m["id"] for m in feed["mentions"]] == [comment["id"]]
    assert feed["count"] == len(feed["events"]) + 1
    seen = client.post("/api/activity/seen", json={}, headers=rita)
    assert seen.status_code == 200 and seen.json()["count"] == 0
    assert client.get("/api/activity", headers=rita).json()["count"] == 0


def test_a_refused_comment_is_named_by_field_and_stores_nothing(
    client: TestClient, demo: Path
) -> None:
    hidden = _sensitive_item(demo)
    vic = _bearer(demo, "vic")  # a viewer may comment, as on the pages
    url = f"/api/incidents/{UMAN}/comments"
    unknown = client.post(url, json={"body": "ask @zed"}, headers=vic)
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == {"body": "body @zed: no such user to mention"}
    empty = client.post(url, json={"body": "   "}, headers=vic)
    assert empty.json()["errors"] == {"body": "body: write something"}
    assert client.post(url, json={"text": "no body"}, headers=vic).status_code == 422
    assert client.post(url, content=b"not json", headers=vic).status_code == 422
    nowhere = client.post("/api/incidents/nosuch/comments", json={"body": "x"}, headers=vic)
    assert nowhere.status_code == 404
    # A sensitive item has no thread for a reader who may not see it.
    for method in ("GET", "POST"):
        answer = client.request(
            method, f"/api/evidence/{hidden}/comments", json={"body": "x"}, headers=vic
        )
        assert answer.status_code == 404
    assert client.get(url, headers=vic).json() == []


# --- workflow -----------------------------------------------------------------------------


def test_the_incident_list_is_the_pages_filtered_sorted_list(
    client: TestClient, demo: Path
) -> None:
    vic = _bearer(demo, "vic")
    answer = client.get("/api/incidents", params={"sort": "title"}, headers=vic)
    assert answer.status_code == 200
    listing = answer.json()
    with open_case(demo) as case:
        expected = incident_page(case, {"sort": "title"}, me="vic")
    assert listing["rows"] == expected["rows"] and listing["total"] == 3
    titles = [row["title"] for row in listing["rows"]]
    assert titles == sorted(titles, key=str.lower)
    page = client.get("/api/incidents", params={"page_size": "2", "page": "2"}, headers=vic)
    assert page.json()["pages"] == 2 and len(page.json()["rows"]) == 1
    words = client.get("/api/incidents", params={"text": "Uman"}, headers=vic).json()
    assert [row["id"] for row in words["rows"]] == [UMAN]


def test_bad_list_parameters_are_named_at_once(client: TestClient, demo: Path) -> None:
    vic = _bearer(demo, "vic")
    params = {"sort": "colour", "page_size": "0", "date_from": "yesterday"}
    answer = client.get("/api/incidents", params=params, headers=vic)
    assert answer.status_code == 422
    assert set(answer.json()["errors"]) == {"sort", "page_size", "date_from"}
    assert "must be one of date, title" in answer.json()["errors"]["sort"]


def test_bulk_workflow_sets_every_field_with_a_custody_event_each(
    client: TestClient, demo: Path
) -> None:
    ivan = _bearer(demo, "ivan")
    body = {"incidents": [UMAN, VUHLEDAR], "status": "in progress", "assignee": "rita"}
    answer = client.post("/api/incidents/workflow", json=body | {"due": "2026-03-31"}, headers=ivan)
    assert answer.status_code == 200
    changes = answer.json()["changes"]
    assert {(c["incident"], c["field"], c["after"]) for c in changes} == {
        (incident, field, value)
        for incident in (UMAN, VUHLEDAR)
        for field, value in (("status", "in progress"), ("assignee", "rita"), ("due", "2026-03-31"))
    }
    logged = [event for event in _events(demo) if event[0].startswith("incident_")]
    assert len(logged) == 6
    mine = client.get("/api/incidents", params={"mine": "on"}, headers=_bearer(demo, "rita"))
    assert {row["id"] for row in mine.json()["rows"]} == {UMAN, VUHLEDAR}
    cleared = client.post(
        "/api/incidents/workflow", json={"incidents": [UMAN], "assignee": None}, headers=ivan
    )
    assert [(c["field"], c["after"]) for c in cleared.json()["changes"]] == [("assignee", None)]


def test_a_refused_bulk_change_names_each_field_and_changes_nothing(
    client: TestClient, demo: Path
) -> None:
    ivan, vic = _bearer(demo, "ivan"), _bearer(demo, "vic")
    before = _events(demo)
    body = {"incidents": [UMAN, "nosuch"], "status": "finished", "due": "2026-02-30"}
    answer = client.post("/api/incidents/workflow", json=body, headers=ivan)
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert set(errors) == {"incidents", "status", "due"}
    assert errors["incidents"] == "incidents nosuch: no such incident in the case"
    for malformed in (
        {"incidents": [UMAN]},  # nothing to set
        {"incidents": [], "status": "done"},
        {"incidents": UMAN, "status": "done"},
        {"incidents": [UMAN], "status": None},
        {"incidents": [UMAN], "status": 3},
    ):
        refused = client.post("/api/incidents/workflow", json=malformed, headers=ivan)
        assert refused.status_code == 422, malformed
    viewer = client.post(
        "/api/incidents/workflow",
        json={"incidents": [UMAN], "status": "done"},
        headers=vic,
    )
    assert viewer.status_code == 403
    assert _events(demo) == before


# --- content credentials ------------------------------------------------------------------


def _forget_reading(demo: Path, evidence_id: str) -> None:
    """The item as one stored before content credentials were read (no reading row)."""
    with sqlite3.connect(demo / "case.sqlite") as db:
        db.execute("DELETE FROM content_credentials WHERE evidence_id = ?", (evidence_id,))


def test_credentials_are_read_and_read_again_through_the_api(
    client: TestClient, demo: Path
) -> None:
    vic, ivan = _bearer(demo, "vic"), _bearer(demo, "ivan")
    stored = client.get(f"/api/evidence/{ITEM}/credentials", headers=vic).json()
    assert (stored["evidence_id"], stored["state"]) == (ITEM, "none")
    assert stored["library"].startswith("c2pa-python")
    _forget_reading(demo, ITEM)
    assert client.get(f"/api/evidence/{ITEM}/credentials", headers=vic).json()["state"] == (
        "not_read"
    )
    url = "/api/evidence/credentials/read"
    assert client.post(url, json={}, headers=_bearer(demo, "rita")).status_code == 403
    before = len(_events(demo))
    assert client.post(url, json={}, headers=ivan).json() == [
        {"evidence_id": ITEM, "before": "not_read", "after": "none"}
    ]
    assert _events(demo)[before:] == [("content_credentials_read", ITEM), ("records", ITEM)]
    again = client.post(url, json={"evidence": [ITEM]}, headers=ivan).json()
    assert again == [{"evidence_id": ITEM, "before": "none", "after": "none"}]


def test_credentials_refusals_read_nothing(client: TestClient, demo: Path) -> None:
    hidden = _sensitive_item(demo)
    vic, ivan = _bearer(demo, "vic"), _bearer(demo, "ivan")
    before = _events(demo)
    url = "/api/evidence/credentials/read"
    unknown = client.post(url, json={"evidence": [ITEM, "nosuch"]}, headers=ivan)
    assert unknown.status_code == 404 and "evidence nosuch: no such evidence item" in unknown.text
    for malformed in ({"evidence": ITEM}, {"evidence": [""]}, {"evidence": [1]}):
        assert client.post(url, json=malformed, headers=ivan).status_code == 422, malformed
    assert _events(demo) == before
    assert client.get(f"/api/evidence/{hidden}/credentials", headers=vic).status_code == 404
    assert client.get(f"/api/evidence/{hidden}/credentials", headers=ivan).status_code == 200


def test_the_evidence_page_reads_an_item_not_read_yet(client: TestClient, demo: Path) -> None:
    _forget_reading(demo, ITEM)
    before = len(_events(demo))
    log_in(client, "vic")
    assert "Read content credentials" not in client.get(f"/evidence/{ITEM}").text
    log_in(client, "ivan")
    page = client.get(f"/evidence/{ITEM}").text
    assert "Not read yet" in page and "Read content credentials</button>" in page
    read = client.post(
        f"/evidence/{ITEM}/credentials/read", data={"csrf_token": hidden_token(page)}
    )
    assert read.status_code == 303
    after = client.get(read.headers["location"]).text
    assert "Content credentials read from the stored copy" in after
    assert "No content credentials (the normal case" in after
    assert "Read content credentials</button>" not in after
    assert ("content_credentials_read", ITEM) in _events(demo)[before:]


# --- previews on the command line ---------------------------------------------------------


@pytest.mark.parametrize("size", ["small", "large"])
def test_evidence_preview_writes_the_picture_the_workbench_serves(
    client: TestClient, demo: Path, tmp_path: Path, size: str
) -> None:
    out = tmp_path / "preview.jpg"
    done = run_cli(
        "evidence", "preview", ITEM, "--out", str(out), "--size", size, "--case", str(demo)
    )
    assert done.returncode == 0, done.stderr
    with Image.open(io.BytesIO(out.read_bytes())) as picture:
        # The demo photo is 512 px wide: "large" (960 px at most) never enlarges it.
        assert picture.format == "JPEG" and max(picture.size) == {"small": 256, "large": 512}[size]
    log_in(client, "vic")
    served = client.get(f"/evidence/{ITEM}/thumbnail", params={"size": size})
    assert served.content == out.read_bytes()
    as_json = run_cli("evidence", "preview", ITEM, "--out", str(out), "--json", "--case", str(demo))
    assert '"media_type": "image/jpeg"' in as_json.stdout


def test_evidence_preview_refuses_a_flagged_item_and_bad_input(demo: Path, tmp_path: Path) -> None:
    flagged = run_cli(
        "evidence", "flag", ITEM, "--add", "dead_or_injured", "--reason", "a body",
        "--case", str(demo),
    )  # fmt: skip
    assert flagged.returncode == 0, flagged.stderr
    out = tmp_path / "preview.jpg"
    cases = {
        (ITEM, "small"): (
            f"error: evidence {ITEM}: flagged (dead or injured people): no preview is made"
        ),
        ("nosuch", "small"): "error: evidence nosuch: no such evidence item",
        ("vuhledar-remnant-1", "huge"): (
            "error: --size huge: unknown preview size; one of small, large"
        ),
    }
    for (ref, size), message in cases.items():
        done = run_cli(
            "evidence", "preview", ref, "--out", str(out), "--size", size, "--case", str(demo)
        )
        assert (done.returncode, done.stderr.strip()) == (1, message)
    missing = run_cli(
        "evidence", "preview", "vuhledar-remnant-1", "--out", str(tmp_path / "no" / "p.jpg"),
        "--case", str(demo),
    )  # fmt: skip
    assert missing.returncode == 1 and "folder does not exist" in missing.stderr
    assert not out.exists()
