"""Web capture in the browser (docs/capture.md): the "Capture a URL" form, the capture
running in the background with its progress, the capture's page (its record in words, the
full-page screenshot, the page's text and the media kept), the list of captures, and a link
from each captured item's page.

The same service functions as `evidencelab capture`: the request is checked before any
page loads (:func:`check_capture_request`), then each URL is captured by
:func:`capture_url` in the app's capture worker (web/capture_jobs.py). The JSON API is
web/capture_api.py.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from evidencelab.locker.errors import InputError, InputErrors
from evidencelab.service.capture.records import CaptureLink
from evidencelab.service.capture.requests import MAX_URLS, check_capture_request, private_allowed
from evidencelab.service.capture.views import capture_list, capture_view, captures_of_item
from evidencelab.web import capture_api
from evidencelab.web.auth import acting_case, base_case, may, principal_of, render
from evidencelab.web.capture_jobs import CaptureJobs, TooManyCaptures, job_of, jobs_of
from evidencelab.web.source_pages import picker_context, text_form

router = APIRouter()
POLL_SECONDS = 1  # how often the job page asks for the progress
# The capture service's progress steps, as the job page says them.
STEP_WORDS = {
    "starting": "starting the browser",
    "loading the page": "loading the page",
    "dom": "reading the page's markup and text",
    "screenshot": "taking the full-page screenshot",
    "mhtml": "saving an MHTML snapshot",
    "embedded media": "keeping the embedded photos and videos",
    "packaging": "packaging the web archive (WACZ)",
    "storing": "storing the files in the locker",
}


def install(app: FastAPI) -> None:
    """This module's routes, the capture worker, and the template global the evidence
    page's capture link reads."""
    app.include_router(router)
    app.include_router(capture_api.router)
    app.state.capture_jobs = CaptureJobs()
    app.state.templates.env.globals["captures_of"] = _captures_of


def _captures_of(request: Request, evidence_id: str) -> list[CaptureLink]:
    sensitive = may(request, "read_sensitive")
    return captures_of_item(base_case(request), evidence_id, sensitive=sensitive)


def _form_page(
    request: Request, form: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    context = picker_context(request) | {"form": form, "errors": errors, "max_urls": MAX_URLS}
    return render(request, "capture_form.html", context, status)


def _form_errors(error: InputError | InputErrors | TooManyCaptures) -> dict[str, str]:
    """Each message keyed by its form field; every URL's under ``urls``, named "URL"."""
    if isinstance(error, TooManyCaptures):
        return {"urls": str(error)}
    errors: dict[str, list[str]] = {}
    for each in error.errors if isinstance(error, InputErrors) else [error]:
        field = "urls" if each.field == "url" else each.field
        errors.setdefault(field, []).append(each.naming("URL") if field == "urls" else str(each))
    return {field: "; ".join(messages) for field, messages in errors.items()}


@router.get("/captures/new", response_class=HTMLResponse)
def capture_form(request: Request, incident: str = "", source: str = "") -> Response:
    form = {"incident": incident, "source": source, "collector": principal_of(request).name}
    return _form_page(request, form, {})


@router.post("/captures")
async def capture_start(request: Request) -> Response:
    form = await text_form(request)
    form.pop("csrf_token", None)
    case = acting_case(request)
    allow = private_allowed()
    try:
        checked = await run_in_threadpool(
            lambda: check_capture_request(
                case,
                form.get("urls", "").splitlines(),
                source=form.get("source"),
                incident=form.get("incident"),
                note=form.get("note"),
                collector=form.get("collector"),
                allow_private=allow,
            )
        )
        job = jobs_of(request).start(case, checked, allow_private=allow)
    except (InputError, InputErrors, TooManyCaptures) as error:
        return _form_page(request, form, _form_errors(error), 400)
    return RedirectResponse(f"/captures/jobs/{job.id}", status_code=303)


@router.get("/captures/jobs/{job_id}", response_class=HTMLResponse)
def capture_job(request: Request, job_id: str) -> Response:
    job = job_of(request, job_id).record()
    failed = [r for r in job["results"] if r["error"]]
    context: dict[str, Any] = {"job": job, "poll": POLL_SECONDS, "step_words": STEP_WORDS}
    if job["state"] in ("done", "failed") and failed:
        # The form again, for the URLs that failed, with the values given and each problem.
        given = job["request"]
        form = {
            "urls": "\n".join(r["url"] for r in failed),
            "source": given["source"] or "",
            "incident": given["incident"] or "",
            "note": given["note"] or "",
            "collector": given["collector"] or "",
        }
        context |= picker_context(request) | {
            "form": form,
            "errors": {"urls": "; ".join(r["error"] or "" for r in failed)},
            "max_urls": MAX_URLS,
        }
    fragment = request.headers.get("hx-request") == "true"
    response = render(request, "_capture_job.html" if fragment else "capture_job.html", context)
    response.headers["Vary"] = "HX-Request"
    if fragment and job["state"] in ("done", "failed"):
        response.headers["HX-Refresh"] = "true"  # the whole page: the form again after a failure
    return response


@router.get("/captures", response_class=HTMLResponse)
def captures_page(request: Request) -> Response:
    sensitive = may(request, "read_sensitive")
    captures = capture_list(base_case(request), sensitive=sensitive)
    return render(request, "captures.html", {"captures": captures})


@router.get("/captures/{capture_id}", response_class=HTMLResponse)
def capture_page(request: Request, capture_id: str) -> Response:
    sensitive = may(request, "read_sensitive")
    record = capture_view(base_case(request), capture_id, sensitive=sensitive)
    items = record["items"]
    context = {
        "capture": record,
        "screenshot": next((i for i in items if i["role"] == "screenshot"), None),
        "wacz": next((i for i in items if i["role"] == "wacz"), None),
        "media_items": [i for i in items if i["role"] in ("media", "platform")],
    }
    return render(request, "capture.html", context)
