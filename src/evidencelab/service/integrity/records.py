"""The records the integrity capability hands to the faces."""

from __future__ import annotations

from typing import Any

from typing_extensions import TypedDict


class CustodyEventRecord(TypedDict):
    """One event of the hash-chained custody log."""

    seq: int
    recorded_at: str  # UTC, ISO 8601
    actor: str
    action: str  # one of locker.actions (docs/custody-log.md)
    subject: str | None
    payload: dict[str, Any]  # what the action recorded; each action has its own fields
    prev_hash: str
    hash: str  # SHA-256 of the canonical event, chaining it to the previous one
