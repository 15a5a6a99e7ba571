"""Web capture as JSON (/api/captures): start a capture job, follow it, list the
captures and read one; the same checks, services and records as the pages
(web/capture_pages.py) and `evidencelab capture`/`captures --json`."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from evidencelab.service.capture.records import CaptureRecord, CaptureSummary
from evidencelab.service.capture.requests import MAX_URLS, check_capture_request, private_allowed
from evidencelab.service.capture.views import capture_list, capture_view
from evidencelab.web.api import ActingCase, ReadCase, SeesSensitive
from evidencelab.web.capture_jobs import CaptureJobRecord, TooManyCaptures, job_of, jobs_of

router = APIRouter(prefix="/api", tags=["api"])


class CaptureIn(BaseModel):
    urls: list[str] = Field(description="http(s) URLs to capture", max_length=MAX_URLS)
    source: str | None = Field(None, description="source id the pages came from")
    incident: str | None = Field(None, description="incident id to link the items to")
    note: str | None = None
    collector: str | None = Field(None, description="who collected it (default: you)")


@router.post("/captures", status_code=202)
async def api_capture_start(
    request: Request, case: ActingCase, body: CaptureIn
) -> CaptureJobRecord:
    """Start capturing the URLs in the background; follow the job at
    /api/captures/jobs/{id}. A bad URL, source or incident is refused (400) and nothing
    starts."""
    allow = private_allowed()
    checked = await run_in_threadpool(
        lambda: check_capture_request(
            case,
            body.urls,
            source=body.source,
            incident=body.incident,
            note=body.note,
            collector=body.collector,
            allow_private=allow,
        )
    )
    try:
        job = jobs_of(request).start(case, checked, allow_private=allow)
    except TooManyCaptures as error:
        raise HTTPException(429, str(error)) from None
    return job.record()


@router.get("/captures/jobs/{job_id}")
def api_capture_job(request: Request, job_id: str) -> CaptureJobRecord:
    """A capture job you started: its progress, then each URL's capture or problem."""
    return job_of(request, job_id).record()


@router.get("/captures")
def api_captures(case: ReadCase, sensitive: SeesSensitive) -> list[CaptureSummary]:
    """The web captures of the case, newest first."""
    return capture_list(case, sensitive=sensitive)


@router.get("/captures/{capture_id}")
def api_capture(case: ReadCase, sensitive: SeesSensitive, capture_id: str) -> CaptureRecord:
    """One capture's record in full, with the items it produced."""
    return capture_view(case, capture_id, sensitive=sensitive)
