"""The basemap layers, the context objects around an incident and a place's time zone."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Final
from zoneinfo import ZoneInfo

from evidencelab.analysis import basemap
from evidencelab.locker.case import Case
from evidencelab.locker.errors import InputError
from evidencelab.service.context.queries import case_objects_near
from evidencelab.service.maps.records import MapContextObject, PlaceTimeZone
from evidencelab.verify.timezones import timezone_at

#: Context objects searched beyond the incident's precision radius (metres), as the report.
CONTEXT_MARGIN_M: Final = 2000.0
#: At most this many objects on an incident's map, nearest first.
CONTEXT_LIMIT: Final = 200


def basemap_layer(name: str) -> bytes:
    """The packaged GeoJSON of an offline basemap layer (Natural Earth, public domain)."""
    if name not in basemap.LAYERS:
        raise InputError("layer", name, f"no such basemap layer ({', '.join(basemap.LAYERS)})")
    return basemap.layer_bytes(name)


def _coordinate(field: str, value: float, limit: float) -> float:
    if not math.isfinite(value) or abs(value) > limit:
        raise InputError(field, value, f"must be a number of degrees within ±{limit:g}")
    return value


def objects_around(
    case: Case, lat: float, lon: float, precision_m: float | None
) -> list[MapContextObject]:
    """The case's context objects within the incident's precision radius plus
    `CONTEXT_MARGIN_M` metres of its point (WGS 84 degrees), nearest first, at most
    `CONTEXT_LIMIT`; distances are geodesic, to each object's edge."""
    radius = float(precision_m or 0.0) + CONTEXT_MARGIN_M
    near = case_objects_near(case, lat, lon, radius)[:CONTEXT_LIMIT]
    return [
        {
            "id": o["id"],
            "name": o["name"],
            "kinds": o["kinds"],
            "category": o["category"],
            "lat": o["lat"],
            "lon": o["lon"],
            "distance_m": o["distance_m"],
        }
        for o in near
    ]


def place_time_zone(lat: float, lon: float, at: str | None = None) -> PlaceTimeZone:
    """The IANA time zone at a place (WGS 84 degrees; timezonefinder's offline boundaries)
    and its UTC offset at ``at`` (ISO 8601; a time without an offset is read as UTC, near
    enough to choose the offset outside the hour of a clock change; now when None)."""
    _coordinate("lat", lat, 90)
    _coordinate("lon", lon, 180)
    moment = datetime.now(UTC)
    if at:
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            raise InputError("at", repr(at[:60]), "not an ISO 8601 date and time") from None
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    zone = timezone_at(lat, lon)
    offset = None
    if zone is not None:
        local = moment.astimezone(ZoneInfo(zone))
        offset = local.isoformat()[-6:] if local.utcoffset() else "+00:00"
    return {"lat": lat, "lon": lon, "zone": zone, "utc_offset": offset}
