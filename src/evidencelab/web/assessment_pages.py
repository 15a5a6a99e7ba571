"""Assessment and claims in the browser: an incident's indicators with their sign-off, and
the claims register with each claim evaluated.

The pages show what service.assessment computes; a sign-off and a new claim go through
the same service functions as the command line, with the logged-in user as the actor.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from evidencelab.locker.errors import InputError
from evidencelab.service.assessment.indicators import sign_off
from evidencelab.service.assessment.views import claims_register, incident_assessment
from evidencelab.service.claims import add_claim, check_claim
from evidencelab.web.auth import acting_case, base_case, may, render

router = APIRouter()

CLAIM_FIELDS = ("claimant", "text", "predicate", "made_at", "source", "id")


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _assessment(
    request: Request, incident_id: str, context: dict[str, Any], status: int = 200
) -> Response:
    """The incident's assessment: the section alone when htmx asks for it (the incident
    page loads it), else a page of its own (without JavaScript, and after a refused
    sign-off)."""
    sensitive = may(request, "read_sensitive")
    assessment = incident_assessment(base_case(request), incident_id, sensitive=sensitive)
    fragment = request.headers.get("hx-request") == "true" and status == 200
    template = "_assessment_section.html" if fragment else "assessment.html"
    response = render(request, template, {"a": assessment, **context}, status)
    response.headers["Vary"] = "HX-Request"
    return response


@router.get("/incidents/{incident_id}/assessment", response_class=HTMLResponse)
def assessment_page(request: Request, incident_id: str, signed: str = "") -> Response:
    return _assessment(request, incident_id, {"signed": signed})


@router.post("/incidents/{incident_id}/assessment/sign-off")
async def indicator_sign_off(request: Request, incident_id: str) -> Response:
    form = await _form(request)
    code = form.get("code", "")
    try:
        await run_in_threadpool(
            sign_off,
            acting_case(request),
            incident_id,
            code,
            form.get("decision", ""),
            form.get("comment", ""),
        )
    except InputError as error:
        refused = {"code": code, "form": form, "errors": {error.field: str(error)}}
        return _assessment(request, incident_id, {"refused": refused}, 400)
    return RedirectResponse(
        f"/incidents/{quote(incident_id)}?signed={quote(code)}#assessment", status_code=303
    )


def _register(
    request: Request, context: dict[str, Any], status: int = 200, template: str = "claims.html"
) -> Response:
    register = claims_register(base_case(request), sensitive=may(request, "read_sensitive"))
    return render(request, template, {"register": register, **context}, status)


@router.get("/claims", response_class=HTMLResponse)
def claims_page(request: Request, added: str = "") -> Response:
    return _register(request, {"added": added, "form": {}})


def _claim_values(form: dict[str, str]) -> dict[str, Any]:
    """The service's arguments from the form's fields (blank optional fields unset)."""

    def text(name: str) -> str | None:
        return form.get(name, "").strip() or None

    return {
        "claimant": form.get("claimant", ""),
        "text": form.get("text", ""),
        "predicate": text("predicate"),
        "made_at": text("made_at"),
        "source": text("source"),
        "claim_id": text("id"),
    }


@router.post("/claims")
async def claim_add(request: Request) -> Response:
    """Adding a claim takes two steps: the values are checked and shown for confirmation
    (a claim cannot be taken out of the register), then recorded."""
    form = await _form(request)
    values = _claim_values(form)
    case = acting_case(request)
    try:
        if form.get("confirmed") != "yes":
            checked = await run_in_threadpool(lambda: check_claim(case, **values))
            return _register(request, {"form": form, "checked": checked}, 200, "claim_confirm.html")
        added = await run_in_threadpool(lambda: add_claim(case, **values))
    except InputError as error:
        context = {"form": form, "errors": {error.field: str(error)}}
        return _register(request, context, 400)
    return RedirectResponse(f"/claims?added={quote(added['id'])}#claim-{added['id']}", 303)
