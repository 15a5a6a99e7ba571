"""The IANA time zone at a place, offline.

Kept apart from :mod:`evidencelab.verify.places` so that a lookup does not load pvlib and
pandas, which the sun-based place search needs and most commands do not.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _timezone_finder() -> Any:
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


def timezone_at(lat: float, lon: float) -> str | None:
    """IANA time zone name at a place (degrees, WGS84), found offline from timezonefinder's
    bundled boundaries; None where there is none (open sea)."""
    name = _timezone_finder().timezone_at(lng=float(lon), lat=float(lat))
    return None if name is None else str(name)
