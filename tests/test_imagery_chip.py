"""Chips around incidents, before/after comparison with a change map, chips for reports."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import rasterio
from PIL import Image
from pyproj import Transformer
from rasterio.enums import Resampling
from sqlalchemy import select

from evidencelab.analysis.imagery.change import change_map
from evidencelab.analysis.imagery.grid import chip_grid
from evidencelab.analysis.imagery.warp import read_to_grid
from evidencelab.locker.case import Case, CaseError
from evidencelab.service.imagery.chips import compare, make_chip, scene_chips_for_report
from evidencelab.service.imagery.scenes import set_scene
from evidencelab.store.objects import sha256_file
from evidencelab.store.tables import CustodyEvent, Derivative
from test_imagery_fixtures import (
    LANDSAT,
    SITE_LAT,
    SITE_LON,
    UTM37N,
    add_incidents,
    incident,
    ingest_file,
    site_xy,
    texture,
    write_scene,
)

# A place inside the Landsat scene (Andros Island, the Bahamas).
ANDROS = (24.56, -77.76)
STRIKE_START = "2022-02-24T10:30:00+02:00"


@pytest.fixture
def landsat_case(case: Case, tmp_path: Path) -> tuple[Case, str]:
    add_incidents(case, tmp_path, [incident("andros", *ANDROS, STRIKE_START)])
    evidence_id = ingest_file(case, LANDSAT)
    set_scene(
        case,
        evidence_id,
        acquired_at="2022-02-26T15:40:00Z",
        attribution="USGS Landsat 7 ETM+",
        licence="CC0 1.0",
        publishable=True,
    )
    return case, evidence_id


def test_chip_has_the_requested_extent_and_is_a_recorded_derivative(
    landsat_case: tuple[Case, str], tmp_path: Path
) -> None:
    case, scene = landsat_case
    out = tmp_path / "chip.png"
    result = make_chip(case, "andros", radius_m=20_000, out=out)
    params = result["params"]
    assert result["scene"] == scene and result["label"] == "after"
    assert params["epsg"] == 32618  # the place's own UTM zone
    assert params["width"] == params["height"] == 512  # 40 km at 300 m is 133 px: enlarged
    assert params["width"] * params["pixel_m"] == pytest.approx(40_000)
    with Image.open(out) as image:
        assert image.width == 512 and image.height > 512  # the caption band is below
    assert sha256_file(out) == result["sha256"]
    assert case.objects.path(result["sha256"]).read_bytes() == out.read_bytes()
    with case.sessions() as session:
        derivative = session.scalars(
            select(Derivative).where(Derivative.role == result["role"])
        ).one()
        event = session.scalars(
            select(CustodyEvent).where(CustodyEvent.action == "imagery.chip")
        ).one()
    assert derivative.evidence_id == scene and derivative.media_type == "image/png"
    payload = json.loads(event.payload)
    assert payload["scene"] == scene and payload["params"]["radius_m"] == 20_000
    assert payload["source_sha256"] == sha256_file(case.objects.path(payload["source_sha256"]))
    # The same chip again records nothing new; the scene itself is untouched.
    again = make_chip(case, "andros", radius_m=20_000)
    assert again["sha256"] == result["sha256"] and again["new"] is False
    assert sha256_file(case.objects.path(payload["source_sha256"])) == sha256_file(LANDSAT)


def test_chip_pixels_are_the_scene_pixels_at_the_place() -> None:
    """Nearest-neighbour reading onto the UTM grid puts under each chip pixel the scene's
    own pixel at that pixel's centre."""
    lat, lon = ANDROS
    grid = chip_grid(lat, lon, 3000.0, 300.0, min_px=20, max_px=20)
    assert grid.epsg == 32618  # the scene's own CRS: only resampling happens
    row, col = grid.height // 2, grid.width // 2
    x, y = grid.transform @ (col + 0.5, row + 0.5)  # that chip pixel's centre
    assert Transformer.from_crs(4326, 32618, always_xy=True).transform(lon, lat) == (
        pytest.approx(x - 150),
        pytest.approx(y + 150),
    )
    with rasterio.open(LANDSAT) as dataset:
        data, valid = read_to_grid(dataset, grid, 300.0, [1, 2, 3], Resampling.nearest)
        expected = next(dataset.sample([(x, y)]))
    assert valid[row, col]
    assert data[:, row, col].tolist() == expected.tolist()


def test_chip_refuses_places_no_scene_covers(
    landsat_case: tuple[Case, str], tmp_path: Path
) -> None:
    case, _ = landsat_case
    add_incidents(case, tmp_path, [incident("kyiv", 50.45, 30.52, STRIKE_START)])
    with pytest.raises(CaseError, match="no scene covers"):
        make_chip(case, "kyiv", out=tmp_path / "x.png")
    with pytest.raises(CaseError, match="no such incident"):
        make_chip(case, "nowhere")
    assert not (tmp_path / "x.png").exists()


