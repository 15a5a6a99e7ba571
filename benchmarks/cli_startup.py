"""CPU time of a command-line run: `evidencelab --help`, and `evidencelab summary` on the
demo case, which reads the whole case.

The baseline takes turns with them, so that a change in the machine's load falls on all
alike: a Python process that only imports SQLAlchemy's ORM, the least a command reading a
case loads. CPU is user plus system time of the child process, in seconds (minimum and
median of the runs); the ratio is baseline / command (median). The target is absolute:
each command within 0.5 s of CPU (median).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

TARGET_S = 0.5
SCRIPT = Path(sys.executable).with_name("evidencelab")


def _cpu_seconds(command: list[str], cwd: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, cwd=cwd, check=True, capture_output=True, stdin=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run(repeats: int) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo"
        subprocess.run([str(SCRIPT), "demo", "--out", str(demo)], check=True, capture_output=True)
        commands = {
            "baseline: import sqlalchemy.orm": [sys.executable, "-c", "import sqlalchemy.orm"],
            "evidencelab --help": [str(SCRIPT), "--help"],
            "evidencelab summary (demo)": [str(SCRIPT), "summary"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(repeats):
            for name, command in commands.items():
                times[name].append(_cpu_seconds(command, demo))
    baseline = statistics.median(times["baseline: import sqlalchemy.orm"])
    met = True
    for name, seconds in times.items():
        median = statistics.median(seconds)
        line = f"{name}: CPU {min(seconds):.2f} s min, {median:.2f} s median"
        if not name.startswith("baseline"):
            met = met and median <= TARGET_S
            verdict = "meets" if median <= TARGET_S else "ABOVE"
            line += f" -> ratio {baseline / median:.2f} ({verdict} target {TARGET_S} s)"
        print(line, flush=True)
    return met


if __name__ == "__main__":
    sys.exit(0 if run(int(os.environ.get("REPEATS", "15"))) else 1)
