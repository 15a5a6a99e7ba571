"""Geodesic distances on the WGS84 ellipsoid, to points and to polygon edges.

Point to point: the ellipsoidal geodesic (inverse problem) by pyproj's `Geod.inv`, which
wraps GeographicLib's algorithm (C. F. F. Karney, "Algorithms for geodesics", J. Geodesy
87, 43–55, 2013, doi:10.1007/s00190-012-0578-z); accurate to about 15 nm. A spherical
haversine is off by up to 0.56% and is not used.

Point to polygon: the distance to the nearest point of the polygon's *boundary*, 0 when the
point is inside (or on the boundary) — not to the centroid, which for a large site (an air
base, a hospital campus) can be hundreds of metres from its nearest edge. Method:

1. project the polygon into an azimuthal equidistant projection (PROJ `aeqd`, ellipsoidal)
   centred on the query point; in it, the straight-line distance from the centre to any
   point equals the geodesic distance to that point;
2. if the projected polygon contains the centre, the distance is 0; otherwise shapely
   finds the nearest boundary point (`shortest_line`);
3. that point is projected back to lon/lat and the pair is measured with `Geod.inv`.

Polygon edges are straight lines in the projection, not geodesics: for edges up to a few
km long within tens of km of the query point the difference is below a millimetre, far
below OSM's mapping accuracy. Geometries are WGS84 longitude/latitude (x = lon, y = lat);
distances are metres.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

#: WGS84 ellipsoid (a = 6378137 m, f = 1/298.257223563).
WGS84: Final = Geod(ellps="WGS84")

#: Mean Earth radius R₁ = (2a + b)/3 on WGS84, metres (for `haversine_m` only).
MEAN_EARTH_RADIUS_M: Final = 6_371_008.8

FloatArray = npt.NDArray[np.float64]


def geodesic_distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance in metres between two points on WGS84 (Karney 2013)."""
    _, _, distance = WGS84.inv(lon1, lat1, lon2, lat2)
    return float(distance)


def geodesic_distances_m(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike
) -> FloatArray:
    """Vectorised `geodesic_distance_m` (note the lon, lat order, as in pyproj)."""
    arrays = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(value, dtype=np.float64)) for value in (lon1, lat1, lon2, lat2))
    )
    # Geod.inv wants contiguous arrays of equal length; broadcast views are neither.
    lons1, lats1, lons2, lats2 = (np.ascontiguousarray(array) for array in arrays)
    _, _, distance = WGS84.inv(lons1, lats1, lons2, lats2)
    return np.atleast_1d(np.asarray(distance, dtype=np.float64))


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on a sphere of radius 6 371 008.8 m, metres.

    For comparison only (tests, docs): on WGS84 it errs by up to about 0.56%.
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * MEAN_EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def local_projection(origin: Point) -> Transformer:
    """lon/lat → azimuthal equidistant metres centred on `origin` (ellipsoidal WGS84)."""
    # A bare PROJ pipeline: no CRS database look-up, so it is built in ~50 µs per query.
    return Transformer.from_pipeline(
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad"
        f" +step +proj=aeqd +lat_0={origin.y!r} +lon_0={origin.x!r} +ellps=WGS84"
    )


def _forward(to_local: Transformer) -> Callable[[FloatArray], FloatArray]:
    def forward(coords: FloatArray) -> FloatArray:
        x, y = to_local.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return forward


def distances_to_geometries_m(
    origin: Point, geometries: npt.NDArray[np.object_] | list[BaseGeometry]
) -> FloatArray:
    """Geodesic distance in metres from `origin` to each geometry's nearest point.

    Points are measured directly with `Geod.inv`; polygons to their boundary (0 inside),
    by the method in the module docstring. Vectorised over `geometries`.
    """
    shapes = np.asarray(geometries, dtype=object)
    result = np.zeros(len(shapes), dtype=np.float64)
    if len(shapes) == 0:
        return result
    is_point = shapely.get_type_id(shapes) == 0
    if is_point.any():
        points = shapes[is_point]
        result[is_point] = geodesic_distances_m(
            origin.x, origin.y, shapely.get_x(points), shapely.get_y(points)
        )
    areas_at = np.flatnonzero(~is_point)
    if len(areas_at) == 0:
        return result
    to_local = local_projection(origin)
    local = shapely.transform(shapes[areas_at], _forward(to_local))
    centre = Point(0.0, 0.0)
    inside = shapely.intersects(local, centre)
    outside_at = np.flatnonzero(~inside)
    if len(outside_at) == 0:
        return result
    lines = shapely.shortest_line(centre, local[outside_at])
    near = shapely.get_coordinates(shapely.get_point(lines, 1))
    lon, lat = to_local.transform(near[:, 0], near[:, 1], direction="INVERSE")
    result[areas_at[outside_at]] = geodesic_distances_m(origin.x, origin.y, lon, lat)
    return result


def distance_to_geometry_m(origin: Point, geometry: BaseGeometry) -> float:
    """Geodesic distance in metres from `origin` to a point, or to a polygon's edge (0
    inside). `origin` and `geometry` are WGS84 lon/lat."""
    return float(distances_to_geometries_m(origin, [geometry])[0])


def nearest_boundary_point(origin: Point, geometry: BaseGeometry) -> Point:
    """The point of `geometry` nearest to `origin` (itself for a point; `origin` when
    inside a polygon), found in the local azimuthal equidistant projection."""
    if isinstance(geometry, Point):
        return geometry
    to_local = local_projection(origin)
    local = shapely.transform(geometry, _forward(to_local))
    centre = Point(0.0, 0.0)
    if local.intersects(centre):
        return origin
    line = shapely.shortest_line(centre, local)
    x, y = line.coords[1]
    lon, lat = to_local.transform(x, y, direction="INVERSE")
    return Point(lon, lat)
