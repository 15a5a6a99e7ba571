"""`evidencelab bundle`, `check-bundle` and `export --format geojson|csv` from the command line."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from cli_helpers import run_cli


def make_case(tmp_path: Path, loose_files: list[Path]) -> Path:
    case = tmp_path / "case"
    assert run_cli("init", str(case)).returncode == 0
    assert run_cli("ingest", str(loose_files[0].parent), "--case", str(case)).returncode == 0
    return case


def test_bundle_round_trip_and_a_tampered_copy(tmp_path: Path, loose_files: list[Path]) -> None:
    case = make_case(tmp_path, loose_files)
    bundle = tmp_path / "case.zip"
    assert run_cli("bundle", "--out", str(bundle), "--case", str(case)).returncode == 0
    ok = run_cli("check-bundle", str(bundle), "--json")
    assert ok.returncode == 0, ok.stdout
    with zipfile.ZipFile(bundle) as archive:
        head = json.loads(archive.read("custody/head.json"))
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["custody_head"] == head and head["seq"] >= 1
    assert json.loads(ok.stdout) == {
        "intact": True,
        "head": head,
        "problems": [],
        "signatures": {"signed": 0, "unsigned": 0, "not_held": 0, "problems": []},
    }
    text = run_cli("check-bundle", str(bundle))
    assert text.stdout.splitlines()[-1] == (
        f"custody log at event {head['seq']}, head hash {head['hash']}"
    )

    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(tampered, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("objects/") and not data.startswith(b"!"):
                data = b"!" + data[1:]
                changed = info.filename
            target.writestr(info, data)
    bad = run_cli("check-bundle", str(tampered))
    assert bad.returncode == 1
    assert changed in bad.stdout


def test_missing_bundle_is_a_one_line_error(tmp_path: Path) -> None:
    result = run_cli("check-bundle", str(tmp_path / "absent.zip"))
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {tmp_path / 'absent.zip'}: no such file"


def test_export_formats(tmp_path: Path, loose_files: list[Path]) -> None:
    case = make_case(tmp_path, loose_files)
    geojson = json.loads(run_cli("export", "--format", "geojson", "--case", str(case)).stdout)
    assert geojson == {"type": "FeatureCollection", "features": []}
    table = run_cli("export", "--format", "csv", "--case", str(case)).stdout
    assert next(csv.reader(io.StringIO(table)))[:8] == [
        "event_date",
        "admin1",
        "location",
        "latitude",
        "longitude",
        "fatalities",
        "notes",
        "source",
    ]
    unknown = run_cli("export", "--format", "kml", "--case", str(case))
    assert unknown.returncode == 1
    assert "unknown export format (available: case, geojson, csv)" in unknown.stderr
    log = json.loads(run_cli("log", "--case", str(case), "--json").stdout)
    assert [e["payload"]["format"] for e in log if e["action"] == "export"] == ["geojson", "csv"]
