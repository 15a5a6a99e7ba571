"""Geolocation and chronolocation in the workbench: geolocations added on the evidence and
incident pages and reviewed by another user, the incident place set from reviewed ones after
a confirmation, chronolocation runs stored as findings; refused values re-show the form with
the message beside the field and leave the case unchanged. In Chromium: a second user reviews
a geolocation picked on the map, and a place band is run and drawn."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from evidencelab.locker.case import Case, open_case
from evidencelab.service.integrity.custody import custody_log
from evidencelab.service.verification.findings import findings_for
from evidencelab.service.verification.geolocation import geolocations_for
from test_web_support import Shots, browser_log_in, client_for, log_in, served

ITEM = "vuhledar-remnant-1"
INCIDENT = "vuhledar-2022-02-24"
GOOD = {
    "lat": "47.779210",
    "lon": "37.248410",
    "precision": "25",
    "method": "satellite_landmark",
    "reference": "Maxar scene of 2022-02-26, roof outlines",
    "reasoning": "Roof line and the tree row match the scene",
}


def _state(case_root: Path) -> tuple[int, int, int]:
    """(custody events, geolocations, findings on ITEM): what a refused form must not move."""
    with open_case(case_root, actor="probe") as case:
        return (
            len(custody_log(case)),
            len(geolocations_for(case)),
            len(findings_for(case, ITEM)),
        )


def _last(case: Case, action: str) -> Mapping[str, Any]:
    """The newest custody event of ``action`` (each write also has a ``records`` event)."""
    return [e for e in custody_log(case) if e["action"] == action][-1]


def _field_error(page: str, field_id: str) -> str:
    match = re.search(rf'id="{field_id}-err">([^<]*)<', page)
    assert match, f"no error beside {field_id}"
    return html.unescape(match.group(1))


def _add(client: TestClient, csrf: str, **changes: str) -> int:
    response = client.post(
        f"/evidence/{ITEM}/geolocations", data={"csrf_token": csrf, **GOOD, **changes}
    )
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith(f"/evidence/{ITEM}?geolocated=")
    return int(location.split("=")[1].split("#")[0])


def test_geolocation_added_listed_and_logged(client: TestClient, demo: Path) -> None:
    csrf = log_in(client, "ivan")
    number = _add(client, csrf)
    page = client.get(f"/evidence/{ITEM}?geolocated={number}").text
    assert f"Geolocation {number} saved" in page
    card = page[page.index(f'id="geolocation-{number}"') :]
    assert "47.779210, 37.248410 ± 25 m" in card and "Roof line and the tree row" in card
    assert "unreviewed" in card
    incident = client.get(f"/incidents/{INCIDENT}").text
    assert f'id="geolocation-{number}"' in incident  # the item is linked to the incident
    with open_case(demo, actor="probe") as case:
        record = geolocations_for(case, evidence_id=ITEM)[-1]
        event = _last(case, "geolocation")
    assert (record["author"], record["precision_m"], record["method"]) == (
        "ivan",
        25.0,
        "satellite_landmark",
    )
    assert (event["action"], event["actor"], event["subject"]) == ("geolocation", "ivan", ITEM)


BAD_GEOLOCATIONS = [
    ({"lat": "97.5"}, "geo-lat", "lat 97.5: must be within ±90 degrees"),
    ({"lat": "north"}, "geo-lat", "lat 'north': not a number"),
    ({"lon": "nan"}, "geo-lon", "lon 'nan': must be a finite number"),
    ({"precision": "0"}, "geo-precision", "precision 0.0 m: must be a positive number"),
    ({"precision": ""}, "geo-precision", "precision '': not a number"),
    ({"method": "guesswork"}, "geo-method", "method 'guesswork': not one of metadata_gps"),
    ({"reasoning": "   "}, "geo-reasoning", "reasoning: required"),
]


@pytest.mark.parametrize(("change", "field_id", "message"), BAD_GEOLOCATIONS)
def test_bad_geolocation_reshows_the_form(
    client: TestClient, demo: Path, change: dict[str, str], field_id: str, message: str
) -> None:
    csrf = log_in(client, "ivan")
    before = _state(demo)
    response = client.post(
        f"/evidence/{ITEM}/geolocations", data={"csrf_token": csrf, **GOOD, **change}
    )
    assert response.status_code == 400
    assert _field_error(response.text, field_id).startswith(message)
    for name in ("reference", "precision", "lat"):  # every typed value kept
        typed = {**GOOD, **change}[name]
        if typed.strip():
            assert f'name="{name}" value="{typed}"' in response.text
    assert "Roof line and the tree row" in response.text or change.get("reasoning")
    assert _state(demo) == before


def test_review_by_another_user_and_place_from_it(client: TestClient, demo: Path) -> None:
    number = _add(client, log_in(client, "ivan"))
    # An investigator may add but not review.
    refused = client.post(f"/geolocations/{number}/review", data={"state": "reviewed"})
    assert refused.status_code == 403
    csrf = log_in(client, "rita")
    page = client.get(f"/incidents/{INCIDENT}").text
    assert f'action="/geolocations/{number}/review"' in page
    response = client.post(
        f"/geolocations/{number}/review",
        data={
            "csrf_token": csrf,
            "state": "reviewed",
            "comment": "same roofs",
            "back": f"/incidents/{INCIDENT}",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/incidents/{INCIDENT}?reviewed={number}#geolocation"
    page = client.get(f"/incidents/{INCIDENT}").text
    card = page[page.index(f'id="geolocation-{number}"') :]
    assert "reviewed by rita" in card and "“same roofs”" in card
    derived = page[page.index('id="loc-derived"') :]
    assert derived.startswith(
        f'id="loc-derived">47.779210, 37.248410 ± 25 m, from geolocation {number}'
    )
    with open_case(demo, actor="probe") as case:
        assert _last(case, "geolocation_review")["actor"] == "rita"


def test_author_cannot_review_own_geolocation(client: TestClient, demo: Path) -> None:
    csrf = log_in(client, "alice")  # an admin may both add and review
    number = _add(client, csrf)
    page = client.get(f"/evidence/{ITEM}").text
    card = page[page.index(f'id="geolocation-{number}"') :].split("</li>")[0]
    assert "another person must review it" in card and "Record review" not in card
    before = _state(demo)
    response = client.post(
        f"/geolocations/{number}/review",
        data={"csrf_token": csrf, "state": "reviewed", "comment": "mine"},
    )
    assert response.status_code == 400
    assert "alice made it and cannot review it" in response.text
    assert 'value="mine"' in response.text
    assert _state(demo) == before


@pytest.mark.parametrize(
    ("path", "data", "status"),
    [
        ("/geolocations/abc/review", {"state": "reviewed"}, 400),
        ("/geolocations/999/review", {"state": "reviewed"}, 404),
        ("/geolocations/1/review", {"state": "approved"}, 400),
        ("/evidence/no-such-item/geolocations", GOOD, 404),
        ("/incidents/no-such-incident/geolocations", GOOD, 404),
        ("/evidence/no-such-item/chronolocation", {"kind": "sun_position"}, 404),
        (f"/evidence/{ITEM}/chronolocation", {"kind": "astrology"}, 400),
    ],
)
def test_bad_requests_are_answered_not_crashed(
    client: TestClient, demo: Path, path: str, data: dict[str, str], status: int
) -> None:
    csrf = log_in(client, "alice")
    before = _state(demo)
    response = client.post(path, data={"csrf_token": csrf, **data})
    assert response.status_code == status, response.text
    assert _state(demo) == before


def test_incident_place_set_after_confirmation(client: TestClient, demo: Path) -> None:
    csrf = log_in(client, "ivan")
    refused = client.post(f"/incidents/{INCIDENT}/place", data={"csrf_token": csrf})
    assert refused.status_code == 400
    assert "no reviewed geolocation to set its place from" in refused.text
    number = _add(client, csrf)
    rita = client_for(demo)
    with rita:
        rita_csrf = log_in(rita, "rita")
        reviewed = rita.post(
            f"/geolocations/{number}/review", data={"csrf_token": rita_csrf, "state": "reviewed"}
        )
        assert reviewed.status_code == 303
    confirm = client.get(f"/incidents/{INCIDENT}/place")
    assert confirm.status_code == 200
    assert "Set the incident place</button>" in confirm.text
    assert f"geolocation {number} (satellite landmark)" in confirm.text
    applied = client.post(f"/incidents/{INCIDENT}/place", data={"csrf_token": csrf})
    assert applied.headers["location"] == f"/incidents/{INCIDENT}?place=placed#geolocation"
    page = client.get(f"/incidents/{INCIDENT}?place=placed").text
    assert "The incident place was set from the reviewed geolocations." in page
    assert "47.77921, 37.24841 ± 25 m" in page  # the Facts list shows the new point


def test_sun_position_stored_as_finding(client: TestClient, demo: Path) -> None:
    csrf = log_in(client, "ivan")
    page = client.get(f"/evidence/{ITEM}").text
    # The form starts from the item's GPS position and capture time.
    assert 'id="chr-sun_position-time" name="time" value="2022-02-24T10:50:00+02:00"' in page
    response = client.post(
        f"/evidence/{ITEM}/chronolocation",
        data={
            "csrf_token": csrf,
            "kind": "sun_position",
            "lat": "47.77917",
            "lon": "37.24833",
            "time": "2022-02-24T10:50:00+02:00",
        },
    )
    assert response.status_code == 303
    number = int(re.findall(r"finding=(\d+)", response.headers["location"])[0])
    page = client.get(response.headers["location"].split("#")[0]).text
    assert f"Stored as finding {number}" in page
    card = page[page.index(f'id="finding-{number}"') :].split("</li>")[0]
    # Vuhledar (47.78° N, 37.25° E), 08:50 UTC on 24 February 2022, 54 minutes before solar
    # noon (hour angle -13.5°), solar declination about -9.7°: by the textbook formulas the
    # sun stands about 31.3° up, 15.6° east of south (azimuth 164.4°).
    elevation = float(re.findall(r"sun at ([0-9.]+)° apparent elevation", card)[0])
    azimuth = float(re.findall(r"azimuth ([0-9.]+)° from true north", card)[0])
    assert elevation == pytest.approx(31.3, abs=0.5) and azimuth == pytest.approx(164.4, abs=1)
    with open_case(demo, actor="probe") as case:
        stored = findings_for(case, ITEM)[-1]
        assert (stored["author"], stored["kind"]) == ("ivan", "chronolocation.sun_position")
        assert _last(case, "finding")["actor"] == "ivan"


BAD_RUNS = [
    ({"kind": "sun_position", "lat": "47.8", "lon": "37.2", "time": "2022-02-24T10:50"},
     "chr-sun_position-time", "time '2022-02-24T10:50': needs a UTC offset"),
    ({"kind": "shadow_times", "lat": "47.8", "lon": "37.2", "date": "24/02/2022",
      "object_height": "2", "shadow_length": "3"},
     "chr-shadow_times-date", "date '24/02/2022': not an ISO 8601 date"),
    ({"kind": "shadow_times", "lat": "47.8", "lon": "37.2", "date": "2022-02-24",
      "object_height": "-2", "shadow_length": "3"},
     "chr-shadow_times-object_height", "object_height -2.0: must be a positive number"),
    ({"kind": "shadow_places", "time": "2022-02-24T08:50Z", "object_height": "2",
      "shadow_length": "3", "bbox": "-180,-60,180,85", "step": "0.25"},
     "chr-shadow_places-step", "step 0.25: gives 835,200 grid cells"),
    ({"kind": "shadow_places", "time": "2022-02-24T08:50Z", "object_height": "2",
      "shadow_length": "3", "bbox": "50,40,20,60", "step": "1"},
     "chr-shadow_places-bbox", "bbox 50,40,20,60: must be west,south,east,north"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "field_id", "message"), BAD_RUNS)
def test_bad_chronolocation_reshows_its_form(
    client: TestClient, demo: Path, data: dict[str, str], field_id: str, message: str
) -> None:
    csrf = log_in(client, "ivan")
    before = _state(demo)
    response = client.post(f"/evidence/{ITEM}/chronolocation", data={"csrf_token": csrf, **data})
    assert response.status_code == 400
    assert _field_error(response.text, field_id).startswith(message)
    assert f'name="object_height" value="{data.get("object_height", "")}"' in response.text or (
        data["kind"] == "sun_position"
    )
    assert _state(demo) == before


def test_viewer_sees_records_but_no_forms(client: TestClient) -> None:
    csrf = log_in(client, "vic")
    page = client.get(f"/incidents/{INCIDENT}").text
    assert 'id="geolocation-1"' in page
    assert "Save geolocation" not in page and "Record review" not in page
    evidence = client.get(f"/evidence/{ITEM}").text
    assert 'id="finding-1"' in evidence and "Compute and store" not in evidence
    response = client.post(f"/evidence/{ITEM}/geolocations", data={"csrf_token": csrf, **GOOD})
    assert response.status_code == 403


def _sections_fit(page: Page) -> None:
    """Nothing in the location sections reaches past the right edge of the window (the
    page would scroll sideways)."""
    viewport = page.viewport_size
    assert viewport is not None
    right = page.evaluate(
        "Math.max(...[...document.querySelectorAll('.loc-section, .loc-section *')]"
        ".filter(e => !e.parentElement.closest('.leaflet-container'))"  # the map clips its own
        ".map(e => e.getBoundingClientRect().right))"
    )
    assert right <= viewport["width"], f"a location section reaches {right} px at {viewport}"


def test_second_user_reviews_a_geolocation_picked_on_the_map(
    demo: Path, page: Page, tmp_path: Path
) -> None:
    shots = Shots(tmp_path)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_viewport_size({"width": 1366, "height": 900})
    with served(demo) as base:
        browser_log_in(page, base, "ivan")
        page.goto(f"{base}/evidence/{ITEM}")
        loc_map = page.locator("#loc-map")
        expect(loc_map).to_have_attribute("data-geolocations", "0")
        loc_map.scroll_into_view_if_needed()
        box = loc_map.bounding_box()
        assert box is not None
        # The map opens on the item's GPS metadata; a click there opens the form, filled in.
        page.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.4)
        expect(loc_map).to_have_attribute("data-picked", re.compile(r"^47\.7\d+,37\.2\d+$"))
        picked = loc_map.get_attribute("data-picked") or ""
        form = page.locator("form[data-pick]")
        expect(form.get_by_label("Latitude (°)")).to_have_value(picked.split(",")[0])
        form.get_by_label("Precision (m)").fill("40")
        form.get_by_label("Method").select_option("satellite_landmark")
        form.get_by_label("Reference material").fill("Scene of 2022-02-26, roof outlines")
        form.get_by_label("Reasoning").fill("Roof line and tree row match the scene")
        shots(page, "location-pick")
        form.get_by_role("button", name="Save geolocation").click()
        expect(page.get_by_role("status").first).to_contain_text("saved")
        card = page.locator(".loc-geo").last
        expect(card).to_contain_text("unreviewed")
        expect(card).to_contain_text(f"{picked.replace(',', ', ')} ± 40 m")
        expect(page.locator("#loc-map")).to_have_attribute("data-geolocations", "1")

        page.get_by_text("Places that fit a shadow (known time)").click()
        band = page.locator("form").filter(has=page.locator('input[value="shadow_places"]'))
        band.get_by_label("Time").fill("2022-02-24T08:50:00Z")
        band.get_by_label("Object height (m)").fill("2")
        band.get_by_label("Shadow length (m)").fill("3")
        band.get_by_label("± length (m)").fill("0.2")
        band.get_by_label("Area searched").fill("0,30,70,70")
        band.get_by_label("Grid step (°)").select_option("0.5")
        band.get_by_role("button", name="Compute and store the place band").click()
        expect(page.get_by_role("status").first).to_contain_text("Stored as finding")
        expect(page.locator(".loc-finding").last).to_contain_text("grid cells (0.5°) consistent")
        expect(page.locator("#loc-map")).to_have_attribute("data-bands", "1")
        assert page.locator("path.loc-band").count() > 10
        page.locator("#geolocation").scroll_into_view_if_needed()
        shots(page, "location-evidence")
        page.set_viewport_size({"width": 390, "height": 844})
        _sections_fit(page)
        shots(page, "location-evidence-390")
        page.set_viewport_size({"width": 1366, "height": 900})
        page.get_by_role("button", name="Log out").click()

        browser_log_in(page, base, "rita")
        page.goto(f"{base}/incidents/{INCIDENT}")
        card = page.locator(".loc-geo").filter(has_text=f"evidence {ITEM}")
        expect(card).to_contain_text("unreviewed")
        card.get_by_label("Review").select_option("reviewed")
        card.get_by_label("Comment").fill("Same roofs on the scene")
        card.get_by_role("button", name="Record review").click()
        expect(page).to_have_url(re.compile(rf"/incidents/{INCIDENT}\?reviewed=\d+#geolocation"))
        card = page.locator(".loc-geo").filter(has_text=f"evidence {ITEM}")
        expect(card.locator(".state")).to_have_text("reviewed")
        expect(card).to_contain_text("reviewed by rita")
        expect(page.locator("#loc-derived")).to_contain_text(f"{picked.replace(',', ', ')} ± 40 m")
        page.locator("#geolocation").scroll_into_view_if_needed()
        shots(page, "location-incident")
        page.set_viewport_size({"width": 390, "height": 844})
        _sections_fit(page)
        shots(page, "location-incident-390")
    assert errors == []
    shots.publish()
