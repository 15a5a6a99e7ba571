"""A killed ingest leaves no partial object and no dangling row; re-ingest completes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from evidencelab.locker.case import Case
from evidencelab.locker.ingest import IngestRequest, ingest
from evidencelab.locker.verify import verify_case
from evidencelab.store.objects import sha256_file

FILES = 12
FILE_BYTES = 24 * 1024 * 1024  # large enough that the kill lands while copying


def committed_ingests(case_root: Path) -> int:
    with sqlite3.connect(case_root / "case.sqlite", timeout=30) as db:
        return int(db.execute("SELECT count(*) FROM evidence").fetchone()[0])


def test_killed_ingest_then_verify_is_intact_and_reingest_completes(
    case: Case, tmp_path: Path
) -> None:
    incoming = tmp_path / "big"
    incoming.mkdir()
    for index in range(FILES):
        with open(incoming / f"video-{index:02d}.bin", "wb") as handle:
            handle.write(os.urandom(FILE_BYTES))
    child = subprocess.Popen(
        [sys.executable, "-m", "evidencelab", "ingest", str(incoming), "--case", str(case.root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, so the kill takes the workers too
    )
    deadline = time.monotonic() + 120
    while committed_ingests(case.root) < 2 and child.poll() is None:
        assert time.monotonic() < deadline, "ingest made no progress"
        time.sleep(0.02)
    os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    done_before_kill = committed_ingests(case.root)
    assert 2 <= done_before_kill < FILES, "the kill must land mid-way"

    report = verify_case(case)
    assert report.intact, report.problems
    for sha in case.objects.iter_shas():  # nothing partial under a final name
        assert sha256_file(case.objects.path(sha)) == sha

    outcomes = ingest(
        case, [IngestRequest(path=p) for p in sorted(incoming.iterdir())], extractors=[]
    )
    assert sum(o.status == "new" for o in outcomes) == FILES - done_before_kill
    assert committed_ingests(case.root) == FILES
    assert list(case.objects.tmp.iterdir()) == []
    final = verify_case(case)
    assert final.intact, final.problems
    assert final.notes == []
