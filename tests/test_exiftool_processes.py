"""No ExifTool batch process outlives the command that started it.

Each run happens in a fresh probe process (this file run as a script) that makes itself a
child subreaper: an ExifTool left behind by an ingest worker is re-parented to the probe
instead of to init, so the probe finds it by walking its own descendants in /proc. The
probe prints the ``-stay_open`` descendants it counted before and after, then kills any it
found so that a failing run leaves nothing behind on the machine.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from evidencelab.locker.ingest import INLINE_MAX_FILES

HERE = Path(__file__).resolve()
CORPUS_JPEGS = sorted((HERE.parent / "corpus" / "metadata-extractor-images" / "jpg").glob("*.jpg"))
PR_SET_CHILD_SUBREAPER = 36
FILES = INLINE_MAX_FILES + 1  # enough for ingest to use its pool of workers


def descendants(root: int) -> set[int]:
    """Every live process below ``root``, from the parent ids in /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:  # ended while we looked
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def stay_open_descendants() -> list[int]:
    """Descendants of this process that are ExifTool batch processes."""
    pids = []
    for pid in descendants(os.getpid()):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"-stay_open" in argv:
            pids.append(pid)
    return sorted(pids)


def _ingest_through_cli(case_dir: Path, files: list[Path]) -> None:
    script = Path(sys.executable).parent / "evidencelab"
    done = subprocess.run(
        [str(script), "ingest", "--case", str(case_dir), *map(str, files)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"ingest failed: {done.stderr.strip()}")


def _import_through_service(case_dir: Path, files: list[Path]) -> None:
    from evidencelab.locker.case import open_case
    from evidencelab.service.exchange.casefile import import_case_file

    entries = [
        {"id": f"item-{n}", "path": path.name, "kind": "photo"} for n, path in enumerate(files)
    ]
    case_file = files[0].parent / "case.json"
    case_file.write_text(
        json.dumps({"format": "evidencelab/case@1", "title": "probe", "evidence": entries})
    )
    with open_case(case_dir, actor="tester") as case:
        import_case_file(case, case_file)


def probe(mode: str, case_dir: Path, files: list[Path]) -> dict[str, Any]:
    """Count ``-stay_open`` descendants around one multi-file ingest."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")
    before = stay_open_descendants()
    if mode == "cli":
        _ingest_through_cli(case_dir, files)
    else:
        _import_through_service(case_dir, files)
    after = stay_open_descendants()
    for pid in after:
        if pid not in before:
            os.kill(pid, signal.SIGKILL)
    return {"before": len(before), "after": len(after), "leaked": after}


def run_probe(mode: str, tmp_path: Path) -> dict[str, Any]:
    """Run :func:`probe` in a fresh interpreter; its printed result."""
    from evidencelab.locker.case import init_case

    folder = tmp_path / "incoming"
    folder.mkdir()
    files = []
    for index in range(FILES):
        source = CORPUS_JPEGS[index % len(CORPUS_JPEGS)]
        files.append(folder / f"{index}-{source.name.replace(' ', '_')}")
        # A photo used twice gets a different last byte: an item of its own.
        files[-1].write_bytes(source.read_bytes() + bytes([index]))
    init_case(tmp_path / "case").close()
    done = subprocess.run(
        [sys.executable, str(HERE), mode, str(tmp_path / "case"), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "EVIDENCELAB_ACTOR": "tester"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


@pytest.mark.parametrize("mode", ["cli", "service"])
def test_multi_file_ingest_leaves_no_exiftool_running(mode: str, tmp_path: Path) -> None:
    result = run_probe(mode, tmp_path)
    assert result["before"] == 0
    assert result["after"] == result["before"], f"left running: {result['leaked']}"


def test_terminated_pool_worker_stops_its_exiftool(tmp_path: Path) -> None:
    """A worker terminated by its pool (as a broken pool does) still stops ExifTool."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from evidencelab.locker import ingest

    with ProcessPoolExecutor(
        max_workers=1,
        mp_context=get_context("forkserver"),
        initializer=ingest._start_pool_worker,
        initargs=(tmp_path / "objects", ("exiftool",), frozenset()),
    ) as pool:
        worker_pid, exiftool_pid = pool.submit(_exiftool_pid_in_worker).result(timeout=120)
        assert _is_running(exiftool_pid)
        os.kill(worker_pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while _is_running(exiftool_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _is_running(exiftool_pid):  # leave nothing behind, then fail
            os.kill(exiftool_pid, signal.SIGKILL)
            pytest.fail(f"ExifTool {exiftool_pid} outlived its terminated worker")


def _exiftool_pid_in_worker() -> tuple[int, int]:
    from evidencelab.extract.units import ExifToolExtractor
    from evidencelab.locker.ingest import _pool_worker

    assert _pool_worker is not None, "the pool's initializer made this process's worker"
    unit = next(u for u in _pool_worker.extractors.units if isinstance(u, ExifToolExtractor))
    assert unit.runner.version  # starts the process
    assert unit.runner.pid is not None
    return os.getpid(), unit.runner.pid


def _is_running(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


if __name__ == "__main__":
    mode_arg, case_arg, *file_args = sys.argv[1:]
    print(json.dumps(probe(mode_arg, Path(case_arg), [Path(f) for f in file_args])))
