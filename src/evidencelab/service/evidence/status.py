"""Verification status of evidence items: unverified, verified, disputed or discounted.

Every change is a row (history kept; the latest by id is the current status) recorded by a
custody event in the same transaction. The event's payload carries the row's fields, so
:func:`status_custody_problems` can show a row changed after it was logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidencelab.locker.case import Case, CaseError
from evidencelab.locker.custody import event_payload, utc_now
from evidencelab.locker.errors import InputError
from evidencelab.locker.inputs import parse_time
from evidencelab.service.evidence.items import find_evidence
from evidencelab.service.evidence.records import (
    StatusChange,
    StatusEntry,
    StatusFileRecord,
    StatusRecord,
)
from evidencelab.store.tables import CustodyEvent
from evidencelab.store.tables.verification import EvidenceStatusEvent

#: Verification states of an evidence item, in the order a person usually meets them.
STATES: Final = ("unverified", "verified", "disputed", "discounted")
#: The custody action that records a status change.
STATUS_ACTION: Final = "evidence_status"
UNVERIFIED: Final[StatusRecord] = {"state": "unverified", "reason": None, "by": None, "at": None}


def moment_text(value: str | datetime | None, *, what: str) -> str:
    """An ISO 8601 time with offset as text: now (UTC) when None, else the value checked.

    Text is kept as given once it parses, so a case file round-trips unchanged.
    """
    if value is None:
        return utc_now()
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise CaseError(f"{what} {value.isoformat()!r}: needs a UTC offset, e.g. Z or +02:00")
        return value.isoformat()
    parse_time(value, what=what)
    return value


def _check_state(state: str, reason: str | None) -> str | None:
    if state not in STATES:
        raise CaseError(f"status {state!r}: not one of {', '.join(STATES)}")
    reason = reason.strip() if reason is not None else None
    if state != "unverified" and not reason:
        raise InputError("reason", None, f"required to set status {state}")
    return reason or None


def _record(row: EvidenceStatusEvent) -> StatusRecord:
    return {"state": row.state, "reason": row.reason, "by": row.set_by, "at": row.set_at}


def _change(row: EvidenceStatusEvent) -> StatusChange:
    return {
        "evidence": row.evidence_id,
        "state": row.state,
        "reason": row.reason,
        "by": row.set_by,
        "at": row.set_at,
        "custody_event": row.custody_seq,
    }


def insert_evidence_status(
    case: Case,
    session: Session,
    evidence_id: str,
    *,
    state: str,
    reason: str | None,
    by: str | None = None,
    at: str | datetime | None = None,
) -> StatusChange:
    """Record a status on an item inside the caller's transaction (no commit).

    ``by`` defaults to ``case.actor`` and ``at`` to now; the case-file importer passes the
    file's values. Raises :class:`CaseError` (nothing written) on an unknown item or state,
    a missing reason, or a time without offset.
    """
    reason = _check_state(state, reason)
    at_text = moment_text(at, what="status time")
    item = find_evidence(session, evidence_id)
    row = EvidenceStatusEvent(
        evidence_id=item.id, state=state, reason=reason, set_by=by or case.actor, set_at=at_text
    )
    event = case.record(session, STATUS_ACTION, item.id, dict(_record(row)))
    row.custody_seq = event.seq
    session.add(row)
    session.flush()
    return _change(row)


def set_evidence_status(
    case: Case, evidence_id: str, state: str, reason: str | None
) -> StatusChange:
    """Set an item's verification status as ``case.actor``, now; a custody event records it."""
    with case.transaction() as session:
        return insert_evidence_status(case, session, evidence_id, state=state, reason=reason)


def import_status(
    case: Case, session: Session, evidence_id: str, status: dict[str, Any]
) -> StatusChange:
    """Record a case file's ``status: {state, reason, by, at}`` on an item (no commit).

    Nothing is recorded when the item's current status already says this (the same file
    imported again).
    """
    item = find_evidence(session, evidence_id)
    history = _history(session, item.id)
    if history:
        current = _record(history[-1])
        at = status.get("at")
        wanted = {
            "state": status["state"],
            "reason": (status.get("reason") or "").strip() or None,
            "by": status.get("by"),
            "at": at.isoformat() if isinstance(at, datetime) else at,
        }
        if all(
            (value is None and key in ("by", "at")) or current.get(key) == value
            for key, value in wanted.items()
        ):
            return _change(history[-1])
    return insert_evidence_status(
        case,
        session,
        item.id,
        state=status["state"],
        reason=status.get("reason"),
        by=status.get("by"),
        at=status.get("at"),
    )


def _history(session: Session, evidence_id: str) -> list[EvidenceStatusEvent]:
    query = select(EvidenceStatusEvent).where(EvidenceStatusEvent.evidence_id == evidence_id)
    return list(session.scalars(query.order_by(EvidenceStatusEvent.id)))


def evidence_status(case: Case, evidence_id: str) -> StatusRecord:
    """The current status {"state", "reason", "by", "at"}; unverified (None…) if never set."""
    with case.sessions() as session:
        item = find_evidence(session, evidence_id)
        history = _history(session, item.id)
        return _record(history[-1]) if history else UNVERIFIED.copy()


def evidence_status_history(case: Case, evidence_id: str) -> list[StatusEntry]:
    """Every status set on an item, oldest first, each with its custody event."""
    with case.sessions() as session:
        item = find_evidence(session, evidence_id)
        return [
            {
                "state": row.state,
                "reason": row.reason,
                "by": row.set_by,
                "at": row.set_at,
                "custody_event": row.custody_seq,
            }
            for row in _history(session, item.id)
        ]


def evidence_statuses(case: Case) -> dict[str, StatusRecord]:
    """The current status of every item that has one, by evidence id (others: unverified)."""
    with case.sessions() as session:
        rows = session.scalars(select(EvidenceStatusEvent).order_by(EvidenceStatusEvent.id))
        return {row.evidence_id: _record(row) for row in rows}


def status_file_record(session: Session, evidence_id: str) -> StatusFileRecord | None:
    """The case file's ``status:`` value for an item (its current status), None if never set."""
    history = _history(session, evidence_id)
    if not history:
        return None
    row = history[-1]
    if row.reason is None:
        return {"state": row.state, "by": row.set_by, "at": row.set_at}
    return {"state": row.state, "reason": row.reason, "by": row.set_by, "at": row.set_at}


def status_custody_problems(session: Session, events: Sequence[CustodyEvent]) -> list[str]:
    """Status rows that differ from, or lack, the custody event that recorded them; and
    status events whose row is missing."""
    by_seq = {event.seq: event for event in events}
    problems = []
    rows = list(session.scalars(select(EvidenceStatusEvent).order_by(EvidenceStatusEvent.id)))
    for row in rows:
        event = by_seq.get(row.custody_seq)
        label = f"evidence {row.evidence_id}: status {row.id} ({row.state})"
        if event is None or event.action != STATUS_ACTION or event.subject != row.evidence_id:
            problems.append(f"{label}: not recorded in the custody log")
        elif event_payload(event) != _record(row):
            problems.append(f"{label}: changed since custody event {event.seq} recorded it")
    recorded = {row.custody_seq for row in rows}
    problems.extend(
        f"custody log: event {event.seq} ({STATUS_ACTION} {event.subject}): "
        "its status record is missing from the case"
        for event in events
        if event.action == STATUS_ACTION and event.seq not in recorded
    )
    return problems
