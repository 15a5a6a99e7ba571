"""Radius and nearest-object queries over a case with many context objects, versus brute
force over every object.

The case holds `count` generated objects (half points, half squares of 20–200 m, over
10° × 7° of Ukraine; kinds drawn with residential the commonest and bunkers rare), read in
through `import_context` from a generated GeoJSON file. Our queries take candidates from
the case's SQLite R*Tree and measure them geodesically; the baseline measures every object
with the same vectorised geodesic code (pyproj over numpy arrays, shapely for polygons),
which is what a query costs with no index. Both give the same answers, which the run
checks before timing.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point

from benchmarks.common import report
from evidencelab.analysis.context.distance import distances_to_geometries_m
from evidencelab.locker.case import init_case
from evidencelab.service.context.importing import import_context
from evidencelab.service.context.queries import case_objects_near, nearest_by_kind

TARGET = 100.0
KINDS = ["residential", "school", "hospital", "military_base", "bunker"]
WEIGHTS = [0.70, 0.10, 0.05, 0.10, 0.05]
WEST, SOUTH, EAST, NORTH = 30.0, 44.0, 40.0, 51.0


def generated_objects(count: int, seed: int = 1) -> tuple[np.ndarray[Any, Any], list[str]]:
    """Geometries (WGS84 lon/lat) and one kind each."""
    rng = np.random.default_rng(seed)
    lon = rng.uniform(WEST, EAST, count)
    lat = rng.uniform(SOUTH, NORTH, count)
    points = shapely.points(lon, lat)
    # Squares of 20–200 m: half-sides in degrees (1° of latitude ≈ 111 km).
    half = rng.uniform(10, 100, count) / 111_000
    squares = shapely.box(lon - half / np.cos(np.radians(lat)), lat - half, lon + half, lat + half)
    geometries = np.where(np.arange(count) % 2 == 0, points, squares)
    kinds = rng.choice(KINDS, size=count, p=WEIGHTS).tolist()
    return geometries, kinds


def write_geojson(path: Path, geometries: np.ndarray[Any, Any], kinds: list[str]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('{"type": "FeatureCollection", "features": [\n')
        for index, (text, kind) in enumerate(
            zip(shapely.to_geojson(geometries), kinds, strict=True)
        ):
            separator = ",\n" if index else ""
            handle.write(
                f'{separator}{{"type": "Feature", "id": "g{index}", "geometry": {text},'
                f' "properties": {{"kind": "{kind}"}}}}'
            )
        handle.write("\n]}\n")


def brute_within(
    geometries: np.ndarray[Any, Any], point: Point, radius_m: float
) -> np.ndarray[Any, Any]:
    distances = distances_to_geometries_m(point, geometries)
    return np.flatnonzero(distances <= radius_m)


def brute_nearest(
    geometries: np.ndarray[Any, Any], kinds: np.ndarray[Any, Any], point: Point
) -> dict[str, float]:
    distances = distances_to_geometries_m(point, geometries)
    return {kind: float(distances[kinds == kind].min()) for kind in KINDS}


def _median_per_query(run: Any, points: list[Point]) -> float:
    times = []
    for point in points:
        start = time.perf_counter()
        run(point)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def run(count: int, queries: int) -> bool:
    geometries, kinds = generated_objects(count)
    kind_array = np.array(kinds)
    rng = np.random.default_rng(2)
    points = [
        Point(rng.uniform(WEST + 0.5, EAST - 0.5), rng.uniform(SOUTH + 0.5, NORTH - 0.5))
        for _ in range(queries)
    ]
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        source = Path(tmp) / "generated.geojson"
        write_geojson(source, geometries, kinds)
        case = init_case(Path(tmp) / "case", actor="benchmark")
        start = time.perf_counter()
        imported = import_context(case, source)
        build_s = time.perf_counter() - start
        print(
            f"context case: {imported['objects']:,} objects imported in {build_s:.1f} s"
            f" ({imported['objects'] / build_s:,.0f} objects/s)",
            flush=True,
        )
        # Same answers first (ids are g<index>).
        for point in points[:3]:
            ours = {int(hit["id"][1:]) for hit in case_objects_near(case, point.y, point.x, 5000)}
            assert ours == set(brute_within(geometries, point, 5000).tolist())
            nearest = nearest_by_kind(case, point.y, point.x)
            expected = brute_nearest(geometries, kind_array, point)
            for kind, hit in nearest.items():
                assert abs(hit["distance_m"] - expected[kind]) <= 0.05, (kind, hit, expected)
        baseline_points = points[:3]
        brute_nearest_s = _median_per_query(
            lambda p: brute_nearest(geometries, kind_array, p), baseline_points
        )
        results = []
        for radius in (1000.0, 5000.0):
            brute_within_s = _median_per_query(
                lambda p, r=radius: brute_within(geometries, p, r), baseline_points
            )
            ours_s = _median_per_query(
                lambda p, r=radius: case_objects_near(case, p.y, p.x, r), points
            )
            hits = np.mean([len(case_objects_near(case, p.y, p.x, radius)) for p in points[:20]])
            print(f"radius {radius:g} m: {hits:.0f} objects per query on average", flush=True)
            results.append(
                report(
                    f"radius query {radius:g} m over {count:,} objects (per query)",
                    "brute force",
                    ours_s,
                    brute_within_s,
                    TARGET,
                )
            )
        ours_nearest_s = _median_per_query(lambda p: nearest_by_kind(case, p.y, p.x), points)
        results.append(
            report(
                f"nearest of each of {len(KINDS)} kinds over {count:,} objects (per query)",
                "brute force",
                ours_nearest_s,
                brute_nearest_s,
                TARGET,
            )
        )
        case.close()
    return all(results)
