"""Running `evidencelab` for the command-line tests: in this process through the same entry
point the installed script calls (fast: the start-up is paid once), or, where a test needs
a real process, as the installed script itself."""

from __future__ import annotations

import os
import subprocess
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from typer.testing import CliRunner

from evidencelab.cli import load_commands

SCRIPT = Path(sys.executable).parent / "evidencelab"
ACTOR = "analyst"
# What the script sees when its output is piped: no terminal, so rich's fallback width.
ENV = {"EVIDENCELAB_ACTOR": ACTOR, "COLUMNS": "80", "LINES": "25"}


def run_cli(
    *args: str, cwd: Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `evidencelab ARGS…` in this process as ACTOR, with ``stdin`` (default: none) as
    its standard input; standard output and error captured apart as text. An unexpected
    exception ends the run with status 1 and its traceback on standard error, as it would
    end the script."""
    runner = CliRunner(env=ENV)
    with _working_directory(cwd):
        result = runner.invoke(load_commands(), list(args), input=stdin, prog_name="evidencelab")
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return subprocess.CompletedProcess(
        ["evidencelab", *args], result.exit_code, result.stdout, stderr
    )


def run_cli_process(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `evidencelab ARGS…` script in a process of its own, with no standard
    input, as ACTOR; output captured as text. For what only a real process shows: the entry
    point itself, start-up, exit on a signal."""
    return subprocess.run(
        [str(SCRIPT), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "EVIDENCELAB_ACTOR": ACTOR},
    )


@contextmanager
def _working_directory(folder: Path | None) -> Iterator[None]:
    before = Path.cwd()
    if folder is not None:
        os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)
