"""Safeguards around graphic content in the browser (docs/safety.md): sensitivity flags on
an item and on a selection of the evidence list, clearance for publication, "reviewed by"
notes, video contact sheets and each user's viewing preferences.

The templates read an item's flags and the viewer's preferences through two template
globals (:func:`install`), once per request, so that every page showing media can cover it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from evidencelab.locker.case import CaseError
from evidencelab.locker.errors import InputError
from evidencelab.model.sensitivity import FLAG_LABELS, FLAGS
from evidencelab.service import workbench
from evidencelab.service.access.preferences import set_viewing_preferences, viewing_preferences
from evidencelab.service.access.records import ViewingPreferences
from evidencelab.service.evidence.contact_sheets import video_contact_sheet
from evidencelab.service.evidence.records import SensitivityBrief
from evidencelab.service.evidence.sensitivity import (
    case_flags,
    clear_for_publication,
    item_sensitivity,
    record_review,
    set_sensitivity,
    withdraw_clearance,
)
from evidencelab.service.incidents.bulk_link import link_many
from evidencelab.web.auth import acting_case, base_case, may, principal_of, render

router = APIRouter()


def install(app: FastAPI) -> None:
    """Add this module's routes and the template globals the safety partials read."""
    app.include_router(router)
    app.state.templates.env.globals.update(
        safety_flags=_flags_of,
        safety_record=lambda request, evidence_id: item_sensitivity(
            base_case(request), evidence_id
        ),
        viewing=_viewing_of,
        incident_choices=lambda request: workbench.incident_rows(base_case(request)),
        flag_labels=FLAG_LABELS,
        all_flags=FLAGS,
    )


def _flags_of(request: Request, evidence_id: str) -> SensitivityBrief | None:
    """An item's flags (None: none), read once per request for the whole case."""
    if not hasattr(request.state, "case_flags"):
        request.state.case_flags = case_flags(base_case(request))
    found: SensitivityBrief | None = request.state.case_flags.get(evidence_id)
    return found


def _viewing_of(request: Request) -> ViewingPreferences:
    """The viewer's preferences (both safeguards on for someone not logged in)."""
    if not hasattr(request.state, "viewing"):
        principal = getattr(request.state, "principal", None)
        request.state.viewing = (
            viewing_preferences(base_case(request), principal.name)
            if principal
            else {"user": "", "greyscale": True, "blur": True}
        )
    found: ViewingPreferences = request.state.viewing
    return found


def _sensitive(request: Request) -> bool:
    return may(request, "read_sensitive")


async def _form(request: Request) -> tuple[dict[str, str], dict[str, list[str]]]:
    """A form's single values and its repeated ones (checkboxes), without the CSRF token."""
    raw = await request.form()
    single = {k: v for k, v in raw.items() if isinstance(v, str) and k != "csrf_token"}
    many = {k: [v for v in raw.getlist(k) if isinstance(v, str)] for k in raw}
    return single, many


# -- one item ----------------------------------------------------------------------------


def _flags_page(
    request: Request, evidence_id: str, form: dict[str, Any], errors: dict[str, str], status: int
) -> Response:
    # Raises "no such evidence item" (404) for an item the role may not see.
    item = workbench.evidence_view(base_case(request), evidence_id, sensitive=_sensitive(request))
    record = item_sensitivity(base_case(request), item["id"])
    context = {"item": item, "sensitivity": record, "form": form, "errors": errors}
    return render(request, "safety_flags.html", context, status)


@router.get("/evidence/{evidence_id}/flags", response_class=HTMLResponse)
def evidence_flags_form(request: Request, evidence_id: str) -> Response:
    return _flags_page(request, evidence_id, {}, {}, 200)


@router.post("/evidence/{evidence_id}/flags")
async def evidence_flags_set(request: Request, evidence_id: str) -> Response:
    single, many = await _form(request)
    form = {**single, "flags": many.get("flags", [])}
    wanted = set(form["flags"])
    workbench.evidence_view(base_case(request), evidence_id, sensitive=_sensitive(request))
    current = set(item_sensitivity(base_case(request), evidence_id)["flags"])
    if wanted == current:
        errors = {"flags": "flags: these are the item's flags already; nothing to change"}
        return _flags_page(request, evidence_id, form, errors, 400)
    try:
        await run_in_threadpool(
            lambda: set_sensitivity(
                acting_case(request),
                [evidence_id],
                add=sorted(wanted - current),
                remove=sorted(current - wanted),
                reason=single.get("reason"),
                sensitive=_sensitive(request),
            )
        )
    except InputError as error:
        field = "flags" if error.field in ("add", "remove") else error.field
        return _flags_page(request, evidence_id, form, {field: error.naming(field)}, 400)
    return RedirectResponse(f"/evidence/{evidence_id}?done=flags#safety", status_code=303)


