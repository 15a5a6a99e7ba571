"""Refuse an id that names no record of the case, before anything is written.

The database's foreign keys are the last line; this check comes first, so that the
person who typed the id reads which one is wrong and which ones exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidencelab.locker.errors import InputError

# How many existing ids a message lists before it says how many more there are.
SHOWN_IDS = 10


def require_declared(session: Session, model: Any, ids: Iterable[str | None], what: str) -> None:
    """Raise InputError naming the first of ``ids`` that is not the id of a ``model`` row;
    its field is ``what``, so a form shows the message beside the field that gave the id."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return
    existing = set(session.scalars(select(model.id).where(model.id.in_(wanted))))
    missing = sorted(wanted - existing)
    if missing:
        # The id is quoted, so that a blank or spaced id is seen as given.
        raise InputError(what, repr(missing[0]), f"not in this case ({_declared(session, model)})")


def _declared(session: Session, model: Any) -> str:
    ids = list(session.scalars(select(model.id).order_by(model.id).limit(SHOWN_IDS + 1)))
    if not ids:
        return "it holds none yet"
    shown = ", ".join(ids[:SHOWN_IDS])
    return f"it holds {shown}{', …' if len(ids) > SHOWN_IDS else ''}"
