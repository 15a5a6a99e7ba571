"""Outputs made in the background: a PDF report of a large case takes minutes, longer than a
request should wait. One worker thread per app makes them one at a time (renders are
CPU-bound; two would only share the cores); each job is kept in memory under a random id,
visible only to the user who started it, and is gone when the app stops.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

from evidencelab.locker.case import Case, CaseError
from evidencelab.service.outputs.files import OutputRecord, OutputRequest, make_output
from evidencelab.service.outputs.report import UnreadableRecords

State = Literal["queued", "running", "done", "failed"]
PER_USER = 3  # unfinished jobs a user may have at once
KEPT = 200  # finished jobs remembered; the oldest are forgotten first

log = logging.getLogger(__name__)


class TooManyJobs(Exception):
    """The user already has PER_USER outputs queued or running."""


@dataclass
class OutputJob:
    id: str
    owner: str
    sensitive: bool  # the owner may see sensitive material
    request: OutputRequest
    queued_at: float  # time.monotonic()
    state: State = "queued"
    started_at: float | None = None
    finished_at: float | None = None
    output: OutputRecord | None = None
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    def seconds(self) -> int:
        """Seconds waited so far (queued) or worked so far (running), or the work took."""
        start = self.started_at if self.started_at is not None else self.queued_at
        end = self.finished_at if self.finished_at is not None else time.monotonic()
        return round(end - start)


class OutputJobs:
    """The jobs of one app (kept on ``app.state``)."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="output")
        self._jobs: dict[str, OutputJob] = {}
        self._lock = threading.Lock()

    def start(self, case: Case, request: OutputRequest, *, sensitive: bool) -> OutputJob:
        """Queue the output for ``case.actor`` (``sensitive``: who may see sensitive
        material, and so which records a refusal may name); TooManyJobs if they already
        have PER_USER waiting."""
        with self._lock:
            waiting = [j for j in self._jobs.values() if j.owner == case.actor and not j.finished]
            if len(waiting) >= PER_USER:
                raise TooManyJobs(
                    f"you already have {len(waiting)} outputs being made; wait for one to finish"
                )
            job = OutputJob(
                secrets.token_urlsafe(16), case.actor, sensitive, request, time.monotonic()
            )
            self._jobs[job.id] = job
            self._forget_old()
        self._executor.submit(self._run, case, job)
        return job

    def get(self, job_id: str, owner: str) -> OutputJob | None:
        with self._lock:
            job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def of(self, owner: str) -> list[OutputJob]:
        """The owner's jobs, newest first."""
        with self._lock:
            return [j for j in reversed(self._jobs.values()) if j.owner == owner]

    def ahead_of(self, job: OutputJob) -> int:
        """How many jobs (anyone's) will run before this queued one."""
        with self._lock:
            return sum(
                1 for j in self._jobs.values() if not j.finished and j.queued_at < job.queued_at
            )

    def close(self) -> None:
        """Drop what has not started and wait for the output being made."""
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _run(self, case: Case, job: OutputJob) -> None:
        job.started_at, job.state = time.monotonic(), "running"
        try:
            job.output = make_output(case, job.request)
        except UnreadableRecords as error:
            job.error = str(error) if job.sensitive else error.withheld()
        except CaseError as error:
            job.error = str(error)
        except Exception:  # a page must say what happened, and the worker must go on
            log.exception("output %s failed", job.id)
            job.error = "the output could not be made (unexpected error); see the server log"
        job.finished_at = time.monotonic()
        job.state = "failed" if job.error else "done"

    def _forget_old(self) -> None:
        finished = [key for key, job in self._jobs.items() if job.finished]
        for key in finished[: max(0, len(finished) - KEPT)]:
            del self._jobs[key]
