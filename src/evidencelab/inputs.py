"""Checks on values a person gives on the command line: times and places."""

from __future__ import annotations

from datetime import datetime

from evidencelab.case import CaseError


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
