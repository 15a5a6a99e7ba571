"""`evidencelab sun …`: runs printed as JSON, and stored as re-runnable findings."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from cli_helpers import run_cli
from evidencelab.locker.case import Case
from evidencelab.locker.ingest import IngestRequest, ingest
from evidencelab.locker.verify import verify_case
from evidencelab.service.evidence.items import show_evidence
from evidencelab.service.verification.chronolocation import shadow_times_run
from evidencelab.service.verification.findings import record_finding

VUHLEDAR = ["--lat", "47.78", "--lon", "37.25"]


def test_position_json_uses_the_place_time_zone() -> None:
    result = run_cli("sun", "position", *VUHLEDAR, "--time", "2022-02-24T08:30:00Z", "--json")
    assert result.returncode == 0, result.stderr
    r = json.loads(result.stdout)["result"]
    assert r["time_local"] == "2022-02-24T10:30:00+02:00"  # Europe/Kyiv, found offline
    assert r["apparent_elevation_deg"] == pytest.approx(30.508, abs=0.001)
    assert r["azimuth_deg"] == pytest.approx(158.65, abs=0.01)
    assert r["solar_noon"].startswith("2022-02-24T11:44")


def test_naive_time_is_refused_with_one_line() -> None:
    result = run_cli("sun", "position", *VUHLEDAR, "--time", "2022-02-24T10:30:00")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: --time '2022-02-24T10:30:00': needs a UTC offset, e.g. Z or +02:00"
    )


def test_times_from_a_shadow_with_and_without_azimuth() -> None:
    base = [
        "sun",
        "times",
        *VUHLEDAR,
        "--date",
        "2022-02-24",
        "--object-height",
        "10",
        "--shadow-length",
        "17",
        "--length-uncertainty",
        "0.3",
        "--json",
    ]
    both = json.loads(run_cli(*base).stdout)["result"]["windows"]
    assert [w["part_of_day"] for w in both] == ["morning", "afternoon"]
    assert both[0]["start"] < "2022-02-24T10:30:00+02:00" < both[0]["end"]
    # The shadow of a 10:30 sun (azimuth 158.6°) points to 338.6°: only the morning fits.
    morning = json.loads(run_cli(*base, "--shadow-azimuth", "338.6").stdout)["result"]["windows"]
    assert [w["part_of_day"] for w in morning] == ["morning"]


def test_places_band_writes_geojson(tmp_path: Path) -> None:
    out = tmp_path / "band.geojson"
    result = run_cli(
        "sun",
        "places",
        "--time",
        "2022-02-24T08:30:00Z",
        "--object-height",
        "10",
        "--shadow-length",
        "17",
        "--length-uncertainty",
        "0.3",
        "--bbox",
        "20,40,50,60",
        "--step",
        "0.5",
        "--out",
        str(out),
        "--json",
    )
    assert result.returncode == 0, result.stderr
    band = json.loads(out.read_text(encoding="utf-8"))
    assert band["type"] == "FeatureCollection"
    cells = json.loads(result.stdout)["result"]["cells"]
    assert cells == len(band["features"]) > 0
    # Vuhledar's cell (47.5–48.0 N, 37.0–37.5 E) is in the band
    assert any(f["geometry"]["coordinates"][0][0] == [37.0, 47.5] for f in band["features"])


def test_run_stored_as_finding_reruns_to_the_same_result(
    case: Case, loose_files: list[Path]
) -> None:
    [outcome] = ingest(case, [IngestRequest(path=loose_files[0])], extractors=[])
    evidence_id = outcome.evidence_id or ""
    result = run_cli(
        "sun",
        "times",
        *VUHLEDAR,
        "--date",
        "2022-02-24",
        "--object-height",
        "10",
        "--shadow-length",
        "17",
        "--evidence",
        evidence_id,
        "--case",
        str(case.root),
        "--json",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["stored"]["evidence"] == evidence_id
    [finding] = show_evidence(case, evidence_id)["findings"]
    assert finding["author"] == "analyst"
    inputs = dict(finding["inputs"])
    rerun = shadow_times_run(inputs.pop("lat"), inputs.pop("lon"), inputs.pop("date"), **inputs)
    assert rerun["result"] == finding["result"]
    assert verify_case(case).intact


def test_a_changed_finding_is_named_by_verify(case: Case, loose_files: list[Path]) -> None:
    [outcome] = ingest(case, [IngestRequest(path=loose_files[0])], extractors=[])
    stored = record_finding(
        case,
        outcome.evidence_id or "",
        {"kind": "chronolocation.test", "method": "m", "inputs": {"a": 1}, "result": {"b": 2}},
    )
    case.close()
    with sqlite3.connect(case.root / "case.sqlite") as db:
        db.execute("UPDATE finding SET result = '{\"b\": 3}'")
    assert verify_case(case).problems == [
        f"finding {stored['finding']} on evidence {outcome.evidence_id}: changed since custody "
        f"event {stored['custody_event']} recorded it",
        f"finding {stored['finding']}: field result.b is 3, custody event "
        f"{stored['custody_event'] + 1} logged 2",
    ]
