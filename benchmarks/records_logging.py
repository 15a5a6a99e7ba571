"""The cost of logging every record field by field (the ``records`` custody event).

Two workloads, each run twice in the same process: once with the case's sessions watched
as always, and once — the baseline — with the same case written through sessions that do
not log records (everything else identical: rows, the services' own custody events, head
file). The ratio is baseline time / logged time; 1.0 means logging costs nothing.

- ingest of camera-sized photos (the ingest benchmark's files), one transaction each;
- the generated case of the web benchmark (10,000 items, 500 incidents), written in one
  transaction: the shape of a large case-file import, every row in one commit.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from benchmarks.common import median_seconds, report
from benchmarks.ingest_photos import write_photos
from benchmarks.web_latency import generate_case
from evidencelab.case import Case, init_case
from evidencelab.locker.ingest import IngestRequest, ingest
from evidencelab.store import db

# Logging may cost this much at most: logged time within 1 / TARGET of the baseline.
TARGET = 0.8


def _time_ingest(paths: list[Path], root: Path, repeats: int, logged: bool) -> float:
    counter = iter(range(repeats))

    def new_case() -> Case:
        made = init_case(root / f"ingest-{logged}-{next(counter)}", actor="benchmark")
        if not logged:
            made.sessions = db.session_factory(made.engine)
        return made

    def run(case: Case) -> None:
        outcomes = ingest(case, [IngestRequest(path=p) for p in paths])
        assert all(o.status == "new" for o in outcomes)
        case.close()

    return median_seconds(run, repeats, new_case)


def _time_generate(root: Path, evidence: int, incidents: int, logged: bool) -> float:
    def write(_: None) -> None:
        folder = root / f"generated-{logged}"
        generate_case(folder, evidence, incidents, records_logged=logged).close()

    return median_seconds(write, 1)


def run(photos: int, evidence: int, incidents: int, repeats: int) -> bool:
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        root = Path(tmp)
        folder = root / "photos"
        folder.mkdir()
        paths = write_photos(folder, photos)
        ingest_base = _time_ingest(paths, root, repeats, logged=False)
        ingest_logged = _time_ingest(paths, root, repeats, logged=True)
        generate_base = _time_generate(root, evidence, incidents, logged=False)
        generate_logged = _time_generate(root, evidence, incidents, logged=True)
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
