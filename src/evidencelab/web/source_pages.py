"""Sources, pickers and casualty-report corrections in the browser.

The sources page lists the case's sources, declares new ones and changes a source's grade
and sensitivity, showing what in the case cites it. Casualty reports are corrected (a new
report superseding the old, which is kept) or withdrawn (after a confirmation step). Every
id a form takes is offered by a picker filled from ``service.pickers``; the services still
refuse an id the case does not hold, and the form comes back with the message beside the
field that gave it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from evidencelab.locker.case import CaseError
from evidencelab.locker.errors import InputError
from evidencelab.model.case import RELIABILITIES, SOURCE_KINDS
from evidencelab.model.casualty import QUALIFIERS, SCOPES
from evidencelab.service import workbench
from evidencelab.service.evidence import sources
from evidencelab.service.evidence.records import SourceDeclaration
from evidencelab.service.incidents import incident_edit
from evidencelab.service.pickers import pickers
from evidencelab.web.auth import acting_case, base_case, may, render

router = APIRouter()


def _sensitive(request: Request) -> bool:
    return may(request, "read_sensitive")


def form_errors(error: CaseError, default_field: str) -> dict[str, str]:
    """The message of ``error`` keyed by the form field it is about."""
    field = error.field if isinstance(error, InputError) else default_field
    return {field: str(error)}


async def text_form(request: Request) -> dict[str, str]:
    """The form's text fields, stripped."""
    form = await request.form()
    return {k: v.strip() for k, v in form.items() if isinstance(v, str)}


def picker_context(request: Request) -> dict[str, Any]:
    """The pickers a page's forms offer (see ``service.pickers``)."""
    return {"pickers": pickers(base_case(request), sensitive=_sensitive(request))}


def incident_context(request: Request, incident_id: str) -> dict[str, Any]:
    """What the incident page's casualty and link forms need, and the message after a
    correction or withdrawal."""
    return picker_context(request) | {
        "casualty_done": request.query_params.get("done"),
        "scopes": SCOPES,
        "qualifiers": QUALIFIERS,
    }


# --- sources ------------------------------------------------------------------------------


def _sources_page(
    request: Request, form: Mapping[str, str], errors: Mapping[str, str], status: int = 200
) -> Response:
    case, sensitive = base_case(request), _sensitive(request)
    context = {
        "sources": workbench.source_records(case, sensitive=sensitive),
        "kinds": SOURCE_KINDS,
        "reliabilities": RELIABILITIES,
        "form": form,
        "errors": errors,
        "added": request.query_params.get("added"),
    }
    return render(request, "sources.html", context, status)


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request) -> Response:
    return _sources_page(request, {}, {})


@router.post("/sources")
async def source_create(request: Request) -> Response:
    form = await text_form(request)
    declaration: SourceDeclaration = {
        "id": form.get("id", ""),
        "kind": form.get("kind", ""),
        "description": form.get("description") or None,
        "reliability": form.get("reliability") or None,
        "notes": form.get("notes") or None,
        "url": form.get("url") or None,
        "sensitive": form.get("sensitive") == "on",
    }
    try:
        await run_in_threadpool(sources.add_source, acting_case(request), declaration)
    except CaseError as error:
        return _sources_page(request, form, form_errors(error, "id"), 400)
    return RedirectResponse(f"/sources?added={declaration['id']}#source-list", status_code=303)


def _source_page(
    request: Request,
    source_id: str,
    form: Mapping[str, str] | None,
    errors: Mapping[str, str],
    status: int = 200,
) -> Response:
    case, sensitive = base_case(request), _sensitive(request)
    citations = sources.source_citations(case, source_id, sensitive=sensitive)
    record = workbench.source_record_of(case, source_id, sensitive=sensitive)
    if form is None:
        form = {k: "" if record[k] is None else str(record[k]) for k in ("reliability", "notes")}
        form = {**form, "sensitive": "on" if record["sensitive"] else ""}
    context = {
        "source": record,
        "citations": citations,
        "reliabilities": RELIABILITIES,
        "form": form,
        "errors": errors,
        "saved": request.query_params.get("saved") is not None,
    }
    return render(request, "source.html", context, status)


@router.get("/sources/{source_id}", response_class=HTMLResponse)
def source_page(request: Request, source_id: str) -> Response:
    return _source_page(request, source_id, None, {})


@router.post("/sources/{source_id}")
async def source_update(request: Request, source_id: str) -> Response:
    form = await text_form(request)
    record = workbench.source_record_of(base_case(request), source_id, sensitive=True)
    sensitive = form.get("sensitive") == "on"
    changes: dict[str, Any] = {
        "reliability": form.get("reliability") or None,
        "notes": form.get("notes") or None,
        "sensitive": sensitive,
    }
    if record["sensitive"] and not sensitive and form.get("confirm_reveal") != "on":
        # Showing a protected identity cannot be taken back: it is asked for twice.
        errors = {"sensitive": "tick the confirmation to show this source's identity to every role"}
        return _source_page(request, source_id, form | {"ask_reveal": "on"}, errors, 400)
    try:
        await run_in_threadpool(sources.edit_source, acting_case(request), source_id, changes)
    except CaseError as error:
        return _source_page(request, source_id, form, form_errors(error, "reliability"), 400)
    return RedirectResponse(f"/sources/{source_id}?saved=1", status_code=303)


