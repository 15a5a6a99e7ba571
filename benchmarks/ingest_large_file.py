"""Ingest of one large (video-sized) file versus `openssl dgst -sha256` on the same file.

openssl's SHA-256 is this machine's hashing limit; ingest must read the file once
(hashing while it copies into the locker) and should reach at least 0.9x of it. The file
is random bytes, so extraction finds no media to decode and the figure isolates the
preservation path (read, hash, write, fsync, rename, database row, custody event).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from benchmarks.common import median_seconds, report
from evidencelab.locker.case import Case, init_case
from evidencelab.locker.ingest import IngestRequest, ingest

TARGET = 0.9


def write_random_file(path: Path, size_bytes: int) -> None:
    block = os.urandom(16 * 1024 * 1024)
    with open(path, "wb") as handle:
        written = 0
        while written < size_bytes:
            chunk = block[: min(len(block), size_bytes - written)]
            handle.write(chunk)
            written += len(chunk)


def run(size_bytes: int, repeats: int) -> bool:
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        source = Path(tmp) / "video-sized.bin"
        write_random_file(source, size_bytes)
        subprocess.run(["cat", str(source)], stdout=subprocess.DEVNULL, check=True)  # warm cache

        def openssl(_: None) -> None:
            subprocess.run(
                ["openssl", "dgst", "-sha256", str(source)], stdout=subprocess.DEVNULL, check=True
            )

        cases: list[Case] = []

        def new_case() -> Case:
            for done in cases:  # clean up the previous run here, outside the timed part
                done.close()
                shutil.rmtree(done.root)
            cases[:] = [init_case(Path(tmp) / "case", actor="benchmark")]
            return cases[0]

        def evidencelab_ingest(case: Case) -> None:
            [outcome] = ingest(case, [IngestRequest(path=source)])
            assert outcome.status == "new", outcome

        baseline_s = median_seconds(openssl, repeats)
        ours_s = median_seconds(evidencelab_ingest, repeats, new_case)
        gb = size_bytes / 1e9
        print(
            f"file: {gb:.2f} GB; openssl {gb / baseline_s:.2f} GB/s, ingest {gb / ours_s:.2f} GB/s"
        )
        return report(
            "ingest of one large file", "openssl dgst -sha256", ours_s, baseline_s, TARGET
        )
