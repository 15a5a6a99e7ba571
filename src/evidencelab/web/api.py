"""The JSON API under /api/: the same services, records and permission checks as the pages.

Scripts authenticate with ``Authorization: Bearer TOKEN`` (``evidencelab token create``);
a browser session works too, with the ``X-CSRF-Token`` header on changes. Each answer is a
record of the service layer, so OpenAPI (``/api/openapi.json``) describes its fields.
"""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from evidencelab.locker.case import Case
from evidencelab.model.case import EvidenceKind
from evidencelab.service import workbench
from evidencelab.service.case_cache import CaseReadings
from evidencelab.service.imagery.records import IncidentImagery
from evidencelab.service.imagery.views import incident_imagery
from evidencelab.service.incidents import incident_edit, review
from evidencelab.service.incidents.records import (
    CaseCounts,
    EditedIncident,
    EvidenceLink,
    FactReviewed,
    FactState,
)
from evidencelab.service.incidents.review import Fact, ReviewState
from evidencelab.web.auth import acting_case, base_case, may
from evidencelab.web.params import bounded_query

router = APIRouter(prefix="/api", tags=["api"])


def _sees_sensitive(request: Request) -> bool:
    return may(request, "read_sensitive")


# The case as the reader may see it, the case as the signed-in user acting on it (both
# checked by the app's authorisation first), and whether the reader sees sensitive items.
ReadCase = Annotated[Case, Depends(base_case)]
ActingCase = Annotated[Case, Depends(acting_case)]
SeesSensitive = Annotated[bool, Depends(_sees_sensitive)]


class FactReviewIn(BaseModel):
    fact: Fact
    state: ReviewState
    comment: str | None = None


class IncidentIn(BaseModel):
    id: str
    title: str
    time: dict[str, Any] | None = Field(None, description="case file `time`")
    place: dict[str, Any] | None = Field(None, description="case file `place`")
    weapon: dict[str, Any] | None = Field(None, description="case file `weapon`")
    notes: str | None = None


class LinkIn(BaseModel):
    evidence: str = Field(description="evidence id or SHA-256 prefix")


class ApiSummary(CaseCounts):
    """The case summary (as `evidencelab summary --json`, without the per-source detail of
    the totals) and how far the review of incident facts has come."""

    review: dict[str, int]


class ApiIncident(workbench.IncidentView):
    """One incident as its page shows it, with the review state of its facts and its
    satellite imagery."""

    facts: list[FactState]
    imagery: IncidentImagery


@router.get("/openapi.json")
def api_openapi(request: Request) -> dict[str, Any]:
    """This API's OpenAPI document."""
    document: dict[str, Any] = request.app.openapi()
    return document


@router.get("/summary")
def api_summary(request: Request, case: ReadCase, sensitive: SeesSensitive) -> ApiSummary:
    """Counts and the finding sentence. The records that could not be read are named only
    to a reader who may see sensitive material (a record's name can be); others get their
    number."""
    readings: CaseReadings = request.app.state.case_readings  # the overview's, kept
    summary = readings.summary(case)
    # CaseSummary is CaseCounts plus totals_detail: leaving that key out gives CaseCounts.
    counts = {key: value for key, value in summary.items() if key != "totals_detail"}
    if not sensitive:
        counts["problems"] = _withheld_problems(summary["problems"])
    return cast(ApiSummary, counts | {"review": review.review_progress(case)})


def _withheld_problems(problems: list[str]) -> list[str]:
    if not problems:
        return []
    return [
        f"{len(problems)} record(s) could not be read; named to roles that may see"
        " sensitive material"
    ]


@router.get("/incidents/{incident_id}")
def api_incident(case: ReadCase, sensitive: SeesSensitive, incident_id: str) -> ApiIncident:
    view = workbench.incident_view(case, incident_id, sensitive=sensitive)
    return ApiIncident(
        **view,
        facts=review.fact_states(case, [incident_id]),
        imagery=incident_imagery(case, incident_id, sensitive=sensitive),
    )


@router.get("/evidence")
def api_evidence_list(
    case: ReadCase,
    sensitive: SeesSensitive,
    kind: EvidenceKind | None = None,
    source: str | None = None,
    gps: bool | None = None,
    page: int = bounded_query("page", 1),
) -> workbench.EvidencePage:
    return workbench.evidence_page(
        case, sensitive=sensitive, kind=kind, source=source, has_gps=gps, page=page
    )


@router.get("/evidence/{evidence_id}")
def api_evidence(
    case: ReadCase, sensitive: SeesSensitive, evidence_id: str
) -> workbench.EvidenceView:
    return workbench.evidence_view(case, evidence_id, sensitive=sensitive)


@router.get("/custody")
def api_custody(
    case: ReadCase,
    sensitive: SeesSensitive,
    before: int | None = bounded_query("before", None),
    limit: int = bounded_query("limit", 100),
) -> workbench.CustodyPage:
    return workbench.custody_page(case, sensitive=sensitive, before=before, limit=limit)


@router.get("/review")
def api_review_states(case: ReadCase) -> list[FactState]:
    """Every incident fact's review state."""
    return review.fact_states(case)


@router.post("/incidents/{incident_id}/review")
async def api_fact_review(case: ActingCase, incident_id: str, body: FactReviewIn) -> FactReviewed:
    return await run_in_threadpool(
        review.review_fact, case, incident_id, body.fact, body.state, body.comment
    )


@router.post("/incidents", status_code=201)
async def api_incident_create(case: ActingCase, body: IncidentIn) -> EditedIncident:
    fields = body.model_dump(exclude={"id"})
    return await run_in_threadpool(incident_edit.create_incident, case, body.id, fields)


@router.post("/incidents/{incident_id}/evidence")
async def api_evidence_link(case: ActingCase, incident_id: str, body: LinkIn) -> EvidenceLink:
    return await run_in_threadpool(incident_edit.link_evidence, case, incident_id, body.evidence)
