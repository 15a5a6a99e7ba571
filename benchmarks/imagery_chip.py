"""Chip and before/after comparison on a 10,000 × 10,000 px scene, against reading the
whole raster.

Two 3-band 8-bit GeoTIFFs (tiled 512 px, DEFLATE, 0.5 m pixels: a 5 km commercial-style
scene) are generated and ingested into a case (not timed). Each measurement then runs in
its own process so that its peak resident memory (``VmHWM``) is its own:

* ours: ``imagery chip`` and ``imagery compare`` through the service — only the window
  around the incident is read (``rasterio`` windowed reads), reprojected to UTM, rendered
  and stored;
* baseline: the naive way — read every band of the whole raster into memory, then
  reproject the same chip grid from it (for compare, both rasters).

Printed: seconds and peak memory of each, and the ratios baseline / ours.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from rasterio.warp import Resampling, reproject

from benchmarks.common import report

TARGET = 5.0  # the windowed path should be at least 5x faster than reading everything
PIXEL_M = 0.5
LAT, LON = 49.99, 36.23  # near Kharkiv, UTM zone 37N
RADIUS_M = 250.0


def write_scene(path: Path, size: int, *, patch: bool) -> None:
    """A textured scene centred on the site, written 512 rows at a time."""
    from pyproj import Transformer
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    x, y = Transformer.from_crs(4326, 32637, always_xy=True).transform(LON, LAT)
    transform = from_origin(x - size * PIXEL_M / 2, y + size * PIXEL_M / 2, PIXEL_M, PIXEL_M)
    rng = np.random.default_rng(1)
    blocks = rng.integers(60, 180, (3, size // 32 + 1, size // 32 + 1)).astype(np.uint8)
    profile: dict[str, Any] = {
        "driver": "GTiff",
        "width": size,
        "height": size,
        "count": 3,
        "dtype": "uint8",
        "crs": "EPSG:32637",
        "transform": transform,
        "tiled": True,
        "blockxsize": 512,
        "blockysize": 512,
        "compress": "deflate",
        "zlevel": 1,
    }
    with rasterio.open(path, "w", **profile) as dataset:
        for row in range(0, size, 512):
            rows = min(512, size - row)
            stripe = np.repeat(
                np.repeat(blocks[:, row // 32 : (row + rows - 1) // 32 + 1], 32, 1), 32, 2
            )
            stripe = np.ascontiguousarray(stripe[:, :rows, :size])
            if patch and row <= size // 2 < row + rows:
                c = size // 2
                stripe[:, max(0, c - 40 - row) : c + 40 - row, c - 40 : c + 40] = 0
            dataset.write(stripe, window=Window(0, row, size, rows))
        dataset.update_tags(
            ACQUISITION_DATETIME="2022-02-27T08:00:00Z" if patch else "2022-02-20T08:00:00Z"
        )


def child(mode: str, case_dir: str, scene_paths: list[str]) -> dict[str, float]:
    """The measured work, in this process, after every import: seconds, peak resident
    memory (MiB) and its growth over the imports' own footprint."""
    # Everything either path imports is loaded before the clock starts.
    import evidencelab.analysis.imagery.change
    import evidencelab.analysis.imagery.render
    import evidencelab.analysis.imagery.warp  # noqa: F401
    from evidencelab.locker.case import open_case
    from evidencelab.service.imagery.chips import compare, make_chip

    with open_case(Path(case_dir), actor="benchmark") as case:
        after = _after_id(case)
        before_mib = _peak_mib()
        start = time.perf_counter()
        if mode == "chip":
            # Rendered every time: a stored chip would otherwise be reused after the first run.
            make_chip(case, "site", radius_m=RADIUS_M, scene_ref=after, reuse=False)
        elif mode == "compare":
            compare(case, "site", radius_m=RADIUS_M)
        else:
            _baseline(scene_paths)
        seconds = time.perf_counter() - start
    peak_mib = _peak_mib()
    return {"seconds": seconds, "peak_mib": peak_mib, "growth_mib": peak_mib - before_mib}


