"""The packaged demo case and its generated illustrative media."""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from evidencelab.analysis.casualties import (
    case_casualties,
    finding_sentence,
    incident_casualties_for_case,
)
from evidencelab.demo_media import demo_case_path, write_demo_case, write_demo_media
from evidencelab.model.casefile import load_case_file


@pytest.fixture(scope="module")
def case() -> dict[str, Any]:
    data = yaml.safe_load(demo_case_path().read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    paths: list[Path] = write_demo_media(tmp_path_factory.mktemp("demo"))
    return paths


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _exiftool(paths: list[Path]) -> dict[str, dict[str, Any]]:
    exiftool = shutil.which("exiftool")
    assert exiftool, "ExifTool must be installed to check the written metadata"
    out = subprocess.run(
        [exiftool, "-j", "-n", *map(str, paths)], check=True, capture_output=True, text=True
    ).stdout
    return {Path(item["SourceFile"]).name: item for item in json.loads(out)}


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance on a 6371 km sphere; ample for a few-kilometre check."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def test_demo_case_is_packaged_format_v1(case: dict[str, Any]) -> None:
    assert demo_case_path().name == "case.yaml"
    assert case["format"] == "evidencelab/case@1"
    assert "(demo)" in case["title"]
    source_ids = {s["id"] for s in case["sources"]}
    evidence_ids = {e["id"] for e in case["evidence"]}
    witness = next(s for s in case["sources"] if s["id"] == "local-source-vuhledar")
    assert (witness["kind"], witness["sensitive"], witness["reliability"]) == (
        "witness",
        True,
        "medium",
    )
    for entry in case["evidence"]:
        assert entry["source"] in source_ids
        assert entry["kind"] == "photo" and entry["illustrative"] is True
        assert "not evidence of the incident" in entry["note"]
    linked = [eid for inc in case["incidents"] for eid in inc["evidence"]]
    assert sorted(linked) == sorted(evidence_ids)  # every item linked exactly once
    for inc in case["incidents"]:
        assert inc["time"]["start"].utcoffset() == timedelta(hours=2)
        assert all(report["source"] in source_ids for report in inc["casualties"])


def test_incident_facts_match_the_seed(case: dict[str, Any]) -> None:
    incidents = {inc["id"]: inc for inc in case["incidents"]}
    vuhledar = incidents["vuhledar-2022-02-24"]
    assert vuhledar["weapon"]["munition"] == "9M79 Tochka"
    assert vuhledar["time"] == {
        "start": datetime.fromisoformat("2022-02-24T10:30:00+02:00"),
        "end": None,
        "approximate": True,
    }
    local = next(r for r in vuhledar["casualties"] if r["source"] == "local-source-vuhledar")
    assert local["killed"] == {"count": 4, "qualifier": "at_least", "women": 2, "men": 2}
    assert local["injured"]["healthcare_workers"] == 6
    chuhuiv = incidents["chuhuiv-2022-02-24"]
    assert chuhuiv["weapon"]["munition"] is None
    assert chuhuiv["military_objective"]["name"] == "Chuhuiv Air Base"
    uman = incidents["uman-2022-02-24"]
    assert uman["time"]["approximate"] is False
    assert uman["time"]["start"] == datetime.fromisoformat("2022-02-24T07:00:00+02:00")


def test_packaged_case_gives_the_seed_finding() -> None:
    """Through the real loader and aggregation: Amnesty's headline, 6 killed and 12 injured."""
    case_file = load_case_file(demo_case_path())
    totals = case_casualties(incident_casualties_for_case(case_file))
    assert finding_sentence(len(case_file.incidents), totals) == (
        "3 incidents, at least 6 civilians killed and at least 12 injured"
    )


def test_every_evidence_path_is_written(case: dict[str, Any], media: list[Path]) -> None:
    out_dir = media[0].parent.parent
    assert sorted(p.relative_to(out_dir).as_posix() for p in media) == sorted(
        e["path"] for e in case["evidence"]
    )
    for path in media:
        assert path.read_bytes()[:3] == b"\xff\xd8\xff"  # JPEG SOI marker


def test_output_is_byte_identical_across_runs(media: list[Path], tmp_path: Path) -> None:
    again = write_demo_media(tmp_path / "again")
    assert [_sha256(p) for p in again] == [_sha256(p) for p in media]
    # A fresh interpreter with another hash seed must agree too (no set/dict-order luck).
    script = "import sys; from pathlib import Path; from evidencelab.demo_media import "
    script += "write_demo_media; write_demo_media(Path(sys.argv[1]))"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "fresh")], check=True, env=env)
    fresh = [tmp_path / "fresh" / p.relative_to(media[0].parent.parent) for p in media]
    assert [_sha256(p) for p in fresh] == [_sha256(p) for p in media]


def test_exiftool_reads_back_time_and_position(case: dict[str, Any], media: list[Path]) -> None:
    meta = _exiftool(media)
    first = meta["vuhledar-remnant-1.jpg"]
    assert (first["DateTimeOriginal"], first["OffsetTimeOriginal"]) == (
        "2022:02:24 10:50:00",
        "+02:00",
    )
    assert first["GPSLatitude"] == pytest.approx(47.77917, abs=1e-6)
    assert first["GPSLongitude"] == pytest.approx(37.24833, abs=1e-6)
    # Second picture of an incident: 25 min later, 0.0009 deg N and 0.0012 deg E of the first.
    second = meta["uman-street-1.jpg"]
    assert (second["DateTimeOriginal"], second["OffsetTimeOriginal"]) == (
        "2022:02:24 07:45:00",
        "+02:00",
    )
    assert second["GPSLatitude"] == pytest.approx(48.7509, abs=1e-6)
    assert second["GPSLongitude"] == pytest.approx(30.21787, abs=1e-6)
    assert second["GPSDateTime"] == "2022:02:24 05:45:00Z"

    for inc in case["incidents"]:
        place, start = inc["place"], inc["time"]["start"]
        for eid in inc["evidence"]:
            item = meta[f"{eid}.jpg"]
            assert (item["Make"], item["Model"]) == ("evidencelab", "demo generator")
            assert "not evidence of the incident" in item["ImageDescription"]
            assert (item["ImageWidth"], item["ImageHeight"]) == (800, 600)
            taken = datetime.strptime(
                item["DateTimeOriginal"] + item["OffsetTimeOriginal"], "%Y:%m:%d %H:%M:%S%z"
            )
            assert start < taken <= start + timedelta(hours=1)
            distance = _metres(
                place["lat"], place["lon"], item["GPSLatitude"], item["GPSLongitude"]
            )
            assert distance < place["precision_m"]


def test_write_demo_case_builds_an_importable_folder(tmp_path: Path) -> None:
    case_file = write_demo_case(tmp_path / "case")
    case = yaml.safe_load(case_file.read_text(encoding="utf-8"))
    assert case_file.read_bytes() == demo_case_path().read_bytes()
    for entry in case["evidence"]:
        assert (case_file.parent / entry["path"]).is_file()
