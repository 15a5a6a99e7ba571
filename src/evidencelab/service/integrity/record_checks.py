"""Records compared with the custody events that logged them, for `verify`.

Each kind of row written with its own custody event (``custody_seq``) is described once:
which action logged it, which subject, and what the event's payload and its actor and time
must say about the row. A row edited in the database after the fact, a row with no event,
and an event whose row was deleted are each reported in one line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidencelab.locker.custody import event_payload
from evidencelab.service.context.manual_records import stored_manual_record
from evidencelab.store.tables import CustodyEvent
from evidencelab.store.tables.assessment import Claim, IndicatorSignoff
from evidencelab.store.tables.context import ContextObjectRow
from evidencelab.store.tables.users import FactReview


@dataclass(frozen=True)
class LoggedRecord:
    """How one kind of row is tied to the custody event that recorded it."""

    action: str
    rows: Callable[[Session], Sequence[Any]]
    label: Callable[[Any], str]
    subject: Callable[[Any], str | None]
    # Keys the event's payload must hold with these values (the payload may hold more).
    payload: Callable[[Any], Mapping[str, Any]]
    # The row's own copy of who recorded it, and of when (if it keeps the event's time).
    author: Callable[[Any], str] | None = None
    recorded_at: Callable[[Any], str] | None = None


def _claims(session: Session) -> Sequence[Any]:
    return session.scalars(select(Claim).order_by(Claim.position)).all()


def _signoffs(session: Session) -> Sequence[Any]:
    return session.scalars(select(IndicatorSignoff).order_by(IndicatorSignoff.id)).all()


def _fact_reviews(session: Session) -> Sequence[Any]:
    return session.scalars(select(FactReview).order_by(FactReview.id)).all()


def _manual_objects(session: Session) -> Sequence[Any]:
    query = select(ContextObjectRow).where(ContextObjectRow.origin == "manual")
    return session.scalars(query.order_by(ContextObjectRow.id)).all()


LOGGED_RECORDS: tuple[LoggedRecord, ...] = (
    LoggedRecord(
        action="claim_add",
        rows=_claims,
        label=lambda c: f"claim {c.id}",
        subject=lambda c: c.id,
        payload=lambda c: (
            {
                "id": c.id,
                "claimant": c.claimant,
                "made_at": c.made_at,
                "text": c.text,
                "predicate": c.predicate,
                "source": c.source_id,
            }
            | ({"extra": c.extra} if c.extra else {})
        ),
        author=lambda c: c.author,
        recorded_at=lambda c: c.created_at,
    ),
    LoggedRecord(
        action="indicator_signoff",
        rows=_signoffs,
        label=lambda s: f"incident {s.incident_id}: sign-off {s.id} of {s.code}",
        subject=lambda s: f"{s.incident_id}/{s.code}",
        payload=lambda s: {
            "decision": s.decision,
            "comment": s.comment,
            "fingerprint": s.fingerprint,
        },
        author=lambda s: s.author,
        recorded_at=lambda s: s.created_at,
    ),
    LoggedRecord(
        action="fact_review",
        rows=_fact_reviews,
        label=lambda r: f"incident {r.incident_id}: review {r.id} of {r.fact}",
        subject=lambda r: r.incident_id,
        payload=lambda r: {
            "fact": r.fact,
            "state": r.state,
            "comment": r.comment,
            "fact_seq": r.fact_seq,
        },
        author=lambda r: r.reviewer,
        recorded_at=lambda r: r.reviewed_at,
    ),
    LoggedRecord(
        action="context-add",
        rows=_manual_objects,
        label=lambda o: f"object {o.user_id or o.id}",
        subject=lambda o: o.user_id,
        payload=stored_manual_record,
        author=lambda o: o.added_by,  # added_at is the writer's own clock
    ),
)


def _row_problem(spec: LoggedRecord, row: Any, event: CustodyEvent | None) -> str | None:
    label = spec.label(row)
    if event is None or event.action != spec.action or event.subject != spec.subject(row):
        return f"{label}: not recorded in the custody log"
    payload = event_payload(event)
    if payload is None:
        return f"{label}: custody event {event.seq} cannot be read"
    expected = spec.payload(row)
    if any(payload.get(key) != value for key, value in expected.items()):
        return f"{label}: changed since custody event {event.seq} recorded it"
    if spec.author is not None and spec.author(row) != event.actor:
        return f"{label}: its author differs from custody event {event.seq}"
    if spec.recorded_at is not None and spec.recorded_at(row) != event.recorded_at:
        return f"{label}: its time differs from custody event {event.seq}"
    return None


def logged_record_problems(session: Session, events: Sequence[CustodyEvent]) -> list[str]:
    """Every described row compared with its custody event, and every such event with its
    row: one line per difference."""
    by_seq = {event.seq: event for event in events}
    problems: list[str] = []
    for spec in LOGGED_RECORDS:
        rows = spec.rows(session)
        for row in rows:
            problem = _row_problem(spec, row, by_seq.get(row.custody_seq))
            if problem is not None:
                problems.append(problem)
        recorded = {row.custody_seq for row in rows}
        problems.extend(
            f"custody log: event {event.seq} ({event.action} {event.subject}): "
            "its record is missing from the case"
            for event in events
            if event.action == spec.action and event.seq not in recorded
        )
    return problems
