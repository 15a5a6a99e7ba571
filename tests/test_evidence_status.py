"""Verification status of evidence items: history kept, latest wins, each change logged."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from evidencelab.locker.case import Case, CaseError, open_case
from evidencelab.locker.verify import verify_case
from evidencelab.service.evidence.items import show_evidence
from evidencelab.service.evidence.status import (
    evidence_status,
    evidence_status_history,
    evidence_statuses,
    import_status,
    set_evidence_status,
    status_custody_problems,
    status_file_record,
)
from evidencelab.store.tables import CustodyEvent
from evidencelab.store.tables.verification import EvidenceStatusEvent


@pytest.fixture
def filled(zadar_template: Path, tmp_path: Path) -> Iterator[Case]:
    shutil.copytree(zadar_template, tmp_path / "case")
    with open_case(tmp_path / "case", actor="tester") as case:
        yield case


def state_of(case: Case) -> tuple[int, int, str]:
    with case.sessions() as session:
        events = session.scalar(select(func.count()).select_from(CustodyEvent)) or 0
        rows = session.scalar(select(func.count()).select_from(EvidenceStatusEvent)) or 0
    return events, rows, case.head_path.read_text()


def problems(case: Case) -> list[str]:
    with case.sessions() as session:
        events = list(session.scalars(select(CustodyEvent).order_by(CustodyEvent.seq)))
        return status_custody_problems(session, events)


def test_an_item_never_assessed_is_unverified(filled: Case) -> None:
    assert evidence_status(filled, "iphone-4") == {
        "state": "unverified",
        "reason": None,
        "by": None,
        "at": None,
    }
    assert evidence_status_history(filled, "iphone-4") == []


def test_setting_a_status_is_a_custody_event(filled: Case) -> None:
    result = set_evidence_status(filled, "iphone-xr", "verified", "  geolocated and dated  ")
    assert result["state"] == "verified" and result["reason"] == "geolocated and dated"
    assert result["by"] == "tester" and result["at"].endswith("Z")
    with filled.sessions() as session:
        event = session.get(CustodyEvent, result["custody_event"])
        assert event is not None
        assert (event.action, event.subject, event.actor) == (
            "evidence_status",
            "iphone-xr",
            "tester",
        )
    current = evidence_status(filled, "iphone-xr")
    assert current == {k: result[k] for k in ("state", "reason", "by", "at")}
    assert problems(filled) == []
    assert verify_case(filled).intact


def test_history_is_kept_and_the_latest_wins(filled: Case) -> None:
    set_evidence_status(filled, "iphone-xr", "verified", "geolocated")
    with open_case(filled.root, actor="second") as second:
        set_evidence_status(second, "iphone-xr", "disputed", "shadows point the wrong way")
    set_evidence_status(filled, "iphone-xr", "discounted", "recycled from 2019")
    history = evidence_status_history(filled, "iphone-xr")
    assert [(h["state"], h["by"]) for h in history] == [
        ("verified", "tester"),
        ("disputed", "second"),
        ("discounted", "tester"),
    ]
    assert [h["custody_event"] for h in history] == sorted(h["custody_event"] for h in history)
    assert evidence_status(filled, "iphone-xr")["state"] == "discounted"
    assert evidence_statuses(filled) == {"iphone-xr": evidence_status(filled, "iphone-xr")}
    set_evidence_status(filled, "iphone-xr", "unverified", None)
    assert evidence_status(filled, "iphone-xr") == {
        "state": "unverified",
        "reason": None,
        "by": "tester",
        "at": evidence_status_history(filled, "iphone-xr")[-1]["at"],
    }
    assert problems(filled) == []
    assert verify_case(filled).intact


@pytest.mark.parametrize(
    ("evidence_id", "state", "reason", "message"),
    [
        ("iphone-xr", "verified", None, "reason: required to set status verified"),
        ("iphone-xr", "disputed", "   ", "reason: required to set status disputed"),
        ("iphone-xr", "discounted", "", "reason: required to set status discounted"),
        ("iphone-xr", "true", "because", "status 'true': not one of unverified, verified"),
        ("no-such-item", "verified", "because", "evidence no-such-item: no such evidence item"),
    ],
)
def test_bad_status_is_refused_and_case_unchanged(
    filled: Case, evidence_id: str, state: str, reason: str | None, message: str
) -> None:
    before = state_of(filled)
    with pytest.raises(CaseError, match=message) as refused:
        set_evidence_status(filled, evidence_id, state, reason)
    assert "\n" not in str(refused.value)
    assert state_of(filled) == before


def test_item_found_by_sha256_prefix(filled: Case) -> None:
    prefix = show_evidence(filled, "iphone-4")["sha256"][:10]
    assert set_evidence_status(filled, prefix, "verified", "ok")["evidence"] == "iphone-4"
    assert evidence_status(filled, "iphone-4")["state"] == "verified"


def test_import_twin_keeps_the_file_author_and_time(filled: Case) -> None:
    given = {"state": "verified", "reason": "matched", "by": "ana", "at": "2022-03-01T10:00:00Z"}
    with filled.transaction() as session:
        import_status(filled, session, "iphone-4", given)
    assert evidence_status(filled, "iphone-4") == given
    events = state_of(filled)
    with filled.transaction() as session:  # the same file again: nothing new
        import_status(filled, session, "iphone-4", given)
    assert state_of(filled)[:2] == events[:2]
    with filled.sessions() as session:
        assert status_file_record(session, "iphone-4") == given
        assert status_file_record(session, "iphone-xr") is None
    before = state_of(filled)
    with pytest.raises(CaseError, match="needs a UTC offset"), filled.transaction() as session:
        import_status(filled, session, "iphone-xr", {**given, "at": "2022-03-01T10:00:00"})
    assert state_of(filled) == before


def test_tampering_with_a_status_is_reported(filled: Case) -> None:
    set_evidence_status(filled, "iphone-xr", "verified", "geolocated")
    set_evidence_status(filled, "iphone-4", "disputed", "wrong season")
    with sqlite3.connect(filled.root / "case.sqlite") as db:
        db.execute("UPDATE evidence_status SET state = 'verified' WHERE evidence_id = 'iphone-4'")
        db.execute("DELETE FROM evidence_status WHERE evidence_id = 'iphone-xr'")
    found = problems(filled)
    assert len(found) == 2
    assert found[0].startswith("evidence iphone-4: status")
    assert "changed since custody event" in found[0]
    assert "(evidence_status iphone-xr): its status record is missing" in found[1]
