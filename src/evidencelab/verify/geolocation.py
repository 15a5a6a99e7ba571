"""Geolocations compared and combined: disagreements between records, the incident place
derived from reviewed ones, a time shown at a place, and a position proposed from an item's
metadata. Pure functions over plain records; the service records and reviews them.

The incident place is the point of the *most precise* reviewed geolocation, not a weighted
mean: the place then is one specific record whose reasoning and reference material a reader
can check, and no precision is claimed beyond what one analyst established. Every pair of
geolocations farther apart (geodesic, WGS 84, Karney's algorithm via pyproj) than the sum of
their precisions is a disagreement: the two circles do not touch, so both cannot be right.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final, NotRequired
from zoneinfo import ZoneInfo

from typing_extensions import TypedDict

from evidencelab.verify.timezones import timezone_at

PLACE_RULE: Final = "point of the most precise reviewed geolocation"
#: Radius assumed for a metadata GPS position that states no horizontal error, metres.
#: GPS.gov ("GPS Accuracy", gps.gov/systems/gps/performance/accuracy/) gives 4.9 m for
#: smartphones under open sky, worse near buildings, bridges and trees; a stored position may
#: also be a stale or network-derived fix. 50 m is a deliberate, stated allowance for that.
DEFAULT_METADATA_GPS_PRECISION_M: Final = 50.0
#: Raw metadata keys (ExifTool -G1 names, ffprobe tags) holding a horizontal error in metres.
HORIZONTAL_ERROR_KEYS: Final = (
    "GPS:GPSHPositioningError",
    "XMP-exif:GPSHPositioningError",
    "Keys:LocationAccuracyHorizontal",
    "ffprobe:com.apple.quicktime.location.accuracy.horizontal",
)


class Located(TypedDict):
    """What the comparisons read of a geolocation record (the service's records carry more)."""

    id: int
    lat: float  # WGS 84 degrees
    lon: float
    precision_m: float  # radius, metres
    method: str


class GeolocationProposal(TypedDict):
    """A ``metadata_gps`` geolocation proposed from an item's metadata."""

    evidence_id: str
    lat: float
    lon: float
    precision_m: float
    method: str
    reference: str
    reasoning: str


class Disagreement(TypedDict):
    """Two geolocations farther apart than the sum of their precisions."""

    a: int
    b: int
    distance_m: float
    allowed_m: float  # the sum of the two precisions
    message: str


class PlaceDerivation(TypedDict):
    """Where a derived incident place came from."""

    geolocation: int
    method: str
    consistent: list[int]  # reviewed geolocations within reach of the chosen one
    reviewed: list[int]
    rule: str
    # The point the place held before (lat, lon, precision_m, notes), once written.
    replaced: NotRequired[dict[str, Any]]


class DerivedPlace(TypedDict):
    """An incident place derived from reviewed geolocations."""

    lat: float
    lon: float
    precision_m: float
    derived_from: PlaceDerivation


class LocalAndUtc(TypedDict):
    """A time in the local zone of a place and in UTC (None where no zone is known)."""

    local: str | None
    utc: str | None
    zone: str | None
    assumed_local: bool  # the time had no offset and was read as local wall-clock time


def disagreements(geolocations: Sequence[Located]) -> list[Disagreement]:
    """Every pair whose geodesic distance (WGS 84, Karney's algorithm via pyproj) exceeds the
    sum of their precision radii (metres): the two circles do not touch, so the two records
    cannot both be right. Distances in metres; all pairs are measured in one vectorised call."""
    if len(geolocations) < 2:
        return []
    # Imported here, as in derive_place: every read of a case imports this module's records.
    import numpy as np

    from evidencelab.analysis.context.distance import geodesic_distances_m

    lat = np.array([g["lat"] for g in geolocations], dtype=np.float64)
    lon = np.array([g["lon"] for g in geolocations], dtype=np.float64)
    radius = np.array([g["precision_m"] for g in geolocations], dtype=np.float64)
    first, second = np.triu_indices(len(geolocations), k=1)
    distances = geodesic_distances_m(lon[first], lat[first], lon[second], lat[second])
    flagged = np.flatnonzero(distances > radius[first] + radius[second])
    found: list[Disagreement] = []
    for pair in flagged:
        a, b = geolocations[first[pair]], geolocations[second[pair]]
        distance, total = float(distances[pair]), a["precision_m"] + b["precision_m"]
        found.append(
            {
                "a": a["id"],
                "b": b["id"],
                "distance_m": round(distance, 3),
                "allowed_m": total,
                "message": f"geolocations {a['id']} and {b['id']} are {distance:,.1f} m "
                f"apart, more than their precisions allow ({a['precision_m']:g} m + "
                f"{b['precision_m']:g} m = {total:g} m)",
            }
        )
    return found


def derive_place(geolocations: Sequence[Located]) -> DerivedPlace | None:
    """The place from reviewed geolocations: the most precise one's point and radius
    (ties: the earliest recorded), with the ids it came from; None when none is given."""
    if not geolocations:
        return None
    from evidencelab.analysis.context.distance import geodesic_distance_m

    chosen = min(geolocations, key=lambda g: (g["precision_m"], g["id"]))
    consistent = [
        g["id"]
        for g in geolocations
        if g is not chosen
        and geodesic_distance_m(chosen["lat"], chosen["lon"], g["lat"], g["lon"])
        <= chosen["precision_m"] + g["precision_m"]
    ]
    return {
        "lat": chosen["lat"],
        "lon": chosen["lon"],
        "precision_m": chosen["precision_m"],
        "derived_from": {
            "geolocation": chosen["id"],
            "method": chosen["method"],
            "consistent": consistent,
            "reviewed": sorted(g["id"] for g in geolocations),
            "rule": PLACE_RULE,
        },
    }


def local_and_utc(time_iso: str, lat: float, lon: float) -> LocalAndUtc:
    """A time shown in the local time zone of a place (timezonefinder, offline) and in UTC.

    A time without offset is read as the local wall-clock time at the place
    (``"assumed_local": True``). Where no zone is found, "local" is the time as given (with
    its own offset), or everything is None for a time without offset.
    """
    try:
        moment = datetime.fromisoformat(time_iso)
    except ValueError:
        raise ValueError(f"time {time_iso!r}: not an ISO 8601 time") from None
    zone_name = timezone_at(lat, lon)
    zone = ZoneInfo(zone_name) if zone_name else None
    naive = moment.tzinfo is None or moment.utcoffset() is None
    if naive:
        if zone is None:
            return {"local": None, "utc": None, "zone": None, "assumed_local": True}
        moment = moment.replace(tzinfo=zone)
    local = moment.astimezone(zone) if zone else moment
    return {
        "local": local.isoformat(),
        "utc": moment.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "zone": zone_name,
        "assumed_local": naive,
    }


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number > 0 else None


def horizontal_error_m(metadata_raw: dict[str, Any]) -> tuple[float, str] | None:
    """The horizontal position error recorded with a GPS fix (metres) and the key it came
    from: EXIF/XMP ``GPSHPositioningError`` or Apple's ``location.accuracy.horizontal``."""
    ffprobe = metadata_raw.get("ffprobe")
    tags = ffprobe.get("format", {}).get("tags", {}) if isinstance(ffprobe, dict) else {}
    for key in HORIZONTAL_ERROR_KEYS:
        if key.startswith("ffprobe:"):
            value = tags.get(key.removeprefix("ffprobe:")) if isinstance(tags, dict) else None
        else:
            value = metadata_raw.get(key)
        number = _number(value)
        if number is not None:
            return number, key
    return None


def metadata_geolocation(
    evidence_id: str, metadata_normalised: dict[str, Any], metadata_raw: dict[str, Any]
) -> GeolocationProposal:
    """A proposed ``metadata_gps`` geolocation from an item's extracted metadata (pure)."""
    gps = metadata_normalised.get("gps")
    if not isinstance(gps, dict) or gps.get("lat") is None or gps.get("lon") is None:
        raise ValueError(f"evidence {evidence_id}: no GPS position in its metadata")
    source = metadata_normalised.get("gps_source") or "metadata"
    error = horizontal_error_m(metadata_raw)
    if error is not None:
        precision, key = error
        why = f"precision {precision:g} m is the horizontal error recorded in {key}"
    else:
        precision = DEFAULT_METADATA_GPS_PRECISION_M
        why = (
            f"no horizontal error is recorded, so a default of {precision:g} m is assumed "
            "(phone GPS is typically within about 5 m under open sky and worse near "
            "buildings; the fix may also be stale)"
        )
    return {
        "evidence_id": evidence_id,
        "lat": float(gps["lat"]),
        "lon": float(gps["lon"]),
        "precision_m": precision,
        "method": "metadata_gps",
        "reference": f"metadata of evidence {evidence_id} ({source})",
        "reasoning": f"Position recorded by the capturing device in its metadata ({source}); "
        f"{why}. It is "
        "where the device was, not necessarily what it shows, and metadata can be edited.",
    }
