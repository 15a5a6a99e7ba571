"""What the web maps load besides the page: the offline basemap's layers (Natural Earth,
packaged with the app, cached by the browser) and the time zone at a place picked on the
incident form's map."""

from __future__ import annotations

import hashlib
from functools import cache

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from evidencelab.service.maps.views import basemap_layer, place_time_zone

router = APIRouter()

#: The layers change only with the package: a week in the browser's cache, then revalidated.
CACHE_CONTROL = "private, max-age=604800"


@cache
def _etag(name: str) -> str:
    return '"' + hashlib.sha256(basemap_layer(name)).hexdigest()[:32] + '"'


@router.get("/basemap/{layer}.geojson")
def basemap(request: Request, layer: str) -> Response:
    body = basemap_layer(layer)
    headers = {"Cache-Control": CACHE_CONTROL, "ETag": _etag(layer)}
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/geo+json", headers=headers)


@router.get("/maps/time-zone")
def time_zone(lat: float, lon: float, at: str | None = None) -> JSONResponse:
    return JSONResponse(dict(place_time_zone(lat, lon, at)))
