"""The cost of logging every record field by field (the ``records`` custody event).

Two workloads, each timed with the case's sessions watched as always and, as the
baseline, with the same case written through sessions that do not log records; the two
take turns, so that a change in the machine's load falls on both alike. Everything else is
identical (rows, the services' own custody events, the head file). The ratio is baseline
time / logged time; 1.0 means logging costs nothing.

- ingest of camera-sized photos (the ingest benchmark's files), one transaction each;
- the generated case of the web benchmark (10,000 items, 500 incidents), written in one
  transaction: the shape of a large case-file import, every row in one commit.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import report
from benchmarks.ingest_photos import write_photos
from benchmarks.web_latency import generate_case
from evidencelab.locker.case import init_case
from evidencelab.locker.ingest import IngestRequest, ingest
from evidencelab.store import db

# Logging may cost this much at most: logged time within 1 / TARGET of the baseline.
TARGET = 0.8
Timed = Callable[[Path, bool], float]


def _time_ingest(paths: list[Path]) -> Timed:
    def timed(folder: Path, logged: bool) -> float:
        case = init_case(folder, actor="benchmark")
        if not logged:
            case.sessions = db.session_factory(case.engine)
        start = time.perf_counter()
        outcomes = ingest(case, [IngestRequest(path=p) for p in paths])
        seconds = time.perf_counter() - start
        assert all(o.status == "new" for o in outcomes)
        case.close()
        return seconds

    return timed


def _time_generate(evidence: int, incidents: int) -> Timed:
    def timed(folder: Path, logged: bool) -> float:
        start = time.perf_counter()
        generate_case(folder, evidence, incidents, records_logged=logged).close()
        return time.perf_counter() - start

    return timed


def _alternating(timed: Timed, root: Path, repeats: int) -> tuple[float, float]:
    """Median seconds without and with records logging, the two runs taking turns."""
    times: dict[bool, list[float]] = {False: [], True: []}
    for n in range(repeats):
        for logged in (False, True) if n % 2 == 0 else (True, False):
            times[logged].append(timed(root / f"{logged}-{n}", logged))
    return statistics.median(times[False]), statistics.median(times[True])


def run(photos: int, evidence: int, incidents: int, repeats: int) -> bool:
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        root = Path(tmp)
        (root / "photos").mkdir()
        paths = write_photos(root / "photos", photos)
        ingest_base, ingest_logged = _alternating(_time_ingest(paths), root / "i", repeats)
        generated = _time_generate(evidence, incidents)
        generate_base, generate_logged = _alternating(generated, root / "g", repeats)
    print(f"records logging: {photos} photos; a case of {evidence} items, {incidents} incidents")
    ingest_ok = report(
        f"ingest of {photos} photos, records logged",
        "the same without records logging",
        ingest_logged,
        ingest_base,
        TARGET,
    )
    generate_ok = report(
        f"writing a {evidence}-item case in one transaction, records logged",
        "the same without records logging",
        generate_logged,
        generate_base,
        TARGET,
    )
    return ingest_ok and generate_ok
