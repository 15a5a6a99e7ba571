"""Satellite chips in the report: before/after chips with their facts in the internal
report (HTML and PDF), scenes not cleared for publication left out of the public one, and
chips made once then reused."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pyproj import Transformer
from sqlalchemy import func, select

from evidencelab.analysis.imagery.drawing import ANNOTATION_RGB
from evidencelab.locker.case import Case
from evidencelab.service.imagery.annotations import annotate
from evidencelab.service.imagery.chips import make_chip
from evidencelab.service.imagery.scenes import set_scene
from evidencelab.service.outputs.report import render, report_context
from evidencelab.store.tables import CustodyEvent
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

OPEN_CREDIT = "Contains modified Copernicus Sentinel data 2022"
OPEN_LICENCE = "CC BY-SA 3.0 IGO"
CLOSED_CREDIT = "© 2022 Orbital Commercial Imaging"
CLOSED_LICENCE = "commercial, internal use only"


def _lonlat(dx_m: float, dy_m: float) -> tuple[float, float]:
    """The point ``dx_m`` east and ``dy_m`` north of the site (UTM 37N), lon/lat."""
    x, y = site_xy()
    lon, lat = Transformer.from_crs(UTM37N, 4326, always_xy=True).transform(x + dx_m, y + dy_m)
    return float(lon), float(lat)


@pytest.fixture
def pair_case(case: Case, tmp_path: Path) -> tuple[Case, str, str]:
    """`build_pair` in a new case."""
    return (case, *build_pair(case, tmp_path))


def build_pair(case: Case, tmp_path: Path) -> tuple[str, str]:
    """An incident with a publishable scene before it and a commercial one after it (a
    200 m patch burnt black 250 m east of the site), with a burn-scar polygon and a
    crater drawn on the after scene: the two scenes' ids."""
    add_incidents(case, tmp_path, [incident("site", SITE_LAT, SITE_LON, "2022-02-24T10:30+02:00")])
    before = texture(400, seed=3, low=70, high=150)
    after = np.clip(before.astype(np.float32) * 0.8 + 10, 0, 255).astype(np.uint8)
    after[:, 190:210, 215:235] = 0  # rows/cols of 10 m pixels: 150–350 m east of centre
    tags_b = {"ACQUISITION_DATETIME": "2022-02-20T08:00:00Z"}
    tags_a = {"ACQUISITION_DATETIME": "2022-02-27T08:00:00Z"}
    b = ingest_file(case, write_scene(tmp_path / "before.tif", before, tags=tags_b))
    a = ingest_file(case, write_scene(tmp_path / "after.tif", after, tags=tags_a))
    set_scene(
        case, b, attribution=OPEN_CREDIT, licence=OPEN_LICENCE, publishable=True, sensor="MSI"
    )
    set_scene(case, a, attribution=CLOSED_CREDIT, licence=CLOSED_LICENCE, sensor="PAN")
    ring = [_lonlat(dx, dy) for dx, dy in ((150, 100), (350, 100), (350, -100), (150, -100))]
    polygon = {"type": "Polygon", "coordinates": [[list(p) for p in [*ring, ring[0]]]]}
    annotate(case, a, kind="burn_scar", geometry=polygon, note="burnt patch")
    lon, lat = _lonlat(-200, -150)
    annotate(case, a, kind="crater", point=(lat, lon), diameter_m=12.5)
    return b, a


def _chip_events(case: Case) -> int:
    with case.sessions() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(CustodyEvent)
                .where(CustodyEvent.action == "imagery.chip")
            )
            or 0
        )


def _embedded_sha256(data_uri: str) -> str:
    return hashlib.sha256(base64.b64decode(data_uri.split(",", 1)[1])).hexdigest()


def test_internal_report_shows_before_and_after_chips(pair_case: tuple[Case, str, str]) -> None:
    case, before, after = pair_case
    context = report_context(case)
    [site] = context["incidents"]
    chips = site["imagery"]
    assert [(c["scene"], c["label"]) for c in chips] == [(before, "before"), (after, "after")]
    for chip in chips:
        assert _embedded_sha256(chip["image"]) == chip["sha256"]
        assert chip["resolution_m"] == pytest.approx(10.0)
    assert chips[0]["acquired_utc"] == "2022-02-20 08:00 UTC"
    assert (chips[0]["publishable"], chips[1]["publishable"]) == (True, False)
    assert chips[0]["annotations"] == []  # drawn on the after scene only
    texts = [a["text"] for a in chips[1]["annotations"]]
    assert texts[0].startswith("burn scar, area ") and texts[0].endswith(" — burnt patch")
    area = chips[1]["annotations"][0]
    assert area["measures"]["area_m2"] == pytest.approx(200 * 200, rel=0.01)
    assert texts[1] == "crater, diameter 12.5 m"
    html = render(case).decode()
    for text in (
        OPEN_CREDIT,
        CLOSED_CREDIT,
        CLOSED_LICENCE,
        "NOT PUBLISHABLE",
        "2022-02-27 08:00 UTC",
    ):
        assert text in html
    assert "Sensor: PAN" in html and "rasterio" in html  # methodology names the tool


