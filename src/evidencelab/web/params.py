"""Bounds of the web app's integer query parameters, one table for the pages and the API.

A number outside its bounds is refused with a message naming the parameter (the API: 422
JSON; a page: shown again with the message), so no oversized number reaches the database,
whose integers are 64-bit.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Final

from fastapi import Path, Query

# Parameter name -> (smallest, largest) accepted value.
INTEGER_BOUNDS: Final[dict[str, tuple[int, int]]] = {
    "page": (1, 1_000_000),  # a page of the evidence list
    "before": (1, 2**62),  # a custody sequence number
    "limit": (1, 1000),  # custody events per answer
    "stamped": (1, 2**62),  # items a timestamp run covered, shown after it
}
_DIGITS = re.compile(r"[0-9]{1,19}")


def bounded_query(name: str, default: int | None) -> Any:
    """A FastAPI ``Query`` for the integer parameter ``name``, with its bounds."""
    low, high = INTEGER_BOUNDS[name]
    return Query(default, ge=low, le=high, description=f"a whole number from {low} to {high}")


def parse_bounded(name: str, raw: str) -> int | None:
    """``raw`` as the integer parameter ``name`` (None when empty); ValueError with a
    one-line message when it is not a whole number within the bounds."""
    text = raw.strip()
    if not text:
        return None
    low, high = INTEGER_BOUNDS[name]
    if _DIGITS.fullmatch(text) and low <= int(text) <= high:
        return int(text)
    shown = text if len(text) <= 40 else text[:40] + "…"
    raise ValueError(f"{name}: {shown!r} is not a whole number from {low} to {high}")


#: A row's number in a path (a comment's id): bounded like the integer parameters, so an
#: oversized one is refused before it reaches the database's 64-bit integers.
RowId = Annotated[int, Path(ge=1, le=2**62, description="a whole number from 1 to 2**62")]
