"""Values a person types for a verification step (a form field or a command-line option),
checked one by one: each error names the input it came from (see InputError), so the web
shows it beside its field and the command line names its option."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from evidencelab.locker.errors import InputError
from evidencelab.model.limits import MAX_DISTANCE_M


def number(value: Any, field: str) -> float:
    """``value`` as a finite float (a string from a form, or a number); refuses booleans,
    text that is not a number, NaN and infinities."""
    if isinstance(value, bool):
        raise InputError(field, repr(value), "not a number")
    try:
        parsed = float(value)
    except (TypeError, ValueError):
        raise InputError(field, repr(value), "not a number") from None
    if not math.isfinite(parsed):
        raise InputError(field, repr(value), "must be a finite number")
    return parsed


def optional_number(value: Any, field: str) -> float | None:
    """None for an empty field, else :func:`number`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return number(value, field)


def distance(value: Any, field: str) -> float:
    """A positive, finite distance in metres, at most MAX_DISTANCE_M (1,000 km: a radius of
    uncertainty larger than that places nothing)."""
    if isinstance(value, bool):
        raise InputError(field, repr(value), "not a number")
    try:
        metres = float(value)
    except (TypeError, ValueError):
        raise InputError(field, repr(value), "not a number") from None
    if not (math.isfinite(metres) and 0 < metres <= MAX_DISTANCE_M):
        problem = f"must be a positive number of metres, at most {MAX_DISTANCE_M:,}"
        raise InputError(field, f"{metres!r} m", problem)
    return metres


def coordinate(value: Any, field: str) -> float:
    """A WGS 84 latitude (``field`` "lat", within ±90°) or longitude (any other field,
    within ±180°), degrees."""
    limit = 90.0 if field == "lat" else 180.0
    degrees = number(value, field)
    if not -limit <= degrees <= limit:
        raise InputError(field, degrees, f"must be within ±{limit:g} degrees")
    return degrees


def moment(text: str, field: str, *, naive_ok: bool = False) -> dt.datetime:
    """An ISO 8601 time with its UTC offset (without one only when ``naive_ok``): the same
    wall-clock time is a different instant in each time zone."""
    try:
        parsed = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(field, repr(text), "not an ISO 8601 time") from None
    if parsed.tzinfo is None and not naive_ok:
        raise InputError(field, repr(text), "needs a UTC offset, e.g. Z or +02:00")
    return parsed


def day(text: str, field: str) -> dt.date:
    """An ISO 8601 calendar date, YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(field, repr(text), "not an ISO 8601 date (YYYY-MM-DD)") from None


def text(value: Any, field: str, *, required: bool = False) -> str | None:
    """Free text, stripped; None when empty (refused when ``required``)."""
    stripped = value.strip() if isinstance(value, str) else ""
    if required and not stripped:
        raise InputError(field, None, "required")
    return stripped or None