def test_public_report_leaves_out_the_unpublishable_scene(
    pair_case: tuple[Case, str, str],
) -> None:
    case, _, after = pair_case
    internal = report_context(case)
    closed_chip = internal["incidents"][0]["imagery"][1]
    thumbnail = next(e["thumbnail"] for e in internal["evidence"] if e["id"] == after)
    assert thumbnail  # the internal report shows the scene's thumbnail
    html = render(case, public=True).decode()  # the self-check for leaks passes
    for text in (CLOSED_CREDIT, CLOSED_LICENCE, closed_chip["sha256"], thumbnail):
        assert text not in html
    assert "NOT PUBLISHABLE" not in html
    assert "imagery of 1 satellite scene not cleared for publication left out" in html
    open_chip = internal["incidents"][0]["imagery"][0]
    assert OPEN_CREDIT in html and open_chip["sha256"] in html and open_chip["image"] in html
    set_scene(case, after, publishable=True)
    assert CLOSED_CREDIT in render(case, public=True).decode()


def test_chips_are_made_once_and_reused(pair_case: tuple[Case, str, str]) -> None:
    case, _, after = pair_case
    render(case)
    assert _chip_events(case) == 2
    render(case)
    render(case, public=True)
    assert _chip_events(case) == 2  # stored chips reused: nothing recomputed or recorded
    # A changed credit changes the caption burned in: that scene's chip is made again.
    set_scene(case, after, attribution="© 2022 Another Provider")
    render(case)
    assert _chip_events(case) == 3
    with case.sessions() as session:
        event = session.scalars(
            select(CustodyEvent)
            .where(CustodyEvent.action == "imagery.chip")
            .order_by(CustodyEvent.seq.desc())
        ).first()
    assert event is not None
    payload = json.loads(event.payload)
    assert payload["scene"] == after and len(payload["annotations"]) == 2


@pytest.mark.skipif(shutil.which("pdfimages") is None, reason="poppler-utils not installed")
def test_pdf_report_embeds_the_chips(pair_case: tuple[Case, str, str], tmp_path: Path) -> None:
    case, _, _ = pair_case
    widths = {}
    for public in (False, True):
        pdf = tmp_path / f"report-{public}.pdf"
        pdf.write_bytes(render(case, fmt="pdf", public=public))
        listing = subprocess.run(
            ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
        ).stdout.splitlines()[2:]
        # Chips are 512 px wide and taller than wide (the caption band under the pixels).
        widths[public] = sum(
            1 for line in listing if int(line.split()[3]) == 512 and int(line.split()[4]) > 512
        )
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert OPEN_CREDIT in " ".join(text.split())
        assert (CLOSED_LICENCE in " ".join(text.split())) is not public
    assert widths == {False: 2, True: 1}


def test_annotations_are_drawn_where_they_lie(pair_case: tuple[Case, str, str]) -> None:
    case, _, after = pair_case
    plain = make_chip(case, "site", scene_ref=after)
    drawn = make_chip(case, "site", scene_ref=after, annotations=True)
    assert plain["sha256"] != drawn["sha256"] and plain["annotations"] == []
    # Rendered again instead of reused: the same bytes (rendering is deterministic).
    fresh = make_chip(case, "site", scene_ref=after, annotations=True, reuse=False)
    assert fresh["sha256"] == drawn["sha256"] and fresh["new"] is False
    assert [a["number"] for a in drawn["annotations"]] == [1, 2]
    pixel = drawn["params"]["pixel_m"]
    centre = drawn["params"]["width"] / 2
    # The crater, 200 m west and 150 m south of the site: a cyan ring of at least 4 px.
    col, row = round(centre - 200 / pixel), round(centre + 150 / pixel)
    cyan = np.array(ANNOTATION_RGB, dtype=np.uint8)
    for result, expected in ((plain, False), (drawn, True)):
        with Image.open(result["path"]) as image:
            pixels = np.asarray(image.convert("RGB"))
        window = pixels[row - 8 : row + 9, col - 8 : col + 9]
        assert bool((window == cyan).all(axis=-1).any()) is expected
