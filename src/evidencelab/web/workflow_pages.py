"""Incident workflow in the browser: the filtered incident list with its bulk action bar,
the workflow form of an incident, and the case's list of statuses.

Changing a status, an assignee or a due date, alone or in bulk, needs ``edit`` (admins and
investigators): the change is a custody event of the case, made by whoever holds the
incident's editing rights; an assignee without them is told through the list's "assigned
to me" filter and changes nothing by being assigned.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from evidencelab.locker.case import CaseError
from evidencelab.locker.errors import InputError, InputErrors
from evidencelab.service.incidents import workflow
from evidencelab.service.incidents.records import WorkflowUpdate
from evidencelab.service.incidents.workflow_list import (
    REVIEW_STATES,
    SORTS,
    incident_page,
    parse_query,
)
from evidencelab.web.auth import acting_case, base_case, principal_of, render

router = APIRouter()

FILTERS = (
    "status",
    "assignee",
    "mine",
    "overdue",
    "review",
    "weapon",
    "date_from",
    "date_to",
    "text",
    "sort",
    "descending",
    "page_size",
)
NOBODY = "(nobody)"  # the bulk bar's choice that unassigns


def _errors(error: CaseError, default_field: str) -> dict[str, str]:
    """Each message keyed by the form field it is about."""
    named = error.errors if isinstance(error, InputErrors) else [error]
    return {(e.field if isinstance(e, InputError) else default_field): str(e) for e in named}


def _list_page(
    request: Request,
    selected: list[str],
    bulk: Mapping[str, str],
    errors: Mapping[str, str],
    status: int = 200,
) -> Response:
    raw = {k: v for k, v in request.query_params.items() if k in (*FILTERS, "page")}
    filter_errors: dict[str, str] = {}
    try:
        query = parse_query(raw)
        listing = incident_page(base_case(request), query, me=principal_of(request).name)
    except CaseError as error:
        filter_errors = _errors(error, "status")
        listing = incident_page(base_case(request), {}, me=principal_of(request).name)
        status = 400
    context: dict[str, Any] = {
        "listing": listing,
        "filters": raw,
        "filter_errors": filter_errors,
        "sorts": SORTS,
        "review_states": REVIEW_STATES,
        "selected": set(selected),
        "bulk": bulk,
        "errors": errors,
        "nobody": NOBODY,
        "done": request.query_params.get("done"),
        "here": urlencode({k: v for k, v in raw.items() if k != "page"}),
        "sort_links": _sort_links(raw, listing["query"].get("sort", "date"), listing["query"]),
    }
    return render(request, "incidents.html", context, status)


def _sort_links(raw: Mapping[str, str], current: str, query: Mapping[str, Any]) -> dict[str, str]:
    """Each column's sort link: ascending, or descending when it is already the ascending
    sort (a second click reverses it); the filters kept, back to page 1."""
    kept = {k: v for k, v in raw.items() if k not in ("sort", "descending", "page")}
    links = {}
    for key in SORTS:
        reverse = key == current and not query.get("descending")
        wanted = {**kept, "sort": key, **({"descending": "on"} if reverse else {})}
        links[key] = "/incidents?" + urlencode(wanted)
    return links


@router.get("/incidents", response_class=HTMLResponse)
def incidents(request: Request) -> Response:
    return _list_page(request, [], {}, {})


@router.post("/incidents/bulk")
async def incident_bulk(request: Request) -> Response:
    form = await request.form()
    selected = [v for v in form.getlist("incident") if isinstance(v, str)]
    bulk = {k: v.strip() for k, v in form.items() if isinstance(v, str) and k.startswith("bulk_")}
    update: WorkflowUpdate = {}
    if bulk.get("bulk_status"):
        update["status"] = bulk["bulk_status"]
    if bulk.get("bulk_assignee"):
        update["assignee"] = None if bulk["bulk_assignee"] == NOBODY else bulk["bulk_assignee"]
    if not update:
        errors = {"status": "choose a status or an assignee to set"}
        return _list_page(request, selected, bulk, errors, 400)
    try:
        result = await run_in_threadpool(
            workflow.set_workflow, acting_case(request), selected, update
        )
    except CaseError as error:
        return _list_page(request, selected, bulk, _errors(error, "incidents"), 400)
    back = {**request.query_params, "done": str(len(result["incidents"]))}
    return RedirectResponse("/incidents?" + urlencode(back), status_code=303)


def _incident_form(
    request: Request, incident_id: str, form: Mapping[str, str], errors: Mapping[str, str]
) -> Response:
    current = workflow.incident_workflow(base_case(request), incident_id)
    context = {"workflow": current, "wf_form": form, "wf_errors": errors}
    return render(request, "workflow_form.html", context, 400)


@router.post("/incidents/{incident_id}/workflow")
async def incident_workflow_set(request: Request, incident_id: str) -> Response:
    form = await request.form()
    values = {k: v.strip() for k, v in form.items() if isinstance(v, str)}
    update: WorkflowUpdate = {
        "status": values.get("status", ""),
        "assignee": values.get("assignee") or None,
        "due": values.get("due") or None,
    }
    try:
        await run_in_threadpool(workflow.set_workflow, acting_case(request), [incident_id], update)
    except CaseError as error:
        return _incident_form(request, incident_id, values, _errors(error, "status"))
    return RedirectResponse(f"/incidents/{incident_id}?workflow=saved#workflow", status_code=303)


def incident_context(request: Request, incident_id: str) -> dict[str, Any]:
    """What the incident page's workflow section needs."""
    return {
        "workflow": workflow.incident_workflow(base_case(request), incident_id),
        "workflow_saved": request.query_params.get("workflow") == "saved",
    }


@router.get("/workflow/statuses", response_class=HTMLResponse)
def workflow_statuses_page(request: Request) -> Response:
    listed = workflow.status_list(base_case(request))
    form = {"statuses": "\n".join(s["name"] for s in listed["statuses"])}
    saved = request.query_params.get("saved") is not None
    context = {"listed": listed, "form": form, "errors": {}, "saved": saved}
    return render(request, "workflow_statuses.html", context)


@router.post("/workflow/statuses")
async def workflow_statuses_set(request: Request) -> Response:
    form = await request.form()
    text = form.get("statuses")
    lines = text.splitlines() if isinstance(text, str) else []
    try:
        await run_in_threadpool(workflow.set_status_list, acting_case(request), lines)
    except CaseError as error:
        listed = workflow.status_list(base_case(request))
        context = {
            "listed": listed,
            "form": {"statuses": text if isinstance(text, str) else ""},
            "errors": _errors(error, "statuses"),
            "saved": False,
        }
        return render(request, "workflow_statuses.html", context, 400)
    return RedirectResponse("/workflow/statuses?saved=1", status_code=303)
