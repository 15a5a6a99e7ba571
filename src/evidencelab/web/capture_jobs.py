"""Captures made in the background: a page takes up to a minute to load, scroll and store,
longer than a request should wait. One worker thread per app captures one URL at a time (a
headless Chromium each; two would only share the cores); each job is kept in memory under a
random id, visible only to the user who started it, and is gone when the app stops.

Each URL of a job is captured and recorded on its own: a URL that cannot be captured
records nothing and is named with its problem; the URLs before and after it are kept.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal

from fastapi import HTTPException, Request
from typing_extensions import TypedDict

from evidencelab.locker.case import Case, CaseError
from evidencelab.locker.errors import InputError
from evidencelab.service.capture.capturing import capture_url
from evidencelab.service.capture.records import CaptureRequest
from evidencelab.service.capture.requests import STEPS_PER_PAGE
from evidencelab.web.auth import principal_of

State = Literal["queued", "running", "done", "failed"]
PER_USER = 2  # unfinished capture jobs a user may have at once
KEPT = 100  # finished jobs remembered; the oldest are forgotten first

log = logging.getLogger(__name__)


class TooManyCaptures(Exception):
    """The user already has PER_USER capture jobs queued or running."""


class CapturedUrl(TypedDict):
    """One URL of a job once tried: the capture made, or the one-line problem."""

    url: str
    capture_id: str | None
    title: str | None
    error: str | None


class CaptureJobRecord(TypedDict):
    """A capture job as its page and the API show it: ``steps_done`` of ``steps`` (each
    URL takes STEPS_PER_PAGE), the step under way in words, seconds waited or worked."""

    id: str
    state: State
    request: CaptureRequest
    steps_done: int
    steps: int
    step: str | None
    current_url: str | None
    seconds: int
    results: list[CapturedUrl]


@dataclass
class CaptureJob:
    id: str
    owner: str
    request: CaptureRequest
    queued_at: float  # time.monotonic()
    state: State = "queued"
    started_at: float | None = None
    finished_at: float | None = None
    steps_done: int = 0
    step: str | None = None
    current_url: str | None = None
    results: list[CapturedUrl] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    def record(self) -> CaptureJobRecord:
        start = self.started_at if self.started_at is not None else self.queued_at
        end = self.finished_at if self.finished_at is not None else time.monotonic()
        return CaptureJobRecord(
            id=self.id,
            state=self.state,
            request=self.request,
            steps_done=self.steps_done,
            steps=STEPS_PER_PAGE * len(self.request["urls"]),
            step=self.step,
            current_url=self.current_url,
            seconds=round(end - start),
            results=list(self.results),
        )


class CaptureJobs:
    """The capture jobs of one app (kept on ``app.state``)."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="capture")
        self._jobs: dict[str, CaptureJob] = {}
        self._lock = threading.Lock()

    def start(self, case: Case, request: CaptureRequest, *, allow_private: bool) -> CaptureJob:
        """Queue the request for ``case.actor``; TooManyCaptures if they already have
        PER_USER jobs waiting."""
        with self._lock:
            waiting = [j for j in self._jobs.values() if j.owner == case.actor and not j.finished]
            if len(waiting) >= PER_USER:
                raise TooManyCaptures(
                    f"you already have {len(waiting)} captures under way; wait for one to finish"
                )
            job = CaptureJob(secrets.token_urlsafe(16), case.actor, request, time.monotonic())
            self._jobs[job.id] = job
            self._forget_old()
        self._executor.submit(self._run, case, job, allow_private)
        return job

    def get(self, job_id: str, owner: str) -> CaptureJob | None:
        with self._lock:
            job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def close(self) -> None:
        """Drop what has not started and wait for the capture under way."""
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _run(self, case: Case, job: CaptureJob, allow_private: bool) -> None:
        job.started_at, job.state = time.monotonic(), "running"
        for index, url in enumerate(job.request["urls"]):
            job.current_url, job.step = url, "starting"

            def progress(step: str, upto: int = STEPS_PER_PAGE * (index + 1)) -> None:
                job.step = step
                job.steps_done = min(job.steps_done + 1, upto)

            job.results.append(_capture_one(case, job.request, url, allow_private, progress))
            job.steps_done = STEPS_PER_PAGE * (index + 1)
        job.current_url, job.step = None, None
        job.finished_at = time.monotonic()
        job.state = "failed" if all(r["error"] for r in job.results) else "done"

    def _forget_old(self) -> None:
        finished = [key for key, job in self._jobs.items() if job.finished]
        for key in finished[: max(0, len(finished) - KEPT)]:
            del self._jobs[key]


def _capture_one(
    case: Case,
    request: CaptureRequest,
    url: str,
    allow_private: bool,
    progress: Callable[[str], None],
) -> CapturedUrl:
    try:
        record = capture_url(
            case,
            url,
            source_id=request["source"],
            incident_id=request["incident"],
            note=request["note"],
            collector=request["collector"],
            allow_private=allow_private,
            progress=progress,
        )
    except InputError as error:
        problem = error.naming("URL") if error.field == "url" else str(error)
        return CapturedUrl(url=url, capture_id=None, title=None, error=problem)
    except CaseError as error:
        return CapturedUrl(url=url, capture_id=None, title=None, error=str(error))
    except Exception:  # a page must say what happened, and the worker must go on
        log.exception("capture of %s failed", url)
        problem = f"URL {url}: could not be captured (unexpected error); see the server log"
        return CapturedUrl(url=url, capture_id=None, title=None, error=problem)
    return CapturedUrl(url=url, capture_id=record["id"], title=record["title"], error=None)


def jobs_of(request: Request) -> CaptureJobs:
    """The app's capture jobs."""
    jobs: CaptureJobs = request.app.state.capture_jobs
    return jobs


def job_of(request: Request, job_id: str) -> CaptureJob:
    """The job ``job_id`` if the logged-in user started it; 404 otherwise."""
    job = jobs_of(request).get(job_id, principal_of(request).name)
    if job is None:
        raise HTTPException(404, "no such capture job (jobs end when the app stops)")
    return job
