"""An import is one unit: a failed or killed import leaves the case as it was.

Every row and custody event of an import is committed in one transaction, or none is.
Objects a failed import copied are removed again; objects a killed import copied stay
behind unreferenced (verify notes them) and the next import adopts them.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from PIL import Image
from typer.testing import CliRunner

import evidencelab.service.exchange.casefile as casefile_service
from evidencelab.cli import load_commands, main
from evidencelab.locker.case import Case, open_case
from evidencelab.locker.ingest import IngestRequest, ingest
from evidencelab.model.errors import CaseFileError

pytestmark = pytest.mark.long

# Two files are extracted in the importing process itself (no worker pool to start), which
# keeps twenty killed imports cheap.
EVIDENCE = ("photo-a", "photo-b")
# Each photo is stored with its thumbnail: the objects a complete import writes.
OBJECTS = 2 * len(EVIDENCE)
UNREFERENCED = "not referenced by the case (left by an interrupted ingest"
KILL_SEED = 20220224
KILLS_WHILE_COPYING = 7  # at random times before every object is stored
KILLS_WHILE_RECORDING = 8  # at random times after that
POLL_SECONDS = 0.001


def write_case_folder(folder: Path) -> Path:
    """A case file naming small real JPEG photos beside it, with an incident."""
    (folder / "files").mkdir(parents=True)
    evidence = []
    for index, name in enumerate(EVIDENCE):
        image = Image.new("RGB", (64, 48), (70 * index, 120, 200 - 50 * index))
        image.paste((255, 255, 255), (8 * index, 8, 8 * index + 16, 24))
        image.save(folder / "files" / f"{name}.jpg", quality=90)
        evidence.append({"id": name, "path": f"files/{name}.jpg", "kind": "photo", "source": "ngo"})
    document = {
        "format": "evidencelab/case@1",
        "title": "Atomic import test",
        "sources": [{"id": "ngo", "kind": "researcher", "reliability": "high"}],
        "evidence": evidence,
        "incidents": [
            {
                "id": "strike-1",
                "title": "Strike on a market",
                "time": {"start": "2022-02-24T10:30:00+02:00"},
                "casualties": [
                    {
                        "source": "ngo",
                        "scope": "incident",
                        "civilian": True,
                        "killed": {"count": 3, "qualifier": "at_least"},
                    }
                ],
                "evidence": list(EVIDENCE),
            }
        ],
    }
    path = folder / "case.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def case_file(tmp_path: Path) -> Path:
    return write_case_folder(tmp_path / "incoming")


@pytest.fixture
def lived_in_case(case: Case, tmp_path: Path) -> Case:
    """A case that already holds an item, so that "as it was" is not simply empty."""
    earlier = tmp_path / "earlier.txt"
    earlier.write_text("a statement taken earlier\n", encoding="utf-8")
    ingest(case, [IngestRequest(path=earlier)], extractors=[])
    return case


def cli_json(*args: str) -> Any:
    """Run a command in this process, as a user would, and read its --json output."""
    result = CliRunner().invoke(load_commands(), [*args, "--json"])
    assert result.stdout, (result.output, result.exception)
    return json.loads(result.stdout)


def snapshot(case: Case) -> dict[str, Any]:
    """Everything a failed import must leave as it was."""
    with contextlib.closing(sqlite3.connect(case.root / "case.sqlite")) as db:
        rows = list(db.iterdump())
    return {
        "summary": cli_json("summary", "--case", str(case.root)),
        "verify": cli_json("verify", "--case", str(case.root)),
        "rows": rows,
        "head": case.head_path.read_bytes(),
        "objects": sorted(case.objects.iter_shas()),
        "tmp": sorted(p.name for p in case.objects.tmp.iterdir()),
    }


def tamper_before_copy(monkeypatch: pytest.MonkeyPatch, how: Callable[[], object]) -> None:
    """Run ``how`` after the import's checks and before it copies anything: the moment a
    file can vanish or change under an import."""
    checked_then_copy = casefile_service.preserve

    def preserve(*args: Any, **kwargs: Any) -> Any:
        how()
        return checked_then_copy(*args, **kwargs)

    monkeypatch.setattr(casefile_service, "preserve", preserve)


@pytest.mark.parametrize("nth", range(len(EVIDENCE)))
def test_a_file_changed_after_the_check_leaves_the_case_as_it_was(
    lived_in_case: Case, case_file: Path, monkeypatch: pytest.MonkeyPatch, nth: int
) -> None:
    # The other files are copied and their rows written before the changed one is met:
    # the rows are rolled back and the copies removed.
    target = case_file.parent / "files" / f"{EVIDENCE[nth]}.jpg"
    before = snapshot(lived_in_case)
    tamper_before_copy(monkeypatch, lambda: target.write_bytes(target.read_bytes() + b"edit"))
    with pytest.raises(CaseFileError) as refused:
        casefile_service.import_case_file(lived_in_case, case_file)
    message = str(refused.value)
    assert f"evidence[{nth}].path: files/{EVIDENCE[nth]}.jpg: changed after it was checked" in (
        message
    )
    assert len(message.splitlines()) == 1
    assert snapshot(lived_in_case) == before


@pytest.mark.parametrize("nth", range(len(EVIDENCE)))
def test_a_file_that_vanished_after_the_check_leaves_the_case_as_it_was(
    lived_in_case: Case, case_file: Path, monkeypatch: pytest.MonkeyPatch, nth: int
) -> None:
    target = case_file.parent / "files" / f"{EVIDENCE[nth]}.jpg"
    before = snapshot(lived_in_case)
    tamper_before_copy(monkeypatch, target.unlink)
    result = CliRunner().invoke(
        load_commands(), ["import", str(case_file), "--case", str(lived_in_case.root)]
    )
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {target}: no such file"
    assert snapshot(lived_in_case) == before


def test_after_a_failed_import_the_same_file_imports_whole(
    lived_in_case: Case, case_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = case_file.parent / "files" / f"{EVIDENCE[-1]}.jpg"
    original = target.read_bytes()
    with monkeypatch.context() as patch:
        tamper_before_copy(patch, lambda: target.write_bytes(original + b"edit"))
        with pytest.raises(CaseFileError):
            casefile_service.import_case_file(lived_in_case, case_file)
    target.write_bytes(original)
    imported = casefile_service.import_case_file(lived_in_case, case_file)
    assert imported["evidence"] == {"new": len(EVIDENCE), "acquired": 0, "unchanged": 0}
    report = cli_json("verify", "--case", str(lived_in_case.root))
    assert report["notes"] == []


# --- killed imports ----------------------------------------------------------------------


def start_import(case_root: Path, case_file: Path) -> int:
    """`evidencelab import` in a child process of its own process group; its pid.

    The child is forked from this process, which has already loaded the package, so that
    twenty runs do not pay twenty interpreter starts; it runs the command-line entry point
    exactly as the installed script does.
    """
    pid = os.fork()
    if pid != 0:
        # Its own process group, so that the kill takes ExifTool too; set on both sides of
        # the fork so that it exists whichever runs first.
        with contextlib.suppress(PermissionError, ProcessLookupError):
            os.setpgid(pid, pid)
        return pid
    status = 70
    try:
        os.setpgid(0, 0)
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)
        sys.argv = ["evidencelab", "import", str(case_file), "--case", str(case_root)]
        try:
            main()
            status = 0
        except SystemExit as leaving:
            status = leaving.code if isinstance(leaving.code, int) else 1
    finally:
        os._exit(status)


def object_count(case_root: Path) -> int:
    objects = case_root / "objects"
    return sum(1 for prefix in objects.iterdir() if len(prefix.name) == 2 for _ in prefix.iterdir())


def kill_when(pid: int, ready: Callable[[], bool]) -> bool:
    """SIGKILL the import's process group once ``ready()``; False if it finished first."""
    while not ready():
        finished, _status = os.waitpid(pid, os.WNOHANG)
        if finished:
            return False
        time.sleep(POLL_SECONDS)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:  # it ended between the last look and the kill
        os.waitpid(pid, 0)
        return False
    os.waitpid(pid, 0)
    return True


