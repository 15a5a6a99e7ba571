"""The imagery commands as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image
from pyproj import Geod

from cli_helpers import run_cli
from test_imagery_fixtures import LANDSAT

SCENE = "d7cbe932c7ed"  # the Landsat file's SHA-256 prefix, its default evidence id
INCIDENTS = """\
format: evidencelab/case@1
title: Imagery
incidents:
  - id: andros
    title: Example incident
    time: {start: 2022-02-24T10:30:00-05:00, end: null, approximate: true}
    place: {name: Andros, lat: 24.56, lon: -77.76, precision_m: 250}
"""


def _ok(*args: str) -> str:
    done = run_cli(*args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_scene_set_chip_and_annotations(tmp_path: Path) -> None:
    case = str(tmp_path / "case")
    (tmp_path / "incidents.yaml").write_text(INCIDENTS)
    _ok("init", case)
    _ok("import", str(tmp_path / "incidents.yaml"), "--case", case)
    _ok("ingest", str(LANDSAT), "--case", case)
    [scene] = json.loads(_ok("imagery", "scenes", "--case", case, "--json"))
    assert scene["id"] == SCENE and scene["kind"] == "satellite"
    record = json.loads(
        _ok(
            "imagery", "set", SCENE, "--acquired-at", "2022-02-26T15:40:00Z",
            "--licence", "CC0 1.0", "--attribution", "USGS", "--publishable",
            "--sensor", "ETM+", "--case", case, "--json",
        )
    )  # fmt: skip
    assert (record["publishable"], record["sensor"]) == (True, "ETM+")
    [linked] = json.loads(
        _ok("imagery", "scenes", "--incident", "andros", "--case", case, "--json")
    )
    assert linked["label"] == "after"
    out = tmp_path / "chip.png"
    chip = json.loads(
        _ok(
            "imagery", "chip", "--incident", "andros", "--radius", "10000",
            "--out", str(out), "--case", case, "--json",
        )
    )  # fmt: skip
    assert chip["params"]["width"] == 512 and chip["scene"] == SCENE
    with Image.open(out) as image:
        assert image.format == "PNG" and image.width == 512
    lon2, lat2, _ = Geod(ellps="WGS84").fwd(-77.76, 24.56, 45.0, 25.0)
    line = tmp_path / "crater.geojson"
    line.write_text(
        json.dumps(
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "LineString", "coordinates": [[-77.76, 24.56], [lon2, lat2]]},
            }
        )
    )
    crater = json.loads(
        _ok(
            "imagery", "annotate", SCENE, "--kind", "crater", "--geometry", str(line),
            "--case", case, "--json",
        )
    )  # fmt: skip
    assert abs(crater["diameter_m"] - 25.0) < 1e-6
    collection = json.loads(_ok("imagery", "annotations", "--geojson", "--case", case))
    assert collection["features"][0]["properties"]["kind"] == "crater"
    assert "crater" in _ok("imagery", "annotations", "--case", case)
    # The chip with annotations is another derived work; made once, then reused.
    args = ["imagery", "chip", "--incident", "andros", "--radius", "10000", "--annotations"]
    drawn = _ok(*args, "--out", str(tmp_path / "drawn.png"), "--case", case)
    assert "1. annotation 1: crater" in drawn and "stored already" not in drawn
    again = _ok(*args, "--out", str(tmp_path / "again.png"), "--case", case)
    assert "(stored already)" in again
    assert (tmp_path / "drawn.png").read_bytes() == (tmp_path / "again.png").read_bytes()
    assert (tmp_path / "drawn.png").read_bytes() != out.read_bytes()


def test_errors_are_one_line_and_change_nothing(tmp_path: Path) -> None:
    case = str(tmp_path / "case")
    (tmp_path / "incidents.yaml").write_text(INCIDENTS)
    _ok("init", case)
    _ok("import", str(tmp_path / "incidents.yaml"), "--case", case)
    _ok("ingest", str(LANDSAT), "--case", case)
    _ok("imagery", "scenes", "--case", case)
    log = _ok("log", "--case", case, "--json")
    for args, message in (
        (["imagery", "set", SCENE, "--acquired-at", "yesterday"], "acquired-at 'yesterday'"),
        (["imagery", "annotate", SCENE, "--kind", "crater", "--point", "10", "10"], "outside"),
        (["imagery", "compare", "--incident", "andros", "--out", "x.png"], "no scene covering"),
        (["imagery", "chip", "--incident", "nowhere", "--out", "x.png"], "no such incident"),
    ):
        done = run_cli(*args, "--case", case, cwd=tmp_path)
        assert done.returncode == 1
        assert len(done.stderr.strip().splitlines()) == 1 and message in done.stderr
    assert not (tmp_path / "x.png").exists()
    assert _ok("log", "--case", case, "--json") == log
