"""verify re-derives the casualty figures from the records the custody log holds: a count
edited in the database changes what the case prints, and verify names the figures that
moved; a report written after the edit is named too, with what it printed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cli_helpers import run_cli
from evidencelab.locker.case import open_case
from evidencelab.service.integrity.verify import verify_whole_case

VUHLEDAR = "vuhledar-2022-02-24"


def _problems(root: Path) -> list[str]:
    with open_case(root) as case:
        return verify_whole_case(case).problems


def test_figures_from_the_log_match_an_untouched_case_and_its_report(demo: Path) -> None:
    assert (
        run_cli("report", "--out", str(demo.parent / "r.html"), "--case", str(demo)).returncode == 0
    )
    assert _problems(demo) == []


def test_an_edited_count_moves_the_printed_figures_and_verify_names_them(demo: Path) -> None:
    with sqlite3.connect(demo / "case.sqlite", isolation_level=None) as connection:
        connection.execute(
            "UPDATE casualty_report SET killed = json_set(killed, '$.count', 40) "
            f"WHERE incident_id = '{VUHLEDAR}' AND json_extract(killed, '$.count') = 4"
        )
    summary = run_cli("summary", "--case", str(demo))
    assert "at least 42 civilians killed" in summary.stdout  # what the edit makes the case say
    problems = _problems(demo)
    assert (
        f"casualty figures: incident {VUHLEDAR}: killed ≥ 40, injured ≥ 10; from the logged "
        "records, killed ≥ 4, injured ≥ 10"
    ) in problems
    assert (
        "casualty figures: case total: killed ≥ 42, injured ≥ 12; from the logged records, "
        "killed ≥ 6, injured ≥ 12"
    ) in problems

    assert (
        run_cli("report", "--out", str(demo.parent / "r.html"), "--case", str(demo)).returncode == 0
    )
    reported = [p for p in _problems(demo) if p.startswith("report of custody event")]
    assert len(reported) == 2  # the incident and the case total, as that report printed them
    assert (
        "case total: killed ≥ 42, injured ≥ 12; the logged records gave killed ≥ 6" in reported[1]
    )
