"""Scenes as evidence: the raster record, scene facts, links to incidents, annotations."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import rasterio
from pyproj import Geod, Transformer
from shapely.geometry import Point, shape
from sqlalchemy import select

from evidencelab.analysis.imagery.geometry import utm_epsg
from evidencelab.analysis.imagery.measures import measure_geometry
from evidencelab.analysis.imagery.render import nice_length_m
from evidencelab.analysis.imagery.timing import label_acquisition
from evidencelab.extract import Extractors
from evidencelab.locker.case import Case, CaseError
from evidencelab.service.imagery.annotations import annotate, annotations_geojson, list_annotations
from evidencelab.service.imagery.scenes import (
    link_all,
    register_scenes,
    scenes_for_incident,
    set_scene,
    show_scene,
)
from evidencelab.store.tables import CustodyEvent, EvidenceItem, IncidentEvidence
from test_imagery_fixtures import (
    LANDSAT,
    SITE_LAT,
    SITE_LON,
    add_incidents,
    huge_tiff,
    incident,
    ingest_file,
    texture,
    write_scene,
)

# rasterio's docs/cli.rst (`rio info`, `rio bounds`) and tests/test_checksum.py.
LANDSAT_BOUNDS = [101985.0, 2611485.0, 339315.0, 2826915.0]
LANDSAT_CHECKSUMS = [25420, 29131, 37860]
LANDSAT_CENTRE = (-77.75790625255473, 24.561583285327067)
LANDSAT_CORNERS = (-78.898133, 23.564991, -76.599438, 25.550874)


def test_landsat_scene_record_matches_published_reference() -> None:
    with Extractors() as extractors:
        result = extractors.extract(LANDSAT, name_hint=LANDSAT.name)
    assert result.errors == []
    raster = result.metadata_raw["raster"]
    assert raster["crs"] == "EPSG:32618"
    assert (raster["width"], raster["height"], raster["count"]) == (791, 718, 3)
    assert raster["dtypes"] == ["uint8"] * 3
    assert raster["nodata"] == 0.0
    assert raster["bounds"] == LANDSAT_BOUNDS
    assert raster["transform"][2] == 101985.0 and raster["transform"][5] == 2826915.0
    assert raster["checksums"] == LANDSAT_CHECKSUMS
    assert raster["resolution_m"] == pytest.approx((300.0379266750948 + 300.041782729805) / 2)
    # The valid-pixel footprint lies inside the four-corner box of `rio bounds` (0.1° slack
    # for edge curvature) and covers the published centre; it is smaller than the extent,
    # because Landsat's tilted swath leaves nodata corners.
    west, south, east, north = raster["lonlat_bounds"]
    assert LANDSAT_CORNERS[0] - 0.1 <= west and east <= LANDSAT_CORNERS[2] + 0.1
    assert LANDSAT_CORNERS[1] - 0.1 <= south and north <= LANDSAT_CORNERS[3] + 0.1
    footprint = shape(raster["footprint"])
    assert footprint.covers(Point(*LANDSAT_CENTRE))
    assert raster["footprint_method"].startswith("valid pixels")
    extent = (LANDSAT_CORNERS[2] - LANDSAT_CORNERS[0]) * (LANDSAT_CORNERS[3] - LANDSAT_CORNERS[1])
    assert footprint.area < 0.8 * extent
    # A no-data corner of the extent is outside the footprint.
    to_lonlat = Transformer.from_crs(32618, 4326, always_xy=True)
    assert not footprint.covers(Point(*to_lonlat.transform(102500.0, 2826400.0)))
    assert raster["acquired_at"] is None
    assert any("acquisition" in note for note in raster["notes"])


def test_ingested_landsat_becomes_a_satellite_scene(case: Case) -> None:
    evidence_id = ingest_file(case, LANDSAT)
    assert register_scenes(case) == [evidence_id]
    assert register_scenes(case) == []  # once only
    record = show_scene(case, evidence_id)
    assert record["kind"] == "satellite"
    assert record["georeferenced"] is True
    assert record["publishable"] is False  # until someone says otherwise
    with case.sessions() as session:
        events = list(
            session.scalars(select(CustodyEvent).where(CustodyEvent.action == "imagery.scene"))
        )
    assert len(events) == 1
    assert json.loads(events[0].payload)["kind"] == {"from": "photo", "to": "satellite"}


def test_acquisition_time_is_read_from_tags(case: Case, tmp_path: Path) -> None:
    path = write_scene(
        tmp_path / "tagged.tif",
        texture(64),
        tags={"ACQUISITION_DATETIME": "2022-02-26T08:41:00", "SATELLITE": "WorldView-3"},
    )
    evidence_id = ingest_file(case, path)
    record = show_scene(case, evidence_id)
    assert record["acquired_at"] == "2022-02-26T08:41:00Z"
    assert record["acquired_at_source"] == "tag ACQUISITION_DATETIME"
    assert record["provider"] == "WorldView-3"
    assert any("taken as UTC" in note for note in record["notes"])


def test_unreferenced_raster_is_preserved_and_says_so(case: Case, tmp_path: Path) -> None:
    path = tmp_path / "plain.tif"
    with rasterio.open(
        path, "w", driver="GTiff", width=40, height=30, count=1, dtype="uint8"
    ) as dataset:
        dataset.write(np.arange(1200, dtype=np.uint8).reshape(1, 30, 40))
    evidence_id = ingest_file(case, path)
    record = show_scene(case, evidence_id)
    assert record["georeferenced"] is False
    assert record["footprint"] is None and record["resolution_m"] is None
    assert any("not georeferenced" in note for note in record["notes"])
    assert record["kind"] == "photo"  # not claimed as a satellite scene
    assert case.objects.path(record["sha256"]).read_bytes() == path.read_bytes()
    with pytest.raises(CaseError, match="not georeferenced"):
        annotate(case, evidence_id, kind="crater", point=(10.0, 10.0), diameter_m=5.0)


def test_truncated_tiffs_are_preserved_with_an_extraction_error(case: Case, tmp_path: Path) -> None:
    whole = LANDSAT.read_bytes()
    header_lost = tmp_path / "header-lost.tif"  # GDAL writes this file's directory last
    header_lost.write_bytes(whole[:300_000])
    cog = write_scene(tmp_path / "cog.tif", texture(512), driver="COG")
    data_lost = tmp_path / "data-lost.tif"  # a COG's directory is first: the pixels go
    data_lost.write_bytes(cog.read_bytes()[: cog.stat().st_size // 2])
    for path, message in ((header_lost, "GDAL cannot open"), (data_lost, "pixel data unreadable")):
        evidence_id = ingest_file(case, path)
        with case.sessions() as session:
            item = session.get(EvidenceItem, evidence_id)
            assert item is not None
            errors = [e for e in item.extraction_errors if e["extractor"] == "raster"]
            assert len(errors) == 1 and message in errors[0]["message"], item.extraction_errors
            assert "raster" not in item.metadata_raw
        assert case.objects.path(item.sha256).read_bytes() == path.read_bytes()
    assert register_scenes(case) == []


def test_huge_dimension_header_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    bomb = huge_tiff(tmp_path / "bomb.tif")
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from evidencelab.extract import Extractors\n"
        "with Extractors() as extractors:\n"
        "    result = extractors.extract(Path(sys.argv[1]))\n"
        "status = Path('/proc/self/status').read_text().splitlines()\n"
        "peak = next(int(line.split()[1]) for line in status if line.startswith('VmHWM:'))\n"
        "print(json.dumps({'errors': [e.message for e in result.errors if e.extractor == 'raster'],"
        " 'maxrss_kb': peak}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(bomb)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(report["errors"]) == 1
    assert "200000x200000" in report["errors"][0] and "over the limit" in report["errors"][0]
    # 40 gigapixels were declared; the process stays at the size of the libraries. VmHWM is
    # this process's own peak: getrusage's ru_maxrss would keep the forking parent's peak
    # across exec, and the test process can be larger than the limit.
    assert report["maxrss_kb"] < 400_000


def test_scenes_link_to_incidents_they_cover_with_labels(case: Case, tmp_path: Path) -> None:
    add_incidents(
        case,
        tmp_path,
        [
            incident("strike", SITE_LAT, SITE_LON, "2022-02-24T10:30:00+02:00"),
            incident("elsewhere", 48.0, 37.8, "2022-02-24T10:30:00+02:00"),
        ],
    )
    before = ingest_file(case, write_scene(tmp_path / "a.tif", texture(200, seed=1)))
    after = ingest_file(case, write_scene(tmp_path / "b.tif", texture(200, seed=2)))
    register_scenes(case)
    with case.sessions() as session:
        links = sorted(
            (link.incident_id, link.evidence_id)
            for link in session.scalars(select(IncidentEvidence))
        )
    assert links == sorted([("strike", before), ("strike", after)])
    assert {r["label"] for r in scenes_for_incident(case, "strike")} == {"unknown"}
    set_scene(case, before, acquired_at="2022-02-20T08:00:00Z")
    set_scene(case, after, acquired_at="2022-02-24T13:00:00+03:00")  # 10:00 UTC
    labels = [(r["id"], r["label"]) for r in scenes_for_incident(case, "strike")]
    assert labels == [(before, "before"), (after, "after")]
    assert scenes_for_incident(case, "elsewhere") == []
    assert link_all(case) == []  # nothing new


def test_set_records_old_and_new_values_and_refuses_bad_input(case: Case, tmp_path: Path) -> None:
    evidence_id = ingest_file(case, write_scene(tmp_path / "a.tif", texture(64)))
    record = set_scene(
        case,
        evidence_id,
        acquired_at="2022-02-26T10:41:00+02:00",
        licence="CC BY 4.0",
        attribution="© Example Imaging",
        publishable=True,
        sensor="MSI",
    )
    assert record["acquired_at"] == "2022-02-26T08:41:00Z"
    assert record["acquired_at_source"] == "user"
    assert (record["licence"], record["attribution"], record["publishable"]) == (
        "CC BY 4.0",
        "© Example Imaging",
        True,
    )
    with case.sessions() as session:
        event = session.scalars(
            select(CustodyEvent).where(CustodyEvent.action == "imagery.set")
        ).one()
    payload = json.loads(event.payload)
    assert payload["from"]["publishable"] is False and payload["to"]["publishable"] is True
    with pytest.raises(CaseError, match="needs a UTC offset"):
        set_scene(case, evidence_id, acquired_at="2022-02-26T10:41:00")
    with pytest.raises(CaseError, match="no such evidence"):
        set_scene(case, "nope", licence="x")
    assert show_scene(case, evidence_id)["acquired_at"] == "2022-02-26T08:41:00Z"


def test_annotations_are_measured_geodesically(case: Case, tmp_path: Path) -> None:
    evidence_id = ingest_file(case, write_scene(tmp_path / "a.tif", texture(200)))
    geod = Geod(ellps="WGS84")
    lon2, lat2, _ = geod.fwd(SITE_LON, SITE_LAT, 90.0, 14.0)  # a line 14 m due east
    line = {"type": "LineString", "coordinates": [[SITE_LON, SITE_LAT], [lon2, lat2]]}
    crater = annotate(case, evidence_id, kind="crater", geometry=line, note="fresh")
    assert crater["diameter_m"] == pytest.approx(14.0, abs=1e-6)
    point = annotate(case, evidence_id, kind="crater", point=(SITE_LAT, SITE_LON), diameter_m=9.5)
    assert point["diameter_m"] == 9.5 and point["measures"] == {}
    with pytest.raises(CaseError, match="outside the footprint"):
        annotate(case, evidence_id, kind="crater", point=(10.0, 10.0), diameter_m=3.0)
    with pytest.raises(CaseError, match="kind 'tank'"):
        annotate(case, evidence_id, kind="tank", point=(SITE_LAT, SITE_LON))
    listed = list_annotations(case, evidence_id)
    assert [a["id"] for a in listed] == [crater["id"], point["id"]]
    assert all(a["author"] == "tester" for a in listed)
    features = annotations_geojson(case)["features"]
    assert features[0]["geometry"] == line and features[0]["properties"]["kind"] == "crater"


def test_polygon_measures_match_a_known_square() -> None:
    geod = Geod(ellps="WGS84")
    corners = [(0.0, 0.0)]
    lon, lat = 0.0, 0.0
    for azimuth in (90.0, 0.0, 270.0):
        lon, lat, _ = geod.fwd(lon, lat, azimuth, 100.0)
        corners.append((lon, lat))
    square = {"type": "Polygon", "coordinates": [[*corners, corners[0]]]}
    measures = measure_geometry(square)
    assert measures["area_m2"] == pytest.approx(10_000.0, rel=1e-3)
    assert measures["perimeter_m"] == pytest.approx(400.0, rel=1e-3)
    assert measures["equivalent_diameter_m"] == pytest.approx(2 * (10_000 / np.pi) ** 0.5, rel=1e-3)
    with pytest.raises(ValueError, match="not WGS84"):
        measure_geometry({"type": "Point", "coordinates": [500000.0, 5500000.0]})


@pytest.mark.parametrize(
    ("lat", "lon", "epsg"),
    [
        (50.45, 30.52, 32636),  # Kyiv
        (49.99, 36.23, 32637),  # Kharkiv
        (60.39, 5.32, 32632),  # Bergen: zone 32V is widened west
        (78.22, 15.65, 32633),  # Longyearbyen: Svalbard's zone 33X
        (-33.92, 18.42, 32734),  # Cape Town
        (24.56, -77.76, 32618),  # the Landsat scene's centre
    ],
)
def test_utm_zone(lat: float, lon: float, epsg: int) -> None:
    assert utm_epsg(lat, lon) == epsg


def test_labels_and_scale_lengths() -> None:
    interval = {"start": "2022-02-24T10:30:00+02:00", "end": "2022-02-24T12:00:00+02:00"}
    assert label_acquisition("2022-02-24T08:29:59Z", interval) == "before"
    assert label_acquisition("2022-02-24T08:30:00Z", interval) == "during"
    assert label_acquisition("2022-02-24T10:00:00Z", interval) == "during"
    assert label_acquisition("2022-02-24T10:00:01Z", interval) == "after"
    assert label_acquisition("2022-02-24T10:00:01Z", {"start": interval["start"]}) == "after"
    assert label_acquisition(None, interval) == "unknown"
    assert label_acquisition("2022-02-24T10:00:01", interval) == "unknown"  # no offset
    assert [nice_length_m(m) for m in (9.9, 10, 260, 4999, 12_800)] == [5, 10, 200, 2000, 10_000]
