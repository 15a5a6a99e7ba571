"""What stands near a place: protected objects and possible military objectives from a
map extract (OpenStreetMap or GeoJSON), with geodesic distances to their edges."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shapely.geometry import Point

from evidencelab.analysis.context import ContextIndex, Hit, read_geojson, read_osm
from evidencelab.analysis.context.kinds import KIND_CATEGORY
from evidencelab.case import CaseError
from evidencelab.inputs import check_place

GEOJSON_SUFFIXES = (".geojson", ".json")


def objects_near(
    path: Path, lat: float, lon: float, radius_m: float, kinds: list[str] | None = None
) -> dict[str, Any]:
    """Objects of the given kinds (or all) within ``radius_m`` metres, nearest first, and
    the nearest object of each kind at any distance."""
    check_place(lat, lon)
    unknown = sorted(set(kinds or ()) - set(KIND_CATEGORY))
    if unknown:
        raise CaseError(
            f"--kinds: unknown {', '.join(unknown)} (known: {', '.join(KIND_CATEGORY)})"
        )
    objects = read_geojson(path) if path.suffix.lower() in GEOJSON_SUFFIXES else read_osm(path)
    index = ContextIndex(objects)
    point = Point(lon, lat)
    return {
        "file": str(path),
        "point": {"lat": lat, "lon": lon},
        "radius_m": radius_m,
        "within": [_hit(h) for h in index.within(point, radius_m, kinds)],
        "nearest_by_kind": {k: _hit(h) for k, h in index.nearest_by_kind(point, kinds).items()},
    }


def _hit(hit: Hit) -> dict[str, Any]:
    o = hit.object
    return {
        "ref": o.ref,
        "name": o.name,
        "kinds": sorted(o.kinds),
        "category": o.category,
        "distance_m": round(hit.distance_m, 1),
    }
