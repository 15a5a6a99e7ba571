"""Values a person types (a form field or a command-line option), checked one by one:
numbers, distances, coordinates, times, dates, web addresses and free text. Each error is
an InputError naming the input it came from, so the web shows it beside its field and the
command line names its option."""

from __future__ import annotations

import datetime as dt
import math
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from evidencelab.locker.case import CaseError
from evidencelab.locker.errors import InputError
from evidencelab.model.limits import MAX_DISTANCE_M


def parse_time(text: str, *, what: str = "time", naive_ok: bool = False) -> datetime:
    """:func:`moment` for a time that is not a field of its own (``what`` describes it,
    e.g. "incident X start"): a CaseError with the same message."""
    try:
        return moment(text, what, naive_ok=naive_ok)
    except InputError as error:
        raise CaseError(str(error)) from None


def check_place(lat: float, lon: float) -> None:
    """Refuse a latitude outside ±90° or a longitude outside ±180° (WGS84 degrees), named
    as the fields lat and lon."""
    coordinate(lat, "lat")
    coordinate(lon, "lon")


def local_time_in_zone(text: str, zone_name: str, *, what: str = "time") -> datetime:
    """A wall-clock time (ISO 8601 without offset, as a browser's date-time control gives
    it) in the IANA time zone ``zone_name``, as an aware time with that zone's UTC offset
    then (IANA tz database, https://www.iana.org/time-zones). A time given with an offset
    is kept as it is.

    A time the zone skips (clocks going forward) or passes twice (clocks going back) is
    refused: no offset could be chosen without guessing. InputError named ``what``.
    """
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a path
        raise InputError(what, None, f"{zone_name[:60]!r} is not a time zone name") from None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(what, repr(text[:60]), "not a date and time") from None
    if moment.tzinfo is not None:
        return moment
    earlier, later = moment.replace(tzinfo=zone), moment.replace(tzinfo=zone, fold=1)
    if earlier.utcoffset() != later.utcoffset():
        problem = f"occurs twice or never in {zone_name} (a clock change); give it in UTC"
        raise InputError(what, repr(text), problem)
    return earlier


def check_url(text: str, *, what: str = "url") -> str:
    """``text`` when it is a web address (http or https with a host); InputError named
    ``what`` otherwise."""
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise InputError(what, repr(text[:60]), "not a web address (http:// or https://…)")
    return text


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
