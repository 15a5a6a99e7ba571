"""The assessment commands as a user runs them: assess, sign-off (and staleness when the
facts change), the claims register, and launch-area with a control-of-territory file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli_helpers import run_cli

CASE_YAML = """\
format: evidencelab/case@1
title: Assessment CLI test
sources:
  - id: ngo
    kind: researcher
    description: NGO report
    reliability: high
incidents:
  - id: strike-a
    title: Ballistic missile on a residential block
    time: {start: 2022-02-24T10:30:00+02:00}
    place: {name: Town A, lat: 47.78, lon: 37.25, precision_m: 200}
    weapon: {munition: 9M79 Tochka, basis: remnants, confidence: high}
    objects_hit: [{kind: residential_building, name: block 4}]
    casualties:
      - {source: ngo, scope: incident, civilian: true, killed: {count: 2, qualifier: at_least}}
"""


def ok(*args: str) -> str:
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def fails(*args: str) -> str:
    result = run_cli(*args)
    assert result.returncode == 1, result.stdout
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("assess")
    (root / "case.yaml").write_text(CASE_YAML, encoding="utf-8")
    ok("init", str(root / "case"))
    ok("import", str(root / "case.yaml"), "--case", str(root / "case"))
    return root / "case"


def indicators(case_dir: Path) -> dict[str, dict[str, Any]]:
    (result,) = json.loads(
        ok("assess", "--incident", "strike-a", "--json", "--case", str(case_dir))
    )
    return {i["code"]: i for i in result["indicators"]}


def test_assess_prints_branch_firing_indicators_rules_and_what_is_missing(case_dir: Path) -> None:
    text = ok("assess", "--case", str(case_dir))
    assert "strike-a — Ballistic missile on a residential block" in text
    assert "branch: inaccurate (high)" in text
    assert "INACCURATE_WEAPON_IN_POPULATED_AREA" in text
    assert "rules: API 51(4)(b), CIHL 12" in text
    assert "field miss distance 805 m [A]: R90 1,467 m" in text
    assert "[hit]" in text  # data in brackets is printed, not taken as markup
    assert "missing: the concrete and direct military advantage anticipated" in text


def test_sign_off_is_recorded_and_goes_stale_when_the_facts_change(case_dir: Path) -> None:
    code = "INACCURATE_WEAPON_IN_POPULATED_AREA"
    assert indicators(case_dir)[code]["review"]["state"] == "unreviewed"
    record = json.loads(
        ok("assess", "sign-off", "strike-a", code, "--accept", "--comment", "figures checked",
           "--json", "--case", str(case_dir))
    )  # fmt: skip
    assert (record["decision"], record["previous_state"]) == ("accepted", "unreviewed")
    review = indicators(case_dir)[code]["review"]
    assert (review["state"], review["by"], review["comment"]) == (
        "accepted",
        "analyst",
        "figures checked",
    )
    # A school mapped 300 m away becomes a new fact of the populated-area basis.
    ok("context", "add", "--kind", "school", "--name", "School 5", "--lat", "47.7827",
       "--lon", "37.2500", "--basis", "reporting", "--case", str(case_dir))  # fmt: skip
    after = indicators(case_dir)
    assert after[code]["review"]["state"] == "stale"
    assert after[code]["review"]["signed_decision"] == "accepted"
    assert after["PROTECTED_OBJECT_NEARBY"]["fires"]
    # Changing the decision is a custody event of its own.
    ok("assess", "sign-off", "strike-a", code, "--reject", "--comment", "school changes it",
       "--case", str(case_dir))  # fmt: skip
    assert indicators(case_dir)[code]["review"]["state"] == "rejected"
    log = json.loads(ok("log", "--json", "--case", str(case_dir)))
    events = log if isinstance(log, list) else log["events"]
    assert [e["action"] for e in events].count("indicator_signoff") == 2


def test_sign_off_refuses_bad_input_in_one_line(case_dir: Path) -> None:
    base = ("assess", "sign-off", "strike-a")
    assert "exactly one of --accept or --reject" in fails(
        *base, "CIVILIAN_HARM", "--comment", "x", "--case", str(case_dir)
    )
    assert "indicator 'NOPE': unknown" in fails(
        *base, "NOPE", "--accept", "--comment", "x", "--case", str(case_dir)
    )
    assert "needs a comment" in fails(*base, "CIVILIAN_HARM", "--accept", "--case", str(case_dir))
    assert "incident missing: no such incident" in fails(
        "assess", "sign-off", "missing", "CIVILIAN_HARM", "--accept", "--comment", "x",
        "--case", str(case_dir),
    )  # fmt: skip


def test_claims_register_commands(case_dir: Path) -> None:
    added = json.loads(
        ok("claim", "add", "--claimant", "Ministry of Defence", "--made-at", "2022-02-24",
           "--text", "Only high-precision weapons are used.",
           "--predicate", "only_precision_guided_weapons", "--id", "mod", "--json",
           "--case", str(case_dir))
    )  # fmt: skip
    assert added["id"] == "mod"
    assert "mod: Ministry of Defence (2022-02-24)" in ok("claim", "list", "--case", str(case_dir))
    (result,) = json.loads(ok("claim", "evaluate", "--json", "--case", str(case_dir)))
    assert (result["result"], result["deciding_incidents"]) == ("contradicted", ["strike-a"])
    text = ok("claim", "evaluate", "--case", str(case_dir))
    assert "mod: contradicted" in text
    assert "predicate 'x': unknown" in fails(
        "claim", "add", "--claimant", "A", "--text", "t", "--predicate", "x",
        "--case", str(case_dir),
    )  # fmt: skip
    assert indicators(case_dir)["CLAIM_CONTRADICTED"]["fires"]


def test_launch_area_writes_geojson_and_intersects_control(tmp_path: Path) -> None:
    control = tmp_path / "control.geojson"
    control.write_text(json.dumps({"type": "Polygon", "coordinates": [
        [[37.0, 47.8], [38.5, 47.8], [38.5, 48.8], [37.0, 48.8], [37.0, 47.8]]
    ]}))  # fmt: skip
    out = tmp_path / "sector.geojson"
    summary = json.loads(
        ok("launch-area", "--lat", "47.78", "--lon", "37.25", "--bearing", "45",
           "--bearing-uncertainty", "10", "--munition", "Tochka", "--control", str(control),
           "--out", str(out), "--json")
    )  # fmt: skip
    assert summary["range_min_m"] == 15_000 and summary["range_max_m"] == 120_000
    assert any(line.startswith("range_km.min: 15 km") for line in summary["range_basis"])
    written = json.loads(out.read_text())
    roles = [f["properties"]["role"] for f in written["features"]]
    assert roles == ["candidate_launch_area", "candidate_launch_area_within_control"]
    assert 0 < summary["share_within_control"] < 1


def test_launch_area_bad_input_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "sector.geojson"
    message = fails(
        "launch-area", "--lat", "47.78", "--lon", "37.25", "--bearing", "45",
        "--bearing-uncertainty", "10", "--range-min", "5000", "--range-max", "1000",
        "--out", str(out),
    )  # fmt: skip
    assert "range window 5000–1000 m" in message
    assert "--range-max: give the range in metres" in fails(
        "launch-area", "--lat", "47.78", "--lon", "37.25", "--bearing", "45",
        "--bearing-uncertainty", "10", "--out", str(out),
    )  # fmt: skip
    assert not out.exists()
