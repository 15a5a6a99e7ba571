"""Satellite imagery in the web workbench: scene footprints and annotations on the incident
page's map and the map of all incidents, the "Satellite imagery" section with the stored
chip, sensitive scenes withheld from roles without that permission, a GeoTIFF uploaded
through the browser becoming a linked scene, and the layers drawn in a real browser."""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect
from shapely.geometry import shape

from case_copies import checkpoint, copy_case
from evidencelab.locker.case import init_case, open_case
from evidencelab.service.access import users
from evidencelab.service.imagery.annotations import annotate
from evidencelab.service.imagery.chips import make_chip
from evidencelab.service.imagery.scenes import register_scenes, set_scene, show_scene
from evidencelab.service.imagery.views import overview_outlines
from evidencelab.service.incidents import incident_edit
from test_imagery_fixtures import SITE_LAT, SITE_LON, ingest_file, texture, write_scene
from test_report_imagery import CLOSED_CREDIT, CLOSED_LICENCE, OPEN_CREDIT, build_pair
from test_web_support import PASSWORDS, Shots, browser_log_in, client_for, log_in, served

HOSTILE_NOTE = "</script><script>alert(1)</script> rubble"


@pytest.fixture(scope="module")
def site_template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The report's before/after pair at incident "site" (the after scene not publishable,
    a burn scar and a crater drawn on it, a chip of it stored for the incident), a third
    scene marked sensitive with a point drawn on it, and one user per role; built once for
    the module, a template to copy."""
    folder = tmp_path_factory.mktemp("site")
    with init_case(folder / "case", actor="tester") as case:
        before, after = build_pair(case, folder)
        for name, (role, password) in PASSWORDS.items():
            users.add_user(case, name, password, role)
        chip = make_chip(case, "site", scene_ref=after, annotations=True)
        pixels = texture(200, seed=11)
        path = write_scene(folder / "sensitive.tif", pixels, tags={"SENSOR": "SECRET-EYE"})
        secret = ingest_file(case, path, sensitive=True)
        register_scenes(case, [secret])
        annotate(case, secret, kind="other", point=(SITE_LAT, SITE_LON), note=HOSTILE_NOTE)
    checkpoint(folder / "case")
    return {
        "root": folder / "case",
        "before": before,
        "after": after,
        "secret": secret,
        "chip": chip,
    }


@pytest.fixture
def site(site_template: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """A fresh copy of the module's case, with the ids in it."""
    return site_template | {"root": copy_case(site_template["root"], tmp_path / "site")}


@pytest.fixture
def viewer(site: dict[str, Any]) -> Iterator[TestClient]:
    with client_for(site["root"]) as client:
        log_in(client, "vic")
        yield client


