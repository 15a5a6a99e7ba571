"""Footprints and ground measures of georeferenced rasters, in WGS84 and metres."""

from __future__ import annotations

import math
from typing import Any

import shapely
from affine import Affine
from pyproj import CRS, Geod, Transformer
from shapely.geometry import box

WGS84 = CRS.from_epsg(4326)
GEOD = Geod(ellps="WGS84")
# Vertices per footprint edge before reprojection: projected straight edges are curves in
# longitude/latitude, and a few dozen points per edge keep the error far below a pixel.
EDGE_POINTS = 32
SPECK_PIXELS = 4  # valid patches smaller than this many mask pixels are dropped


def reproject_geometry(geometry: Any, source: CRS, target: CRS) -> Any:
    """A shapely geometry's coordinates transformed from ``source`` to ``target`` (pyproj,
    x/y in longitude/latitude order for geographic CRSs)."""
    transformer = Transformer.from_crs(source, target, always_xy=True)
    return shapely.transform(geometry, lambda x, y: transformer.transform(x, y), interleaved=False)


def densify(polygon: Any, points_per_edge: int = EDGE_POINTS) -> Any:
    """The polygon with extra vertices so that each edge of its envelope has at least
    ``points_per_edge`` of them (shapely ``segmentize``), in the polygon's own units."""
    minx, miny, maxx, maxy = polygon.bounds
    step = max(maxx - minx, maxy - miny) / points_per_edge
    return shapely.segmentize(polygon, step) if step > 0 else polygon


def ground_resolution_m(transform: Affine, crs: CRS, width: int, height: int) -> float:
    """Ground size of one pixel, metres: the mean of its two sides at the raster's centre.

    Projected CRS: the pixel's side lengths (rotation included) times the CRS's linear
    unit in metres — the nominal resolution, ignoring the projection's scale factor
    (within 0.04 % in UTM). Geographic CRS: geodesic lengths on the WGS84 ellipsoid of
    one pixel step east and one north at the centre (Karney 2013 via pyproj.Geod).
    """
    step_x = math.hypot(transform.a, transform.d)
    step_y = math.hypot(transform.b, transform.e)
    if crs.is_projected:
        factor = float(crs.axis_info[0].unit_conversion_factor)
        return (step_x + step_y) / 2 * factor
    centre_x, centre_y = transform @ (width / 2, height / 2)
    lon, lat = Transformer.from_crs(crs, WGS84, always_xy=True).transform(centre_x, centre_y)
    east_x, east_y = transform @ (width / 2 + 1, height / 2)
    north_x, north_y = transform @ (width / 2, height / 2 + 1)
    to_lonlat = Transformer.from_crs(crs, WGS84, always_xy=True)
    lon_e, lat_e = to_lonlat.transform(east_x, east_y)
    lon_n, lat_n = to_lonlat.transform(north_x, north_y)
    _, _, dx = GEOD.inv(lon, lat, lon_e, lat_e)
    _, _, dy = GEOD.inv(lon, lat, lon_n, lat_n)
    return float(abs(dx) + abs(dy)) / 2


def utm_epsg(lat: float, lon: float) -> int:
    """EPSG code of the WGS84 / UTM zone containing a point (326zz north, 327zz south).

    Zones are 6° wide from 180° W (zone 1), with the two exceptions of the UTM definition:
    zone 32V is widened to 3°–12° E over south-west Norway (56°–64° N) and zones 31X–37X
    are 9°/12° wide over Svalbard (72°–84° N). Reference: NGA.SIG.0012 (2014), §2.
    """
    zone = int((lon + 180) // 6) % 60 + 1
    if 56 <= lat < 64 and 3 <= lon < 12:
        zone = 32
    elif 72 <= lat <= 84 and 0 <= lon < 42:
        zone = 31 if lon < 9 else 33 if lon < 21 else 35 if lon < 33 else 37
    return (32600 if lat >= 0 else 32700) + zone


def point_box(lat: float, lon: float, radius_m: float, crs: CRS) -> Any:
    """Square of half-side ``radius_m`` around a point, as a polygon in ``crs`` units,
    built in the point's local UTM zone and densified so its reprojection stays exact."""
    utm = CRS.from_epsg(utm_epsg(lat, lon))
    x, y = Transformer.from_crs(WGS84, utm, always_xy=True).transform(lon, lat)
    square = densify(box(x - radius_m, y - radius_m, x + radius_m, y + radius_m))
    return reproject_geometry(square, utm, crs)
