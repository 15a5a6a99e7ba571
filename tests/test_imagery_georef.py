"""Scenes beyond a plain geotransform: footprints across the antimeridian (split per
RFC 7946 §3.1.9), rasters georeferenced only by ground control points (footprint and
chips through the GCP transform) and only by RPCs (approximate footprint, no chips)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from PIL import Image
from pyproj import Transformer
from rasterio.control import GroundControlPoint
from rasterio.rpc import RPC
from rasterio.transform import from_origin
from shapely.geometry import shape

from evidencelab.extract.raster import describe_raster
from evidencelab.locker.case import Case, CaseError
from evidencelab.service.imagery.chips import make_chip, scene_chips_for_report
from evidencelab.service.imagery.scenes import scenes_for_incident
from evidencelab.service.outputs.report import render
from test_imagery_fixtures import (
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

STRIKE = "2022-02-24T10:30:00+02:00"
ALEUTIANS_LAT = 52.0


def _straddling_scene(path: Path, epsg: int) -> Path:
    """A 20 × 20 km scene (100 m pixels, one grey band) centred on 52° N, 180°."""
    x, y = Transformer.from_crs(4326, epsg, always_xy=True).transform(180.0, ALEUTIANS_LAT)
    size, pixel = 200, 100.0
    transform = from_origin(x - size * pixel / 2, y + size * pixel / 2, pixel, pixel)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=size,
        height=size,
        count=1,
        dtype="uint8",
        crs=f"EPSG:{epsg}",
        transform=transform,
    ) as dataset:
        dataset.write(np.full((1, size, size), 120, dtype=np.uint8))
    return path


# UTM 60N (central meridian 177° E; scale about 1) and PDC Mercator (EPSG:3832, centred on
# 150° E; at 52° N one of its metres is cos 52° = 0.62 ground metres): the box's half-sizes
# in longitude and latitude (the UTM square is turned by the meridian convergence, so its
# box is wider than its side) and the area in square degrees (ground area / (111.3 km ×
# 68.7 km per square degree at 52° N)).
@pytest.mark.parametrize(
    ("epsg", "half_lon", "half_lat", "area_deg2"),
    [(32660, 0.151, 0.093, 0.0523), (3832, 0.0898, 0.0553, 0.0199)],
)
def test_footprint_across_the_antimeridian_is_split(
    tmp_path: Path, epsg: int, half_lon: float, half_lat: float, area_deg2: float
) -> None:
    with rasterio.open(_straddling_scene(tmp_path / "scene.tif", epsg)) as dataset:
        record = describe_raster(dataset)
    footprint = record["footprint"]
    assert footprint["type"] == "MultiPolygon" and len(footprint["coordinates"]) == 2
    parts = sorted(
        (shape({"type": "Polygon", "coordinates": c}) for c in footprint["coordinates"]),
        key=lambda p: p.bounds[0],
    )
    assert parts[0].bounds[0] == -180 and parts[1].bounds[2] == 180
    west, south, east, north = record["lonlat_bounds"]
    assert west == pytest.approx(180 - half_lon, abs=0.005)
    assert east == pytest.approx(-180 + half_lon, abs=0.005)
    assert south == pytest.approx(ALEUTIANS_LAT - half_lat, abs=0.005)
    assert north == pytest.approx(ALEUTIANS_LAT + half_lat, abs=0.005)
    assert any("antimeridian" in note for note in record["notes"])
    total = sum(p.area for p in parts)
    assert total == pytest.approx(area_deg2, rel=0.02)  # not a band round the globe


def test_incidents_either_side_of_the_antimeridian_are_covered(case: Case, tmp_path: Path) -> None:
    add_incidents(
        case,
        tmp_path,
        [
            incident("east", ALEUTIANS_LAT, 179.99, STRIKE),
            incident("west", ALEUTIANS_LAT, -179.99, STRIKE),
            incident("greenwich", ALEUTIANS_LAT, 0.0, STRIKE),
            incident("beyond", ALEUTIANS_LAT, -179.5, STRIKE),
        ],
    )
    scene = ingest_file(case, _straddling_scene(tmp_path / "scene.tif", 32660))
    for incident_id, covered in (
        ("east", True),
        ("west", True),
        ("greenwich", False),
        ("beyond", False),
    ):
        found = [r["id"] for r in scenes_for_incident(case, incident_id)]
        assert found == ([scene] if covered else []), incident_id
    # The chip of the western incident (UTM zone 1N) reads the scene (zone 60N).
    chip = make_chip(case, "west", radius_m=500)
    assert chip["params"]["epsg"] == 32601
    with Image.open(chip["path"]) as image:
        centre = image.convert("RGB").getpixel((chip["params"]["width"] // 2 + 20, 100))
    assert centre == (120, 120, 120)


def _gcp_scene(path: Path, pixels: np.ndarray, pixel_m: float = 10.0) -> Path:
    """The same grid as `write_scene`, georeferenced only by five ground control points."""
    bands, rows, cols = pixels.shape
    x0, y0 = site_xy()
    left, top = x0 - cols * pixel_m / 2, y0 + rows * pixel_m / 2
    gcps = [
        GroundControlPoint(row=r, col=c, x=left + c * pixel_m, y=top - r * pixel_m)
        for r, c in ((0, 0), (0, cols), (rows, cols), (rows, 0), (rows / 2, cols / 2))
    ]
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=cols,
        height=rows,
        count=bands,
        dtype="uint8",
        gcps=gcps,
        crs=f"EPSG:{UTM37N}",
    ) as dataset:
        dataset.write(pixels)
    return path


def test_gcp_raster_is_georeferenced_through_its_control_points(case: Case, tmp_path: Path) -> None:
    pixels = texture(400, seed=11)
    gcp_path = _gcp_scene(tmp_path / "gcp.tif", pixels)
    affine_path = write_scene(tmp_path / "affine.tif", pixels)
    with rasterio.open(gcp_path) as dataset:
        assert dataset.crs is None and dataset.transform.is_identity  # GCPs alone
        record = describe_raster(dataset)
    with rasterio.open(affine_path) as dataset:
        reference = describe_raster(dataset)
    assert record["georeferenced"] is True and record["georeference"] == "gcps"
    assert reference["georeference"] == "transform"
    assert record["gcps"] == 5 and record["crs"] == f"EPSG:{UTM37N}"
    assert record["lonlat_bounds"] == pytest.approx(reference["lonlat_bounds"], abs=1e-6)
    assert record["resolution_m"] == pytest.approx(10.0, rel=0.001)
    add_incidents(case, tmp_path, [incident("site", SITE_LAT, SITE_LON, STRIKE)])
    scene = ingest_file(case, gcp_path)
    [found] = scenes_for_incident(case, "site")
    assert found["id"] == scene and found["kind"] == "satellite"
    chip = make_chip(case, "site", radius_m=1000, scene_ref=scene)
    expected = make_chip(case, "site", radius_m=1000, scene_ref=ingest_file(case, affine_path))
    assert chip["params"] == expected["params"]
    size = chip["params"]["width"]
    with Image.open(chip["path"]) as a, Image.open(expected["path"]) as b:
        got = np.asarray(a.convert("RGB"), dtype=np.float64)[100 : size - 100, 100 : size - 100]
        want = np.asarray(b.convert("RGB"), dtype=np.float64)[100 : size - 100, 100 : size - 100]
    # Warped twice (GCP grid, then the chip grid) versus once: the same picture.
    assert np.abs(got - want).mean() < 3.0


def _rpc_scene(path: Path) -> Path:
    """A 200 × 200 px raster with only RPCs: a linear model over ±0.015° of longitude and
    ±0.01° of latitude around the site, north up."""
    zero = [0.0] * 20
    one, row, col = list(zero), list(zero), list(zero)
    one[0], row[2], col[1] = 1.0, -1.0, 1.0
    rpcs = RPC(
        height_off=100.0,
        height_scale=500.0,
        lat_off=SITE_LAT,
        lat_scale=0.01,
        line_den_coeff=one,
        line_num_coeff=row,
        line_off=100.0,
        line_scale=100.0,
        long_off=SITE_LON,
        long_scale=0.015,
        samp_den_coeff=one,
        samp_num_coeff=col,
        samp_off=100.0,
        samp_scale=100.0,
        err_bias=None,
        err_rand=None,
    )
    with rasterio.open(
        path, "w", driver="GTiff", width=200, height=200, count=1, dtype="uint8", rpcs=rpcs
    ) as dataset:
        dataset.write(np.full((1, 200, 200), 90, dtype=np.uint8))
    return path


def test_rpc_raster_has_an_approximate_footprint_and_no_chip(case: Case, tmp_path: Path) -> None:
    path = _rpc_scene(tmp_path / "rpc.tif")
    with rasterio.open(path) as dataset:
        record = describe_raster(dataset)
    assert record["georeference"] == "rpc" and record["crs"] == "EPSG:4326"
    west, south, east, north = record["lonlat_bounds"]
    assert (west, east) == pytest.approx((SITE_LON - 0.015, SITE_LON + 0.015), abs=2e-4)
    assert (south, north) == pytest.approx((SITE_LAT - 0.01, SITE_LAT + 0.01), abs=2e-4)
    assert any("approximate" in note for note in record["notes"])
    add_incidents(case, tmp_path, [incident("site", SITE_LAT, SITE_LON, STRIKE)])
    ingest_file(case, path)
    with pytest.raises(CaseError, match="RPCs only; chips need an orthorectified scene"):
        make_chip(case, "site")
    # In a report the scene is listed with the reason instead of a chip.
    [entry] = scene_chips_for_report(case, "site", public=False)
    assert "RPCs only" in entry["error"] and "path" not in entry
    assert "no chip: scene " in render(case).decode()
