"""The command line's faces of two workbench services: `source edit` (a source's grade,
sensitivity, description) and `incident withdraw-report` (a casualty report withdrawn
with its reason); each change a custody event, bad input one line and nothing written."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import run_cli

INCIDENT = "vuhledar-2022-02-24"


def _ok(*args: str) -> str:
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_source_graded_again_changes_the_figures_it_supports(demo: Path) -> None:
    case = ("--case", str(demo))
    edited = json.loads(
        _ok("source", "edit", "amnesty-press-release-2022-02", "--reliability", "low",
            "--notes", "re-graded", "--json", *case)
    )  # fmt: skip
    assert edited["changed"]["reliability"] == {"before": "high", "after": "low"}
    log = json.loads(_ok("log", "--subject", "amnesty-press-release-2022-02", "--json", *case))
    # The edit's own event, then the records event of the row it changed.
    assert [e["action"] for e in log[-2:]] == ["source_edit", "records"]
    assert log[-2]["seq"] == edited["custody_event"]
    again = _ok("source", "edit", "amnesty-press-release-2022-02", "--reliability", "low", *case)
    assert again.strip() == "source amnesty-press-release-2022-02: nothing changed"

    refused = run_cli("source", "edit", "amnesty-press-release-2022-02", "--reliability",
                      "certain", *case)  # fmt: skip
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: --reliability certain: must be one of high")
    assert json.loads(_ok("log", "--json", *case))[-1]["seq"] == edited["custody_event"] + 1


def test_a_withdrawn_report_is_struck_and_no_longer_counted(demo: Path) -> None:
    case = ("--case", str(demo))
    before = json.loads(_ok("incident", "show", INCIDENT, "--json", *case))
    printed = _ok("incident", "withdraw-report", INCIDENT, "1", "--reason",
                  "the local source retracted", *case)  # fmt: skip
    assert printed.startswith(f"incident {INCIDENT}: report 1 withdrawn (custody event ")
    after = json.loads(_ok("incident", "show", INCIDENT, "--json", *case))
    assert after["casualties"][1]["withdrawn"]["reason"] == "the local source retracted"
    assert before["casualties"][1].get("withdrawn") is None

    blank = run_cli("incident", "withdraw-report", INCIDENT, "0", "--reason", " ", *case)
    assert blank.returncode == 1
    assert blank.stderr.startswith("error: --reason: required")
    twice = run_cli("incident", "withdraw-report", INCIDENT, "1", "--reason", "again", *case)
    assert twice.returncode == 1 and "already withdrawn" in twice.stderr
