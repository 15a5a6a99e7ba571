"""The JSON API of incident workflow: the filtered, sorted, paginated incident list (the
parameters of the /incidents page) and status, assignee and due date set on many
incidents at once (``service.incidents.workflow``, permission ``edit``)."""

from __future__ import annotations

from typing import Annotated, Self

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StringConstraints, model_validator
from starlette.concurrency import run_in_threadpool

from evidencelab.locker.errors import InputError, InputErrors
from evidencelab.service.access.users import Principal
from evidencelab.service.incidents import workflow
from evidencelab.service.incidents.records import IncidentPage, WorkflowResult, WorkflowUpdate
from evidencelab.service.incidents.workflow_list import incident_page, parse_query
from evidencelab.web.api import ActingCase, ReadCase
from evidencelab.web.auth import principal_of
from evidencelab.web.field_errors import REFUSED, field_errors

router = APIRouter(prefix="/api", tags=["api"])

Reader = Annotated[Principal, Depends(principal_of)]
IncidentId = Annotated[str, StringConstraints(max_length=200)]
MAX_INCIDENTS = 10_000  # per change: a whole large case, within SQLite's bound parameters


class IncidentFilters(BaseModel):
    """The list's filters, sort and page, as text (checked by the service, every bad
    value named at once)."""

    status: str | None = Field(None, description="a status of the case's list")
    assignee: str | None = Field(None, description="a user name")
    mine: str | None = Field(None, description="on: assigned to the reader")
    overdue: str | None = Field(None, description="on: past the due date, not closed")
    review: str | None = Field(None, description="awaiting review | reviewed | disputed | …")
    weapon: str | None = Field(None, description="a munition name as recorded")
    date_from: str | None = Field(None, description="YYYY-MM-DD, the local start date")
    date_to: str | None = Field(None, description="YYYY-MM-DD")
    text: str | None = Field(None, description="words of the title")
    sort: str | None = Field(None, description="date | title | status | due | casualties")
    descending: str | None = Field(None, description="on: largest first")
    page: str | None = Field(None, description="from 1")
    page_size: str | None = Field(None, description="rows per page, 1 to 200 (default 50)")


class WorkflowIn(BaseModel):
    """Fields to set on every incident named; a field left out is left as it is, an
    ``assignee`` or ``due`` of null (or "") clears it."""

    incidents: list[IncidentId] = Field(min_length=1, max_length=MAX_INCIDENTS)
    status: str = Field("", description="one of the case's statuses")
    assignee: str | None = Field(None, description="an active user's name")
    due: str | None = Field(None, description="YYYY-MM-DD")

    @model_validator(mode="after")
    def _something_to_set(self) -> Self:
        if not {"status", "assignee", "due"} & self.model_fields_set:
            raise ValueError("give a status, an assignee or a due date to set")
        return self


@router.get("/incidents", response_model=IncidentPage, responses=REFUSED)
def api_incidents(
    case: ReadCase, reader: Reader, filters: Annotated[IncidentFilters, Query()]
) -> IncidentPage | JSONResponse:
    """One page of the incident list, filtered and sorted as the /incidents page is."""
    try:
        query = parse_query(filters.model_dump(exclude_none=True))
        return incident_page(case, query, me=reader.name)
    except (InputError, InputErrors) as error:
        return field_errors(error)


@router.post("/incidents/workflow", response_model=WorkflowResult, responses=REFUSED)
async def api_incident_workflow(
    case: ActingCase, body: WorkflowIn
) -> WorkflowResult | JSONResponse:
    """Set status, assignee and due date on the incidents named, in one transaction: all
    or nothing, one custody event per field changed on each incident."""
    given = body.model_fields_set
    update: WorkflowUpdate = {}
    if "status" in given:
        update["status"] = body.status
    if "assignee" in given:
        update["assignee"] = body.assignee
    if "due" in given:
        update["due"] = body.due
    try:
        return await run_in_threadpool(workflow.set_workflow, case, body.incidents, update)
    except (InputError, InputErrors) as error:
        return field_errors(error)
