"""Review of an incident's facts: location, time, weapon and casualty figure.

A reviewer marks a fact ``reviewed`` or ``disputed`` with a comment; each mark is a custody
event. The author of a fact is the actor of the custody event that last set it (an import
naming the incident, an incident create or edit that changed it, a casualty report added).
A fact's state:

- ``disputed``: some current mark disputes it;
- ``reviewed``: someone other than its author marked it reviewed — the author cannot be its
  only reviewer;
- ``awaiting review``: neither (including when only its author marked it).

A mark is current while the fact has not been set again since; a later change makes it
``stale`` and the fact awaits review again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Literal, get_args

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from evidencelab.locker.case import Case, CaseError
from evidencelab.service.incidents.incident_edit import ACTIONS
from evidencelab.service.incidents.records import FactReviewed, FactState
from evidencelab.store.tables import CustodyEvent, Incident
from evidencelab.store.tables.users import FactReview

Fact = Literal["location", "time", "weapon", "casualties"]
ReviewState = Literal["reviewed", "disputed"]
FACTS: tuple[Fact, ...] = get_args(Fact)
STATES: tuple[ReviewState, ...] = get_args(ReviewState)
FIELD_OF_FACT = {"location": "place", "time": "time", "weapon": "weapon", "casualties": None}


def fact_authors(
    session: Session, incident_ids: Iterable[str]
) -> dict[tuple[str, str], tuple[str, int]]:
    """(incident, fact) -> (actor, custody seq) of the event that last set that fact."""
    wanted = set(incident_ids)
    authors: dict[tuple[str, str], tuple[str, int]] = {}
    imports = session.scalars(select(CustodyEvent).where(CustodyEvent.action == "import"))
    edits = session.scalars(
        select(CustodyEvent).where(
            CustodyEvent.subject.in_(list(wanted)), CustodyEvent.action.in_(ACTIONS)
        )
    )
    events = sorted([*imports, *edits], key=lambda e: e.seq)
    for event in events:  # oldest first: a later event overrides
        payload = json.loads(event.payload)
        if event.action == "import":
            for incident_id in wanted.intersection(payload.get("incidents", [])):
                for fact in FACTS:
                    authors[(incident_id, fact)] = (event.actor, event.seq)
        elif event.subject is not None:
            for fact in payload.get("facts", []):
                authors[(event.subject, fact)] = (event.actor, event.seq)
    return authors


def review_fact(
    case: Case, incident_id: str, fact: str, state: str, comment: str | None = None
) -> FactReviewed:
    """Mark one fact of an incident as reviewed or disputed by ``case.actor``."""
    if fact not in FACTS:
        raise CaseError(f"fact {fact!r}: must be one of {', '.join(FACTS)}")
    if state not in STATES:
        raise CaseError(f"state {state!r}: must be one of {', '.join(STATES)}")
    comment = (comment or "").strip() or None
    if state == "disputed" and comment is None:
        raise CaseError("comment: say why the fact is disputed")
    with case.transaction() as session:
        if session.get(Incident, incident_id) is None:
            raise CaseError(f"incident {incident_id}: no such incident")
        author = fact_authors(session, [incident_id]).get((incident_id, fact))
        event = case.record(
            session,
            "fact_review",
            incident_id,
            {"fact": fact, "state": state, "comment": comment, "fact_seq": author and author[1]},
        )
        session.add(
            FactReview(
                incident_id=incident_id,
                fact=fact,
                state=state,
                comment=comment,
                reviewer=case.actor,
                reviewed_at=event.recorded_at,
                fact_seq=author[1] if author else None,
                custody_seq=event.seq,
            )
        )
        return {
            "incident": incident_id,
            "fact": fact,
            "state": state,
            "reviewer": case.actor,
            "author": author[0] if author else None,
            "custody_event": event.seq,
        }


def fact_states(case: Case, incident_ids: Iterable[str] | None = None) -> list[FactState]:
    """For each incident (all, or those given) and fact: its state, author and marks."""
    with case.sessions() as session:
        # _has_fact reads each incident's casualty reports: loaded in one query, not one each
        query = (
            select(Incident)
            .options(selectinload(Incident.casualty_reports))
            .order_by(Incident.position)
        )
        if incident_ids is not None:
            query = query.where(Incident.id.in_(list(incident_ids)))
        incidents = list(session.scalars(query))
        reviews = list(
            session.scalars(
                select(FactReview)
                .where(FactReview.incident_id.in_([i.id for i in incidents]))
                .order_by(FactReview.id)
            )
        )
        authors = fact_authors(session, [i.id for i in incidents])
        states = []
        for incident in incidents:
            for fact in FACTS:
                if not _has_fact(incident, fact):
                    continue
                author = authors.get((incident.id, fact))
                marks = [r for r in reviews if r.incident_id == incident.id and r.fact == fact]
                states.append(_state(incident.id, fact, author, marks))
        return states


def _has_fact(incident: Incident, fact: str) -> bool:
    field = FIELD_OF_FACT[fact]
    if field is None:
        return bool(incident.casualty_reports)
    return getattr(incident, field) is not None


def _state(
    incident_id: str, fact: str, author: tuple[str, int] | None, marks: list[FactReview]
) -> FactState:
    seq = author[1] if author else None
    current = [m for m in marks if m.fact_seq == seq]
    by_others = [m for m in current if author is None or m.reviewer != author[0]]
    if any(m.state == "disputed" for m in current):
        state = "disputed"
    elif any(m.state == "reviewed" for m in by_others):
        state = "reviewed"
    else:
        state = "awaiting review"
    return {
        "incident": incident_id,
        "fact": fact,
        "state": state,
        "author": author[0] if author else None,
        "set_by_event": seq,
        "marks": [
            {
                "state": m.state,
                "reviewer": m.reviewer,
                "at": m.reviewed_at,
                "comment": m.comment,
                "stale": m.fact_seq != seq,
                "by_author": author is not None and m.reviewer == author[0],
            }
            for m in marks
        ],
    }


def review_progress(case: Case) -> dict[str, int]:
    """How many incident facts are reviewed, disputed and awaiting review."""
    counts = {"reviewed": 0, "disputed": 0, "awaiting review": 0}
    for state in fact_states(case):
        counts[state["state"]] += 1
    return counts
