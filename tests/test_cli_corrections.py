"""The command line's faces of workbench services: `source edit` (a source's grade,
sensitivity, description), and `incident add-report`, `correct-report` and
`withdraw-report` (casualty reports added, corrected as a new version, withdrawn with a
reason); each change a custody event, bad input one line and nothing written."""

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


def test_a_report_added_then_corrected_keeps_the_old_version(demo: Path) -> None:
    case = ("--case", str(demo))
    added = json.loads(
        _ok("incident", "add-report", INCIDENT, "--source", "local-source-vuhledar",
            "--killed-count", "5", "--killed-qualifier", "at_least", "--civilian", "unknown",
            "--reported-at", "2022-02-25T09:00", "--reported-zone", "Europe/Kyiv",
            "--json", *case)
    )  # fmt: skip
    corrected = json.loads(
        _ok("incident", "correct-report", INCIDENT, str(added["position"]), "--reason",
            "the source revised its count", "--killed-count", "6", "--json", *case)
    )  # fmt: skip
    assert corrected["position"] == added["position"] + 1
    shown = json.loads(_ok("incident", "show", INCIDENT, "--json", *case))["casualties"]
    old, new = shown[added["position"]], shown[corrected["position"]]
    assert old["killed"] == {"count": 5, "qualifier": "at_least"}
    assert old["civilian"] == "unknown"
    assert old["reported_at"] == "2022-02-25T09:00:00+02:00"
    assert new["killed"]["count"] == 6 and new["supersedes"] == old["id"]
    assert new["source"] == "local-source-vuhledar"
    assert new["correction_reason"] == "the source revised its count"
    log = json.loads(_ok("log", "--subject", INCIDENT, "--json", *case))
    assert [e["action"] for e in log if e["seq"] in (added["custody_event"],
            corrected["custody_event"])] == ["casualty_add", "casualty_correct"]  # fmt: skip


def test_a_bad_report_option_is_named_and_nothing_is_written(demo: Path) -> None:
    case = ("--case", str(demo))
    head = json.loads(_ok("log", "--json", *case))[-1]["seq"]
    for args, message in [
        (["--source", "local-source-vuhledar"], "error: --killed-count: give a killed or"),
        (["--source", "nobody", "--killed-count", "1"], "error: --source 'nobody': not in"),
        (["--source", "local-source-vuhledar", "--killed-count", "1", "--civilian", "maybe"],
         "error: --civilian 'maybe': must be yes, no or unknown"),
        (["--source", "local-source-vuhledar", "--injured-count", "2", "--reported-at",
          "yesterday"], "error: --reported-at 'yesterday': not a date and time"),
    ]:  # fmt: skip
        refused = run_cli("incident", "add-report", INCIDENT, *args, *case)
        assert refused.returncode == 1
        assert refused.stderr.startswith(message), refused.stderr
    blank = run_cli("incident", "correct-report", INCIDENT, "0", "--reason", " ",
                    "--killed-count", "1", *case)  # fmt: skip
    assert blank.returncode == 1 and blank.stderr.startswith("error: --reason: required")
    assert json.loads(_ok("log", "--json", *case))[-1]["seq"] == head
