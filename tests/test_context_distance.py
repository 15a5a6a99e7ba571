"""Geodesic distances against GeographicLib's reference geodesics (tests/corpus/geographiclib),
the haversine shortcut, and brute-force distances to polygon edges."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Point, Polygon, box

from evidencelab.analysis.context.distance import (
    distance_to_geometry_m,
    distances_to_geometries_m,
    geodesic_distance_m,
    geodesic_distances_m,
    haversine_m,
    nearest_boundary_point,
)

GEOGRAPHICLIB = Path(__file__).parent / "corpus" / "geographiclib"
#: Karney's test set is exact to far below this; pyproj's Geod (GeographicLib in C) meets it.
TOLERANCE_M = 1e-6


def geodtest_short() -> np.ndarray:
    """All 10 000 lines of GeodTest-short: lat1 lon1 azi1 lat2 lon2 azi2 s12 a12 m12 S12."""
    with gzip.open(GEOGRAPHICLIB / "GeodTest-short.dat.gz", "rt") as lines:
        return np.loadtxt(lines, dtype=np.float64)


def test_geodtest_short_inverse_within_a_micrometre() -> None:
    data = geodtest_short()
    assert data.shape == (10_000, 10)
    lat1, lon1, lat2, lon2, s12 = data[:, 0], data[:, 1], data[:, 3], data[:, 4], data[:, 6]
    computed = geodesic_distances_m(lon1, lat1, lon2, lat2)
    assert np.max(np.abs(computed - s12)) < TOLERANCE_M
    # The scalar function is the same computation.
    for row in data[::1000]:
        assert geodesic_distance_m(row[0], row[1], row[3], row[4]) == pytest.approx(
            row[6], abs=TOLERANCE_M
        )


def test_geographiclib_python_testcases() -> None:
    with (GEOGRAPHICLIB / "geographiclib_python_testcases.tsv").open() as handle:
        rows = [line for line in handle if not line.startswith("#")]
    cases = list(csv.DictReader(rows, delimiter="\t"))
    assert len(cases) == 20
    for case in cases:
        distance = geodesic_distance_m(
            float(case["lat1"]), float(case["lon1"]), float(case["lat2"]), float(case["lon2"])
        )
        assert distance == pytest.approx(float(case["s12_m"]), abs=1e-8)


def test_haversine_differs_by_up_to_half_a_percent() -> None:
    """The spherical shortcut is measurably wrong on WGS84 (README: max 0.56%, median
    0.094%), which is why evidence distances are geodesic."""
    data = geodtest_short()
    s12 = data[:, 6]
    keep = s12 > 1.0
    spherical = np.array(
        [haversine_m(r[0], r[1], r[3], r[4]) for r in data[keep]], dtype=np.float64
    )
    relative = np.abs(spherical - s12[keep]) / s12[keep]
    assert 0.005 < relative.max() < 0.006
    assert 0.0008 < np.median(relative) < 0.0011


def test_vaduz_to_the_bunker_and_feldkirch() -> None:
    """tests/corpus/osm/README.md: from 47.1410 N 9.5215 E, bunker 9.556 km, Feldkirch
    representative point 10.911 km (computed with geographiclib at curation)."""
    vaduz = (47.1410, 9.5215)
    assert geodesic_distance_m(*vaduz, 47.0576294, 9.5521373) == pytest.approx(9556, abs=0.5)
    assert geodesic_distance_m(*vaduz, 47.230681, 9.579993) == pytest.approx(10911, abs=0.5)


def densified_boundary_minimum(origin: Point, polygon: Polygon | MultiPolygon) -> float:
    """Brute force: the smallest geodesic distance to boundary points 0.5 m apart or less."""
    boundary = polygon.boundary.segmentize(5e-6)  # degrees: ≤ 0.56 m along any edge
    coords = np.asarray([c for line in getattr(boundary, "geoms", [boundary]) for c in line.coords])
    return float(geodesic_distances_m(origin.x, origin.y, coords[:, 0], coords[:, 1]).min())


def test_polygon_distance_is_to_the_edge_not_the_centroid() -> None:
    site = box(30.0, 50.0, 30.02, 50.01)  # about 1.4 km × 1.1 km
    origin = Point(30.03, 50.005)  # east of the east edge, level with its middle
    to_edge = distance_to_geometry_m(origin, site)
    to_centroid = distance_to_geometry_m(origin, site.centroid)
    assert to_edge == pytest.approx(geodesic_distance_m(50.005, 30.03, 50.005, 30.02), abs=0.05)
    assert to_edge < to_centroid - 600
    assert to_edge == pytest.approx(densified_boundary_minimum(origin, site), abs=0.3)
    nearest = nearest_boundary_point(origin, site)
    assert nearest.x == pytest.approx(30.02, abs=1e-9)
    assert nearest.y == pytest.approx(50.005, abs=1e-5)


def test_inside_and_on_the_boundary_is_zero() -> None:
    site = Polygon([(9.52, 47.13), (9.53, 47.13), (9.53, 47.14), (9.52, 47.14)])
    assert distance_to_geometry_m(Point(9.525, 47.135), site) == 0.0
    assert distance_to_geometry_m(Point(9.52, 47.135), site) == pytest.approx(0.0, abs=1e-6)
    holed = Polygon(site.exterior.coords, [[(9.524, 47.134), (9.526, 47.134), (9.526, 47.136)]])
    # In the hole: outside the area, so the distance is to the hole's edge.
    assert distance_to_geometry_m(Point(9.5255, 47.1345), holed) > 0.0


def test_vectorised_mixture_matches_one_by_one() -> None:
    origin = Point(37.25, 47.78)
    shapes = [
        Point(37.26, 47.79),
        box(37.24, 47.77, 37.26, 47.79),
        MultiPolygon([box(37.30, 47.80, 37.31, 47.81), box(37.20, 47.70, 37.21, 47.71)]),
        Point(37.25, 47.78),
    ]
    together = distances_to_geometries_m(origin, shapes)
    alone = [distance_to_geometry_m(origin, shape) for shape in shapes]
    assert together.tolist() == pytest.approx(alone, abs=1e-9)
    assert together[1] == 0.0 and together[3] == 0.0
    assert distances_to_geometries_m(origin, []).shape == (0,)


latitudes = st.floats(min_value=-80, max_value=80)
longitudes = st.floats(min_value=-179, max_value=179)
offsets = st.floats(min_value=-0.05, max_value=0.05)
sizes = st.floats(min_value=0.0005, max_value=0.03)


@settings(max_examples=60, deadline=None)
@given(latitudes, longitudes, offsets, offsets, sizes, sizes)
def test_edge_distance_properties(
    lat: float, lon: float, dx: float, dy: float, width: float, height: float
) -> None:
    """To the edge is never farther than to any vertex, 0 inside, and equals the brute-force
    minimum over a densified boundary (to 0.5 m, the densification step)."""
    origin = Point(lon, lat)
    site = box(lon + dx, lat + dy, lon + dx + width, lat + dy + height)
    distance = distance_to_geometry_m(origin, site)
    vertices = np.asarray(site.exterior.coords)
    to_vertices = geodesic_distances_m(lon, lat, vertices[:, 0], vertices[:, 1])
    assert distance <= to_vertices.min() + 1e-6
    if site.contains(origin):
        assert distance == 0.0
    else:
        assert distance == pytest.approx(densified_boundary_minimum(origin, site), abs=0.5)
