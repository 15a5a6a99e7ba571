"""Offline SVG maps and timelines: geometry to scale, projection, escaping."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest
from pyproj import Proj

from evidencelab.analysis.context.distance import geodesic_distance_m
from evidencelab.publish.svg_map import draw_map, fit_frame, format_distance, nice_length
from evidencelab.publish.svg_timeline import draw_timeline, tick_step

SVG = "{http://www.w3.org/2000/svg}"
CHUHUIV = (49.83722, 36.69)
AIR_BASE = (49.84, 36.64722)


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # also proves the text is well-formed XML


def _incident_map() -> ET.Element:
    return _parse(
        draw_map(
            [
                {
                    "id": "inc",
                    "lat": CHUHUIV[0],
                    "lon": CHUHUIV[1],
                    "role": "incident",
                    "label": "Чугуїв",
                    "precision_m": 3000,
                },
                {
                    "id": "obj",
                    "lat": AIR_BASE[0],
                    "lon": AIR_BASE[1],
                    "role": "objective",
                    "label": "Air base",
                    "precision_m": 1500,
                },
            ],
            links=[{"from": CHUHUIV, "to": AIR_BASE, "label": "3.1 km"}],
            title="Chuhuiv",
            centre=CHUHUIV,
        )
    )


def test_precision_circle_radius_is_metres_at_the_stated_scale() -> None:
    root = _incident_map()
    metres_per_unit = float(root.attrib["data-metres-per-unit"])
    circles = {
        c.attrib["data-id"]: c for c in root.iter(f"{SVG}circle") if c.get("class") == "precision"
    }
    assert float(circles["inc"].attrib["r"]) * metres_per_unit == pytest.approx(3000, rel=1e-4)
    assert float(circles["obj"].attrib["r"]) * metres_per_unit == pytest.approx(1500, rel=1e-4)
    # The frame is fitted so the whole 3 km circle is inside the drawing.
    width = float(root.attrib["width"])
    assert float(circles["inc"].attrib["r"]) < width / 2


def test_points_are_placed_by_the_azimuthal_equidistant_projection() -> None:
    root = _incident_map()
    scale = float(root.attrib["data-metres-per-unit"])
    width, height = float(root.attrib["width"]), float(root.attrib["height"])
    markers = {
        g.attrib["data-id"]: g for g in root.iter(f"{SVG}g") if "marker" in g.get("class", "")
    }
    # Independent projection: PROJ aeqd through pyproj's Proj, centred on the incident.
    aeqd = Proj(proj="aeqd", lat_0=CHUHUIV[0], lon_0=CHUHUIV[1], ellps="WGS84")
    x_m, y_m = aeqd(AIR_BASE[1], AIR_BASE[0])
    assert float(markers["obj"].attrib["data-x"]) == pytest.approx(
        width / 2 + x_m / scale, abs=1e-3
    )
    assert float(markers["obj"].attrib["data-y"]) == pytest.approx(
        height / 2 - y_m / scale, abs=1e-3
    )
    assert float(markers["inc"].attrib["data-x"]) == pytest.approx(width / 2, abs=1e-3)
    # Centred on the incident, distance on the map is the geodesic distance (aeqd property).
    dx = float(markers["obj"].attrib["data-x"]) - width / 2
    dy = float(markers["obj"].attrib["data-y"]) - height / 2
    geodesic = geodesic_distance_m(*CHUHUIV, *AIR_BASE)
    assert math.hypot(dx, dy) * scale == pytest.approx(geodesic, rel=1e-6)
    assert 3000 < geodesic < 3200


def test_scale_bar_and_north_arrow() -> None:
    root = _incident_map()
    scale = float(root.attrib["data-metres-per-unit"])
    bar = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "scale-bar")
    assert float(bar.attrib["data-length-units"]) * scale == pytest.approx(
        float(bar.attrib["data-length-m"]), rel=1e-3
    )
    assert float(bar.attrib["data-length-m"]) in {nice_length(float(bar.attrib["data-length-m"]))}
    assert any(g.get("class") == "north-arrow" for g in root.iter(f"{SVG}g"))


def test_map_text_is_escaped() -> None:
    svg = draw_map(
        [
            {
                "lat": 48.0,
                "lon": 37.0,
                "role": "incident",
                "label": '<script>alert("x")</script> & co',
                "id": 'a"b',
            }
        ],
        title="T <b>",
    )
    root = _parse(svg)
    assert "<script>" not in svg
    texts = "".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert '<script>alert("x")</script> & co' in texts
    assert root.find(f"{SVG}title").text == "T <b>"  # type: ignore[union-attr]


def test_overview_frame_holds_every_point() -> None:
    points = [
        {"lat": 47.77917, "lon": 37.24833, "precision_m": 1500},
        {"lat": 49.83722, "lon": 36.69, "precision_m": 3000},
        {"lat": 48.75, "lon": 30.21667, "precision_m": 4000},
    ]
    frame = fit_frame(points, width=680, height=440)
    for p in points:
        x, y = frame.project(p["lat"], p["lon"])
        assert 0 < x < 680 and 0 < y < 440


def test_nice_lengths_and_distances() -> None:
    assert nice_length(3700) == 2500
    assert nice_length(999) == 500
    assert nice_length(1) == 1
    assert format_distance(850) == "850 m"
    assert format_distance(3149.6) == "3.1 km"
    assert format_distance(42_000) == "42 km"


def test_timeline_places_points_and_intervals_on_a_utc_axis() -> None:
    svg = draw_timeline(
        [
            {"id": "a", "label": "Умань", "start": "2022-02-24T07:00:00+02:00"},
            {
                "id": "b",
                "label": "B",
                "start": "2022-02-24T06:00:00Z",
                "end": "2022-02-24T07:00:00Z",
                "approximate": True,
            },
            {"id": "c", "label": "No offset", "start": "2022-02-24T10:00:00"},
        ],
        title="t & <t>",
    )
    root = _parse(svg)
    events = {g.attrib["data-id"]: g for g in root.iter(f"{SVG}g") if g.get("class") == "event"}
    assert set(events) == {"a", "b"}
    xa, xb = float(events["a"].attrib["data-x"]), float(events["b"].attrib["data-x"])
    interval = next(r for r in events["b"].iter(f"{SVG}rect") if r.get("class") == "interval")
    # a is 05:00 UTC, b runs 06:00–07:00 UTC: the bar is as long as a→b.
    assert float(interval.attrib["width"]) == pytest.approx(xb - xa, abs=0.01)
    hollow = next(events["b"].iter(f"{SVG}circle"))
    assert hollow.attrib["fill"] == "#ffffff"  # approximate: drawn hollow
    text = "".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "No offset: not placed" in text
    assert "Умань" in text


def test_many_incidents_are_packed_into_lanes() -> None:
    events = [
        {"id": f"e{i}", "label": f"E{i}", "start": f"2022-03-{1 + i % 28:02d}T10:00:00Z"}
        for i in range(200)
    ]
    root = _parse(draw_timeline(events, title="200"))
    assert sum(1 for g in root.iter(f"{SVG}g") if g.get("class") == "event") == 200
    assert float(root.attrib["height"]) < 600  # not 200 rows


def test_tick_steps() -> None:
    from datetime import timedelta

    assert tick_step(timedelta(hours=4)) == timedelta(minutes=30)
    assert tick_step(timedelta(days=60)) == timedelta(days=14)
