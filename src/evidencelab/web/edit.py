"""Changing the case from the browser: incidents, links, casualty reports, uploads, review.

Each handler reads the form and calls the service layer with the logged-in user as the
actor; the services check the input and record the custody event.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from evidencelab.locker.case import Case, CaseError
from evidencelab.locker.errors import InputError
from evidencelab.locker.ingest import IngestRequest, parse_collected_at
from evidencelab.locker.inputs import check_url, local_time_in_zone
from evidencelab.model.case import EVIDENCE_KINDS
from evidencelab.model.casualty import QUALIFIERS
from evidencelab.service import workbench
from evidencelab.service.incidents import incident_edit, review
from evidencelab.service.intake import take_in_whole
from evidencelab.service.maps.views import place_time_zone
from evidencelab.service.verification.views import checks_view
from evidencelab.web.auth import acting_case, base_case, render
from evidencelab.web.source_pages import casualty_page, form_errors, link_page, picker_context

router = APIRouter()

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
READ_CHUNK = 1024 * 1024


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _incident_form_context(
    incident: Mapping[str, Any] | None, form: dict[str, str]
) -> dict[str, Any]:
    return {"incident": incident, "form": form, "qualifiers": QUALIFIERS}


def _wall_time(iso: str | None, zone: str) -> str | None:
    """A stored time as the wall-clock time in ``zone`` a date-time control shows."""
    if not iso:
        return None
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None).isoformat()


def _offset_zone(iso: str | None) -> str:
    """The IANA zone of a stored time's fixed UTC offset, when the place gives none: a whole
    hour is ``Etc/GMT-2`` for +02:00 (POSIX sign, IANA tz database "etcetera"), else UTC."""
    offset = datetime.fromisoformat(iso.replace("Z", "+00:00")).utcoffset() if iso else None
    if not offset or offset.total_seconds() % 3600:
        return "UTC"
    hours = int(offset.total_seconds() // 3600)
    return f"Etc/GMT{-hours:+d}"


def _form_from_incident(view: Mapping[str, Any]) -> dict[str, str]:
    time = view.get("time") or {}
    place = view.get("place") or {}
    weapon = view.get("weapon") or {}
    located = place.get("lat") is not None and place.get("lon") is not None
    zone = place_time_zone(place["lat"], place["lon"])["zone"] if located else None
    zone = zone or _offset_zone(time.get("start"))
    values = {
        "title": view.get("title"),
        "notes": view.get("notes"),
        "time_start": _wall_time(time.get("start"), zone),
        "time_end": _wall_time(time.get("end"), zone),
        "time_zone": zone,
        "approximate": "on" if time.get("approximate") else "",
        "place_name": place.get("name"),
        "admin1": place.get("admin1"),
        "country": place.get("country"),
        "lat": place.get("lat"),
        "lon": place.get("lon"),
        "precision_m": place.get("precision_m"),
        "munition": weapon.get("munition"),
        "weapon_basis": weapon.get("basis"),
        "weapon_confidence": weapon.get("confidence"),
    }
    return {k: "" if v is None else str(v) for k, v in values.items()}


@router.get("/incidents/new", response_class=HTMLResponse)
def incident_new(request: Request) -> Response:
    return render(request, "incident_form.html", _incident_form_context(None, {"time_zone": "UTC"}))


@router.post("/incidents/new")
async def incident_create(request: Request) -> Response:
    form = await _form(request)
    incident_id = form.get("id", "").strip()
    try:
        if not ID_PATTERN.match(incident_id):
            raise CaseError(
                "id: use lower-case letters, digits, '.', '_' or '-' (up to 100 characters)"
            )
        fields = incident_edit.incident_fields_from_form(form)
        if not fields.get("title"):
            raise CaseError("title: required")
        case = acting_case(request)
        await run_in_threadpool(incident_edit.create_incident, case, incident_id, fields)
    except CaseError as error:
        context = _incident_form_context(None, form) | {"error": str(error)}
        return render(request, "incident_form.html", context, 400)
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


@router.get("/incidents/{incident_id}/edit", response_class=HTMLResponse)
def incident_edit_form(request: Request, incident_id: str) -> Response:
    view = workbench.incident_view(base_case(request), incident_id, sensitive=False)
    return render(
        request, "incident_form.html", _incident_form_context(view, _form_from_incident(view))
    )


@router.post("/incidents/{incident_id}/edit")
async def incident_update(request: Request, incident_id: str) -> Response:
    form = await _form(request)
    case = acting_case(request)
    try:
        fields = incident_edit.incident_fields_from_form(form)
        await run_in_threadpool(incident_edit.edit_incident, case, incident_id, fields)
    except CaseError as error:
        view = workbench.incident_view(base_case(request), incident_id, sensitive=False)
        context = _incident_form_context(view, form) | {"error": str(error)}
        return render(request, "incident_form.html", context, 400)
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


@router.post("/incidents/{incident_id}/evidence")
async def evidence_link(request: Request, incident_id: str) -> Response:
    form = await _form(request)
    case = acting_case(request)
    try:
        await run_in_threadpool(
            incident_edit.link_evidence, case, incident_id, form.get("evidence", "").strip()
        )
    except CaseError as error:
        if "no such incident" in str(error):
            raise
        return link_page(request, incident_id, form, form_errors(error, "evidence"))
    return RedirectResponse(f"/incidents/{incident_id}#evidence", status_code=303)


@router.post("/incidents/{incident_id}/evidence/{evidence_id}/unlink")
async def evidence_unlink(request: Request, incident_id: str, evidence_id: str) -> Response:
    case = acting_case(request)
    await run_in_threadpool(incident_edit.unlink_evidence, case, incident_id, evidence_id)
    return RedirectResponse(f"/incidents/{incident_id}#evidence", status_code=303)


@router.post("/incidents/{incident_id}/casualties")
async def casualty_add(request: Request, incident_id: str) -> Response:
    form = await _form(request)
    case = acting_case(request)
    try:
        report = incident_edit.casualty_report_from_form(form)
        await run_in_threadpool(incident_edit.add_casualty_report, case, incident_id, report)
    except CaseError as error:
        return casualty_page(request, incident_id, None, form, form_errors(error, "scope"), 400)
    return RedirectResponse(f"/incidents/{incident_id}?done=added#casualties", status_code=303)


@router.post("/incidents/{incident_id}/review")
async def fact_review(request: Request, incident_id: str) -> Response:
    form = await _form(request)
    case = acting_case(request)
    await run_in_threadpool(
        review.review_fact,
        case,
        incident_id,
        form.get("fact", ""),
        form.get("state", ""),
        form.get("comment"),
    )
    return RedirectResponse(f"/incidents/{incident_id}#review", status_code=303)


def _upload_page(
    request: Request, form: Mapping[str, str], errors: Mapping[str, str], status: int = 200
) -> Response:
    context = picker_context(request)
    zones = {o["value"]: o["zone"] for o in context["pickers"]["incidents"]}
    context |= {
        "kinds": EVIDENCE_KINDS,
        "form": form,
        "errors": errors,
        "zone": zones.get(form.get("incident", "")) or "UTC",
    }
    return render(request, "upload.html", context, status)


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request, incident: str = "") -> Response:
    return _upload_page(request, {"incident": incident}, {})


def _safe_name(name: str) -> str:
    """A file name without any folder part or control characters, for the locker record."""
    base = Path(name.replace("\\", "/")).name
    cleaned = "".join(c for c in base if c.isprintable() and c not in "/\0").strip(". ")
    return cleaned[:200] or "upload"


async def receive_upload(case: Case, upload: UploadFile, folder: Path) -> tuple[Path, str, int]:
    """Copy an uploaded file into ``folder`` under its own (cleaned) name, hashing it on
    the way: (path, SHA-256, size in bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / _safe_name(upload.filename or "upload")
    digest = hashlib.sha256()
    size = 0
    with path.open("wb") as out:
        while chunk := await upload.read(READ_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return path, digest.hexdigest(), size


def _acquisition(text: Mapping[str, str]) -> dict[str, Any]:
    """The IngestRequest fields the form gives for every file: kind, source, sensitivity
    and the acquisition's URL, time, collector and note. InputError naming a bad field."""
    kind = text.get("kind") or None
    if kind is not None and kind not in EVIDENCE_KINDS:
        raise InputError("kind", repr(kind), f"must be one of {', '.join(EVIDENCE_KINDS)}")
    url = text.get("url") or None
    collected_at = text.get("collected_at") or None
    if collected_at is not None:
        moment = local_time_in_zone(
            collected_at, text.get("collected_zone") or "UTC", what="collected_at"
        )
        collected_at = parse_collected_at(moment.isoformat())
    return {
        "kind": kind,
        "source_id": text.get("source") or None,
        "url": None if url is None else check_url(url),
        "collected_at": collected_at,
        "collector": text.get("collector") or None,
        "note": text.get("note") or None,
        "sensitive": text.get("sensitive") == "on",
    }


@router.post("/upload")
async def upload(request: Request) -> Response:
    form = await request.form()
    files = [f for f in form.getlist("file") if isinstance(f, UploadFile) and f.filename]
    text = {k: v.strip() for k, v in form.items() if isinstance(v, str)}
    case = acting_case(request)
    incident = text.get("incident") or None
    folder = Path(tempfile.mkdtemp(prefix="upload-", dir=case.root))
    try:
        if not files:
            raise InputError("file", None, "choose at least one file")
        fields = _acquisition(text)
        # One folder per file: two files of the same name are two files.
        received = [await receive_upload(case, f, folder / str(n)) for n, f in enumerate(files)]
        requests = [IngestRequest(path=path, **fields) for path, _sha, _size in received]
        intake = await run_in_threadpool(take_in_whole, case, requests, incident_id=incident)
    except CaseError as error:
        return _upload_page(request, text, form_errors(error, "file"), 400)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    stored = [
        {"name": path.name, "received_sha256": sha, "size": size, "outcome": outcome}
        for (path, sha, size), outcome in zip(received, intake.outcomes, strict=True)
    ]
    linked = incident if intake.linked else None
    return render(
        request,
        "uploaded.html",
        {"files": stored, "linked": linked, "vchecks": checks_view(intake.checks)},
    )
