"""`evidencelab context import | add | list | near | export` on a case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_helpers import run_cli

OSM = Path(__file__).parent / "corpus" / "osm"
LIECHTENSTEIN = OSM / "liechtenstein.osm.pbf"
OAKLAND = OSM / "West-Oakland.osm.bz2"
# A made-up incident in Vaduz, for `context near --incident`.
CASE_FILE = {
    "format": "evidencelab/case@1",
    "title": "Context test",
    "sources": [{"id": "report-1", "kind": "researcher"}],
    "incidents": [
        {
            "id": "vaduz-strike",
            "title": "Test incident",
            "place": {"name": "Vaduz", "lat": 47.1410, "lon": 9.5215},
        }
    ],
}


@pytest.fixture
def case_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "case"
    assert run_cli("init", str(folder)).returncode == 0
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(CASE_FILE), encoding="utf-8")
    imported = run_cli("import", str(case_file), "--case", str(folder))
    assert imported.returncode == 0, imported.stderr
    return folder


def cli_json(*args: str) -> object:
    result = run_cli(*args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_import_then_near_an_incident(case_dir: Path) -> None:
    imported = cli_json("context", "import", str(LIECHTENSTEIN), "--case", str(case_dir))
    assert isinstance(imported, dict) and imported["objects"] == 4568
    near = cli_json(
        "context",
        "near",
        "--incident",
        "vaduz-strike",
        "--radius",
        "10000",
        "--kind",
        "hospital",
        "--kind",
        "bunker",
        "--case",
        str(case_dir),
    )
    assert isinstance(near, dict) and near["point"] == {"lat": 47.1410, "lon": 9.5215}
    spital = [h for h in near["within"] if h["id"] == "way/486420157"]
    assert spital and spital[0]["distance_m"] == pytest.approx(662.75, abs=0.5)
    assert near["nearest_by_kind"]["bunker"]["id"] == "node/9270504897"
    assert near["nearest_by_kind"]["bunker"]["distance_m"] == pytest.approx(9555.9, abs=1)
    # The same answer as reading the file directly.
    from_file = cli_json(
        "context",
        "near",
        str(LIECHTENSTEIN),
        "--lat",
        "47.1410",
        "--lon",
        "9.5215",
        "--radius",
        "10000",
        "--kinds",
        "hospital,bunker",
    )
    assert isinstance(from_file, dict)
    assert [(h["ref"], h["distance_m"]) for h in from_file["within"]] == [
        (h["ref"], h["distance_m"]) for h in near["within"]
    ]
    again = run_cli("context", "import", str(LIECHTENSTEIN), "--case", str(case_dir))
    assert again.returncode == 0 and "already imported" in again.stdout


def test_add_list_near_and_export(case_dir: Path, tmp_path: Path) -> None:
    polygon = tmp_path / "base.geojson"
    polygon.write_text(
        json.dumps(
            {
                "type": "Feature",
                "properties": {},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[9.50, 47.13], [9.53, 47.13], [9.53, 47.15], [9.50, 47.15], [9.50, 47.13]]
                    ],
                },
            }
        ),
        encoding="utf-8",
    )
    added = cli_json(
        "context",
        "add",
        "--kind",
        "military_base",
        "--name",
        "Reported depot",
        "--geometry",
        str(polygon),
        "--basis",
        "Named in report 1",
        "--source",
        "report-1",
        "--id",
        "depot",
        "--case",
        str(case_dir),
    )
    assert isinstance(added, dict) and added["id"] == "depot" and added["source"] == "report-1"
    near = cli_json("context", "near", "--incident", "vaduz-strike", "--case", str(case_dir))
    assert isinstance(near, dict)
    assert [(h["id"], h["distance_m"], h["origin"]) for h in near["within"]] == [
        ("depot", 0.0, "manual")
    ]
    listed = cli_json("context", "list", "--kind", "military_base", "--case", str(case_dir))
    assert isinstance(listed, dict) and [o["id"] for o in listed["listed"]] == ["depot"]
    assert listed["by_kind"] == {"military_base": 1} and listed["imports"] == []
    out = tmp_path / "objects.geojson"
    exported = cli_json("context", "export", "--out", str(out), "--case", str(case_dir))
    assert exported == {"file": str(out), "features": 1}
    document = json.loads(out.read_text(encoding="utf-8"))
    [feature] = document["features"]
    assert feature["id"] == "depot" and feature["properties"]["kind"] == ["military_base"]
    assert feature["properties"]["evidencelab:basis"] == "Named in report 1"


def test_errors_are_one_line_and_leave_the_case_unchanged(case_dir: Path, tmp_path: Path) -> None:
    log = run_cli("log", "--case", str(case_dir), "--json").stdout
    truncated = tmp_path / "cut.osm.pbf"
    truncated.write_bytes(LIECHTENSTEIN.read_bytes()[:100_000])
    attempts = [
        ("context", "import", str(truncated)),
        (
            "context",
            "add",
            "--kind",
            "castle",
            "--name",
            "X",
            "--lat",
            "1",
            "--lon",
            "1",
            "--basis",
            "b",
        ),
        ("context", "add", "--kind", "school", "--name", "X", "--basis", "b"),
        ("context", "near", "--incident", "nowhere"),
        ("context", "near", "--lat", "47.1"),
        ("context", "near", "--lat", "47.1", "--lon", "9.5", "--kind", "castle"),
    ]
    for args in attempts:
        result = run_cli(*args, "--case", str(case_dir))
        assert result.returncode == 1, args
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert run_cli("log", "--case", str(case_dir), "--json").stdout == log
    assert cli_json("context", "list", "--case", str(case_dir)) == {
        "objects": 0,
        "by_origin": {},
        "by_kind": {},
        "imports": [],
        "listed": [],
    }
