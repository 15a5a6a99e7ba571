"""`evidencelab context near`: the Vaduz example of the OSM corpus README."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_helpers import run_cli

LIECHTENSTEIN = Path(__file__).parent / "corpus" / "osm" / "liechtenstein.osm.pbf"
VADUZ = ["--lat", "47.1410", "--lon", "9.5215"]


def test_hospital_within_one_km_and_bunker_within_ten() -> None:
    near = json.loads(
        run_cli(
            "context",
            "near",
            str(LIECHTENSTEIN),
            *VADUZ,
            "--radius",
            "1000",
            "--kinds",
            "hospital",
            "--json",
        ).stdout
    )
    spital = [h for h in near["within"] if h["ref"] == "way/486420157"]
    assert spital and spital[0]["name"] == "Liechtensteinisches Landesspital"
    assert spital[0]["distance_m"] == pytest.approx(662.75, abs=0.5)  # to the polygon edge
    far = json.loads(
        run_cli(
            "context",
            "near",
            str(LIECHTENSTEIN),
            *VADUZ,
            "--radius",
            "10000",
            "--kinds",
            "bunker",
            "--json",
        ).stdout
    )
    assert [h["ref"] for h in far["within"]] == ["node/9270504897"]
    assert far["within"][0]["distance_m"] == pytest.approx(9555.9, abs=1)
    assert far["within"][0]["category"] == "military"


def test_bad_inputs_are_one_line_errors(tmp_path: Path) -> None:
    junk = tmp_path / "junk.osm.pbf"
    junk.write_bytes(b"not a pbf")
    result = run_cli("context", "near", str(junk), *VADUZ)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and str(junk) in result.stderr
    unknown = run_cli("context", "near", str(LIECHTENSTEIN), *VADUZ, "--kinds", "castle")
    assert unknown.returncode == 1 and "unknown castle" in unknown.stderr