# --- casualty reports ---------------------------------------------------------------------


def _report(request: Request, incident_id: str, position: int) -> dict[str, Any]:
    view = workbench.incident_view(base_case(request), incident_id, sensitive=_sensitive(request))
    for report in view["casualty_reports"]:
        if report.get("position") == position:
            return {"incident": view, "report": report}
    raise CaseError(f"casualty report {position} of incident {incident_id}: no such report")


def _report_form(report: Mapping[str, Any]) -> dict[str, str]:
    """The form fields that give ``report`` again, as a starting point for its correction."""
    form = {
        "scope": report.get("scope") or "incident",
        "civilian": str(report.get("civilian", True)).lower(),
        "notes": report.get("notes") or "",
        "reported_at": (report.get("reported_at") or "")[:16],
    }
    for outcome in ("killed", "injured"):
        count = report.get(outcome) or {}
        form[f"{outcome}_count"] = "" if count.get("count") is None else str(count["count"])
        form[f"{outcome}_qualifier"] = count.get("qualifier") or "exact"
    return form


def casualty_page(
    request: Request,
    incident_id: str,
    position: int | None,
    form: Mapping[str, str],
    errors: Mapping[str, str],
    status: int = 200,
) -> Response:
    if position is None:
        view = workbench.incident_view(
            base_case(request), incident_id, sensitive=_sensitive(request)
        )
        found: dict[str, Any] = {"incident": view, "report": None}
    else:
        found = _report(request, incident_id, position)
    context = found | picker_context(request)
    context |= {
        "form": form,
        "errors": errors,
        "scopes": SCOPES,
        "qualifiers": QUALIFIERS,
        "zone": _zone(found["incident"]),
    }
    return render(request, "casualty_form.html", context, status)


def _zone(view: Mapping[str, Any]) -> str:
    return str((view.get("time_views") or {}).get("zone") or "UTC")


@router.get("/incidents/{incident_id}/casualties/new", response_class=HTMLResponse)
def casualty_form(request: Request, incident_id: str) -> Response:
    return casualty_page(request, incident_id, None, {}, {})


@router.get("/incidents/{incident_id}/casualties/{position}/correct", response_class=HTMLResponse)
def casualty_correct_form(request: Request, incident_id: str, position: int) -> Response:
    found = _report(request, incident_id, position)
    return casualty_page(request, incident_id, position, _report_form(found["report"]), {})


@router.post("/incidents/{incident_id}/casualties/{position}/correct")
async def casualty_correct(request: Request, incident_id: str, position: int) -> Response:
    form = await text_form(request)
    try:
        report = incident_edit.casualty_report_from_form(form)
        await run_in_threadpool(
            incident_edit.correct_casualty_report,
            acting_case(request),
            incident_id,
            position,
            report,
            form.get("reason", ""),
        )
    except CaseError as error:
        errors = form_errors(error, "reason")
        return casualty_page(request, incident_id, position, form, errors, 400)
    return RedirectResponse(f"/incidents/{incident_id}?done=corrected#casualties", status_code=303)


@router.get("/incidents/{incident_id}/casualties/{position}/withdraw", response_class=HTMLResponse)
def casualty_withdraw_form(request: Request, incident_id: str, position: int) -> Response:
    context = _report(request, incident_id, position) | {"form": {}, "errors": {}}
    return render(request, "casualty_withdraw.html", context)


@router.post("/incidents/{incident_id}/casualties/{position}/withdraw")
async def casualty_withdraw(request: Request, incident_id: str, position: int) -> Response:
    form = await text_form(request)
    try:
        if form.get("confirm") != "on":
            raise InputError("confirm", None, "tick the box to confirm the withdrawal")
        await run_in_threadpool(
            incident_edit.withdraw_casualty_report,
            acting_case(request),
            incident_id,
            position,
            form.get("reason", ""),
        )
    except CaseError as error:
        context = _report(request, incident_id, position) | {
            "form": form,
            "errors": form_errors(error, "reason"),
        }
        return render(request, "casualty_withdraw.html", context, 400)
    return RedirectResponse(f"/incidents/{incident_id}?done=withdrawn#casualties", status_code=303)


def link_page(
    request: Request, incident_id: str, form: Mapping[str, str], errors: Mapping[str, str]
) -> Response:
    """The link-evidence form on a page of its own, with the message beside its field."""
    view = workbench.incident_view(base_case(request), incident_id, sensitive=_sensitive(request))
    context = {"incident": view, "form": form, "errors": errors} | picker_context(request)
    return render(request, "evidence_link.html", context, 400)
