"""The custody log as plain records."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from evidencelab.case import Case
from evidencelab.store.tables import CustodyEvent


def custody_log(case: Case, *, subject: str | None = None) -> list[dict[str, Any]]:
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
