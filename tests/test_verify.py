"""verify: an intact case passes; each kind of tampering is detected and named."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from evidencelab.locker.case import Case
from evidencelab.locker.ingest import IngestRequest, ingest
from evidencelab.locker.verify import verify_case


@pytest.fixture
def filled(case: Case, loose_files: list[Path]) -> Case:
    ingest(case, [IngestRequest(path=p) for p in loose_files], extractors=[])
    return case


def database(case: Case) -> sqlite3.Connection:
    case.close()  # release the engine's connections so the raw edit is the only writer
    return sqlite3.connect(case.root / "case.sqlite", isolation_level=None)


def test_intact_case(filled: Case) -> None:
    report = verify_case(filled)
    assert report.intact, report.problems
    assert report.objects_checked == 3
    # create, then three ingests, each followed by the event logging the rows it wrote
    assert report.events_checked == 7


def test_flipped_byte_in_a_stored_original(filled: Case) -> None:
    sha = next(filled.objects.iter_shas())
    path = filled.objects.path(sha)
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    report = verify_case(filled)
    assert not report.intact
    assert len(report.problems) == 1
    assert report.problems[0].startswith(f"object {sha}: content changed")


def test_deleted_object(filled: Case) -> None:
    sha = sorted(filled.objects.iter_shas())[1]
    filled.objects.path(sha).unlink()
    report = verify_case(filled)
    assert [p.split(" — ")[0] for p in report.problems] == [f"object {sha}: missing"]


def test_edited_log_row(filled: Case) -> None:
    with database(filled) as db:
        db.execute("UPDATE custody_event SET actor = 'mallory' WHERE seq = 2")
    report = verify_case(filled)
    assert report.problems == [
        "custody log: event 2 (ingest "
        + _subject(filled, 2)
        + ") was altered after it was recorded (its content does not match its hash)"
    ]


def test_edited_log_row_with_recomputed_hash_breaks_the_next_link(filled: Case) -> None:
    from evidencelab.locker.custody import event_hash

    with database(filled) as db:
        row = db.execute(
            "SELECT seq, recorded_at, actor, action, subject, payload, prev_hash "
            "FROM custody_event WHERE seq = 2"
        ).fetchone()
        forged = event_hash(
            seq=row[0],
            recorded_at=row[1],
            actor="mallory",
            action=row[3],
            subject=row[4],
            payload=row[5],
            prev_hash=row[6],
        )
        db.execute("UPDATE custody_event SET actor='mallory', hash=? WHERE seq=2", (forged,))
    report = verify_case(filled)
    assert len(report.problems) == 1
    assert "event 3 (records) does not link to event 2" in report.problems[0]


def test_deleted_log_row_in_the_middle(filled: Case) -> None:
    with database(filled) as db:
        db.execute("DELETE FROM custody_event WHERE seq = 2")
    report = verify_case(filled)
    assert "custody log: event 2 missing (deleted from the log)" in report.problems
    # the evidence it recorded now has no ingest event either
    assert any("no ingest event in the custody log" in p for p in report.problems)


def test_deleted_last_log_row(filled: Case) -> None:
    with database(filled) as db:
        db.execute("DELETE FROM custody_event WHERE seq = 7")
    report = verify_case(filled)
    assert (
        "custody log: ends at event 6 but the head file records event 7: "
        "events were deleted from the end of the log"
    ) in report.problems


def test_unreferenced_object_is_a_note_not_a_problem(filled: Case) -> None:
    filled.objects.put_bytes(b"left by an interrupted ingest")
    report = verify_case(filled)
    assert report.intact
    assert report.notes and "1 stored object(s) not referenced" in report.notes[0]


def _subject(case: Case, seq: int) -> str:
    with sqlite3.connect(case.root / "case.sqlite") as db:
        return str(
            db.execute("SELECT subject FROM custody_event WHERE seq=?", (seq,)).fetchone()[0]
        )


def test_edited_acquisition_record_differs_from_its_custody_event(filled: Case) -> None:
    with database(filled) as db:
        db.execute("UPDATE acquisition SET collected_at = '2021-01-01T00:00:00Z' WHERE id = 1")
        evidence_id, seq = db.execute(
            "SELECT evidence_id, custody_seq FROM acquisition WHERE id = 1"
        ).fetchone()
    report = verify_case(filled)
    assert report.problems == [
        f"evidence {evidence_id}: acquisition 1: collected_at is '2021-01-01T00:00:00Z' in the "
        f"case but None in custody event {seq}",
        'acquisition 1: field collected_at is "2021-01-01T00:00:00Z", custody event '
        f"{seq + 1} logged null",
    ]


def test_deleted_evidence_record_is_detected(filled: Case) -> None:
    with database(filled) as db:
        db.execute("PRAGMA foreign_keys = OFF")
        evidence_id = db.execute("SELECT evidence_id FROM acquisition WHERE id = 2").fetchone()[0]
        db.execute("DELETE FROM acquisition WHERE evidence_id = ?", (evidence_id,))
        db.execute("DELETE FROM evidence WHERE id = ?", (evidence_id,))
    report = verify_case(filled)
    assert report.problems == [
        f"custody log: event 4 (ingest {evidence_id}): its acquisition record is missing from "
        "the case",
        f"evidence {evidence_id}: deleted outside evidencelab (custody event 5 logged it)",
        "acquisition 2: deleted outside evidencelab (custody event 5 logged it)",
    ]
    assert report.notes  # its object is still on disk, now unreferenced
