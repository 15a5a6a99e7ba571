"""`evidencelab checks` and `evidencelab corroboration` on a case imported from a case file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PIL import Image

from cli_helpers import run_cli
from evidencelab.verify.checks import CHECKS

PHONES = Path(__file__).parent / "corpus" / "metadata-extractor-images" / "jpg"
HTC = PHONES / "HTC Desire.jpg"  # 2011-05-06T09:59:48+02:00, GPS in Milan
SONY = PHONES / "Sony DSC-HX5V (2).jpg"  # 2010-05-15T17:12:05+02:00, GPS near Bielefeld

CASE_FILE = """\
format: evidencelab/case@1
title: Checks from the command line
sources:
  - {id: channel-a, kind: social_media}
  - {id: channel-b, kind: social_media}
  - {id: channel-c, kind: social_media}
evidence:
  - {id: htc, path: files/htc.jpg, kind: photo, source: channel-a,
     collected_at: "2011-05-06T12:00:00+02:00"}
  - {id: htc-copy, path: files/htc-copy.jpg, kind: photo, source: channel-c,
     collected_at: "2011-05-06T13:00:00+02:00"}
  - {id: sony, path: files/sony.jpg, kind: photo, source: channel-b,
     collected_at: "2022-02-24T12:00:00+02:00"}
incidents:
  - id: milan
    title: Consistent incident
    time: {start: "2011-05-06T09:55:00+02:00", approximate: false}
    place: {name: Milan, lat: 45.50067, lon: 9.11033, precision_m: 100}
    evidence: [htc, htc-copy, sony]
"""


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("checks-cli")
    files = folder / "inputs" / "files"
    files.mkdir(parents=True)
    shutil.copy(HTC, files / "htc.jpg")
    shutil.copy(SONY, files / "sony.jpg")
    with Image.open(HTC) as image:
        rgb = image.convert("RGB")
        rgb.resize((rgb.width // 2, rgb.height // 2)).save(files / "htc-copy.jpg", quality=70)
    (folder / "inputs" / "case.yaml").write_text(CASE_FILE, encoding="utf-8")
    case = folder / "case"
    assert run_cli("init", str(case)).returncode == 0
    imported = run_cli("import", str(folder / "inputs" / "case.yaml"), "--case", str(case))
    assert imported.returncode == 0, imported.stderr
    return case


def test_checks_json_lists_findings_and_exits_zero(case_dir: Path) -> None:
    result = run_cli("checks", "--case", str(case_dir), "--json")
    assert result.returncode == 0, result.stderr
    checks = json.loads(result.stdout)
    sony = {(c["check"], c["severity"]) for c in checks if c["evidence"] == "sony"}
    assert sony == {
        ("CAPTURE_OUTSIDE_INCIDENT_TIME", "problem"),
        ("GPS_FAR_FROM_INCIDENT", "warning"),
    }
    assert not [c for c in checks if c["evidence"] == "htc"]
    # The resized copy lost its EXIF, as a platform re-encode does: information only.
    assert [(c["check"], c["severity"]) for c in checks if c["evidence"] == "htc-copy"] == [
        ("METADATA_STRIPPED", "info")
    ]
    assert set(checks[0]) >= {"check", "severity", "evidence", "incident", "message"}


def test_checks_readable_output_per_item(case_dir: Path) -> None:
    result = run_cli("checks", "--evidence", "sony", "--case", str(case_dir))
    assert result.returncode == 0  # problems are findings, not errors
    lines = result.stdout.splitlines()
    assert lines[0] == "evidence sony"
    assert any(
        "problem" in line and "CAPTURE_OUTSIDE_INCIDENT_TIME (incident milan)" in line
        for line in lines
    )
    assert lines[-1].startswith("1 problem(s), 1 warning(s), 0 info")


def test_checks_one_code_and_the_catalogue(case_dir: Path) -> None:
    only = run_cli(
        "checks",
        "--incident",
        "milan",
        "--check",
        "GPS_FAR_FROM_INCIDENT",
        "--case",
        str(case_dir),
        "--json",
    )
    assert [c["check"] for c in json.loads(only.stdout)] == ["GPS_FAR_FROM_INCIDENT"]
    listed = json.loads(run_cli("checks", "--list", "--json").stdout)
    assert {c["check"] for c in listed} == set(CHECKS)  # the catalogue is the registry
    assert "RECYCLED_FOOTAGE" in run_cli("checks", "--list").stdout


def test_checks_bad_input_is_one_line_and_non_zero(case_dir: Path) -> None:
    for args, message in (
        (("--evidence", "nope"), "error: evidence nope: no such evidence item"),
        (("--incident", "nope"), "error: incident nope: no such incident"),
        (("--evidence", "sony", "--incident", "milan"), "error: --evidence and --incident"),
        (("--check", "NOPE"), "error: check NOPE: no such check"),
    ):
        result = run_cli("checks", *args, "--case", str(case_dir))
        assert result.returncode == 1
        assert result.stderr.startswith(message)
        assert len(result.stderr.strip().splitlines()) == 1


def test_corroboration_counts_the_copy_once(case_dir: Path) -> None:
    result = run_cli("corroboration", "milan", "--case", str(case_dir), "--json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    place = next(f for f in record["facts"] if f["fact"] == "place")
    time = next(f for f in record["facts"] if f["fact"] == "time")
    # htc and its copy: one picture (the copy has no GPS and no capture time of its own).
    assert place["supporting"] == 1 and place["contradicting"] == 1
    assert time["independent_groups"] == [["htc"]]
    assert time["contradicting_groups"] == [["sony"]]
    text = run_cli("corroboration", "milan", "--case", str(case_dir)).stdout
    assert "place: Milan (45.50067, 9.11033 ± 100 m)" in text
    assert "- sony contradicts: GPS_FAR_FROM_INCIDENT" not in text  # place says it plainly
    assert "- sony contradicts: GPS " in text


def test_corroboration_unknown_incident(case_dir: Path) -> None:
    result = run_cli("corroboration", "nope", "--case", str(case_dir))
    assert result.returncode == 1
    assert result.stderr.strip() == "error: incident nope: no such incident"
