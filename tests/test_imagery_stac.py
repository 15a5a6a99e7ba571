"""Catalogue search and windowed fetch against a static STAC API and a Cloud-Optimised
GeoTIFF served on loopback by the test, with a log of every request."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
import rasterio
from pyproj import Transformer
from shapely.geometry import Point, box
from sqlalchemy import select

from evidencelab.locker.case import Case, CaseError
from evidencelab.service.imagery.catalogue import fetch_item, search_catalogue
from evidencelab.service.imagery.scenes import scenes_for_incident
from evidencelab.store.tables import CustodyEvent, Derivative
from test_imagery_fixtures import (
    SITE_LAT,
    SITE_LON,
    UTM37N,
    add_incidents,
    incident,
    texture,
    write_scene,
)

COG_SIDE = 2048  # 10 m pixels: a 20 km scene centred on the site
LICENCE_URL = "https://sentinel.esa.int/documents/247904/690755/Sentinel_Data_Legal_Notice"


@dataclass
class Catalogue:
    """A STAC API (landing page, conformance, /search by GET and POST) and one COG."""

    cog: Path
    items: list[dict[str, Any]] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)
    searches: list[dict[str, Any]] = field(default_factory=list)
    base: str = ""


def _item(base: str, item_id: str, collection: str, when: str, bbox: list[float]) -> dict[str, Any]:
    west, south, east, north = bbox
    return {
        "type": "Feature",
        "stac_version": "1.0.0",
        "stac_extensions": [],
        "id": item_id,
        "collection": collection,
        "bbox": bbox,
        "geometry": box(west, south, east, north).__geo_interface__,
        "properties": {
            "datetime": when,
            "eo:cloud_cover": 3.25,
            "platform": "sentinel-2a",
            "instruments": ["msi"],
            "gsd": 10,
        },
        "links": [
            {"rel": "self", "href": f"{base}/collections/{collection}/items/{item_id}"},
            {"rel": "license", "href": LICENCE_URL},
        ],
        "assets": {
            "visual": {
                "href": f"{base}/data/scene.tif",
                "type": "image/tiff; application=geotiff; profile=cloud-optimized",
                "roles": ["visual"],
            }
        },
    }


def _matches(item: dict[str, Any], query: dict[str, Any]) -> bool:
    if query.get("ids") and item["id"] not in query["ids"]:
        return False
    if query.get("collections") and item["collection"] not in query["collections"]:
        return False
    if query.get("intersects"):
        lon, lat = query["intersects"]["coordinates"]
        if not box(*item["bbox"]).covers(Point(lon, lat)):
            return False
    if query.get("datetime"):
        start, end = query["datetime"].split("/")
        when = item["properties"]["datetime"]
        if not (
            start.replace("Z", "+00:00")
            <= when.replace("Z", "+00:00")
            <= end.replace("Z", "+00:00")
        ):
            return False
    return True


def _handler(catalogue: Catalogue) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # the test keeps its own log
            pass

        def _send(
            self, status: int, body: bytes, kind: str, extra: dict[str, str] | None = None
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            catalogue.log.append(
                {
                    "method": self.command,
                    "path": self.path,
                    "range": self.headers.get("Range"),
                    "status": status,
                    "bytes": 0 if self.command == "HEAD" else len(body),
                }
            )

        def _json(self, value: Any) -> None:
            self._send(200, json.dumps(value).encode(), "application/json")

        def _search(self, query: dict[str, Any]) -> None:
            catalogue.searches.append(query)
            features = [i for i in catalogue.items if _matches(i, query)]
            self._json({"type": "FeatureCollection", "features": features, "links": []})

        def _file(self) -> None:
            data = catalogue.cog.read_bytes()
            wanted = self.headers.get("Range")
            if wanted is None:
                self._send(200, data, "image/tiff", {"Accept-Ranges": "bytes"})
                return
            first, _, last = wanted.removeprefix("bytes=").partition("-")
            start, end = int(first), min(int(last), len(data) - 1)
            self._send(
                206,
                data[start : end + 1],
                "image/tiff",
                {"Content-Range": f"bytes {start}-{end}/{len(data)}", "Accept-Ranges": "bytes"},
            )

        def do_HEAD(self) -> None:
            self.do_GET()

        def do_GET(self) -> None:
            url = urlparse(self.path)
            base = catalogue.base
            if url.path == "/data/scene.tif":
                self._file()
            elif url.path in ("", "/"):
                self._json(
                    {
                        "type": "Catalog",
                        "id": "loopback",
                        "stac_version": "1.0.0",
                        "description": "static STAC API for tests",
                        "conformsTo": [
                            "https://api.stacspec.org/v1.0.0/core",
                            "https://api.stacspec.org/v1.0.0/item-search",
                        ],
                        "links": [
                            {"rel": "self", "href": f"{base}/"},
                            {"rel": "root", "href": f"{base}/"},
                            {"rel": "conformance", "href": f"{base}/conformance"},
                            {"rel": "search", "href": f"{base}/search", "method": "GET"},
                            {"rel": "search", "href": f"{base}/search", "method": "POST"},
                        ],
                    }
                )
            elif url.path == "/conformance":
                self._json({"conformsTo": ["https://api.stacspec.org/v1.0.0/item-search"]})
            elif url.path == "/search":
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                query: dict[str, Any] = {
                    "ids": params["ids"].split(",") if "ids" in params else None,
                    "collections": params["collections"].split(",")
                    if "collections" in params
                    else None,
                    "intersects": json.loads(params["intersects"])
                    if "intersects" in params
                    else None,
                    "datetime": params.get("datetime"),
                }
                self._search(query)
            else:
                self._send(404, b"{}", "application/json")

        def do_POST(self) -> None:
            if urlparse(self.path).path != "/search":
                self._send(404, b"{}", "application/json")
                return
            length = int(self.headers.get("Content-Length", "0"))
            self._search(json.loads(self.rfile.read(length) or b"{}"))

    return Handler


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalogue]:
    folder = tmp_path_factory.mktemp("stac")
    cog = write_scene(folder / "scene.tif", texture(COG_SIDE, seed=11), driver="COG")
    served = Catalogue(cog=cog)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(served))
    served.base = f"http://127.0.0.1:{server.server_address[1]}"
    with rasterio.open(cog) as dataset:
        west, south, east, north = rasterio.warp.transform_bounds(
            dataset.crs, "EPSG:4326", *dataset.bounds
        )
    bbox = [west, south, east, north]
    served.items = [
        _item(served.base, "S2A_TEST_20220227", "sentinel-2-l2a", "2022-02-27T08:41:00Z", bbox),
        _item(served.base, "S2A_TEST_20211001", "sentinel-2-l2a", "2021-10-01T08:41:00Z", bbox),
        _item(served.base, "LC08_TEST_20220220", "landsat-c2-l2", "2022-02-20T08:30:00Z", bbox),
    ]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield served
    server.shutdown()
    server.server_close()


@pytest.fixture
def site_case(case: Case, tmp_path: Path) -> Case:
    add_incidents(
        case, tmp_path, [incident("site", SITE_LAT, SITE_LON, "2022-02-24T10:30:00+02:00")]
    )
    return case


def test_search_lists_items_around_the_incident(site_case: Case, catalogue: Catalogue) -> None:
    found = search_catalogue(
        site_case,
        "site",
        days_before=10,
        days_after=10,
        catalog=catalogue.base,
        collections=["sentinel-2-l2a", "landsat-c2-l2"],
    )
    assert [item["id"] for item in found["items"]] == ["LC08_TEST_20220220", "S2A_TEST_20220227"]
    after = found["items"][1]
    assert after["label"] == "after" and after["cloud_cover"] == 3.25
    assert after["self"].endswith("/collections/sentinel-2-l2a/items/S2A_TEST_20220227")
    assert after["assets"]["visual"] == f"{catalogue.base}/data/scene.tif"
    assert found["items"][0]["label"] == "before"
    query = catalogue.searches[-1]
    assert query["intersects"]["coordinates"] == [SITE_LON, SITE_LAT]
    start, end = query["datetime"].split("/")
    assert start.startswith("2022-02-14T08:30:00") and end.startswith("2022-03-06T08:30:00")


def test_catalogue_from_environment(
    site_case: Case, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVIDENCELAB_STAC_URL", catalogue.base)
    monkeypatch.setenv("EVIDENCELAB_STAC_COLLECTIONS", "landsat-c2-l2")
    found = search_catalogue(site_case, "site", days_before=10, days_after=10)
    assert found["catalog"] == catalogue.base
    assert [item["id"] for item in found["items"]] == ["LC08_TEST_20220220"]


def test_fetch_reads_only_the_window_by_range_requests(
    site_case: Case, catalogue: Catalogue
) -> None:
    catalogue.log.clear()
    result = fetch_item(
        site_case,
        "site",
        "S2A_TEST_20220227",
        catalog=catalogue.base,
        collections=["sentinel-2-l2a"],
        radius_m=200,
    )
    scene = result["scene"]
    assert scene["kind"] == "satellite"
    assert scene["acquired_at"] == "2022-02-27T08:41:00Z"
    assert scene["licence"] == LICENCE_URL
    assert scene["provider"] == "sentinel-2a" and scene["sensor"] == "msi"
    assert scene["crs"] == f"EPSG:{UTM37N}"
    # ±200 m at 10 m: a 40-pixel window (one more where the edge falls inside a pixel).
    col, row, width, height = result["window"]
    assert 40 <= width <= 41 and 40 <= height <= 41
    stored = site_case.objects.path(scene["sha256"])
    with rasterio.open(stored) as window, rasterio.open(catalogue.cog) as source:
        assert np.array_equal(
            window.read(), source.read(window=rasterio.windows.Window(col, row, width, height))
        )
        x, y = Transformer.from_crs(4326, UTM37N, always_xy=True).transform(SITE_LON, SITE_LAT)
        left, bottom, right, top = window.bounds
        assert left <= x <= right and bottom <= y <= top
    # Provenance: the STAC item as fetched, and a custody event naming item and asset.
    with site_case.sessions() as session:
        derivative = session.scalars(
            select(Derivative).where(
                Derivative.evidence_id == scene["id"], Derivative.role == "stac-item"
            )
        ).one()
        event = session.scalars(
            select(CustodyEvent).where(CustodyEvent.action == "imagery.fetch")
        ).one()
    item = json.loads(site_case.objects.path(derivative.sha256).read_bytes())
    assert item["id"] == "S2A_TEST_20220227"
    payload = json.loads(event.payload)
    assert payload["item"] == "S2A_TEST_20220227" and payload["asset"] == "visual"
    assert [s["id"] for s in scenes_for_incident(site_case, "site")] == [scene["id"]]
    # Only byte ranges of the COG were fetched, and far less than the whole file.
    reads = [entry for entry in catalogue.log if entry["path"] == "/data/scene.tif"]
    gets = [entry for entry in reads if entry["method"] == "GET"]
    assert gets and all(entry["range"] and entry["status"] == 206 for entry in gets)
    size = catalogue.cog.stat().st_size
    assert sum(entry["bytes"] for entry in gets) < 0.1 * size


def test_fetch_of_an_unknown_item_is_a_clear_error(site_case: Case, catalogue: Catalogue) -> None:
    with pytest.raises(CaseError, match="item NOPE: not found"):
        fetch_item(
            site_case, "site", "NOPE", catalog=catalogue.base, collections=["sentinel-2-l2a"]
        )


def test_unreachable_catalogue_is_a_clear_error(site_case: Case) -> None:
    with pytest.raises(CaseError, match=re.escape("catalogue http://127.0.0.1:9/")):
        search_catalogue(site_case, "site", catalog="http://127.0.0.1:9/")
