"""Running the installed `evidencelab` script as a user does, for the command-line tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(sys.executable).parent / "evidencelab"
ACTOR = "analyst"


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `evidencelab ARGS…` with no standard input, as ACTOR; output captured as text."""
    return subprocess.run(
        [str(SCRIPT), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "EVIDENCELAB_ACTOR": ACTOR},
    )