def evidence_rows(case_root: Path) -> int:
    with contextlib.closing(sqlite3.connect(case_root / "case.sqlite")) as db:
        return int(db.execute("SELECT count(*) FROM evidence").fetchone()[0])


def without_event_count(summary: dict[str, Any]) -> dict[str, Any]:
    # A kill that landed after the commit leaves a complete import; importing again then
    # logs the import a second time, so only the count of custody events may differ.
    return {k: v for k, v in summary.items() if k != "custody_events"}


def run_watched(case_root: Path, case_file: Path) -> tuple[float, float]:
    """An import left to finish, watched: seconds until every object was stored, and
    until it ended (only to spread the kill times over both phases)."""
    start = time.monotonic()
    pid = start_import(case_root, case_file)
    stored = None
    while True:
        finished, status = os.waitpid(pid, os.WNOHANG)
        now = time.monotonic() - start
        if stored is None and object_count(case_root) >= OBJECTS:
            stored = now
        if finished:
            assert status == 0
            return stored or now, now
        time.sleep(POLL_SECONDS)


def kill_point(kind: str, value: float, case_root: Path) -> Callable[[], bool]:
    """When to kill: once ``value`` objects exist; ``value`` seconds after the start; or
    ``value`` seconds after every object exists (rows being written and committed)."""
    start = time.monotonic()
    all_stored: list[float] = []

    def ready() -> bool:
        now = time.monotonic()
        if kind == "objects":
            return object_count(case_root) >= value
        if kind == "seconds":
            return now - start >= value
        if not all_stored and object_count(case_root) >= OBJECTS:
            all_stored.append(now)
        return bool(all_stored) and now - all_stored[0] >= value

    return ready