def _pair(tmp_path: Path, changed: bool) -> tuple[Path, Path, tuple[int, int, int, int]]:
    """Before and after scenes (10 m pixels, 400 × 400) of the site; the after scene is
    darker overall (another sun and haze) and, if ``changed``, has a 30 × 30 px patch
    (300 m) burnt black 60 px east and 40 px north of the centre."""
    before = texture(400, seed=3, low=70, high=150)
    after = np.clip(before.astype(np.float32) * 0.8 + 10, 0, 255).astype(np.uint8)
    patch = (160 - 15, 260 - 15, 160 + 15, 260 + 15)  # rows, cols (centre row 160, col 260)
    if changed:
        after[:, patch[0] : patch[2], patch[1] : patch[3]] = 0
    tags_b = {"ACQUISITION_DATETIME": "2022-02-20T08:00:00Z"}
    tags_a = {"ACQUISITION_DATETIME": "2022-02-27T08:00:00Z"}
    return (
        write_scene(tmp_path / "before.tif", before, tags=tags_b),
        write_scene(tmp_path / "after.tif", after, tags=tags_a),
        patch,
    )


def test_change_map_finds_a_changed_patch(case: Case, tmp_path: Path) -> None:
    add_incidents(case, tmp_path, [incident("site", SITE_LAT, SITE_LON, STRIKE_START)])
    before_path, after_path, patch = _pair(tmp_path, changed=True)
    before, after = ingest_file(case, before_path), ingest_file(case, after_path)
    out = tmp_path / "compare.png"
    result = compare(case, "site", radius_m=1500, out=out)
    assert (result["before"]["scene"], result["after"]["scene"]) == (before, after)
    assert result["threshold_sigma"] == 2.0
    region = result["regions"][0]
    # The patch's centre, in lon/lat, from its pixel position in the scenes.
    x0, y0 = site_xy()
    x = x0 - 200 * 10 + (patch[1] + patch[3]) / 2 * 10
    y = y0 + 200 * 10 - (patch[0] + patch[2]) / 2 * 10
    lon, lat = Transformer.from_crs(UTM37N, 4326, always_xy=True).transform(x, y)
    pixel = result["params"]["pixel_m"]
    assert abs(region["centre"][0] - lat) * 111_320 < 3 * pixel
    assert abs(region["centre"][1] - lon) * 111_320 * np.cos(np.radians(lat)) < 3 * pixel
    assert region["width_m"] == pytest.approx(300, abs=4 * pixel)
    assert region["height_m"] == pytest.approx(300, abs=4 * pixel)
    assert result["changed_area_m2"] == pytest.approx(300 * 300, rel=0.15)
    assert len(result["regions"]) == 1
    with Image.open(out) as image:
        assert image.width == 3 * result["params"]["width"] + 2 * 8
    with case.sessions() as session:
        event = session.scalars(
            select(CustodyEvent).where(CustodyEvent.action == "imagery.compare")
        ).one()
    payload = json.loads(event.payload)
    assert (payload["before"], payload["after"]) == (before, after)
    assert payload["params"]["threshold_sigma"] == 2.0


def test_identical_scenes_show_no_change(case: Case, tmp_path: Path) -> None:
    add_incidents(case, tmp_path, [incident("site", SITE_LAT, SITE_LON, STRIKE_START)])
    before_path, after_path, _ = _pair(tmp_path, changed=False)
    ingest_file(case, before_path)
    ingest_file(case, after_path)
    result = compare(case, "site", radius_m=1500)
    assert result["valid_pixels"] > 0
    assert result["changed_pixels"] == 0 and result["regions"] == []


def test_compare_needs_a_scene_on_each_side(landsat_case: tuple[Case, str]) -> None:
    case, _ = landsat_case
    with pytest.raises(CaseError, match="no scene covering its place was acquired before it"):
        compare(case, "andros")


def test_change_measure_ignores_gain_and_offset() -> None:
    rng = np.random.default_rng(5)
    before = rng.integers(90, 130, (3, 64, 64)).astype(np.uint8)
    after = (before.astype(np.float32) * 1.2 + 20).astype(np.uint8)
    valid = np.ones((64, 64), dtype=bool)
    assert change_map(before, after, valid).changed_pixels == 0
    after[:, 10:20, 30:40] = 255
    result = change_map(before, after, valid)
    assert result.regions and result.regions[0] == (10, 30, 19, 39)


def test_report_chips_leave_out_unpublishable_scenes_in_public(
    landsat_case: tuple[Case, str], tmp_path: Path
) -> None:
    case, scene = landsat_case
    private = scene_chips_for_report(case, "andros", public=False)
    public = scene_chips_for_report(case, "andros", public=True)
    assert [c["scene"] for c in private] == [c["scene"] for c in public] == [scene]
    chip = public[0]
    assert chip["label"] == "after" and chip["attribution"] == "USGS Landsat 7 ETM+"
    assert chip["acquired_at"] == "2022-02-26T15:40:00Z"
    assert sha256_file(Path(chip["path"])) == chip["sha256"]
    set_scene(case, scene, publishable=False)
    assert scene_chips_for_report(case, "andros", public=True) == []
    assert len(scene_chips_for_report(case, "andros", public=False)) == 1
