"""The JSON API under /api/: the same services and permission checks as the pages.

Scripts authenticate with ``Authorization: Bearer TOKEN`` (``evidencelab token create``);
a browser session works too, with the ``X-CSRF-Token`` header on changes.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from evidencelab.service import workbench
from evidencelab.service.imagery.views import incident_imagery
from evidencelab.service.incidents import incident_edit, review
from evidencelab.service.incidents.listing import case_summary
from evidencelab.web.auth import acting_case, base_case, may
from evidencelab.web.params import bounded_query

router = APIRouter(prefix="/api", tags=["api"])


class FactReviewIn(BaseModel):
    fact: str = Field(description="location, time, weapon or casualties")
    state: str = Field(description="reviewed or disputed")
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


def _sensitive(request: Request) -> bool:
    return may(request, "read_sensitive")


@router.get("/openapi.json")
def api_openapi(request: Request) -> dict[str, Any]:
    """This API's OpenAPI document."""
    document: dict[str, Any] = request.app.openapi()
    return document


@router.get("/summary")
def api_summary(request: Request) -> dict[str, Any]:
    """Counts and the finding sentence."""
    summary: dict[str, Any] = dict(case_summary(base_case(request)))
    summary.pop("totals_detail", None)
    summary["review"] = review.review_progress(base_case(request))
    return summary


@router.get("/incidents")
def api_incidents(request: Request) -> list[dict[str, Any]]:
    return workbench.incident_rows(base_case(request))


@router.get("/incidents/{incident_id}")
def api_incident(request: Request, incident_id: str) -> dict[str, Any]:
    case, sensitive = base_case(request), _sensitive(request)
    view = workbench.incident_view(case, incident_id, sensitive=sensitive)
    view["facts"] = review.fact_states(case, [incident_id])
    view["imagery"] = incident_imagery(case, incident_id, sensitive=sensitive)
    return view


@router.get("/evidence")
def api_evidence_list(
    request: Request,
    kind: str | None = None,
    source: str | None = None,
    gps: bool | None = None,
    page: int = bounded_query("page", 1),
) -> dict[str, Any]:
    return workbench.evidence_page(
        base_case(request),
        sensitive=_sensitive(request),
        kind=kind,
        source=source,
        has_gps=gps,
        page=page,
    )


@router.get("/evidence/{evidence_id}")
def api_evidence(request: Request, evidence_id: str) -> dict[str, Any]:
    return workbench.evidence_view(base_case(request), evidence_id, sensitive=_sensitive(request))


@router.get("/custody")
def api_custody(
    request: Request,
    before: int | None = bounded_query("before", None),
    limit: int = bounded_query("limit", 100),
) -> dict[str, Any]:
    return workbench.custody_page(
        base_case(request), sensitive=_sensitive(request), before=before, limit=limit
    )


@router.get("/review")
def api_review_states(request: Request) -> list[dict[str, Any]]:
    """Every incident fact's review state."""
    return [dict(state) for state in review.fact_states(base_case(request))]


@router.post("/incidents/{incident_id}/review")
async def api_fact_review(request: Request, incident_id: str, body: FactReviewIn) -> dict[str, Any]:
    case = acting_case(request)
    result = await run_in_threadpool(
        review.review_fact, case, incident_id, body.fact, body.state, body.comment
    )
    return dict(result)


@router.post("/incidents", status_code=201)
async def api_incident_create(request: Request, body: IncidentIn) -> dict[str, Any]:
    case = acting_case(request)
    fields = body.model_dump(exclude={"id"})
    result = await run_in_threadpool(incident_edit.create_incident, case, body.id, fields)
    return dict(result)


@router.post("/incidents/{incident_id}/evidence")
async def api_evidence_link(request: Request, incident_id: str, body: LinkIn) -> dict[str, Any]:
    case = acting_case(request)
    result = await run_in_threadpool(incident_edit.link_evidence, case, incident_id, body.evidence)
    return dict(result)
