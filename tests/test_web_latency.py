"""The overview does not read the whole case on every request: its queries do not grow
with the number of evidence items, and the whole-case check (the records that could not be
read) runs again only after the database has changed, by the software or outside it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import event

from evidencelab.locker.case import open_case
from evidencelab.service.case_cache import CaseReadings
from evidencelab.service.incidents.listing import case_summary
from evidencelab.service.incidents.overview import overview_summary
from evidencelab.service.reading import load_case
from evidencelab.store.tables import EvidenceItem, IncidentEvidence
from test_web_support import log_in

INCIDENT = "uman-2022-02-24"


def _add_items(root: Path, count: int) -> None:
    """``count`` evidence rows, each linked to an incident."""
    with open_case(root, actor="setup") as case, case.transaction() as session:
        case.record(session, "import", None, {"evidence": count})
        for n in range(count):
            session.add(
                EvidenceItem(
                    id=f"ev-{n:04d}",
                    sha256=f"{n:064x}",
                    size_bytes=1000,
                    original_name=f"ev-{n:04d}.jpg",
                    kind="photo",
                    media_type="image/jpeg",
                    source_id="amnesty-press-release-2022-02",
                    sensitive=False,
                    first_ingested_at=f"2026-01-01T00:00:00.{n:06d}Z",
                    metadata_raw={},
                    metadata_normalised={},
                    extraction_errors=[],
                    extra={},
                )
            )
        session.flush()  # the items before the links naming them (a foreign key)
        for n in range(count):
            link = IncidentEvidence(incident_id=INCIDENT, evidence_id=f"ev-{n:04d}", position=n)
            session.add(link)


def _overview_queries(client: TestClient, items: int) -> int:
    """SQL statements of one overview request, after a first one (which checks the case)."""
    assert client.get("/").status_code == 200
    statements: list[str] = []
    engine = client.app.state.case.engine  # type: ignore[attr-defined]
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    page = client.get("/")
    event.remove(engine, "before_cursor_execute", listener)
    assert f'<a href="/evidence">{items}</a>' in page.text
    assert "at least 6 civilians killed" in page.text
    return len(statements)


def test_the_overview_reads_no_more_for_more_evidence(client: TestClient, demo: Path) -> None:
    log_in(client, "vic")
    few = _overview_queries(client, 6)
    _add_items(demo, 200)
    assert _overview_queries(client, 206) == few


def _write_outside(root: Path, sql: str) -> None:
    with sqlite3.connect(root / "case.sqlite", isolation_level=None) as connection:
        connection.execute("PRAGMA foreign_keys = OFF")
        assert connection.execute(sql).rowcount == 1


def test_whole_case_reads_are_made_again_only_after_a_change(
    client: TestClient, demo: Path
) -> None:
    with open_case(demo) as case:
        readings = CaseReadings(case)
        assert readings.salvaged(case) is None
        assert overview_summary(case, None) == case_summary(case)  # what the overview shows
        readings.close()
    log_in(client, "ivan")
    kept: CaseReadings = client.app.state.case_readings  # type: ignore[attr-defined]
    pages = ["/", f"/incidents/{INCIDENT}", "/evidence/uman-street-1"]
    for page in pages:
        assert client.get(page).status_code == 200
    before = dict(kept.readings)
    for page in pages:
        assert client.get(page).status_code == 200
    assert kept.readings == before  # nothing changed: nothing read again

    _write_outside(demo, "UPDATE evidence SET source_id = 'typo' WHERE id = 'uman-street-1'")
    overview = client.get("/")
    assert "Records that could not be read" in overview.text and "typo" in overview.text
    assert kept.readings["case"] == before["case"] + 1
    assert client.get(f"/incidents/{INCIDENT}").status_code == 200
    assert kept.readings["corroboration"] == before["corroboration"] + 1
    with open_case(demo) as case:
        salvaged = load_case(case)
        assert overview_summary(case, salvaged) == case_summary(case) and salvaged.problems
