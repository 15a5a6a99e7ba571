"""Verification in the browser: consistency checks on the upload result, evidence and
incident pages, an item's status set with a reason (and its history), near-duplicate groups
with their earliest appearance, and an incident's corroboration per fact.

Every value comes from the services (``service.verification.views``,
``service.assessment.corroboration``, ``service.evidence.status``); this module reads the
form and chooses the page.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from evidencelab.locker.case import CaseError
from evidencelab.locker.errors import InputError
from evidencelab.service import workbench
from evidencelab.service.assessment.corroboration import visible_corroboration
from evidencelab.service.case_cache import CaseReadings
from evidencelab.service.evidence.status import STATES, set_evidence_status
from evidencelab.service.verification.views import (
    duplicate_groups,
    evidence_verification,
    incident_checks,
)
from evidencelab.web.auth import acting_case, base_case, may, render

router = APIRouter()

STATUS_SET = "status"  # the ?done= value after a status change


def _sensitive(request: Request) -> bool:
    return may(request, "read_sensitive")


def evidence_context(request: Request, evidence_id: str) -> dict[str, Any]:
    """What the evidence page's verification part shows (``evidence_id`` as stored)."""
    case, sensitive = base_case(request), _sensitive(request)
    readings: CaseReadings = request.app.state.case_readings  # whole-case reads, kept
    verification = evidence_verification(
        case,
        evidence_id,
        sensitive=sensitive,
        facts=readings.corroboration(case).facts,
        groups=readings.duplicates(case, sensitive=sensitive),
    )
    return {
        "verification": verification,
        "vchecks": verification["checks"],
        "status_states": STATES,
        "status_done": request.query_params.get("done") == STATUS_SET,
    }


def incident_context(request: Request, incident_id: str) -> dict[str, Any]:
    """What the incident page's verification part shows: checks and corroboration."""
    case, sensitive = base_case(request), _sensitive(request)
    readings: CaseReadings = request.app.state.case_readings
    reading = readings.corroboration(case)  # kept between requests until the case changes
    return {
        "vchecks": incident_checks(case, incident_id, sensitive=sensitive, facts=reading.facts),
        "corroboration": visible_corroboration(
            case, incident_id, sensitive=sensitive, reading=reading
        ),
    }


@router.get("/duplicates", response_class=HTMLResponse)
def duplicates_page(request: Request) -> Response:
    groups = duplicate_groups(base_case(request), sensitive=_sensitive(request))
    return render(request, "duplicates.html", {"groups": groups})


def _status_page(
    request: Request,
    evidence_id: str,
    form: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    # Raises "no such evidence item" (404) for an unknown item, or a sensitive one that
    # the role may not see, before anything else is read.
    item = workbench.evidence_view(base_case(request), evidence_id, sensitive=_sensitive(request))
    context = {
        "item": item,
        "verification": evidence_verification(
            base_case(request), item["id"], sensitive=_sensitive(request)
        ),
        "status_states": STATES,
        "form": form,
        "errors": errors,
    }
    return render(request, "verification_status.html", context, status)


@router.get("/evidence/{evidence_id}/status", response_class=HTMLResponse)
def evidence_status_form(request: Request, evidence_id: str) -> Response:
    return _status_page(request, evidence_id, {}, {})


@router.post("/evidence/{evidence_id}/status")
async def evidence_status_set(request: Request, evidence_id: str) -> Response:
    raw = await request.form()
    form = {k: v for k, v in raw.items() if isinstance(v, str) and k != "csrf_token"}
    # The item must be visible to the role before its status can change.
    workbench.evidence_view(base_case(request), evidence_id, sensitive=_sensitive(request))
    state, reason = form.get("state", ""), form.get("reason", "")
    try:
        await run_in_threadpool(
            set_evidence_status, acting_case(request), evidence_id, state, reason
        )
    except InputError as error:
        return _status_page(request, evidence_id, form, {error.field: str(error)}, 400)
    except CaseError as error:
        return _status_page(request, evidence_id, form, {"state": str(error)}, 400)
    return RedirectResponse(f"/evidence/{evidence_id}?done={STATUS_SET}#status", status_code=303)
