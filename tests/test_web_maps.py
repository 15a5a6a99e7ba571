"""Maps in a real browser: the offline Natural Earth basemap drawn with every request going
to the app itself, incidents clustered on the all-incidents map, the case's context objects
on an incident's map, and the incident form's place picked on a map with its time zone
shown. Screenshots at 1366 and 390 px go to the test's tmp_path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, Request, expect

from evidencelab.locker.case import open_case
from evidencelab.service.incidents.listing import show_incident
from test_web_support import Shots, browser_log_in, log_in, served

LAYERS = ("countries", "admin1", "borders", "coastlines", "places")


@pytest.fixture
def server(demo: Path) -> Iterator[str]:
    with served(demo) as url:
        yield url


def _requests(page: Page) -> list[str]:
    seen: list[str] = []

    def record(request: Request) -> None:
        seen.append(request.url)

    page.on("request", record)
    return seen


def test_map_page_draws_the_offline_basemap_and_clusters_incidents(
    page: Page, server: str, tmp_path: Path
) -> None:
    shots = Shots(tmp_path)
    seen = _requests(page)
    browser_log_in(page, server, "vic")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(server + "/map")
    map_element = page.locator("#map")
    expect(map_element).to_have_attribute("data-basemap", "loaded")
    expect(map_element).to_have_attribute("data-markers", "3")
    # Drawn apart at the fitted view: each incident's own marker.
    expect(page.locator(".leaflet-marker-icon[data-incident]")).to_have_count(3)
    shots(page, "maps-all-1366")
    # Zoomed out to the world, the three incidents (a few hundred km apart) become one cluster.
    for _ in range(4):
        page.locator(".leaflet-control-zoom-out").click()
        page.wait_for_timeout(300)
    cluster = page.locator(".marker-cluster")
    expect(cluster).to_have_count(1)
    expect(cluster).to_have_text("3")
    expect(page.locator(".leaflet-marker-icon[data-incident]")).to_have_count(0)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server + "/map")
    expect(page.locator("#map")).to_have_attribute("data-basemap", "loaded")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    shots(page, "maps-all-390")
    assert [u for u in seen if not u.startswith(server + "/")] == []
    for layer in LAYERS:
        assert f"{server}/basemap/{layer}.geojson" in seen


def test_incident_map_shows_context_objects_with_their_kind(
    page: Page, server: str, tmp_path: Path
) -> None:
    shots = Shots(tmp_path)
    seen = _requests(page)
    browser_log_in(page, server, "vic")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(server + "/incidents/chuhuiv-2022-02-24")
    expect(page.locator("#map")).to_have_attribute("data-basemap", "loaded")
    # The demo records the air base (military) and the struck residential block nearby.
    expect(page.locator("#map path.context-military")).to_have_count(1)
    expect(page.locator("#map path.context-population")).to_have_count(1)
    legend = page.locator(".leaflet-control-layers-overlays")
    expect(legend).to_contain_text("Possible military objectives (1)")
    expect(legend).to_contain_text("Residential (1)")
    page.locator("#map path.context-military").click(force=True)
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("military airfield")
    expect(popup).to_contain_text("Chuhuiv Air Base")
    expect(popup).to_contain_text("m from the incident's recorded point")
    page.locator("#map-h").scroll_into_view_if_needed()
    shots(page, "maps-incident-1366")
    assert [u for u in seen if not u.startswith(server + "/")] == []


def test_incident_form_picks_the_place_on_the_map_and_shows_its_time_zone(
    page: Page, server: str, demo: Path, tmp_path: Path
) -> None:
    shots = Shots(tmp_path)
    browser_log_in(page, server, "ivan")
    page.set_viewport_size({"width": 1366, "height": 1000})
    page.goto(server + "/incidents/new")
    pick = page.locator("#pick-map")
    expect(pick).to_have_attribute("data-basemap", "loaded")
    # A click at the centre of the world view (30° N, 20° E: Libya) sets both fields.
    box = pick.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    lat = float(page.locator("#f-lat").input_value())
    lon = float(page.locator("#f-lon").input_value())
    assert abs(lat - 30) < 3 and abs(lon - 20) < 3, (lat, lon)
    expect(page.locator("#f-zone")).to_have_value("Africa/Tripoli")
    # The fields stay editable: typed coordinates move the marker and look the zone up.
    page.get_by_label("Latitude (°)").fill("49.99")
    page.get_by_label("Longitude (°)").fill("36.23")
    page.get_by_label("Longitude (°)").press("Tab")
    expect(page.locator("#f-zone")).to_have_value("Europe/Kyiv")
    expect(page.locator("#f-zone-status")).to_contain_text("Europe/Kyiv (UTC+02:00)")
    page.get_by_label("Id", exact=True).fill("kharkiv-2022-02-28")
    page.get_by_label("Title", exact=True).fill("Strike on a residential street")
    page.get_by_label("Name", exact=True).fill("Kharkiv")
    page.get_by_label("Start", exact=True).fill("2022-02-28T10:00")
    shots(page, "maps-incident-form-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    shots(page, "maps-incident-form-390")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{server}/incidents/kharkiv-2022-02-28")
    with open_case(demo) as case:
        stored = show_incident(case, "kharkiv-2022-02-28")
    assert stored["time"]["start"] == "2022-02-28T10:00:00+02:00"  # Kyiv's offset that day
    assert (stored["place"]["lat"], stored["place"]["lon"]) == (49.99, 36.23)
    # Editing shows the stored time as the wall-clock time in the place's zone.
    page.goto(server + "/incidents/kharkiv-2022-02-28/edit")
    expect(page.get_by_label("Start", exact=True)).to_have_value("2022-02-28T10:00")
    expect(page.locator("#f-zone")).to_have_value("Europe/Kyiv")


def test_a_wall_clock_time_is_read_in_the_named_zone(client: TestClient, demo: Path) -> None:
    csrf = log_in(client, "ivan")
    form = {
        "csrf_token": csrf,
        "id": "kyiv-2022-06-01",
        "title": "Summer time",
        "time_start": "2022-06-01T10:00",
        "time_zone": "Europe/Kyiv",
        "place_name": "Kyiv",
    }
    assert client.post("/incidents/new", data=form).status_code == 303
    with open_case(demo) as case:
        assert show_incident(case, "kyiv-2022-06-01")["time"]["start"] == (
            "2022-06-01T10:00:00+03:00"
        )
    bad = client.post("/incidents/new", data=form | {"id": "x-2", "time_zone": "Mars/Olympus"})
    assert bad.status_code == 400
    assert "is not a time zone name" in bad.text
    assert 'value="Mars/Olympus"' in bad.text  # the typed value is kept


def test_time_zone_and_basemap_routes(client: TestClient) -> None:
    log_in(client, "vic")
    found = client.get("/maps/time-zone", params={"lat": 49.99, "lon": 36.23, "at": "2022-06-01"})
    assert found.json() == {
        "lat": 49.99,
        "lon": 36.23,
        "zone": "Europe/Kyiv",
        "utc_offset": "+03:00",
    }
    at_sea = client.get("/maps/time-zone", params={"lat": 0, "lon": -30}).json()
    assert (at_sea["zone"], at_sea["utc_offset"]) == ("Etc/GMT+2", "-02:00")  # nautical zone
    refused = client.get("/maps/time-zone", params={"lat": 91, "lon": 0})
    assert refused.status_code == 400 and "lat 91.0: must be" in refused.text
    layer = client.get("/basemap/places.geojson")
    assert layer.status_code == 200
    assert layer.headers["content-type"] == "application/geo+json"
    assert "max-age" in layer.headers["cache-control"]
    names = {f["properties"]["name"] for f in json.loads(layer.content)["features"]}
    assert "Kyiv" in names
    again = client.get("/basemap/places.geojson", headers={"If-None-Match": layer.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert client.get("/basemap/roads.geojson").status_code == 404
