"""geolocate, incident place and evidence status commands, run as a user runs them."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from cli_helpers import ACTOR, run_cli
from evidencelab.locker.case import init_case
from evidencelab.service.exchange.casefile import import_case_file
from test_geolocation import XR_LAT, XR_LON, write_case_file


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("template")
    with init_case(folder / "case", actor=ACTOR) as case:
        import_case_file(case, write_case_file(folder / "input"))
    return folder / "case"


@pytest.fixture
def case_dir(template: Path, tmp_path: Path) -> Path:
    shutil.copytree(template, tmp_path / "case")
    return tmp_path / "case"


def cli_json(case_dir: Path, *args: str) -> Any:
    result = run_cli(*args, "--case", str(case_dir), "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def snapshot(case_dir: Path) -> tuple[int, int, int, str]:
    """Custody events, geolocations, status rows and the head file."""
    with sqlite3.connect(case_dir / "case.sqlite") as db:
        counts = [
            db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("custody_event", "geolocation", "evidence_status")
        ]
    return counts[0], counts[1], counts[2], (case_dir / "custody.head").read_text()


def add_args(**overrides: str) -> list[str]:
    options = {
        "--incident": "zadar-1",
        "--lat": str(XR_LAT),
        "--lon": str(XR_LON),
        "--precision": "15",
        "--method": "satellite_landmark",
        "--reasoning": "road junction and two roofs match",
        "--reference": "a satellite scene",
        **overrides,
    }
    args = ["geolocate", "add"]
    for option, value in options.items():
        if value:  # an empty override drops the option
            args += [option, value]
    return args


def test_add_review_derive_apply_and_verify(case_dir: Path) -> None:
    added = cli_json(case_dir, *add_args())
    assert added["author"] == ACTOR and added["review"]["state"] == "unreviewed"
    assert added["times"]["created_at"]["zone"] == "Europe/Zagreb"
    assert added["times"]["created_at"]["utc"].endswith("Z")
    far = cli_json(case_dir, *add_args(**{"--lat": str(XR_LAT + 0.01), "--precision": "30"}))

    before = snapshot(case_dir)
    own = run_cli("geolocate", "review", "1", "--reviewed", "--case", str(case_dir))
    assert own.returncode == 1 and own.stdout == ""
    assert own.stderr.strip() == (
        f"error: geolocation 1: {ACTOR} made it and cannot review it; another person must review it"
    )
    assert snapshot(case_dir) == before

    for number in (added["id"], far["id"]):
        reviewed = cli_json(
            case_dir, "geolocate", "review", str(number), "--reviewed", "--actor", "reviewer"
        )
        assert reviewed["review"]["by"] == "reviewer"
        assert reviewed["times"]["reviewed_at"]["zone"] == "Europe/Zagreb"

    shown = run_cli("incident", "place", "zadar-1", "--case", str(case_dir))
    assert shown.returncode == 0, shown.stderr
    assert f"from geolocation {added['id']} (satellite_landmark)" in shown.stdout
    assert "incident start: 2020-09-02T18:52:00+02:00 Europe/Zagreb (2020-09-02 16:52:00 UTC)" in (
        shown.stdout
    )
    assert f"disagreement: geolocations {added['id']} and {far['id']} are " in shown.stdout
    before = snapshot(case_dir)
    refused = run_cli("incident", "place", "zadar-1", "--apply", "--case", str(case_dir))
    assert refused.returncode == 1 and len(refused.stderr.strip().splitlines()) == 1
    assert "1 disagreement(s) between reviewed geolocations" in refused.stderr
    assert snapshot(case_dir) == before

    cli_json(
        case_dir,
        "geolocate",
        "review",
        str(far["id"]),
        "--disputed",
        "--comment",
        "wrong street",
        "--actor",
        "reviewer",
    )
    applied = cli_json(case_dir, "incident", "place", "zadar-1", "--apply")
    assert applied["applied"] is True
    assert applied["left_out"] == [{"id": far["id"], "state": "disputed"}]
    incident = cli_json(case_dir, "incident", "show", "zadar-1")
    assert incident["place"]["name"] == "Zadar" and incident["place"]["precision_m"] == 15
    assert (incident["place"]["lat"], incident["place"]["lon"]) == (XR_LAT, XR_LON)
    verified = cli_json(case_dir, "verify")
    assert verified["intact"] is True, verified["problems"]


def test_from_metadata_and_list(case_dir: Path) -> None:
    proposal = cli_json(case_dir, "geolocate", "from-metadata", "iphone-xr")
    assert proposal["recorded"] is False
    assert proposal["precision_m"] == pytest.approx(4.79, abs=0.005)
    assert snapshot(case_dir)[1] == 0
    stored = cli_json(case_dir, "geolocate", "from-metadata", "iphone-xr", "--record")
    assert stored["recorded"] is True and stored["method"] == "metadata_gps"
    cli_json(case_dir, *add_args(**{"--incident": "other-1"}))
    assert [g["id"] for g in cli_json(case_dir, "geolocate", "list")] == [1, 2]
    linked = cli_json(case_dir, "geolocate", "list", "--incident", "zadar-1")
    assert [g["evidence"] for g in linked] == ["iphone-xr"]
    table = run_cli("geolocate", "list", "--evidence", "iphone-xr", "--case", str(case_dir))
    assert table.returncode == 0, table.stderr
    assert "metadata_gps" in table.stdout and "Europe/Zagreb" in table.stdout
    assert "UTC" in table.stdout


def test_evidence_status_set_and_show(case_dir: Path) -> None:
    assert cli_json(case_dir, "evidence", "status", "iphone-4")["state"] == "unverified"
    cli_json(case_dir, "evidence", "status", "iphone-4", "verified", "--reason", "geolocated")
    result = cli_json(
        case_dir,
        "evidence",
        "status",
        "iphone-4",
        "disputed",
        "--reason",
        "wrong season",
        "--actor",
        "second",
    )
    assert (result["state"], result["by"], result["reason"]) == (
        "disputed",
        "second",
        "wrong season",
    )
    assert [h["state"] for h in result["history"]] == ["verified", "disputed"]
    text = run_cli("evidence", "status", "iphone-4", "--case", str(case_dir))
    assert text.returncode == 0, text.stderr
    assert "evidence iphone-4: disputed (by second at " in text.stdout and "UTC)" in text.stdout
    assert "2 status changes recorded" in text.stdout


BAD = [
    (add_args(**{"--method": "guesswork"}), "method 'guesswork': not one of metadata_gps"),
    (add_args(**{"--lat": "95"}), "--lat 95.0: must be within ±90 degrees"),
    (add_args(**{"--incident": "", "--evidence": "nope"}), "evidence nope: no such evidence item"),
    (["geolocate", "review", "1", "--reviewed", "--disputed"], "exactly one of --reviewed"),
    (["geolocate", "from-metadata", "statement", "--record"], "no GPS position in its metadata"),
    (["incident", "place", "nowhere"], "incident nowhere: no such incident"),
    (["evidence", "status", "iphone-4", "verified"], "--reason: required to set status verified"),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=[m for _, m in BAD])
def test_bad_input_gives_one_line_and_leaves_case_unchanged(
    case_dir: Path, args: list[str], message: str
) -> None:
    before = snapshot(case_dir)
    result = run_cli(*args, "--case", str(case_dir), "--actor", "reviewer")
    assert result.returncode == 1, result.stdout
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert snapshot(case_dir) == before
