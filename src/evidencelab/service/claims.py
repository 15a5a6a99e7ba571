"""The claims register: public claims (who, when, what) with the named predicate that
tests each against the case (assess.claims.PREDICATES)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, NotRequired, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typing_extensions import TypedDict

from evidencelab.locker.case import Case
from evidencelab.locker.errors import InputError
from evidencelab.locker.references import require_declared
from evidencelab.store.tables import Source
from evidencelab.store.tables.assessment import Claim

#: The fields of a claim in a case file; any other field is kept as it was given.
KNOWN_FIELDS = frozenset({"id", "claimant", "made_at", "text", "predicate", "source"})


class ClaimRecord(TypedDict):
    """A claim in the case-file ``claims:`` shape (fields a case file gave beyond these come
    along after them, unchanged)."""

    id: str
    claimant: str
    made_at: str | None  # a date (YYYY-MM-DD) or an ISO 8601 time with its offset, as given
    text: str
    predicate: str | None  # one of assess.claims.PREDICATES; None: not testable
    source: str | None


class ClaimAdded(ClaimRecord):
    """A claim just added to the register, with its custody event."""

    extra: NotRequired[dict[str, Any]]  # the fields a case file gave beyond the known ones
    custody_event: int


def _check_made_at(made_at: str | None) -> str | None:
    """A date (YYYY-MM-DD) or an ISO 8601 time with its UTC offset, kept as given."""
    if made_at is None or not made_at.strip():
        return None
    text = made_at.strip()
    try:
        date.fromisoformat(text)
        return text
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            "made_at", repr(text), "not a date (YYYY-MM-DD) or an ISO 8601 time"
        ) from None
    if moment.tzinfo is None:
        raise InputError("made_at", repr(text), "needs a UTC offset, e.g. Z or +02:00")
    return text


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:40] or "claim"


def _record(row: Claim) -> ClaimRecord:
    """The claim in the case-file shape: its known fields, then any others it was given."""
    record: ClaimRecord = {
        "id": row.id,
        "claimant": row.claimant,
        "made_at": row.made_at,
        "text": row.text,
        "predicate": row.predicate,
        "source": row.source_id,
    }
    others = {k: v for k, v in (row.extra or {}).items() if k not in KNOWN_FIELDS}
    # The other fields ride along unchanged (kept for export); they are not ClaimRecord's.
    return cast(ClaimRecord, {**record, **others})


def _checked(
    session: Session,
    *,
    claimant: str,
    text: str,
    predicate: str | None,
    made_at: str | None,
    source: str | None,
    claim_id: str | None,
) -> ClaimRecord:
    """The claim as it would be recorded (its id chosen), or the InputError of its first
    bad field; nothing is written."""
    if not claimant.strip():
        raise InputError("claimant", None, "must not be empty")
    if not text.strip():
        raise InputError("text", None, "must not be empty")
    # The assessment's predicates are loaded to add or edit a claim, not to read one.
    from evidencelab.assess.claims import PREDICATES

    if predicate is not None and predicate not in PREDICATES:
        raise InputError("predicate", repr(predicate), f"unknown (known: {', '.join(PREDICATES)})")
    made = _check_made_at(made_at)
    require_declared(session, Source, [source], "source")
    wanted = claim_id or _slug(claimant)
    if claim_id is None:
        base, n = wanted, 2
        while session.get(Claim, wanted) is not None:
            wanted, n = f"{base}-{n}", n + 1
    elif session.get(Claim, wanted) is not None:
        raise InputError("id", wanted, "already in the case")
    return {
        "id": wanted,
        "claimant": claimant,
        "made_at": made,
        "text": text,
        "predicate": predicate,
        "source": source,
    }


def check_claim(
    case: Case,
    *,
    claimant: str,
    text: str,
    predicate: str | None,
    made_at: str | None = None,
    source: str | None = None,
    claim_id: str | None = None,
) -> ClaimRecord:
    """The claim `add_claim` would record with these values (its id chosen), or the
    InputError naming the first bad field; nothing is written (a form's confirm step)."""
    with case.sessions() as session:
        return _checked(
            session,
            claimant=claimant,
            text=text,
            predicate=predicate,
            made_at=made_at,
            source=source,
            claim_id=claim_id,
        )


def insert_claim(
    case: Case,
    session: Session,
    *,
    claimant: str,
    text: str,
    predicate: str | None,
    made_at: str | None = None,
    source: str | None = None,
    claim_id: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> ClaimAdded:
    """Add a claim inside the caller's transaction (no commit), with its custody event.

    `predicate` must name one of `PREDICATES` (None: recorded, evaluated as undetermined).
    The id defaults to a slug of the claimant; it must be unique in the case. `extra` holds
    the fields a case file gave beyond the known ones (kept for export).
    """
    fields = _checked(
        session,
        claimant=claimant,
        text=text,
        predicate=predicate,
        made_at=made_at,
        source=source,
        claim_id=claim_id,
    )
    wanted = fields["id"]
    position = (session.scalar(select(func.max(Claim.position))) or 0) + 1
    kept = {k: v for k, v in (extra or {}).items() if k not in KNOWN_FIELDS}
    logged: dict[str, Any] = {**fields, "extra": kept} if kept else dict(fields)
    event = case.record(session, "claim_add", wanted, logged)
    session.add(
        Claim(
            id=wanted,
            position=position,
            claimant=claimant,
            made_at=fields["made_at"],
            text=text,
            predicate=predicate,
            source_id=source,
            author=case.actor,
            created_at=event.recorded_at,
            custody_seq=event.seq,
            extra=kept,
        )
    )
    session.flush()
    added: ClaimAdded = {**fields, "extra": kept, "custody_event": event.seq}
    if not kept:
        del added["extra"]
    return added


def add_claim(
    case: Case,
    *,
    claimant: str,
    text: str,
    predicate: str | None,
    made_at: str | None = None,
    source: str | None = None,
    claim_id: str | None = None,
) -> ClaimAdded:
    """Add a claim to the register (its own transaction); see `insert_claim`."""
    with case.transaction() as session:
        return insert_claim(
            case,
            session,
            claimant=claimant,
            text=text,
            predicate=predicate,
            made_at=made_at,
            source=source,
            claim_id=claim_id,
        )


def claims_in(session: Session) -> list[ClaimRecord]:
    """Claims in the order entered, read in the caller's session (e.g. inside an import's
    transaction, where opening a second session would wait on the first's lock)."""
    rows = session.scalars(select(Claim).order_by(Claim.position)).all()
    return [_record(r) for r in rows]


def list_claims(case: Case) -> list[ClaimRecord]:
    """Claims in the order entered, in the case-file `claims:` shape."""
    with case.sessions() as session:
        return claims_in(session)
