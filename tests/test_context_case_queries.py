"""Queries over context objects in the case (R*Tree candidates, geodesic distances) give
exactly what measuring every object gives: no misses at the edge of the radius, at high
latitudes too, and the nearest object of a kind however far away it is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import Point, Polygon, shape

from evidencelab.analysis.context.distance import distances_to_geometries_m
from evidencelab.locker.case import Case, CaseError
from evidencelab.service.context.importing import import_context
from evidencelab.service.context.queries import case_objects_near, context_geojson, nearest_by_kind

WGS84 = Geod(ellps="WGS84")
KINDS = ["hospital", "school", "residential", "military_base", "bunker"]
# Mid-latitude (eastern Ukraine) and high-latitude (Svalbard) areas of about 45 × 30 km.
AREAS = [(48.5, 35.0, 0.2, 0.3), (78.2, 15.6, 0.15, 0.6)]


def _feature(index: int, geometry: dict[str, Any], kinds: list[str]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": f"obj-{index}",
        "geometry": geometry,
        "properties": {"kind": kinds},
    }


def _random_polygon(rng: np.random.Generator, lat: float, lon: float) -> dict[str, Any]:
    """A convex quadrilateral of 10–600 m across around (lat, lon)."""
    size = rng.uniform(10, 600)
    azimuths = np.sort(rng.uniform(0, 360, 4))
    lons, lats, _ = WGS84.fwd(
        np.full(4, lon), np.full(4, lat), azimuths, size / 2 * rng.uniform(0.5, 1, 4)
    )
    ring = [[float(x), float(y)] for x, y in zip(lons, lats, strict=True)]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def random_objects(count: int, seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    features = []
    for index in range(count):
        lat0, lon0, dlat, dlon = AREAS[index % len(AREAS)]
        lat = float(lat0 + rng.uniform(-dlat, dlat))
        lon = float(lon0 + rng.uniform(-dlon, dlon))
        kinds = sorted(set(rng.choice(KINDS, size=rng.integers(1, 3)).tolist()))
        if rng.random() < 0.6:
            geometry: dict[str, Any] = {"type": "Point", "coordinates": [lon, lat]}
        else:
            geometry = _random_polygon(rng, lat, lon)
        features.append(_feature(index, geometry, kinds))
    return features


def _write(tmp_path: Path, name: str, features: list[dict[str, Any]]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return path


@pytest.fixture
def random_case(case: Case, tmp_path: Path) -> tuple[Case, list[dict[str, Any]]]:
    features = random_objects(4000, seed=7)
    assert import_context(case, _write(tmp_path, "random.geojson", features))["objects"] == 4000
    return case, features


def brute_force(
    features: list[dict[str, Any]], lat: float, lon: float, kinds: list[str] | None
) -> tuple[list[str], np.ndarray[Any, np.dtype[np.float64]]]:
    """Every object's id and distance, measured one by one (no index)."""
    chosen = [f for f in features if kinds is None or set(kinds) & set(f["properties"]["kind"])]
    geometries = [shape(f["geometry"]) for f in chosen]
    return [f["id"] for f in chosen], distances_to_geometries_m(Point(lon, lat), geometries)


def test_radius_queries_equal_brute_force(random_case: tuple[Case, list[dict[str, Any]]]) -> None:
    case, features = random_case
    rng = np.random.default_rng(11)
    checked = 0
    for trial in range(40):
        lat0, lon0, dlat, dlon = AREAS[trial % len(AREAS)]
        lat = float(lat0 + rng.uniform(-dlat, dlat))
        lon = float(lon0 + rng.uniform(-dlon, dlon))
        radius = float(rng.choice([0.0, 150.0, 1000.0, 3000.0, 8000.0]))
        kinds = None if trial % 3 == 0 else [str(k) for k in rng.choice(KINDS, size=2)]
        ids, distances = brute_force(features, lat, lon, kinds)
        expected = {i: d for i, d in zip(ids, distances, strict=True) if d <= radius}
        found = case_objects_near(case, lat, lon, radius, kinds)
        assert {f["id"] for f in found} == set(expected)
        for hit in found:
            assert hit["distance_m"] == pytest.approx(expected[hit["id"]], abs=0.05)
        assert [h["distance_m"] for h in found] == sorted(h["distance_m"] for h in found)
        checked += len(found)
    assert checked > 1000  # the queries were not all empty


def test_nearest_by_kind_equals_brute_force(
    random_case: tuple[Case, list[dict[str, Any]]],
) -> None:
    case, features = random_case
    rng = np.random.default_rng(12)
    for trial in range(20):
        lat0, lon0, dlat, dlon = AREAS[trial % len(AREAS)]
        # Some query points well outside the areas, so the search box has to grow.
        spread = 1.0 if trial % 2 else 6.0
        lat = float(np.clip(lat0 + rng.uniform(-dlat, dlat) * spread, -89, 89))
        lon = float(lon0 + rng.uniform(-dlon, dlon) * spread)
        nearest = nearest_by_kind(case, lat, lon)
        assert sorted(nearest) == sorted(KINDS)
        for kind, hit in nearest.items():
            _, distances = brute_force(features, lat, lon, [kind])
            assert hit["distance_m"] == pytest.approx(float(distances.min()), abs=0.05)
            assert kind in hit["kinds"]