def _map_data(page_html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', page_html)
    assert match, "no map data in the page"
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def _scene_card(page_html: str, scene_id: str) -> str:
    """The text of one scene's card in the "Satellite imagery" section."""
    section = page_html.split('<section id="imagery"', 1)[1].split("</section>", 1)[0]
    start = section.index(f'id="scene-{scene_id}"')
    return section[start:].split('<li class="card scene"', 1)[0]


def test_incident_page_carries_footprints_annotations_and_section(
    site: dict[str, Any], viewer: TestClient
) -> None:
    response = viewer.get("/incidents/site")
    assert response.status_code == 200
    data = _map_data(response.text)
    footprints = data["footprints"]["features"]
    assert [(f["properties"]["id"], f["properties"]["label"]) for f in footprints] == [
        (site["before"], "before"),
        (site["after"], "after"),
    ]
    with open_case(site["root"]) as case:
        recorded = {s: show_scene(case, s)["footprint"] for s in (site["before"], site["after"])}
    for feature in footprints:
        assert feature["geometry"] == recorded[feature["properties"]["id"]]
    before, after = (f["properties"] for f in footprints)
    assert (before["publishable"], after["publishable"]) == (True, False)
    assert (before["attribution"], after["attribution"]) == (OPEN_CREDIT, CLOSED_CREDIT)
    assert before["acquired_at"] == "2022-02-20T08:00:00Z" and before["resolution_m"] == 10.0
    annotations = data["annotations"]["features"]
    assert [f["properties"]["kind"] for f in annotations] == ["burn_scar", "crater"]
    scar, crater = (f["properties"] for f in annotations)
    assert {scar["scene"], crater["scene"]} == {site["after"]}
    assert scar["author"] == crater["author"] == "tester"
    assert scar["measures"]["area_m2"] == pytest.approx(200 * 200, rel=0.01)
    assert crater["diameter_m"] == 12.5 and crater["scene_label"] == "after"
    assert annotations[1]["geometry"]["type"] == "Point"
    assert data["markers"][0]["id"] == "site"

    assert '<h2 id="img-h">Satellite imagery</h2>' in response.text
    open_card = _scene_card(response.text, site["before"])
    closed_card = _scene_card(response.text, site["after"])
    assert "publishable</span>" in open_card and "not publishable" not in open_card
    assert "not publishable" in closed_card
    assert "2022-02-27 08:00:00 UTC" in closed_card and "10.00 m per pixel" in closed_card
    assert html.escape(CLOSED_CREDIT) in closed_card and CLOSED_LICENCE in closed_card
    assert (
        f"burn scar (annotation {scar['id']}, Polygon), area {scar['measures']['area_m2']:,.0f} m²"
        in closed_card
    )
    assert "diameter 12.5 m" in closed_card
    assert "No chip stored" in open_card
    chip = site["chip"]
    src = f"/evidence/{site['after']}/derivative/{chip['role']}"
    assert f'src="{src}"' in closed_card and "annotations 1, 2 drawn" in closed_card
    image = viewer.get(src)
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert hashlib.sha256(image.content).hexdigest() == chip["sha256"]
    assert "Made before the scene" not in closed_card


def test_a_chip_made_before_the_scene_changed_is_flagged(site: dict[str, Any]) -> None:
    with open_case(site["root"], actor="ivan") as case:
        set_scene(case, site["after"], attribution="© 2022 Another Provider")
    with client_for(site["root"]) as client:
        log_in(client, "vic")
        card = _scene_card(client.get("/incidents/site").text, site["after"])
    assert "Made before the scene's facts, or the incident's time or place" in card


def test_a_chip_made_before_the_incident_time_changed_is_flagged(site: dict[str, Any]) -> None:
    with client_for(site["root"]) as client:
        log_in(client, "vic")
        fresh = _scene_card(client.get("/incidents/site").text, site["after"])
    assert "its caption may be out of date" not in fresh
    with open_case(site["root"], actor="ivan") as case:
        incident_edit.edit_incident(case, "site", {"time": {"start": "2022-03-01T10:30:00+02:00"}})
    with client_for(site["root"]) as client:
        log_in(client, "vic")
        card = _scene_card(client.get("/incidents/site").text, site["after"])
    assert "its caption may be out of date" in card


def test_sensitive_scene_is_withheld_from_roles_without_it(site: dict[str, Any]) -> None:
    secret = site["secret"]
    for name, sees in (("vic", False), ("rita", False), ("ivan", True), ("alice", True)):
        with client_for(site["root"]) as client:
            log_in(client, name)
            page_html = client.get("/incidents/site").text
            data = _map_data(page_html)
            ids = [f["properties"]["id"] for f in data["footprints"]["features"]]
            notes = [f["properties"]["note"] for f in data["annotations"]["features"]]
            assert (secret in ids) is sees, name
            assert (secret in page_html) is sees, name
            assert (HOSTILE_NOTE in notes) is sees, name
            assert ("1 sensitive scene(s) not shown" in page_html) is not sees, name
            map_ids = [
                f["properties"]["id"]
                for f in _map_data(client.get("/map").text)["footprints"]["features"]
            ]
            assert (secret in map_ids) is sees, name


def test_api_incident_carries_the_scenes_a_role_may_see(site: dict[str, Any]) -> None:
    for name, sees in (("vic", False), ("ivan", True)):
        with client_for(site["root"]) as client:
            log_in(client, name)
            imagery = client.get("/api/incidents/site").json()["imagery"]
            ids = {scene["id"] for scene in imagery["scenes"]}
            assert {site["before"], site["after"]} <= ids, name
            assert (site["secret"] in ids) is sees, name


def test_annotation_text_cannot_end_the_data_block(site: dict[str, Any]) -> None:
    with client_for(site["root"]) as client:
        log_in(client, "ivan")
        page_html = client.get("/incidents/site").text
    assert "<script>alert(1)" not in page_html
    assert HOSTILE_NOTE in json.dumps(_map_data(page_html))  # the note arrives intact as data


def test_map_of_all_incidents_shows_linked_scenes(site: dict[str, Any], viewer: TestClient) -> None:
    data = _map_data(viewer.get("/map").text)
    footprints = {f["properties"]["id"]: f["properties"] for f in data["footprints"]["features"]}
    assert set(footprints) == {site["before"], site["after"]}
    assert footprints[site["after"]]["incidents"] == ["site"]
    assert "label" not in footprints[site["after"]]  # before/after depends on the incident
    assert len(data["annotations"]["features"]) == 2
    with open_case(site["root"]) as case:
        recorded = shape(show_scene(case, site["after"])["footprint"])
    [outline] = [
        shape(f["geometry"])
        for f in data["footprints"]["features"]
        if f["properties"]["id"] == site["after"]
    ]
    assert outline.buffer(1e-4).covers(recorded)  # the hull, simplified at 1e-4 degrees
    assert outline.area == pytest.approx(recorded.area, rel=0.01)


def test_overview_outline_is_a_small_hull_per_part() -> None:
    jagged = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.5, 0.9], [0.0, 1.0], [0.0, 0.0]]
    steps = [[x / 100, 0.002 * (x % 2)] for x in range(101)]  # a staircase edge
    ragged = {"type": "Polygon", "coordinates": [[*steps, [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]]}
    across = {
        "type": "MultiPolygon",
        "coordinates": [
            [[[179.9, 0.0], [180.0, 0.0], [180.0, 1.0], [179.9, 1.0], [179.9, 0.0]]],
            [[[-180.0, 0.0], [-179.9, 0.0], [-179.9, 1.0], [-180.0, 1.0], [-180.0, 0.0]]],
        ],
    }
    hull, small, split = overview_outlines(
        [{"type": "Polygon", "coordinates": [jagged]}, ragged, across]
    )
    assert shape(hull).equals(shape({"type": "Polygon", "coordinates": [jagged]}).convex_hull)
    assert len(small["coordinates"][0]) < 10 and shape(small).covers(shape(ragged))
    assert split["type"] == "MultiPolygon" and len(split["coordinates"]) == 2
    assert shape(split).bounds == (-180.0, 0.0, 180.0, 1.0)  # each part on its own side
    assert shape(split).area == pytest.approx(0.2)  # no hull spanning the globe
    assert overview_outlines([]) == []


def test_uploaded_geotiff_becomes_a_linked_scene(site: dict[str, Any], tmp_path: Path) -> None:
    after = np.clip(texture(300, seed=5).astype(np.int16) - 10, 0, 255).astype(np.uint8)
    tags = {"ACQUISITION_DATETIME": "2022-03-01T09:00:00Z"}
    path = write_scene(tmp_path / "upload.tif", after, tags=tags)
    with client_for(site["root"]) as client:
        csrf = log_in(client, "ivan")
        response = client.post(
            "/upload",
            data={"csrf_token": csrf, "note": "delivered by a partner"},
            files={"file": ("upload.tif", path.read_bytes(), "image/tiff")},
        )
        assert response.status_code == 200, response.text
        data = _map_data(client.get("/incidents/site").text)
    uploaded = [
        f["properties"]
        for f in data["footprints"]["features"]
        if f["properties"]["acquired_at"] == "2022-03-01T09:00:00Z"
    ]
    assert len(uploaded) == 1 and uploaded[0]["label"] == "after"
    assert uploaded[0]["publishable"] is False  # never assumed


@pytest.fixture
def server(site: dict[str, Any]) -> Iterator[str]:
    with served(site["root"]) as url:
        yield url


def test_layers_in_the_browser(
    site: dict[str, Any],
    server: str,
    page: Page,
    tmp_path: Path,
) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    browser_log_in(page, server, "vic")
    page.goto(f"{server}/incidents/site")
    expect(page.locator("#map")).to_have_attribute("data-footprints", "2")
    expect(page.locator("#map")).to_have_attribute("data-annotations", "2")
    expect(page.locator("path.scene-footprint")).to_have_count(2)
    expect(page.locator("path.scene-footprint.not-publishable")).to_have_count(1)
    expect(page.locator("path.scene-after")).to_have_count(1)
    expect(page.locator("path.scene-annotation")).to_have_count(2)
    control = page.locator(".leaflet-control-layers")
    expect(control).to_contain_text("Scenes before the incident (1)")
    expect(control).to_contain_text("Annotations (2)")
    page.locator("path.scene-annotation").last.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("crater (annotation 2)")
    expect(popup).to_contain_text("diameter 12.5 m")
    expect(popup).to_contain_text(f"Drawn on scene {site['after']}")
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")  # faded in
    expect(page.locator("img.chip")).to_have_count(1)
    page.locator("img.chip").scroll_into_view_if_needed()  # loaded lazily, when in view
    expect(page.locator("img.chip")).to_have_js_property("complete", True)
    assert page.locator("img.chip").evaluate("img => img.naturalWidth") == 512
    shots = Shots(tmp_path)
    shots(page, "incident-imagery")
    control.get_by_text("Annotations (2)").click()  # the layer control hides a layer
    expect(page.locator("path.scene-annotation")).to_have_count(0)
    assert errors == []
    shots.publish()
