"""The offline basemap: Natural Earth layers packaged with the app, clipped to a window.

Natural Earth (https://www.naturalearthdata.com/) is in the public domain ("No permission
is needed to use Natural Earth", https://www.naturalearthdata.com/about/terms-of-use/).
The layers in ``evidencelab/data/basemap/`` (see its README: versions, scales, how they
were built) are GeoJSON (RFC 7946): WGS 84 longitude/latitude in degrees.

- ``countries``: Admin 0 polygons (1:50m) with ``name``, drawn as land;
- ``coastlines``, ``borders``: the outer and shared edges of those polygons;
- ``admin1``: first-level administrative boundaries (oblast, province, state; 1:10m,
  simplified to 0.02°);
- ``places``: populated places (points with ``name``; capitals and major cities).
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any, Final

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

#: Layer names, drawn in this order (bottom first).
LAYERS: Final = ("countries", "admin1", "borders", "coastlines", "places")


def layer_bytes(name: str) -> bytes:
    """The packaged GeoJSON text of layer ``name`` (one of `LAYERS`), as stored."""
    if name not in LAYERS:
        raise ValueError(f"no basemap layer {name!r}")
    return files("evidencelab.data").joinpath("basemap", f"{name}.geojson").read_bytes()


@cache
def _geometries(name: str) -> tuple[tuple[BaseGeometry, str], ...]:
    """Each feature of a layer as (shapely geometry, name), parsed once per process."""
    document: dict[str, Any] = json.loads(layer_bytes(name))
    return tuple(
        (shape(f["geometry"]), str(f["properties"].get("name", ""))) for f in document["features"]
    )


def clipped(
    name: str, west: float, south: float, east: float, north: float
) -> list[tuple[BaseGeometry, str]]:
    """The features of layer ``name`` inside the window (degrees; west < east, no
    antimeridian crossing), cut to it: (geometry, name) pairs, empty ones left out, in the
    packaged order (so the same window always gives the same list)."""
    out = []
    for geometry, label in _geometries(name):
        minx, miny, maxx, maxy = geometry.bounds
        if maxx < west or minx > east or maxy < south or miny > north:
            continue
        if geometry.geom_type == "Point":
            out.append((geometry, label))
            continue
        cut = shapely.clip_by_rect(geometry, west, south, east, north)
        if not cut.is_empty:
            out.append((cut, label))
    return out
