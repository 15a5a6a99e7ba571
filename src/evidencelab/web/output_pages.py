"""Outputs from the browser: the report (HTML, PDF), the bundle and the exports (case file,
GeoJSON, CSV), made in the background and downloaded when ready.

A user without ``read_sensitive`` may make and download only public editions. The files
are made and logged by ``service.outputs``; this module reads the form, queues the job and
serves the file.
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from evidencelab.locker.errors import InputError
from evidencelab.service.outputs import exports, report
from evidencelab.service.outputs.files import (
    check_request,
    list_outputs,
    output_file,
    output_record,
)
from evidencelab.web.auth import acting_case, base_case, may, principal_of, render
from evidencelab.web.output_jobs import OutputJobs, TooManyJobs

router = APIRouter()

MEDIA_TYPES: Final = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "zip": "application/zip",
    "yaml": "application/yaml",
    "json": "application/json",
    "geojson": "application/geo+json",
    "csv": "text/csv; charset=utf-8",
}
DEFAULTS: Final = {
    "report": {"format": "pdf", "public": "1"},
    "bundle": {"public": "1"},
    "export": {"format": "geojson", "syntax": "yaml", "public": "1"},
}
REFRESH_SECONDS: Final = 2


def jobs_of(request: Request) -> OutputJobs:
    jobs: OutputJobs = request.app.state.output_jobs
    return jobs


def _page(
    request: Request,
    kind: str | None = None,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    sensitive = may(request, "read_sensitive")
    forms = {k: dict(v) for k, v in DEFAULTS.items()}
    if kind in forms and form is not None:
        forms[kind] |= form
    context: dict[str, Any] = {
        "forms": forms,
        "error_kind": kind,
        "errors": errors or {},
        "sensitive": sensitive,
        "report_formats": report.FORMATS,
        "export_formats": exports.FORMATS,
        "outputs": list_outputs(base_case(request), public_only=not sensitive),
        "jobs": jobs_of(request).of(principal_of(request).name)[:10],
    }
    return render(request, "outputs.html", context, 400 if errors else 200)


@router.get("/outputs", response_class=HTMLResponse)
def outputs_page(request: Request) -> Response:
    return _page(request)


@router.post("/outputs")
async def output_start(request: Request) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    form.pop("csrf_token", None)
    kind = form.get("kind", "")
    public = form.get("public") != "0"
    try:
        if form.get("public") not in ("0", "1"):
            raise InputError("public", form.get("public"), "choose the public or internal edition")
        if not public and not may(request, "read_sensitive"):
            role = principal_of(request).role
            raise InputError("public", None, f"your role ({role}) may make only the public edition")
        output = check_request(kind, form.get("format", ""), form.get("syntax", "yaml"), public)
        job = jobs_of(request).start(
            acting_case(request), output, sensitive=may(request, "read_sensitive")
        )
    except InputError as error:
        return _page(request, kind, form, {error.field: str(error)})
    except TooManyJobs as error:
        return _page(request, kind, form, {"kind": str(error)})
    return RedirectResponse(f"/outputs/jobs/{job.id}", status_code=303)


@router.get("/outputs/jobs/{job_id}", response_class=HTMLResponse)
def output_job(request: Request, job_id: str) -> Response:
    jobs = jobs_of(request)
    job = jobs.get(job_id, principal_of(request).name)
    if job is None:
        context = {"status": 404, "message": "no such output job (jobs end when the app stops)"}
        return render(request, "error.html", context, 404)
    ahead = jobs.ahead_of(job) if job.state == "queued" else 0
    context = {"job": job, "ahead": ahead, "refresh": None if job.finished else REFRESH_SECONDS}
    return render(request, "output_job.html", context)


@router.get("/outputs/files/{name}")
async def output_download(request: Request, name: str) -> Response:
    case = base_case(request)
    try:
        record = output_record(case, name)
        if not record["public"] and not may(request, "read_sensitive"):
            role = principal_of(request).role
            message = f"your role ({role}) may download only public outputs"
            return render(request, "error.html", {"status": 403, "message": message}, 403)
        path = await run_in_threadpool(output_file, case, name)
    except InputError as error:
        return render(request, "error.html", {"status": 404, "message": str(error)}, 404)
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[path.suffix.lstrip(".")],
        filename=record["name"],
        content_disposition_type="attachment",
    )