def test_no_misses_at_the_edge_of_the_radius(case: Case, tmp_path: Path) -> None:
    """Points 1 cm inside and 1 cm outside the radius, all round the query point."""
    features: list[dict[str, Any]] = []
    centres = [(0.0, 30.0), (48.5, 35.0), (70.0, 20.0), (85.0, -40.0), (-75.0, 160.0)]
    radius = 25_000.0
    azimuths = np.arange(0.0, 360.0, 7.5)
    for c, (lat, lon) in enumerate(centres):
        for offset, tag in ((-0.01, "in"), (0.01, "out")):
            lons, lats, _ = WGS84.fwd(
                np.full(len(azimuths), lon),
                np.full(len(azimuths), lat),
                azimuths,
                np.full(len(azimuths), radius + offset),
            )
            for a, (x, y) in enumerate(zip(lons, lats, strict=True)):
                geometry = {"type": "Point", "coordinates": [float(x), float(y)]}
                features.append(_feature(len(features), geometry, ["school"]))
                features[-1]["id"] = f"{c}-{tag}-{a}"
    import_context(case, _write(tmp_path, "rings.geojson", features))
    for c, (lat, lon) in enumerate(centres):
        found = {h["id"] for h in case_objects_near(case, lat, lon, radius)}
        assert found == {f"{c}-in-{a}" for a in range(len(azimuths))}


def test_polygon_edges_near_the_radius_are_found(case: Case, tmp_path: Path) -> None:
    """A large polygon whose edge, not its vertices, comes within the radius."""
    lat, lon = 60.0, 25.0
    # The south edge runs 0.4° of longitude either side of a point 5 km north of the query
    # point; its vertices are more than 20 km away.
    _, south, _ = WGS84.fwd(lon, lat, 0, 5_000)
    ring = Polygon(
        [(lon - 0.4, south), (lon + 0.4, south), (lon + 0.4, south + 0.2), (lon - 0.4, south + 0.2)]
    )
    feature = _feature(0, json.loads(json.dumps(ring.__geo_interface__)), ["military_base"])
    import_context(case, _write(tmp_path, "big.geojson", [feature]))
    [edge] = distances_to_geometries_m(Point(lon, lat), [ring])
    # The edge is straight in the local projection, not a parallel: it passes a little
    # farther than 5 km from the point (docs/context.md, Distances).
    assert 5_000 < edge < 5_100
    assert [h["id"] for h in case_objects_near(case, lat, lon, float(edge) + 0.01)] == ["obj-0"]
    assert case_objects_near(case, lat, lon, float(edge) - 0.01) == []
    corner = WGS84.inv(lon, lat, lon - 0.4, south)[2]
    assert corner > 20_000  # every vertex is far outside the radius


def test_the_nearest_object_is_found_thousands_of_kilometres_away(
    case: Case, tmp_path: Path
) -> None:
    features = [
        _feature(0, {"type": "Point", "coordinates": [35.0, 48.5]}, ["school"]),
        _feature(1, {"type": "Point", "coordinates": [-3.7, 40.4]}, ["bunker"]),  # Madrid
    ]
    import_context(case, _write(tmp_path, "far.geojson", features))
    nearest = nearest_by_kind(case, 48.5, 35.0)
    assert nearest["school"]["distance_m"] == 0.0
    assert nearest["bunker"]["id"] == "obj-1"
    assert nearest["bunker"]["distance_m"] == pytest.approx(
        WGS84.inv(35.0, 48.5, -3.7, 40.4)[2], abs=0.05
    )
    assert nearest_by_kind(case, 48.5, 35.0, ["hospital"]) == {}
    assert case_objects_near(case, 48.5, 35.0, 1000, ["hospital"]) == []


def test_bounding_box_export_and_query_errors(
    random_case: tuple[Case, list[dict[str, Any]]],
) -> None:
    case, features = random_case
    box = (34.9, 48.45, 35.1, 48.55)
    exported = context_geojson(case, box)["features"]
    expected = {
        f["id"] for f in features if shape(f["geometry"]).intersects(Polygon.from_bounds(*box))
    }
    # The R*Tree selects by bounding box, which holds every object meeting the box.
    assert expected <= {f["id"] for f in exported}
    with pytest.raises(CaseError, match="unknown castle"):
        case_objects_near(case, 48.5, 35.0, 100, ["castle"])
    with pytest.raises(CaseError, match=r"lat 91\.0: must be within ±90 degrees"):
        nearest_by_kind(case, 91.0, 35.0)
    with pytest.raises(CaseError, match=r"radius -1\.0"):
        case_objects_near(case, 48.5, 35.0, -1.0)
