"""Reduce parsed YAML or JSON to the JSON data model the schema describes.

YAML gives more than JSON: timestamps, dates, non-text keys, binary, sets, NaN. Both
formats go through this one step, so a case means the same whichever it was written in:
timestamps and dates become ISO 8601 text (also inside unknown fields), and anything
JSON cannot hold is reported where it is.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from evidencelab.model.codec import format_datetime
from evidencelab.model.errors import Location, Problem
from evidencelab.model.limits import MAX_COUNT, MAX_NUMBER_DIGITS

# Ceiling on values visited. YAML aliases let a few lines stand for billions of values
# ("billion laughs"); a real case file is far below this.
MAX_VALUES = 2_000_000


class TooManyValuesError(Exception):
    """The document expands to more than MAX_VALUES values."""


class OverlongNumber:
    """What the parsers put in place of a whole number too long to read (more than
    MAX_NUMBER_DIGITS digits), so that it is reported where it is in the document."""

    def __init__(self, digits: int) -> None:
        self.digits = digits


def read_int(text: str) -> int | OverlongNumber:
    """A whole number written in decimal, or an OverlongNumber when it has too many digits."""
    digits = sum(ch.isdigit() for ch in text)
    return OverlongNumber(digits) if digits > MAX_NUMBER_DIGITS else int(text)


def to_json_data(value: Any, problems: list[Problem]) -> Any:
    """Return `value` as plain JSON data; append what cannot be converted to `problems`."""
    budget = [MAX_VALUES]
    return _convert(value, (), problems, budget)


# Whole numbers from this size on cannot be written back as decimal text.
_OVERLONG = 10**MAX_NUMBER_DIGITS


def _too_long_to_write(value: Any) -> bool:
    """A whole number (YAML hex or sexagesimal, say) too long to write back in decimal."""
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _OVERLONG


def _convert(value: Any, at: Location, problems: list[Problem], budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise TooManyValuesError
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if isinstance(key, str):
                out[key] = _convert(item, (*at, key), problems, budget)
            else:
                problems.append(
                    Problem(at, f"field name read as {key!r}, not as text; put it in quotes")
                )
        return out
    if isinstance(value, list):
        return [_convert(item, (*at, i), problems, budget) for i, item in enumerate(value)]
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, OverlongNumber) or _too_long_to_write(value):
        digits = value.digits if isinstance(value, OverlongNumber) else f"over {MAX_NUMBER_DIGITS}"
        problems.append(
            Problem(at, f"a number of {digits} digits is too large (counts: at most {MAX_COUNT})")
        )
        return None
    if isinstance(value, float) and not math.isfinite(value):
        problems.append(Problem(at, "must be a finite number"))
        return None
    if value is None or isinstance(value, str | bool | int | float):
        return value
    problems.append(
        Problem(at, f"unsupported value of type {type(value).__name__}; use text or numbers")
    )
    return None
