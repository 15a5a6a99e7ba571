"""GeoJSON and ACLED-style CSV exports of the demo case."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from case_copies import DemoTemplate, copy_case
from evidencelab.analysis.casualties import incident_casualties_for_case
from evidencelab.locker.case import open_case
from evidencelab.model import CaseFile
from evidencelab.publish.exports import CSV_COLUMNS, incidents_csv, incidents_geojson
from evidencelab.service.exchange.casefile import export_case


@pytest.fixture(scope="module")
def demo(
    demo_template: DemoTemplate, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CaseFile]:
    out = copy_case(demo_template.root, tmp_path_factory.mktemp("exports") / "demo")
    with open_case(out, actor="tester") as case:
        yield export_case(case)


def test_geojson_has_three_incident_points_with_minima(demo: CaseFile) -> None:
    figures = incident_casualties_for_case(demo)
    parsed = json.loads(json.dumps(incidents_geojson(demo, figures)))
    assert parsed["type"] == "FeatureCollection"
    features = parsed["features"]
    assert [f["properties"]["killed_min"] for f in features] == [4, 1, 1]
    vuhledar = features[0]
    assert vuhledar["geometry"] == {"type": "Point", "coordinates": [37.24833, 47.77917]}
    props = vuhledar["properties"]
    assert props["start"] == "2022-02-24T10:30:00+02:00"
    assert (props["place"], props["admin1"], props["country"]) == (
        "Vuhledar",
        "Donetsk region",
        "UA",
    )
    assert props["precision_m"] == 1500
    assert props["weapon"] == "9M79 Tochka"
    assert props["injured_min"] == 10


def test_csv_parses_back_with_acled_columns(demo: CaseFile) -> None:
    figures = incident_casualties_for_case(demo)
    text = incidents_csv(demo, figures, demo.sources)
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
    rows = list(reader)
    assert len(rows) == 3
    assert [r["fatalities"] for r in rows] == ["4", "1", "1"]
    first = rows[0]
    assert first["event_date"] == "2022-02-24"
    assert (first["admin1"], first["location"]) == ("Donetsk region", "Vuhledar")
    assert (float(first["latitude"]), float(first["longitude"])) == (47.77917, 37.24833)
    assert first["time_local"] == "2022-02-24T10:30:00+02:00"
    assert first["event_id"] == "vuhledar-2022-02-24"
    assert first["injured_min"] == "10"
    assert "Ballistic missile strike" in first["notes"]
    assert "amnesty-press-release-2022-02" in first["source"]


def test_csv_public_masks_sensitive_sources(demo: CaseFile) -> None:
    figures = incident_casualties_for_case(demo)
    internal = incidents_csv(demo, figures)
    public = incidents_csv(demo, figures, public=True)
    assert "local-source-vuhledar" in internal
    assert "local-source-vuhledar" not in public
    assert "protected source" in public


def test_csv_quotes_commas_and_newlines(demo: CaseFile) -> None:
    figures = incident_casualties_for_case(demo)
    rows = list(csv.DictReader(io.StringIO(incidents_csv(demo, figures))))
    # Titles hold commas ("…, Vuhledar"); they come back whole.
    assert rows[0]["notes"].startswith("Ballistic missile strike near a hospital, Vuhledar")


def test_files_are_utf8(demo: CaseFile, tmp_path: Path) -> None:
    figures = incident_casualties_for_case(demo)
    path = tmp_path / "incidents.csv"
    path.write_text(incidents_csv(demo, figures), encoding="utf-8", newline="")
    with open(path, encoding="utf-8", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 3
