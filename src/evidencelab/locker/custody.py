"""The custody log: an append-only, hash-chained list of events.

Each event's hash is the SHA-256 of the canonical JSON of its fields, including the
previous event's hash, so changing or removing any event breaks every later link.
Canonical JSON here means: UTF-8, keys sorted, no insignificant whitespace, non-ASCII
kept as is (the key-ordering and whitespace rules of RFC 8785; payloads hold no floats
whose spelling could differ).

The newest event's sequence number and hash are also written to a head file outside the
database, so that deleting the last events — which leaves an intact shorter chain — is
still detected.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidencelab.locker.actions import check_action
from evidencelab.store.atomic import write_text_atomic
from evidencelab.store.tables import CustodyEvent

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_digest(value: Any) -> str:
    """SHA-256 (hex) of a value's canonical JSON: the one digest of a record that custody
    events carry and `verify` recomputes."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def utc_now() -> str:
    """Current time, UTC, ISO 8601 with microseconds and a ``Z``."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def event_hash(
    *,
    seq: int,
    recorded_at: str,
    actor: str,
    action: str,
    subject: str | None,
    payload: str,
    prev_hash: str,
) -> str:
    """SHA-256 (hex) over the canonical JSON of an event's fields."""
    body = canonical_json(
        {
            "seq": seq,
            "recorded_at": recorded_at,
            "actor": actor,
            "action": action,
            "subject": subject,
            "payload": payload,
            "prev_hash": prev_hash,
        }
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def hash_of(event: CustodyEvent) -> str:
    return event_hash(
        seq=event.seq,
        recorded_at=event.recorded_at,
        actor=event.actor,
        action=event.action,
        subject=event.subject,
        payload=event.payload,
        prev_hash=event.prev_hash,
    )


def append_event(
    session: Session, *, actor: str, action: str, subject: str | None, payload: dict[str, Any]
) -> CustodyEvent:
    """Add an event to the chain inside the caller's transaction. ``action`` must be one of
    :data:`evidencelab.locker.actions.ACTIONS`."""
    check_action(action)
    last = session.scalars(select(CustodyEvent).order_by(CustodyEvent.seq.desc()).limit(1)).first()
    event = CustodyEvent(
        seq=1 if last is None else last.seq + 1,
        recorded_at=utc_now(),
        actor=actor,
        action=action,
        subject=subject,
        payload=canonical_json(payload),
        prev_hash=GENESIS_HASH if last is None else last.hash,
    )
    event.hash = hash_of(event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str


def event_payload(event: CustodyEvent) -> dict[str, Any] | None:
    """An event's payload as a dict; None when it is not a JSON object (an altered payload,
    which the chain check reports)."""
    try:
        payload = json.loads(event.payload)
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def read_head(path: Path) -> Head | None:
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return Head(seq=int(data["seq"]), hash=str(data["hash"]))


def write_head(session: Session, path: Path) -> None:
    """Record the newest committed event in the head file (atomic replace)."""
    last = session.scalars(select(CustodyEvent).order_by(CustodyEvent.seq.desc()).limit(1)).first()
    if last is None:
        return
    write_text_atomic(path, canonical_json({"seq": last.seq, "hash": last.hash}) + "\n")


def chain_problems(events: list[CustodyEvent], head: Head | None) -> list[str]:
    """Every break in the chain, one line each; empty when the log is intact.

    ``events`` must be ordered by sequence number. A head file that lags behind the log
    is normal after an interrupted command (the log is committed before the head file is
    replaced) and is not a problem; a head that points past the log or at a different
    event is.
    """
    problems: list[str] = []
    expected_prev = GENESIS_HASH
    expected_seq = 1
    by_seq: dict[int, CustodyEvent] = {}
    for event in events:
        by_seq[event.seq] = event
        if event.seq != expected_seq:
            missing = (
                f"event {expected_seq}"
                if event.seq == expected_seq + 1
                else f"events {expected_seq} to {event.seq - 1}"
            )
            problems.append(f"custody log: {missing} missing (deleted from the log)")
        elif event.prev_hash != expected_prev:
            problems.append(
                f"custody log: event {event.seq} ({event.action}) does not link to event "
                f"{event.seq - 1}: the earlier event was altered or replaced"
            )
        if hash_of(event) != event.hash:
            problems.append(
                f"custody log: event {event.seq} ({event.action} {event.subject or ''}) "
                "was altered after it was recorded (its content does not match its hash)"
            )
        expected_prev = event.hash
        expected_seq = event.seq + 1
    if head is not None:
        at_head = by_seq.get(head.seq)
        if at_head is None:
            last_seq = events[-1].seq if events else 0
            problems.append(
                f"custody log: ends at event {last_seq} but the head file records event "
                f"{head.seq}: events were deleted from the end of the log"
            )
        elif at_head.hash != head.hash:
            problems.append(
                f"custody log: event {head.seq} differs from the one recorded in the head file"
            )
    elif events:
        problems.append("custody log: head file is missing")
    return problems
