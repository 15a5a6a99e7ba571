"""Checks on values a person gives on the command line or in a form: times and places."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from evidencelab.locker.case import CaseError
from evidencelab.locker.errors import InputError


def parse_time(text: str, *, what: str = "time", naive_ok: bool = False) -> datetime:
    """An ISO 8601 time given by a person, with a UTC offset unless ``naive_ok``.

    A time without an offset is refused by default because the same wall-clock time means
    different moments in different places. ``what`` names the value in the error.
    """
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CaseError(f"{what} {text!r}: not an ISO 8601 time") from None
    if moment.tzinfo is None and not naive_ok:
        raise CaseError(f"{what} {text!r}: needs a UTC offset, e.g. Z or +02:00")
    return moment


def check_place(lat: float, lon: float) -> None:
    """Refuse a latitude outside ±90° or a longitude outside ±180° (WGS84 degrees)."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise CaseError(f"{lat}, {lon}: latitude must be within ±90 and longitude within ±180")


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
