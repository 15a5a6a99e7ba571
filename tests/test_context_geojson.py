"""GeoJSON: round trip of OSM-derived objects, explicit kinds, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evidencelab.analysis.context.geojson import read_geojson, to_geojson, write_geojson
from evidencelab.analysis.context.objects import ContextDataError
from evidencelab.analysis.context.osm import read_osm

WEST_OAKLAND = Path(__file__).parent / "corpus" / "osm" / "West-Oakland.osm.bz2"


def test_round_trip_keeps_ids_kinds_tags_and_geometry(tmp_path: Path) -> None:
    original = read_osm(WEST_OAKLAND)
    path = tmp_path / "context.geojson"
    write_geojson(original, path)
    again = read_geojson(path)
    assert len(again) == len(original) == 5
    for before, after in zip(original, again, strict=True):
        assert (after.ref, after.osm_type, after.osm_id) == (
            before.ref,
            before.osm_type,
            before.osm_id,
        )
        assert after.kinds == before.kinds and after.name == before.name
        assert dict(after.tags) == dict(before.tags)
        assert after.geometry.equals_exact(before.geometry, 0.0)
    assert to_geojson(again) == to_geojson(original)


def test_explicit_kind_and_properties_as_tags(tmp_path: Path) -> None:
    document = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [36.886, 49.817]},
                "properties": {"name": "Likely target from reporting", "kind": "military_base"},
            },
            {
                "type": "Feature",
                "id": "way/1",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[37.0, 47.0], [37.01, 47.0], [37.01, 47.01], [37.0, 47.0]]],
                },
                "properties": {"amenity": "hospital", "kind": ["shelter"], "levels": 3},
            },
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [0, 0]},
                "properties": {"amenity": "bench"},
            },
        ],
    }
    path = tmp_path / "manual.geojson"
    path.write_text(json.dumps(document))
    target, hospital = read_geojson(path)
    assert target.kinds == {"military_base"} and target.category == "military"
    assert target.ref == "manual.geojson#0" and target.osm_id is None
    assert hospital.kinds == {"hospital", "shelter"}
    assert (hospital.osm_type, hospital.osm_id) == ("way", 1)
    assert hospital.tags == {"amenity": "hospital", "levels": "3"}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "invalid JSON at line 1"),
        ('{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
        ('{"type": "FeatureCollection", "features": {}}', "'features' must be a list"),
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},'
            ' "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}}]}',
            "features[0]: geometry must be a Point, Polygon or MultiPolygon, not LineString",
        ),
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature",'
            ' "properties": {"kind": "target"},'
            ' "geometry": {"type": "Point", "coordinates": [0, 0]}}]}',
            "features[0]: unknown kind 'target'",
        ),
    ],
)
def test_bad_geojson_gives_one_line_errors(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "bad.geojson"
    path.write_text(content)
    with pytest.raises(ContextDataError) as caught:
        read_geojson(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{path}: ") and problem in message


def test_missing_geojson(tmp_path: Path) -> None:
    with pytest.raises(ContextDataError, match="file not found"):
        read_geojson(tmp_path / "absent.geojson")
