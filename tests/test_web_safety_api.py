"""The safeguards' JSON API (an item's sensitivity; setting and clearing flags under the
`flag` permission, with a custody event naming who and why) and the rule that an item
flagged as graphic has no preview: the preview route answers a placeholder naming its
flags, its stored thumbnail is refused, and only the original stays reachable."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from evidencelab.locker.case import open_case
from evidencelab.locker.custody import event_payload
from evidencelab.locker.ingest import IngestRequest
from evidencelab.service.intake import take_in
from evidencelab.store.tables import CustodyEvent
from test_web_support import CORPUS, log_in

ITEM = "vuhledar-hospital-1"
PHOTO = CORPUS / "metadata-extractor-images" / "jpg" / "Apple iPhone 4.jpg"


def _flag_events(demo: Path) -> list[CustodyEvent]:
    with open_case(demo) as case, case.sessions() as session:
        query = select(CustodyEvent).where(CustodyEvent.action == "evidence_flag")
        return list(session.scalars(query.order_by(CustodyEvent.seq)))


def _flag(client: TestClient, token: str, **body: object) -> httpx.Response:
    return client.post(f"/api/evidence/{ITEM}/flags", json=body, headers={"X-CSRF-Token": token})


def test_flags_are_read_set_and_cleared_through_the_api(client: TestClient, demo: Path) -> None:
    vic = log_in(client, "vic")  # viewer: reads, may not flag
    read = client.get(f"/api/evidence/{ITEM}/sensitivity")
    assert read.status_code == 200
    assert read.json() == {
        "evidence": ITEM,
        "flags": [],
        "covering": [],
        "warning": "",
        "flag_records": [],
        "clearance": None,
        "publishable": True,
        "reviews": [],
    }
    refused = _flag(client, vic, add=["graphic_violence"], reason="blood")
    assert refused.status_code == 403

    ivan = log_in(client, "ivan")
    set_ = _flag(client, ivan, add=["graphic_violence", "minors"], reason="a wounded child")
    assert set_.status_code == 200
    answer = set_.json()
    assert answer["change"]["added"] == ["graphic_violence", "minors"]
    assert answer["sensitivity"]["warning"] == "Warning: graphic violence, minors"
    assert answer["sensitivity"]["publishable"] is False
    (event,) = _flag_events(demo)
    assert (event.actor, event.subject, event.seq) == (
        "ivan",
        ITEM,
        answer["change"]["custody_event"],
    )
    assert event_payload(event)["reason"] == "a wounded child"

    again = _flag(client, ivan, add=["minors"], reason="still a child").json()
    assert again["change"] is None and len(_flag_events(demo)) == 1
    cleared = _flag(client, ivan, remove=["minors"], reason="an adult, on a second look")
    assert cleared.json()["sensitivity"]["flags"] == ["graphic_violence"]
    assert len(_flag_events(demo)) == 2
    flags = client.get(f"/api/evidence/{ITEM}/sensitivity").json()["flag_records"]
    assert [(f["flag"], f["by"], f["reason"]) for f in flags] == [
        ("graphic_violence", "ivan", "a wounded child")
    ]


def test_bad_flag_requests_are_named_and_change_nothing(client: TestClient, demo: Path) -> None:
    ivan = log_in(client, "ivan")
    unknown = _flag(client, ivan, add=["gore"], reason="x")
    assert unknown.status_code == 422
    assert "body.add.0" in unknown.text
    no_reason = _flag(client, ivan, add=["minors"], reason="  ")
    assert no_reason.status_code == 400
    assert "reason: required: say why" in no_reason.text
    nothing = _flag(client, ivan, reason="x")
    assert "name at least one flag to add or remove" in nothing.text
    both = _flag(client, ivan, add=["minors"], remove=["minors"], reason="x")
    assert "is also among the flags to add" in both.text
    missing = client.get("/api/evidence/no-such-item/sensitivity")
    assert missing.status_code == 404
    assert _flag_events(demo) == []


def test_a_sensitive_items_flags_follow_the_rule_of_the_item(
    client: TestClient, demo: Path
) -> None:
    with open_case(demo, actor="importer") as case:
        (hidden,) = take_in(case, [IngestRequest(path=PHOTO, sensitive=True)]).stored_ids
    log_in(client, "vic")  # may not read sensitive items: it is not there
    assert client.get(f"/api/evidence/{hidden}/sensitivity").status_code == 404
    ivan = log_in(client, "ivan")
    assert client.get(f"/api/evidence/{hidden}/sensitivity").status_code == 200
    flagged = client.post(
        f"/api/evidence/{hidden}/flags",
        json={"add": ["personal_information"], "reason": "a face"},
        headers={"X-CSRF-Token": ivan},
    )
    assert flagged.status_code == 200


def test_an_item_flagged_as_graphic_has_no_preview_but_its_original(
    client: TestClient, demo: Path
) -> None:
    ivan = log_in(client, "ivan")
    before = client.get(f"/evidence/{ITEM}/thumbnail")
    assert before.headers["content-type"] == "image/jpeg"
    assert _flag(client, ivan, add=["dead_or_injured"], reason="a body").status_code == 200
    cache = demo / "cache" / "previews"
    made = set(cache.iterdir())

    for size in ("small", "large"):
        placeholder = client.get(f"/evidence/{ITEM}/thumbnail", params={"size": size})
        assert placeholder.status_code == 200
        assert placeholder.headers["content-type"] == "image/svg+xml"
        assert placeholder.headers["cache-control"] == "no-store"
        assert "Warning: dead or injured people: no preview" in placeholder.text
        assert ">dead or injured people</text>" in placeholder.text
    assert set(cache.iterdir()) == made  # no preview made for it
    derivative = client.get(f"/evidence/{ITEM}/derivative/thumbnail")
    assert derivative.status_code == 400
    assert "Warning: dead or injured people: no preview" in derivative.text
    original = client.get(f"/evidence/{ITEM}/original")
    assert original.status_code == 200 and original.headers["content-type"] == "image/jpeg"

    # A flag that does not cover the media leaves the preview as it was.
    _flag(client, ivan, remove=["dead_or_injured"], add=["possibly_deceptive"], reason="reused")
    assert client.get(f"/evidence/{ITEM}/thumbnail").content == before.content
