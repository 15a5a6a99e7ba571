"""Geolocation and chronolocation in the browser: geolocations listed and added (the point
picked on the map) on the evidence and incident pages, reviewed by another user, the
incident place set from the reviewed ones after a confirmation, and chronolocation steps
run from the evidence page and stored as findings.

Each handler reads the form and calls service.verification.locations with the logged-in
user as the actor. A refused value re-shows the form on a page of its own (status 400) with
every typed value kept and the message beside the field it came from.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from evidencelab.locker.case import CaseError
from evidencelab.locker.errors import InputError, InputErrors
from evidencelab.service.verification import locations
from evidencelab.service.verification.geolocation import (
    METHODS,
    apply_incident_place,
    incident_place_from_geolocations,
)
from evidencelab.web.auth import acting_case, base_case, may, render

router = APIRouter()

#: A page a review may return to: an incident's or an item's.
PAGE_PATH = re.compile(r"/(incidents|evidence)/[^/?#\s]+")
#: Grid steps offered for a place band, degrees (each cell is judged at its centre).
BAND_STEPS = ("2", "1", "0.5", "0.25")


def _sensitive(request: Request) -> bool:
    return may(request, "read_sensitive")


def _choices() -> dict[str, Any]:
    return {
        "geolocation_methods": METHODS,
        "review_choices": locations.REVIEW_CHOICES,
        "band_steps": BAND_STEPS,
    }


def evidence_context(request: Request, evidence_id: str) -> dict[str, Any]:
    """What the evidence page's geolocation and chronolocation sections show."""
    return {"locations": locations.evidence_locations(base_case(request), evidence_id)} | (
        _choices()
    )


def incident_context(request: Request, incident_id: str) -> dict[str, Any]:
    """What the incident page's geolocation section shows."""
    found = locations.incident_locations(
        base_case(request), incident_id, sensitive=_sensitive(request)
    )
    return {"locations": found} | _choices()


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


def _missing(error: CaseError) -> bool:
    """Whether the error is about a record the URL names (the app answers 404)."""
    return "no such" in str(error) or "not a geolocation number" in str(error)


def _refused(
    request: Request, error: CaseError, form: dict[str, str], context: dict[str, Any]
) -> Response:
    """The form again (400) with the typed values and the message beside its field (or
    above the form when no one field is to blame)."""
    named = error.errors if isinstance(error, InputErrors) else [error]
    errors = {e.field: e.naming(e.field) for e in named if isinstance(e, InputError)}
    message = None if errors else str(error)
    return render(
        request,
        "location_form.html",
        {"form": form, "errors": errors, "error": message, **_choices(), **context},
        400,
    )


async def _add(
    request: Request, back: str, *, evidence_id: str | None, incident_id: str | None
) -> Response:
    form = await _form(request)
    try:
        record = await run_in_threadpool(
            locations.add_geolocation_from_form,
            acting_case(request),
            form,
            evidence_id=evidence_id,
            incident_id=incident_id,
        )
    except CaseError as error:
        if _missing(error):
            raise
        subject = {"evidence": evidence_id, "incident": incident_id}
        return _refused(request, error, form, {"mode": "geolocation", "subject": subject})
    return RedirectResponse(f"{back}?geolocated={record['id']}#geolocation", status_code=303)


@router.post("/evidence/{evidence_id}/geolocations")
async def geolocation_add_evidence(request: Request, evidence_id: str) -> Response:
    return await _add(
        request, f"/evidence/{evidence_id}", evidence_id=evidence_id, incident_id=None
    )


@router.post("/incidents/{incident_id}/geolocations")
async def geolocation_add_incident(request: Request, incident_id: str) -> Response:
    return await _add(
        request, f"/incidents/{incident_id}", evidence_id=None, incident_id=incident_id
    )


@router.post("/geolocations/{geolocation_id}/review")
async def geolocation_review(request: Request, geolocation_id: str) -> Response:
    form = await _form(request)
    back = form.pop("back", "")
    try:
        record = await run_in_threadpool(
            locations.review_from_form,
            acting_case(request),
            geolocation_id,
            form,
            sensitive=_sensitive(request),
        )
    except CaseError as error:
        if _missing(error):
            raise
        context = {"mode": "review", "geolocation_id": geolocation_id, "back": back}
        return _refused(request, error, form, context)
    page = f"/evidence/{record['evidence']}" if record["evidence"] else ""
    page = page or f"/incidents/{record['incident']}"
    if PAGE_PATH.fullmatch(back):
        page = back  # where the reviewer pressed the button
    return RedirectResponse(f"{page}?reviewed={record['id']}#geolocation", status_code=303)


@router.get("/incidents/{incident_id}/place", response_class=HTMLResponse)
def incident_place_confirm(request: Request, incident_id: str) -> Response:
    """What setting the place from reviewed geolocations would write, and a button to do it."""
    derived = incident_place_from_geolocations(base_case(request), incident_id)
    return render(request, "location_place.html", {"derived": derived})


@router.post("/incidents/{incident_id}/place")
async def incident_place_apply(request: Request, incident_id: str) -> Response:
    case = acting_case(request)
    try:
        result = await run_in_threadpool(apply_incident_place, case, incident_id)
    except CaseError as error:
        if _missing(error):
            raise
        derived = incident_place_from_geolocations(base_case(request), incident_id)
        return render(
            request, "location_place.html", {"derived": derived, "error": str(error)}, 400
        )
    outcome = "placed" if result["applied"] else "unchanged"
    return RedirectResponse(f"/incidents/{incident_id}?place={outcome}#geolocation", 303)


@router.post("/evidence/{evidence_id}/chronolocation")
async def chronolocation_run(request: Request, evidence_id: str) -> Response:
    form = await _form(request)
    try:
        stored = await run_in_threadpool(
            locations.chronolocation_from_form, acting_case(request), evidence_id, form
        )
    except CaseError as error:
        if _missing(error):
            raise
        kind = form.get("kind", "")
        mode = kind if kind in locations.RUN_KINDS else "sun_position"
        context = {"mode": mode, "subject": {"evidence": evidence_id}}
        return _refused(request, error, form, context)
    return RedirectResponse(
        f"/evidence/{stored['evidence']}?finding={stored['finding']}#chronolocation", 303
    )
