"""One withholding rule for pages and API: every GET route (pages and JSON API) × every
role × every sensitive string of a demo-like case. Roles without ``read_sensitive`` never
receive a sensitive string; roles with it receive each one somewhere.

The case: the demo (its sensitive witness source, with a quote and casualty notes), plus a
sensitive photo, a photo from the sensitive source (its acquisition URL, collector and note
identify the source), a sensitive satellite scene with an annotation, and a hand-added
casualty report from the sensitive source (its custody event names the source).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from evidencelab.locker.case import Case, open_case
from evidencelab.service.access.withholding import WITHHELD, WITHHELD_EVENT
from evidencelab.service.discussion.comments import add_comment
from evidencelab.service.imagery.annotations import annotate
from evidencelab.service.imagery.scenes import register_scenes
from evidencelab.service.incidents import incident_edit
from evidencelab.store.tables import Acquisition, CasualtyReportRow, EvidenceItem, Source
from evidencelab.store.tables.imagery import SceneAnnotation
from evidencelab.store.tables.search import Comment
from evidencelab.web.app import route_table
from evidencelab.web.permissions import ROUTE_PERMISSIONS, allowed
from test_imagery_fixtures import SITE_LAT, SITE_LON, ingest_file, texture, write_scene
from test_web_support import PHOTO, ROLE_USER, client_for, log_in

ROLES = ("admin", "investigator", "reviewer", "viewer")
WITNESS = "local-source-vuhledar"  # the demo's sensitive witness source


def _add_sensitive_material(case: Case, folder: Path) -> None:
    secret = folder / "olena-kovalenko-courtyard.jpg"
    secret.write_bytes(PHOTO.read_bytes() + b"sensitive copy")
    ingest_file(
        case,
        secret,
        evidence_id="witness-courtyard-photo",
        sensitive=True,
        source_id=WITNESS,
        note="handed over at the clinic on Shkilna street",
        collector="collector-okovalenko",
    )
    shared = folder / "hospital-roof.jpg"
    shared.write_bytes(PHOTO.read_bytes() + b"shared by the witness")
    ingest_file(
        case,
        shared,
        evidence_id="hospital-roof-photo",
        source_id=WITNESS,
        url="https://t.me/okovalenko_private",
        collector="relay-okovalenko",
        note="sent by the witness's neighbour",
    )
    for item in ("witness-courtyard-photo", "hospital-roof-photo"):
        incident_edit.link_evidence(case, "vuhledar-2022-02-24", item)
    scene = write_scene(folder / "secret-scene.tif", texture(200, seed=5), tags={"SENSOR": "X"})
    scene_id = ingest_file(case, scene, evidence_id="secret-pass-scene", sensitive=True)
    register_scenes(case, [scene_id])
    annotate(
        case, scene_id, kind="crater", point=(SITE_LAT, SITE_LON), note="crater by the safe house"
    )
    add_comment(
        case, "ivan", "evidence", "witness-courtyard-photo",
        "the courtyard where the witness keeps her car", sensitive=True,
    )  # fmt: skip
    incident_edit.link_evidence(case, "uman-2022-02-24", scene_id)
    report = {
        "source": WITNESS,
        "scope": "incident",
        "civilian": True,
        "killed": {"count": 1, "qualifier": "at_least"},
        "quote": "my brother Taras was at the restaurant door",
        "notes": "told by phone to the caseworker, not repeated elsewhere",
    }
    incident_edit.add_casualty_report(case, "uman-2022-02-24", report)


def _sensitive_strings(case: Case) -> set[str]:
    """Every string a role without read_sensitive must not see, read from the case: the
    sensitive sources' ids and fields, their casualty reports' other fields, the
    sensitive items' ids, hashes, names and acquisitions, the acquisitions from sensitive
    sources, and the annotations drawn on sensitive scenes."""
    strings: set[str] = set()
    with case.sessions() as session:
        sources = list(session.scalars(select(Source).where(Source.sensitive.is_(True))))
        hidden = {s.id for s in sources}
        for source in sources:
            strings |= {source.id, source.description or "", source.notes or "", source.url or ""}
        reports = select(CasualtyReportRow).where(CasualtyReportRow.source_id.in_(hidden))
        for report in session.scalars(reports):
            strings |= {v for v in report.extra.values() if isinstance(v, str)}
        items = list(session.scalars(select(EvidenceItem).where(EvidenceItem.sensitive.is_(True))))
        for item in items:
            strings |= {item.id, item.sha256, item.original_name or ""}
        sensitive_ids = {i.id for i in items}
        acquisitions = select(Acquisition).where(
            Acquisition.evidence_id.in_(sensitive_ids) | Acquisition.source_id.in_(hidden)
        )
        for acquisition in session.scalars(acquisitions):
            strings |= {acquisition.url or "", acquisition.collector or "", acquisition.note or ""}
        drawn = select(SceneAnnotation).where(SceneAnnotation.scene_id.in_(sensitive_ids))
        strings |= {a.note or "" for a in session.scalars(drawn)}
        on_items = (Comment.subject_kind == "evidence") & Comment.subject_id.in_(sensitive_ids)
        strings |= {c.body or "" for c in session.scalars(select(Comment).where(on_items))}
    # Long fields are checked by their first words (pages wrap nothing, but may truncate).
    return {s[:60] for s in strings if len(s) >= 6}


@pytest.fixture
def sensitive_case(demo: Path, tmp_path: Path) -> Iterator[tuple[Path, set[str]]]:
    with open_case(demo, actor="setup") as case:
        _add_sensitive_material(case, tmp_path)
        strings = _sensitive_strings(case)
    yield demo, strings


def _samples(root: Path) -> dict[str, list[str]]:
    with open_case(root) as case, case.sessions() as session:
        from evidencelab.store.tables import Incident, Source

        return {
            "incident_id": list(session.scalars(select(Incident.id))),
            "evidence_id": list(session.scalars(select(EvidenceItem.id))),
            "role": ["thumbnail"],
            "source_id": list(session.scalars(select(Source.id))),
            "position": ["0", "1"],
            "job_id": ["no-such-job"],
            "name": ["no-such-file"],
            "comment_id": [str(i) for i in session.scalars(select(Comment.id))],
            "capture_id": ["no-such-capture"],  # captures are withheld in test_web_capture
            "layer": ["places"],  # the basemap: public data, the same for every case
        }


# Query strings beyond the defaults: whole pages, searches, and filters naming the source.
EXTRA_QUERIES = {
    "api_custody": ["?limit=1000"],
    "search_page": ["?q=photo", "?q=courtyard", "?q=vuhledar"],
    "evidence_list": ["?source=" + WITNESS],
    "api_evidence_list": ["?source=" + WITNESS],
}


def _get_requests(root: Path) -> list[tuple[str, str]]:
    """(route name, URL) for every GET route of the app, each path parameter taking every
    value of the case, each route with its extra queries."""
    samples = _samples(root)
    with client_for(root) as client:
        table = route_table(client.app.routes)  # type: ignore[attr-defined]
    requests = []
    for name, template, methods in table:
        if "GET" not in methods or name == "login_form":
            continue
        urls = [template]
        for parameter in re.findall(r"{(\w+)}", template):
            urls = [u.replace("{" + parameter + "}", v) for u in urls for v in samples[parameter]]
        for url in urls:
            requests += [(name, url + query) for query in ["", *EXTRA_QUERIES.get(name, [])]]
    return requests


def _forms(text: str) -> list[str]:
    """How a string may appear in an answer: as is, HTML-escaped, JSON-escaped."""
    return [text, html.escape(text), json.dumps(text)[1:-1], html.escape(text, quote=False)]


@pytest.mark.parametrize("role", ROLES)
def test_every_route_withholds_every_sensitive_string(
    sensitive_case: tuple[Path, set[str]], role: str
) -> None:
    root, strings = sensitive_case
    assert {WITNESS, "witness-courtyard-photo", "secret-pass-scene"} <= strings
    assert "my brother Taras was at the restaurant door" in strings
    requests = _get_requests(root)
    assert {name for name, _url in requests} >= {"api_incident", "api_custody", "custody"}
    may_see = allowed(role, "read_sensitive")
    seen: set[str] = set()
    with client_for(root) as client:
        log_in(client, ROLE_USER[role])
        for name, url in requests:
            response = client.get(url)
            assert response.status_code < 500, url
            if not allowed(role, ROUTE_PERMISSIONS[name]):
                assert response.status_code == 403, url
                continue
            body = response.content.decode("utf-8", errors="replace")
            # A string the request itself names (an id in the path) may be echoed back.
            found = {s for s in strings if s not in url and any(form in body for form in _forms(s))}
            if not may_see:
                assert not found, f"{role} GET {url} shows {sorted(found)}"
            seen |= found
    if may_see:
        assert seen == strings, f"{role} never shown {sorted(strings - seen)}"


def test_the_api_incident_keeps_figures_and_withholds_the_rest(
    sensitive_case: tuple[Path, set[str]],
) -> None:
    root, _strings = sensitive_case
    with client_for(root) as client:
        log_in(client, "vic")
        incident = client.get("/api/incidents/uman-2022-02-24").json()
        report = next(r for r in incident["casualty_reports"] if r["source"] == WITHHELD)
        assert report["killed"] == {"count": 1, "qualifier": "at_least"}
        assert report["withheld_fields"] == ["notes", "quote"]
        assert report["source_record"]["description"] == "withheld: sensitive source"
        assert report["source_record"]["reliability"] == "medium"
        assert incident["evidence_withheld"] == 1  # the sensitive scene
        assert incident["imagery"]["withheld"] == 1


def test_the_custody_log_stays_visibly_continuous(sensitive_case: tuple[Path, set[str]]) -> None:
    root, _strings = sensitive_case
    with client_for(root) as client:
        log_in(client, "ivan")
        full = client.get("/api/custody?limit=1000").json()["events"]
        log_in(client, "vic")
        shown = client.get("/api/custody?limit=1000").json()["events"]
    assert [(e["seq"], e["recorded_at"], e["action"], e["hash"]) for e in shown] == [
        (e["seq"], e["recorded_at"], e["action"], e["hash"]) for e in full
    ]
    withheld = [e for e in shown if e["payload"] == {"withheld": WITHHELD_EVENT}]
    actions = {(e["action"], e["subject"]) for e in withheld}
    assert ("ingest", WITHHELD) in actions  # the sensitive photo and scene
    assert ("casualty_add", "uman-2022-02-24") in actions  # names the witness
    assert ("ingest", "hospital-roof-photo") in actions  # its payload names the witness
    unchanged = [e for e in shown if e not in withheld]
    assert len(unchanged) > len(withheld)  # the rest of the log is shown as recorded
