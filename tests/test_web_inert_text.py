"""Untrusted text is never HTML in the browser: incident titles, place and source names,
scene facts and annotation notes full of markup are loaded into the overview map and the
incident page in real Chromium; no element of the markup is created, and the text is shown
literally (tooltips, popups and the page itself)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from evidencelab.locker.case import open_case
from evidencelab.service.imagery.annotations import annotate
from evidencelab.service.imagery.scenes import register_scenes, set_scene
from evidencelab.service.incidents import incident_edit
from evidencelab.store.tables import Source
from test_imagery_fixtures import SITE_LAT, SITE_LON, ingest_file, texture, write_scene
from test_web_support import browser_log_in, served

MARKUP = '<img src=x onerror="document.title=1"><b>bold</b>'
DEMO_INCIDENTS = ("vuhledar-2022-02-24", "chuhuiv-2022-02-24", "uman-2022-02-24")
# Elements the markup would create if inserted as HTML, and where its bold would land.
INJECTED = "img[src='x'], .leaflet-tooltip b, .leaflet-popup b, #main b"


@pytest.fixture
def hostile(demo: Path, tmp_path: Path) -> Iterator[str]:
    """The demo case with markup in every incident title, a new incident (its place name
    too) covered by a scene whose credit, sensor and licence, and an annotation's note, are
    markup; every source described by markup. Served on loopback; its base URL."""
    with open_case(demo, actor="setup") as case:
        for index, incident_id in enumerate(DEMO_INCIDENTS):
            incident_edit.edit_incident(case, incident_id, {"title": f"{MARKUP} {index}"})
        place = {"name": MARKUP, "lat": SITE_LAT, "lon": SITE_LON}
        time = {"start": "2022-02-24T10:30:00+02:00"}
        fields = {"title": f"{MARKUP} site", "place": place, "time": time}
        incident_edit.create_incident(case, "site", fields)
        scene = ingest_file(case, write_scene(tmp_path / "scene.tif", texture(200)))
        register_scenes(case, [scene])
        set_scene(case, scene, attribution=MARKUP, sensor=MARKUP, licence=MARKUP)
        annotate(case, scene, kind="crater", point=(SITE_LAT, SITE_LON + 0.003), note=MARKUP)
        # Source descriptions have no editing command: written as an import would.
        with case.transaction() as session:
            for source in session.scalars(select(Source)):
                source.description = MARKUP
    with served(demo) as base:
        yield base


def _assert_inert(page: Page) -> None:
    assert page.locator(INJECTED).count() == 0
    assert page.title() != "1"


def test_overview_map_shows_markup_as_text(hostile: str, page: Page) -> None:
    browser_log_in(page, hostile, "alice")
    page.goto(hostile + "/map")
    # The site and Chuhuiv, 37 km apart, start as one cluster: opened, each has its name.
    page.locator(".marker-cluster").click()
    tooltips = page.locator(".leaflet-tooltip:not(.basemap-place)")  # not the basemap's places
    expect(tooltips).to_have_count(4)
    expect(tooltips.first).to_contain_text(MARKUP)
    page.locator('.leaflet-marker-icon[data-incident="site"]').click()
    expect(page.locator(".leaflet-popup-content a")).to_contain_text(MARKUP)
    _assert_inert(page)


def test_incident_page_shows_markup_as_text(hostile: str, page: Page) -> None:
    browser_log_in(page, hostile, "alice")
    page.goto(hostile + "/incidents/site")
    expect(page.locator("h1")).to_have_text(f"{MARKUP} site")
    expect(page.locator("#map")).to_have_attribute("data-annotations", "1")
    page.locator(".leaflet-marker-icon").click()
    expect(page.locator(".leaflet-popup-content a")).to_have_text(f"{MARKUP} site")
    _assert_inert(page)
    # Dispatched to the shape itself: a pointer click aims where the shape was, and the
    # map may still be panning to show the marker's popup (seen on a loaded machine).
    page.locator("path.scene-annotation").first.dispatch_event("click")
    # Popups fade out while the next opens: find the annotation's by its own words.
    popups = page.locator(".leaflet-popup-content")
    expect(popups.filter(has_text="crater (annotation 1)")).to_contain_text(
        f"crater (annotation 1){MARKUP}"
    )
    _assert_inert(page)
    page.locator("#map").click(position={"x": 30, "y": 200})  # the footprint fills the view
    expect(popups.filter(has_text="Credit:")).to_contain_text(f"Credit: {MARKUP}")
    expect(page.locator("#imagery")).to_contain_text(f"Credit{MARKUP}")
    _assert_inert(page)
    page.goto(hostile + "/incidents/uman-2022-02-24")
    expect(page.locator("#casualties")).to_contain_text(MARKUP)
    _assert_inert(page)