def test_killed_import_commits_nothing_and_importing_again_completes(
    tmp_path: Path, case_file: Path, empty_case_template: Path
) -> None:
    template = empty_case_template
    reference = tmp_path / "reference"
    shutil.copytree(template, reference)
    stored, ended = run_watched(reference, case_file)
    expected = without_event_count(cli_json("summary", "--case", str(reference)))
    assert expected["evidence_items"] == len(EVIDENCE)

    rng = random.Random(KILL_SEED)
    points: list[tuple[str, float]] = [("objects", n) for n in range(OBJECTS + 1)]
    points += [("seconds", rng.uniform(0, stored)) for _ in range(KILLS_WHILE_COPYING)]
    points += [("after", rng.uniform(0, ended - stored)) for _ in range(KILLS_WHILE_RECORDING)]
    interrupted = 0
    for index, (kind, value) in enumerate(points):
        root = tmp_path / f"killed-{index}"
        shutil.copytree(template, root)
        pid = start_import(root, case_file)
        killed = kill_when(pid, kill_point(kind, value, root))
        where = f"kill {index} ({kind} {value}, killed={killed})"
        rows = evidence_rows(root)
        assert rows in (0, len(EVIDENCE)), f"{where}: {rows} evidence rows: half an import"
        interrupted += rows == 0 and object_count(root) > 0

        report = cli_json("verify", "--case", str(root))
        assert report["problems"] == [], where
        assert all(UNREFERENCED in note for note in report["notes"]), where

        again = cli_json("import", str(case_file), "--case", str(root))
        assert sum(again["evidence"].values()) == len(EVIDENCE), where
        assert without_event_count(cli_json("summary", "--case", str(root))) == expected, where
        final = cli_json("verify", "--case", str(root))
        assert (final["problems"], final["notes"]) == ([], []), where
        with open_case(root) as reopened:
            assert list(reopened.objects.tmp.iterdir()) == [], where
    assert len(points) >= 20
    assert interrupted >= OBJECTS // 2, "too few kills landed between the first copy and the commit"
