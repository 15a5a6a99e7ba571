"""Small ingests: preserving a batch in the calling process versus in a process pool.

A pool of workers (forkserver, each importing the extractors and starting ExifTool) costs
a fixed time to start, then shares the files between the cores. For each batch size the
same camera-sized photos are ingested both ways, taking turns; the baseline is the pool.
The ratio is pool time / in-process time: above 1, the batch is done sooner in-process.
The target: for every batch size, the way ingest chooses (`locker.ingest.INLINE_MAX_FILES`)
is within 10% of the faster one.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.ingest_photos import write_photos
from evidencelab.locker import ingest as ingest_module
from evidencelab.locker.case import init_case
from evidencelab.locker.ingest import IngestRequest, ingest

BATCHES = (3, 8, 16, 24)


def _seconds(paths: list[Path], folder: Path, *, in_process: bool) -> float:
    case = init_case(folder, actor="benchmark")
    limits = ingest_module.INLINE_MAX_FILES, ingest_module.INLINE_MAX_BYTES
    # Both paths forced, whatever the module's own limits say.
    ingest_module.INLINE_MAX_FILES = len(paths) if in_process else 0
    ingest_module.INLINE_MAX_BYTES = 2**62 if in_process else 0
    try:
        start = time.perf_counter()
        outcomes = ingest(case, [IngestRequest(path=p) for p in paths], workers=2)
        seconds = time.perf_counter() - start
    finally:
        ingest_module.INLINE_MAX_FILES, ingest_module.INLINE_MAX_BYTES = limits
        case.close()
    assert all(o.status == "new" for o in outcomes)
    return seconds


def run(repeats: int) -> bool:
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        photos = Path(tmp) / "photos"
        photos.mkdir()
        paths = write_photos(photos, max(BATCHES))
        runs = iter(range(10**6))
        met = True
        for size in BATCHES:
            batch = paths[:size]
            pool, inline = [], []
            for _ in range(repeats):
                pool.append(_seconds(batch, Path(tmp) / f"c{next(runs)}", in_process=False))
                inline.append(_seconds(batch, Path(tmp) / f"c{next(runs)}", in_process=True))
            pool_s, inline_s = statistics.median(pool), statistics.median(inline)
            in_process = size <= ingest_module.INLINE_MAX_FILES
            chosen_s, other_s = (inline_s, pool_s) if in_process else (pool_s, inline_s)
            fine = chosen_s <= 1.1 * other_s
            met = met and fine
            print(
                f"ingest of {size} photos: in-process {inline_s:.2f} s vs pool of 2 "
                f"{pool_s:.2f} s -> ratio {pool_s / inline_s:.2f}; ingest chooses "
                f"{'in-process' if in_process else 'the pool'} "
                f"({'meets' if fine else 'BELOW'} target: within 10% of the faster)",
                flush=True,
            )
    return met


if __name__ == "__main__":
    run(3)
