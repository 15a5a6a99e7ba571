"""Radius and nearest queries: the Vaduz example from tests/corpus/osm/README.md, and
agreement with brute force on generated objects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from shapely import transform
from shapely.geometry import Point, box
from shapely.geometry.base import BaseGeometry

from evidencelab.analysis.context.distance import distance_to_geometry_m, distances_to_geometries_m
from evidencelab.analysis.context.index import ContextIndex, search_boxes
from evidencelab.analysis.context.objects import ContextObject
from evidencelab.analysis.context.osm import read_osm

LIECHTENSTEIN = Path(__file__).parent / "corpus" / "osm" / "liechtenstein.osm.pbf"
VADUZ = Point(9.5215, 47.1410)  # 47.1410 N 9.5215 E


@pytest.fixture(scope="module")
def liechtenstein() -> ContextIndex:
    return ContextIndex(read_osm(LIECHTENSTEIN))


def test_vaduz_one_kilometre_finds_the_landesspital(liechtenstein: ContextIndex) -> None:
    hits = liechtenstein.within(VADUZ, 1000, kinds=["hospital"])
    amenity = [h for h in hits if h.object.tags.get("amenity") == "hospital"]
    assert [h.object.ref for h in amenity] == ["way/486420157"]
    spital = amenity[0]
    to_point = distance_to_geometry_m(VADUZ, spital.object.representative_point)
    assert to_point == pytest.approx(715, abs=0.5)  # README: 0.715 km to its rep. point
    assert spital.distance_m <= to_point  # to the polygon's edge, which is nearer
    assert spital.distance_m == pytest.approx(662.75, abs=0.05)
    # The other hospital-kind objects within 1 km are buildings of the same hospital.
    assert all(h.object.tags.get("building") == "hospital" for h in hits if h is not spital)
    assert all(
        distance_to_geometry_m(h.object.representative_point, spital.object.geometry) < 200
        for h in hits
    )
    assert [h.distance_m for h in hits] == sorted(h.distance_m for h in hits)


def test_vaduz_ten_kilometres_finds_hospital_and_bunker(liechtenstein: ContextIndex) -> None:
    hits = liechtenstein.within(VADUZ, 10_000, kinds=["hospital", "bunker"])
    named = [
        h for h in hits if h.object.tags.get("amenity") == "hospital" or "bunker" in h.object.kinds
    ]
    assert [h.object.ref for h in named] == ["way/486420157", "node/9270504897"]
    assert named[1].distance_m == pytest.approx(9556, abs=0.5)
    assert "way/9451729" not in {h.object.ref for h in hits}  # Feldkirch, 10.9 km
    far = liechtenstein.within(VADUZ, 11_000, kinds=["hospital"])
    assert "way/9451729" in {h.object.ref for h in far}


def test_nearest_by_kind(liechtenstein: ContextIndex) -> None:
    nearest = liechtenstein.nearest_by_kind(VADUZ, kinds=["bunker", "hospital", "barracks"])
    assert set(nearest) == {"bunker", "hospital"}
    assert nearest["bunker"].object.ref == "node/9270504897"
    hospitals = liechtenstein.within(VADUZ, 2000, kinds=["hospital"])
    assert nearest["hospital"] == hospitals[0]
    assert set(liechtenstein.nearest_by_kind(VADUZ)) == liechtenstein.kinds


def generated(count: int, seed: int, centre: tuple[float, float]) -> list[ContextObject]:
    rng = np.random.default_rng(seed)
    lon = centre[0] + rng.uniform(-0.2, 0.2, count)
    lat = centre[1] + rng.uniform(-0.2, 0.2, count)
    kinds = rng.choice(["school", "hospital", "military_area"], count)
    objects = []
    for i in range(count):
        if i % 3 == 0:
            size = 0.002
            geometry = box(lon[i], lat[i], lon[i] + size, lat[i] + size)
        else:
            geometry = Point(lon[i], lat[i])
        objects.append(ContextObject(ref=f"g{i}", kinds=frozenset({kinds[i]}), geometry=geometry))
    return objects


@pytest.mark.parametrize("centre", [(30.5, 50.45), (179.9, -16.5), (-179.95, 65.0)])
def test_queries_agree_with_brute_force(centre: tuple[float, float]) -> None:
    objects = generated(
        3000, seed=7, centre=(centre[0] if abs(centre[0]) < 179 else 0.0, centre[1])
    )
    if abs(centre[0]) >= 179:  # wrap the generated longitudes across the antimeridian
        objects = [ContextObject(o.ref, o.kinds, _shift(o.geometry, centre[0])) for o in objects]
    index = ContextIndex(objects)
    all_distances = distances_to_geometries_m(Point(*centre), [o.geometry for o in objects])
    origin = Point(*centre)
    for radius in (500.0, 3000.0, 12_000.0):
        expected = {o.ref for o, d in zip(objects, all_distances, strict=True) if d <= radius}
        assert {h.object.ref for h in index.within(origin, radius)} == expected
    for kind in ("school", "hospital", "military_area"):
        candidates = [d for o, d in zip(objects, all_distances, strict=True) if kind in o.kinds]
        assert index.nearest(origin, kind) is not None
        assert index.nearest_by_kind(origin, [kind])[kind].distance_m == pytest.approx(
            min(candidates), abs=1e-6
        )


def _shift(geometry: BaseGeometry, lon0: float) -> BaseGeometry:
    """Move a generated object from around 0° E to around `lon0`, wrapping at ±180°."""

    def wrap(coords: np.ndarray) -> np.ndarray:
        moved = coords.copy()
        moved[:, 0] = (moved[:, 0] + lon0 + 180.0) % 360.0 - 180.0
        return moved

    shifted = transform(geometry, wrap)
    if shifted.bounds[2] - shifted.bounds[0] > 180:  # a box split by the wrap: keep a point
        return Point(shifted.bounds[0], shifted.bounds[1])
    return shifted


def test_search_boxes_split_at_the_antimeridian_and_cover_poles() -> None:
    assert len(search_boxes(Point(179.99, 0.0), 5000)) == 2
    assert search_boxes(Point(0.0, 89.99), 5000)[0][0] == -180.0
    with pytest.raises(ValueError, match="radius"):
        ContextIndex([]).within(Point(0, 0), -1)


def test_empty_index() -> None:
    index = ContextIndex([])
    assert index.within(Point(0, 0), 1000) == []
    assert index.nearest_by_kind(Point(0, 0)) == {}
