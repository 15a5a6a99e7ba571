"""In-memory spatial index over context objects: radius and nearest-by-kind queries.

A shapely `STRtree` (Sort-Tile-Recursive packed R-tree; Leutenegger, Lopez and Edgington,
"STR: a simple and efficient algorithm for R-tree packing", ICDE 1997) over the objects'
lon/lat envelopes gives candidates; every candidate is then measured geodesically
(`distance.distances_to_geometries_m`: to a point, or to a polygon's edge, 0 inside), so
the tree only has to be conservative, never exact.

The candidate box for a radius r around latitude φ is ±r/110 574 m in latitude (the
shortest degree of latitude, at the equator) and ±r/(111 319.49 m · cos φ_max) in
longitude (a degree of longitude on WGS84 is never shorter than on the sphere of the
equatorial radius), split in two across the antimeridian. Geometries that themselves cross
the antimeridian are not supported.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import shapely
from shapely import STRtree
from shapely.geometry import Point, box

from evidencelab.analysis.context.distance import distances_to_geometries_m
from evidencelab.analysis.context.objects import ContextObject

#: Metres per degree of latitude at the equator (the minimum on WGS84), and of longitude
#: on the equator (a·π/180); both lower bounds, so the candidate box is never too small.
MIN_METRES_PER_DEGREE_LAT: Final = 110_574.0
METRES_PER_DEGREE_LON_EQUATOR: Final = 111_319.49
# Widen the box a little for rounding in the bounds above.
_MARGIN: Final = 1.001

IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Hit:
    """An object and its geodesic distance (metres) from the query point (0 inside it)."""

    object: ContextObject
    distance_m: float


def search_boxes(point: Point, radius_m: float) -> list[tuple[float, float, float, float]]:
    """Lon/lat boxes (min_lon, min_lat, max_lon, max_lat) that hold every point within
    `radius_m` metres (geodesic) of `point`."""
    lon, lat = point.x, point.y
    dlat = radius_m / MIN_METRES_PER_DEGREE_LAT * _MARGIN
    lat_min, lat_max = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    widest = max(abs(lat_min), abs(lat_max))
    cos_widest = math.cos(math.radians(widest))
    if widest >= 89.9 or cos_widest <= 0.0:
        return [(-180.0, lat_min, 180.0, lat_max)]
    dlon = radius_m / (METRES_PER_DEGREE_LON_EQUATOR * cos_widest) * _MARGIN
    if dlon >= 180.0:
        return [(-180.0, lat_min, 180.0, lat_max)]
    west, east = lon - dlon, lon + dlon
    if west < -180.0:
        return [(west + 360.0, lat_min, 180.0, lat_max), (-180.0, lat_min, east, lat_max)]
    if east > 180.0:
        return [(west, lat_min, 180.0, lat_max), (-180.0, lat_min, east - 360.0, lat_max)]
    return [(west, lat_min, east, lat_max)]


class ContextIndex:
    """Objects indexed for `within` and `nearest_by_kind` queries (immutable once built).

    Query points are shapely `Point(lon, lat)` in WGS84 degrees; radii and distances are
    metres.
    """

    def __init__(self, objects: Iterable[ContextObject]) -> None:
        self.objects: tuple[ContextObject, ...] = tuple(objects)
        self._geometries = np.array([o.geometry for o in self.objects], dtype=object)
        self._tree = STRtree(self._geometries)
        members: dict[str, list[int]] = {}
        for position, obj in enumerate(self.objects):
            for kind in obj.kinds:
                members.setdefault(kind, []).append(position)
        self._members: Mapping[str, IntArray] = {
            kind: np.asarray(positions, dtype=np.intp) for kind, positions in members.items()
        }
        self._kind_masks: dict[str, npt.NDArray[np.bool_]] = {}
        self._kind_trees: dict[str, STRtree] = {}

    def __len__(self) -> int:
        return len(self.objects)

    @property
    def kinds(self) -> frozenset[str]:
        """Every kind that at least one indexed object has."""
        return frozenset(self._members)

    def _mask(self, kind: str) -> npt.NDArray[np.bool_]:
        if kind not in self._kind_masks:
            mask = np.zeros(len(self.objects), dtype=np.bool_)
            mask[self._members.get(kind, np.empty(0, dtype=np.intp))] = True
            self._kind_masks[kind] = mask
        return self._kind_masks[kind]

    def _candidates(self, point: Point, radius_m: float, kinds: Iterable[str] | None) -> IntArray:
        found = [self._tree.query(box(*bounds)) for bounds in search_boxes(point, radius_m)]
        candidates = np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.intp)
        if kinds is None or len(candidates) == 0:
            return candidates
        keep = np.zeros(len(candidates), dtype=np.bool_)
        for kind in set(kinds):
            keep |= self._mask(kind)[candidates]
        return candidates[keep]

    def within(
        self, point: Point, radius_m: float, kinds: Iterable[str] | None = None
    ) -> list[Hit]:
        """Objects (of any of `kinds`, or all) within `radius_m` metres of `point`, nearest
        first. Distances are geodesic, to polygon edges (0 inside); ties keep index order."""
        if radius_m < 0 or not math.isfinite(radius_m):
            raise ValueError(f"radius must be a finite number of metres ≥ 0, not {radius_m}")
        candidates = self._candidates(point, radius_m, kinds)
        distances = distances_to_geometries_m(point, self._geometries[candidates])
        inside = distances <= radius_m
        candidates, distances = candidates[inside], distances[inside]
        order = np.lexsort((candidates, distances))
        return [
            Hit(self.objects[i], float(d))
            for i, d in zip(candidates[order], distances[order], strict=True)
        ]

    def nearest(self, point: Point, kind: str) -> Hit | None:
        """The object of `kind` geodesically nearest to `point` (None if there is none)."""
        positions = self._members.get(kind)
        if positions is None:
            return None
        if kind not in self._kind_trees:
            self._kind_trees[kind] = STRtree(self._geometries[positions])
        # The tree's nearest is nearest in lon/lat degrees, not on the ellipsoid; its geodesic
        # distance bounds the answer, and a radius query up to that bound finds the true one.
        planar = int(self._kind_trees[kind].query_nearest(point, all_matches=False)[0])
        bound = float(distances_to_geometries_m(point, [self._geometries[positions[planar]]])[0])
        hits = self.within(point, bound, kinds=[kind])
        return hits[0] if hits else Hit(self.objects[positions[planar]], bound)

    def nearest_by_kind(self, point: Point, kinds: Iterable[str] | None = None) -> dict[str, Hit]:
        """For each kind (the given ones, or every kind in the index), the nearest object.
        Kinds with no object are left out."""
        wanted = sorted(self._members if kinds is None else set(kinds))
        result: dict[str, Hit] = {}
        for kind in wanted:
            hit = self.nearest(point, kind)
            if hit is not None:
                result[kind] = hit
        return result


def geometries_bounds(index: ContextIndex) -> tuple[float, float, float, float]:
    """Lon/lat bounds of everything in the index (for maps and reports)."""
    bounds = shapely.total_bounds(np.array([o.geometry for o in index.objects], dtype=object))
    return (float(bounds[0]), float(bounds[1]), float(bounds[2]), float(bounds[3]))
