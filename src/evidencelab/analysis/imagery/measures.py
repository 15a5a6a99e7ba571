"""Geodesic measures of annotations drawn on scenes (WGS84 GeoJSON geometries)."""

from __future__ import annotations

import math
from typing import Any

from shapely.geometry import shape

from evidencelab.analysis.imagery.geometry import GEOD

GEOMETRY_TYPES = ("Point", "LineString", "Polygon", "MultiPolygon")


def measure_geometry(geometry: dict[str, Any]) -> dict[str, float]:
    """Geodesic size of an annotation on the WGS84 ellipsoid (Karney 2013, pyproj.Geod).

    LineString: ``length_m`` (a line drawn across a crater is its diameter).
    (Multi)Polygon: ``area_m2``, ``perimeter_m`` and ``equivalent_diameter_m`` =
    2·√(area/π), the diameter of the circle of the same area (a crater outline).
    Point: nothing to measure (a diameter is given with it).
    """
    kind = geometry.get("type")
    if kind not in GEOMETRY_TYPES:
        raise ValueError(f"geometry type {kind!r}: must be one of {', '.join(GEOMETRY_TYPES)}")
    geom = shape(geometry)
    if geom.is_empty:
        raise ValueError("geometry is empty")
    for lon, lat in _coords(geom):
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"coordinate {lon}, {lat} is not WGS84 longitude, latitude")
    if kind == "Point":
        return {}
    if kind == "LineString":
        return {"length_m": float(GEOD.geometry_length(geom))}
    if not geom.is_valid:
        raise ValueError("polygon is not valid (self-intersecting or badly closed)")
    area, perimeter = GEOD.geometry_area_perimeter(geom)
    area = abs(float(area))  # the sign only says which way the ring runs
    return {
        "area_m2": area,
        "perimeter_m": float(perimeter),
        "equivalent_diameter_m": 2 * math.sqrt(area / math.pi),
    }


def _coords(geom: Any) -> list[tuple[float, float]]:
    if geom.geom_type == "Polygon":
        return [tuple(c) for c in geom.exterior.coords]
    if geom.geom_type == "MultiPolygon":
        return [tuple(c) for part in geom.geoms for c in part.exterior.coords]
    return [tuple(c) for c in geom.coords]
