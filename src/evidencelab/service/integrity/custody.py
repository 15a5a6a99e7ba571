"""The custody log as plain records."""

from __future__ import annotations

import json

from sqlalchemy import select

from evidencelab.case import Case
from evidencelab.service.integrity.records import CustodyEventRecord
from evidencelab.store.tables import CustodyEvent


def custody_log(case: Case, *, subject: str | None = None) -> list[CustodyEventRecord]:
    """The custody log in order (all events, or those of one subject)."""
    with case.sessions() as session:
        query = select(CustodyEvent).order_by(CustodyEvent.seq)
        if subject is not None:
            query = query.where(CustodyEvent.subject == subject)
        return [
            {
                "seq": e.seq,
                "recorded_at": e.recorded_at,
                "actor": e.actor,
                "action": e.action,
                "subject": e.subject,
                "payload": json.loads(e.payload),
                "prev_hash": e.prev_hash,
                "hash": e.hash,
            }
            for e in session.scalars(query)
        ]
