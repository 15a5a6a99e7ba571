"""Read pages: overview, incidents, map, timeline, evidence, custody log."""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from evidencelab.service import workbench
from evidencelab.service.case_cache import CaseReadings
from evidencelab.service.imagery.views import incident_imagery, map_imagery
from evidencelab.service.incidents import review
from evidencelab.service.maps.views import objects_around
from evidencelab.service.verification.duplicate_cache import DuplicateMembers
from evidencelab.web.auth import base_case, may, render
from evidencelab.web.location_pages import evidence_context as location_evidence
from evidencelab.web.location_pages import incident_context as location_incident
from evidencelab.web.params import parse_bounded
from evidencelab.web.source_pages import incident_context as source_incident
from evidencelab.web.verification_pages import evidence_context, incident_context
from evidencelab.web.workflow_pages import incident_context as workflow_incident

router = APIRouter()

# Media types shown inline (the browser renders them as media, never as a document).
INLINE_MEDIA = frozenset(
    {"image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4", "video/webm"}
)


def script_json(value: Any) -> str:
    """JSON safe inside a <script> element: no "</script>" or "<!--" can end it early."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _sensitive(request: Request) -> bool:
    return may(request, "read_sensitive")


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> Response:
    case = base_case(request)
    readings: CaseReadings = request.app.state.case_readings
    states = readings.fact_states(case)
    progress = {"reviewed": 0, "disputed": 0, "awaiting review": 0}
    for state in states:
        progress[state["state"]] += 1
    return render(
        request,
        "overview.html",
        {
            "summary": readings.summary(case),
            "problems_shown": may(request, "read_sensitive"),
            "progress": progress,
            "awaiting": [s for s in states if s["state"] != "reviewed"][:50],
        },
    )


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(request: Request, incident_id: str) -> Response:
    case = base_case(request)
    view = workbench.incident_view(case, incident_id, sensitive=_sensitive(request))
    imagery = incident_imagery(case, incident_id, sensitive=_sensitive(request))
    marker = _marker(view)
    map_data = {
        "markers": [marker] if marker else [],
        "footprints": imagery["footprints"],
        "annotations": imagery["annotations"],
        "context": objects_around(case, marker["lat"], marker["lon"], marker["precision_m"])
        if marker
        else [],
    }
    return render(
        request,
        "incident.html",
        {
            "incident": view,
            "imagery": imagery,
            "facts": review.fact_states(case, [incident_id]),
            "map_data": script_json(map_data),
            **incident_context(request, incident_id),
            **location_incident(request, incident_id),
            **source_incident(request, incident_id),
            **workflow_incident(request, incident_id),
        },
    )


def _marker(view: Mapping[str, Any]) -> dict[str, Any] | None:
    place = view.get("place") or {}
    if place.get("lat") is None or place.get("lon") is None:
        return None
    return {
        "id": view["id"],
        "title": view.get("title") or view["id"],
        "lat": place["lat"],
        "lon": place["lon"],
        "precision_m": place.get("precision_m"),
    }


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request) -> Response:
    case = base_case(request)
    rows = workbench.incident_rows(case)
    markers = [
        {k: r[k] for k in ("id", "title", "lat", "lon", "precision_m")}
        for r in rows
        if r["lat"] is not None and r["lon"] is not None
    ]
    map_data = {"markers": markers, **map_imagery(case, sensitive=_sensitive(request))}
    return render(
        request,
        "map.html",
        {"map_data": script_json(map_data), "unplaced": len(rows) - len(markers)},
    )


@router.get("/timeline", response_class=HTMLResponse)
def timeline(request: Request) -> Response:
    rows = workbench.incident_rows(base_case(request))
    days: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        views = workbench.time_views(
            {"start": row["start"], "end": row["end"]} if row["start"] else None,
            {"lat": row["lat"], "lon": row["lon"]},
        )
        start = views.get("start")
        day = (start["local"] if start else "undated")[:10]
        days.setdefault(day, []).append({**row, "views": views})
    return render(request, "timeline.html", {"days": days})


@router.get("/evidence", response_class=HTMLResponse)
def evidence_list(
    request: Request,
    kind: str = "",
    source: str = "",
    gps: str = "",
    duplicates: str = "",
    status: str = "",
    page: str = "",
) -> Response:
    case = base_case(request)
    number, error = _bounded("page", page)
    only = None
    if duplicates == "yes":
        cache: DuplicateMembers = request.app.state.duplicate_members
        only = set(cache.ids(case))
    listing = workbench.evidence_page(
        case,
        sensitive=_sensitive(request),
        kind=kind or None,
        source=source or None,
        has_gps={"yes": True, "no": False}.get(gps),
        status=status or None,
        only=only,
        page=number or 1,
    )
    filters = {
        "kind": kind,
        "source": source,
        "gps": gps,
        "duplicates": duplicates,
        "status": status,
    }
    template = "evidence_table.html" if request.headers.get("hx-request") else "evidence_list.html"
    context = {"listing": listing, "filters": filters, "error": error}
    return render(request, template, context, 422 if error else 200)


def _bounded(name: str, raw: str) -> tuple[int | None, str | None]:
    """(the integer query parameter, None), or (None, the message) when it is out of
    bounds: the page is then shown as without it, with the message."""
    try:
        return parse_bounded(name, raw), None
    except ValueError as problem:
        return None, str(problem)


@router.get("/evidence/{evidence_id}", response_class=HTMLResponse)
def evidence_page(request: Request, evidence_id: str) -> Response:
    view = workbench.evidence_view(base_case(request), evidence_id, sensitive=_sensitive(request))
    context = {"item": view, "inline": view["media_type"] in INLINE_MEDIA}
    context |= location_evidence(request, view["id"])
    return render(request, "evidence.html", context | evidence_context(request, view["id"]))


def _object_response(path: str, media_type: str, name: str) -> Response:
    """A stored object, sent so a hostile file cannot run as a page of this site."""
    inline = media_type in INLINE_MEDIA
    response = FileResponse(
        path,
        media_type=media_type if inline else "application/octet-stream",
        filename=name,
        content_disposition_type="inline" if inline else "attachment",
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@router.get("/evidence/{evidence_id}/original")
def evidence_original(request: Request, evidence_id: str) -> Response:
    case = base_case(request)
    path, media_type = workbench.evidence_file(
        case, evidence_id, None, sensitive=_sensitive(request)
    )
    return _object_response(path, media_type, f"{evidence_id}")


@router.get("/evidence/{evidence_id}/derivative/{role}")
def evidence_derivative(request: Request, evidence_id: str, role: str) -> Response:
    case = base_case(request)
    path, media_type = workbench.evidence_file(
        case, evidence_id, role, sensitive=_sensitive(request)
    )
    extension = mimetypes.guess_extension(media_type) or ".bin"  # a chip is a PNG
    return _object_response(path, media_type, f"{evidence_id}-{role}{extension}")


@router.get("/custody", response_class=HTMLResponse)
def custody(request: Request, before: str = "") -> Response:
    number, error = _bounded("before", before)
    log = workbench.custody_page(base_case(request), sensitive=_sensitive(request), before=number)
    return render(request, "custody.html", {"log": log, "error": error}, 422 if error else 200)