def _peak_mib() -> float:
    """This process's own peak resident memory (MiB). ``ru_maxrss`` is not used: on Linux
    a child started from a large parent inherits the parent's high-water mark."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("VmHWM not found in /proc/self/status")


def _after_id(case: Any) -> str:
    from evidencelab.service.imagery.scenes import scenes_for_incident

    return str(next(s for s in scenes_for_incident(case, "site") if s["label"] == "after")["id"])


def _baseline(paths: list[str]) -> None:
    """Whole rasters read into memory, then the same chip grid reprojected from them."""
    from evidencelab.analysis.imagery.grid import chip_grid

    grid = chip_grid(LAT, LON, RADIUS_M, PIXEL_M)
    for path in paths:
        with rasterio.open(path) as dataset:
            data = dataset.read()
            out = np.zeros((3, grid.height, grid.width), dtype=np.uint8)
            reproject(
                data,
                out,
                src_transform=dataset.transform,
                src_crs=dataset.crs,
                dst_transform=grid.transform,
                dst_crs=f"EPSG:{grid.epsg}",
                resampling=Resampling.bilinear,
            )


def _measure(mode: str, case_dir: Path, paths: list[Path]) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.imagery_chip", "--child", mode, str(case_dir)]
        + [str(p) for p in paths],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _median(mode: str, case_dir: Path, paths: list[Path], repeats: int) -> dict[str, float]:
    runs = [_measure(mode, case_dir, paths) for _ in range(repeats)]
    runs.sort(key=lambda r: r["seconds"])
    return runs[len(runs) // 2]


def run(size: int, repeats: int) -> bool:
    from evidencelab.locker.case import init_case
    from evidencelab.locker.ingest import IngestRequest, ingest
    from evidencelab.service.exchange.casefile import import_case_file
    from evidencelab.service.imagery.scenes import register_scenes

    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        folder = Path(tmp)
        before, after = folder / "before.tif", folder / "after.tif"
        started = time.perf_counter()
        write_scene(before, size, patch=False)
        write_scene(after, size, patch=True)
        print(
            f"scenes: 2 x {size} x {size} px x 3 bands ({size * size * 3 / 1e6:.0f} MB each "
            f"decoded), written in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        (folder / "case.json").write_text(
            json.dumps(
                {
                    "format": "evidencelab/case@1",
                    "title": "imagery benchmark",
                    "incidents": [
                        {
                            "id": "site",
                            "title": "site",
                            "time": {"start": "2022-02-24T10:30:00+02:00"},
                            "place": {"name": "site", "lat": LAT, "lon": LON, "precision_m": 50},
                        }
                    ],
                }
            )
        )
        case = init_case(folder / "case", actor="benchmark")
        try:
            import_case_file(case, folder / "case.json")
            started = time.perf_counter()
            ingest(case, [IngestRequest(path=before), IngestRequest(path=after)], workers=2)
            register_scenes(case)
            print(
                f"ingest of both (not compared): {time.perf_counter() - started:.1f} s, "
                f"peak memory of this process so far {_peak_mib():.0f} MiB"
            )
        finally:
            case.close()
        results = []
        for mode, paths in (("chip", [after]), ("compare", [before, after])):
            ours = _median(mode, folder / "case", paths, repeats)
            baseline = _median("baseline", folder / "case", paths, repeats)
            memory_ratio = baseline["growth_mib"] / max(ours["growth_mib"], 1.0)
            print(
                f"{mode}: peak memory {ours['peak_mib']:.0f} MiB (+{ours['growth_mib']:.0f} "
                f"over imports) vs whole-raster read {baseline['peak_mib']:.0f} MiB "
                f"(+{baseline['growth_mib']:.0f}) -> growth ratio {memory_ratio:.1f}",
                flush=True,
            )
            results.append(
                report(
                    f"imagery {mode} (±{RADIUS_M:g} m)",
                    "whole-raster read",
                    ours["seconds"],
                    baseline["seconds"],
                    TARGET,
                )
            )
        return all(results)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], sys.argv[3], sys.argv[4:])))
    else:
        quick = "--quick" in sys.argv
        repeats = int(sys.argv[sys.argv.index("--repeats") + 1]) if "--repeats" in sys.argv else 3
        sys.exit(0 if run(2000 if quick else 10_000, 1 if quick else repeats) else 1)