@router.post("/evidence/{evidence_id}/clearance")
async def evidence_clearance_set(request: Request, evidence_id: str) -> Response:
    single, _many = await _form(request)
    decide = withdraw_clearance if single.get("decision") == "withdraw" else clear_for_publication
    try:
        await run_in_threadpool(
            lambda: decide(
                acting_case(request),
                evidence_id,
                reason=single.get("clearance_reason"),
                sensitive=_sensitive(request),
            )
        )
    except InputError as error:
        return _flags_page(request, evidence_id, single, {"clearance_reason": str(error)}, 400)
    except CaseError as error:
        if "no such" in str(error):
            raise
        return _flags_page(request, evidence_id, single, {"decision": str(error)}, 400)
    return RedirectResponse(f"/evidence/{evidence_id}?done=clearance#safety", status_code=303)


@router.post("/evidence/{evidence_id}/reviewed")
async def evidence_reviewed(request: Request, evidence_id: str) -> Response:
    single, _many = await _form(request)
    try:
        await run_in_threadpool(
            lambda: record_review(
                acting_case(request),
                evidence_id,
                note=single.get("note"),
                sensitive=_sensitive(request),
            )
        )
    except InputError as error:
        return _flags_page(request, evidence_id, single, {"note": str(error)}, 400)
    return RedirectResponse(f"/evidence/{evidence_id}?done=reviewed#safety", status_code=303)


@router.get("/evidence/{evidence_id}/contact-sheet")
def evidence_contact_sheet(request: Request, evidence_id: str) -> Response:
    sheet = video_contact_sheet(base_case(request), evidence_id, sensitive=_sensitive(request))
    return FileResponse(sheet["path"], media_type="image/jpeg")


# -- a selection of the evidence list ----------------------------------------------------


def _bulk_page(
    request: Request, form: dict[str, Any], errors: dict[str, str], status: int
) -> Response:
    context = {
        "form": form,
        "errors": errors,
        "incidents": workbench.incident_rows(base_case(request)),
    }
    return render(request, "safety_bulk.html", context, status)


@router.post("/evidence-bulk/flags")
async def evidence_bulk_flag(request: Request) -> Response:
    single, many = await _form(request)
    form = {**single, "selected": many.get("selected", []), "flags": many.get("flags", [])}
    remove = single.get("mode") == "remove"
    try:
        changes = await run_in_threadpool(
            lambda: set_sensitivity(
                acting_case(request),
                form["selected"],
                add=() if remove else form["flags"],
                remove=form["flags"] if remove else (),
                reason=single.get("reason"),
                sensitive=_sensitive(request),
            )
        )
    except InputError as error:
        field = {"add": "flags", "remove": "flags", "evidence": "selected"}.get(error.field)
        field = field or error.field
        return _bulk_page(request, form, {field: error.naming(field)}, 400)
    except CaseError as error:
        return _bulk_page(request, form, {"selected": str(error)}, 400)
    return RedirectResponse(f"/evidence?flagged={len(changes)}", status_code=303)


@router.post("/evidence-bulk/link")
async def evidence_bulk_link(request: Request) -> Response:
    single, many = await _form(request)
    form = {**single, "selected": many.get("selected", []), "flags": many.get("flags", [])}
    try:
        links = await run_in_threadpool(
            link_many, acting_case(request), single.get("incident", ""), form["selected"]
        )
    except InputError as error:
        field = "selected" if error.field == "evidence" else error.field
        return _bulk_page(request, form, {field: error.naming(field)}, 400)
    except CaseError as error:
        field = "incident" if "incident" in str(error) else "selected"
        return _bulk_page(request, form, {field: str(error)}, 400)
    return RedirectResponse(f"/evidence?linked={len(links)}", status_code=303)


# -- preferences -------------------------------------------------------------------------


@router.get("/preferences", response_class=HTMLResponse)
def preferences_page(request: Request) -> Response:
    done = request.query_params.get("done") == "saved"
    return render(request, "safety_preferences.html", {"saved": done})


@router.post("/preferences")
async def preferences_save(request: Request) -> Response:
    single, _many = await _form(request)
    await run_in_threadpool(
        lambda: set_viewing_preferences(
            base_case(request),
            principal_of(request).name,
            greyscale=single.get("greyscale") == "on",
            blur=single.get("blur") == "on",
        )
    )
    return RedirectResponse("/preferences?done=saved", status_code=303)
