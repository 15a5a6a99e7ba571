"""What runs on every ingest: consistency checks, and scenes for georeferenced rasters."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import run_cli

CORPUS = Path(__file__).parent / "corpus"
EDITED = next((CORPUS / "pdq-threatexchange").rglob("wee.jpg"))  # Software: Adobe Photoshop


def test_ingest_reports_the_checks_of_each_stored_item(tmp_path: Path) -> None:
    case = tmp_path / "case"
    assert run_cli("init", str(case)).returncode == 0
    result = run_cli("ingest", str(EDITED), "--case", str(case), "--json")
    assert result.returncode == 0, result.stderr
    (entry,) = json.loads(result.stdout)
    codes = {c["check"] for c in entry["checks"]}
    assert "EDITING_SOFTWARE" in codes
    assert all(c["evidence"] == entry["evidence_id"] for c in entry["checks"])

    again = run_cli("ingest", str(EDITED), "--case", str(case))
    assert again.returncode == 0, again.stderr
    assert "warning:" in again.stdout and "EDITING_SOFTWARE" in again.stdout


def test_checks_are_findings_not_failures(tmp_path: Path) -> None:
    case = tmp_path / "case"
    assert run_cli("init", str(case)).returncode == 0
    result = run_cli("ingest", str(EDITED), "--case", str(case))
    assert result.returncode == 0
    assert "1 file(s): 1 new" in result.stdout


def test_ingest_records_a_georeferenced_raster_as_a_satellite_scene(tmp_path: Path) -> None:
    case = tmp_path / "case"
    assert run_cli("init", str(case)).returncode == 0
    scene = CORPUS / "rasterio" / "RGB.byte.tif"
    assert run_cli("ingest", str(scene), "--case", str(case)).returncode == 0
    (item,) = json.loads(run_cli("evidence", "list", "--case", str(case), "--json").stdout)
    assert item["kind"] == "satellite"
    log = json.loads(run_cli("log", "--case", str(case), "--json").stdout)
    actions = [e["action"] for e in log if e["action"] != "records"]
    assert actions[-2:] == ["ingest", "imagery.scene"]
