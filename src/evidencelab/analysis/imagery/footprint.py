"""A scene's footprint (WGS84 GeoJSON) against a place, with shapely alone: reading a case's
scenes needs this, and not the projections of `geometry` (pyproj)."""

from __future__ import annotations

from typing import Any


def contains_point(footprint: dict[str, Any], lat: float, lon: float) -> bool:
    """Whether a WGS84 GeoJSON footprint covers a point (boundary included), degrees."""
    # Imported here: shapely loads numpy, and every read of a case imports this module
    # (through the scenes' service) while only linking and listing scenes call it.
    import shapely

    return bool(shapely.geometry.shape(footprint).covers(shapely.Point(lon, lat)))
