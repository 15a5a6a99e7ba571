"""The custody log as records: the one place a custody event becomes a record."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from evidencelab.locker.case import Case
from evidencelab.locker.records import RECORDS_ACTION
from evidencelab.service.integrity.records import CustodyEventRecord
from evidencelab.store.tables import CustodyEvent


def event_record(e: CustodyEvent) -> CustodyEventRecord:
    """One custody event as a record."""
    return {
        "seq": e.seq,
        "recorded_at": e.recorded_at,
        "actor": e.actor,
        "action": e.action,
        "subject": e.subject,
        "payload": json.loads(e.payload),
        "prev_hash": e.prev_hash,
        "hash": e.hash,
    }


def custody_log(case: Case, *, subject: str | None = None) -> list[CustodyEventRecord]:
    """The custody log in order: all events, or those of one subject. A `records` event of
    a transaction that changed several subjects names none of them; it belongs to a
    subject when one of its changed rows has the subject as (part of) its key."""
    with case.sessions() as session:
        query = select(CustodyEvent).order_by(CustodyEvent.seq)
        if subject is None:
            return [event_record(e) for e in session.scalars(query)]
        shared_records = and_(CustodyEvent.action == RECORDS_ACTION, CustodyEvent.subject.is_(None))
        query = query.where(or_(CustodyEvent.subject == subject, shared_records))
        records = (event_record(e) for e in session.scalars(query))
        return [r for r in records if r["subject"] == subject or _changes_row_of(r, subject)]


def _changes_row_of(record: CustodyEventRecord, subject: str) -> bool:
    changes: list[dict[str, Any]] = record["payload"].get("changes", [])
    return any(
        change.get("key") == subject
        or (isinstance(change.get("key"), list) and subject in change["key"])
        for change in changes
    )


def newest_events(
    session: Session, *, subject: str | None, limit: int, before: int | None = None
) -> list[CustodyEventRecord]:
    """Up to ``limit`` events newest first (of one subject, older than seq ``before``)."""
    query = select(CustodyEvent).order_by(CustodyEvent.seq.desc()).limit(limit)
    if subject is not None:
        query = query.where(CustodyEvent.subject == subject)
    if before is not None:
        query = query.where(CustodyEvent.seq < before)
    return [event_record(e) for e in session.scalars(query)]
