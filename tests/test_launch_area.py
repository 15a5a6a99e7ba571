"""The candidate launch area: an annular sector on the WGS 84 ellipsoid, checked vertex by
vertex with the inverse geodesic problem (pyproj.Geod.inv), and its intersection with a
control-of-territory polygon."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import Polygon, box

from evidencelab.analysis.munitions import find_munition
from evidencelab.assess.launch_area import (
    LaunchAreaError,
    control_polygon,
    intersect_control,
    launch_sector,
    range_window_m,
)

GEOD = Geod(ellps="WGS84")
IMPACT = (49.83722, 36.69)  # lat, lon


def _inverse(polygon: Polygon) -> tuple[np.ndarray, np.ndarray]:
    """Azimuth (degrees, 0–360) and distance (m) from the impact to every vertex."""
    lons, lats = np.array(polygon.exterior.coords).T
    az, _, dist = GEOD.inv(
        np.full(lons.shape, IMPACT[1]), np.full(lats.shape, IMPACT[0]), lons, lats
    )
    return np.mod(az, 360.0), np.asarray(dist)


def test_every_vertex_lies_in_the_range_window_and_bearing_interval() -> None:
    sector = launch_sector(*IMPACT, 60.0, 10.0, 20_000.0, 70_000.0)
    az, dist = _inverse(sector.polygon)
    assert dist.min() == pytest.approx(20_000.0, abs=1e-3)
    assert dist.max() == pytest.approx(70_000.0, abs=1e-3)
    assert az.min() == pytest.approx(50.0, abs=1e-9)
    assert az.max() == pytest.approx(70.0, abs=1e-9)
    # Arc vertices sit exactly on the two circles; radial vertices exactly on the edges.
    on_circle = np.isclose(dist, 20_000.0, atol=1e-3) | np.isclose(dist, 70_000.0, atol=1e-3)
    on_edge = np.isclose(az, 50.0, atol=1e-9) | np.isclose(az, 70.0, atol=1e-9)
    assert bool(np.all(on_circle | on_edge))


def test_arcs_are_densified_to_the_stated_step() -> None:
    sector = launch_sector(*IMPACT, 60.0, 10.0, 20_000.0, 70_000.0)
    az, dist = _inverse(sector.polygon)
    outer = np.sort(az[np.isclose(dist, 70_000.0, atol=1e-3)])
    assert np.diff(outer).max() <= 0.25 + 1e-9


def test_area_matches_the_annular_sector_formula_to_within_half_a_percent() -> None:
    sector = launch_sector(*IMPACT, 200.0, 15.0, 10_000.0, 50_000.0)
    # Mean radius of curvature makes a local sphere; the sector's area on it is
    # (2δ/360)·π·(R_max² − R_min²) for these short ranges.
    expected = (30.0 / 360.0) * math.pi * (50.0**2 - 10.0**2)
    assert sector.area_km2 == pytest.approx(expected, rel=5e-3)


def test_zero_minimum_range_closes_at_the_impact_point() -> None:
    sector = launch_sector(*IMPACT, 0.0, 5.0, 0.0, 30_000.0)
    _, dist = _inverse(sector.polygon)
    assert dist.min() == pytest.approx(0.0, abs=1e-6)
    assert sector.polygon.is_valid


def test_bearing_across_north_wraps() -> None:
    sector = launch_sector(*IMPACT, 355.0, 10.0, 5_000.0, 15_000.0)
    az, _ = _inverse(sector.polygon)
    assert bool(np.all((az >= 345.0 - 1e-9) | (az <= 5.0 + 1e-9)))


def test_half_width_180_is_a_full_annulus_with_a_hole() -> None:
    sector = launch_sector(*IMPACT, 0.0, 180.0, 10_000.0, 20_000.0)
    assert len(sector.polygon.interiors) == 1
    assert sector.area_km2 == pytest.approx(math.pi * (20.0**2 - 10.0**2), rel=5e-3)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((91.0, 36.0, 0.0, 5.0, 0.0, 1000.0), "latitude"),
        ((49.0, 36.0, 0.0, 0.0, 0.0, 1000.0), "uncertainty"),
        ((49.0, 36.0, 0.0, 5.0, 2000.0, 1000.0), "range window"),
        ((49.0, 36.0, 0.0, 5.0, -1.0, 1000.0), "range window"),
    ],
)
def test_bad_inputs_are_refused_with_the_input_named(
    args: tuple[float, float, float, float, float, float], message: str
) -> None:
    with pytest.raises(LaunchAreaError, match=message):
        launch_sector(*args)


def test_intersection_with_a_control_polygon_keeps_the_part_inside() -> None:
    sector = launch_sector(*IMPACT, 90.0, 10.0, 10_000.0, 40_000.0)
    # Control area: everything north of the impact's latitude (a box over the region).
    north = box(IMPACT[1] - 2.0, IMPACT[0], IMPACT[1] + 2.0, IMPACT[0] + 2.0)
    geojson = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": north.__geo_interface__}
    ]}  # fmt: skip
    part = intersect_control(sector, control_polygon(geojson))
    share = part["properties"]["share_of_sector"]
    # The sector spans azimuths 80–100°: a little more than half lies north of the parallel
    # (a geodesic heading east curves south of it), so the share is just under one half.
    assert 0.47 < share < 0.5
    assert part["geometry"]["type"] == "Polygon"
    whole = intersect_control(sector, box(30.0, 45.0, 45.0, 55.0))
    assert whole["properties"]["share_of_sector"] == pytest.approx(1.0, abs=1e-6)


def test_control_file_without_polygons_is_refused() -> None:
    with pytest.raises(LaunchAreaError, match="no Polygon"):
        control_polygon({"type": "Point", "coordinates": [36.0, 49.0]})


def test_range_window_from_the_catalogue_is_the_widest_cited_one() -> None:
    tochka = find_munition("Tochka")
    assert tochka is not None
    low, high, lines = range_window_m(tochka)
    # Tochka (about 70 km) and Tochka-U (120 km); the unsupported 120–185 km row is gone.
    assert (low, high) == (15_000.0, 120_000.0)
    assert any("[M]" in line for line in lines)  # the minimum is flagged to be verified
    grad = find_munition("Grad")
    assert grad is not None
    assert range_window_m(grad)[:2] == (1_600.0, 20_000.0)
