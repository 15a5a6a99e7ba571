"""Trusted timestamps in the browser: the tokens recorded with their authority, genTime
and serial, the authorities configured, a button to timestamp the new items now, and the
list as JSON. The same service functions as `evidencelab timestamp`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from evidencelab.locker.errors import CaseError, InputError
from evidencelab.service.timestamps.authorities import list_authorities
from evidencelab.service.timestamps.records import TimestampRecord
from evidencelab.service.timestamps.stamping import list_timestamps, timestamp_case
from evidencelab.web.api import ReadCase
from evidencelab.web.auth import acting_case, base_case, render
from evidencelab.web.params import bounded_query

router = APIRouter()


def _page(request: Request, context: dict[str, Any], status: int = 200) -> Response:
    case = base_case(request)
    listed = {"timestamps": list_timestamps(case), "authorities": list_authorities(case)}
    return render(request, "timestamps.html", {**listed, **context}, status)


@router.get("/timestamps", response_class=HTMLResponse)
def timestamps_page(
    request: Request,
    stamped: int | None = bounded_query("stamped", None),
    done: str = "",
    failed: str = "",
) -> Response:
    return _page(request, {"stamped": stamped, "nothing": done == "nothing", "failed": failed})


@router.post("/timestamps")
async def timestamp_now(request: Request) -> Response:
    """The items added since the last timestamp, sent to every configured authority."""
    try:
        run = await run_in_threadpool(timestamp_case, acting_case(request))
    except CaseError as error:  # no authority configured, or none answered
        message = error.problem if isinstance(error, InputError) else str(error)
        return _page(request, {"error": message}, 400)
    query: dict[str, str | int] = (
        {"stamped": run["items"]} if run["timestamps"] else {"done": "nothing"}
    )
    failed = ", ".join(f"{f['authority']} ({f['problem']})" for f in run["failures"])
    query |= {"failed": failed} if failed else {}
    return RedirectResponse("/timestamps?" + urlencode(query), 303)


@router.get("/api/timestamps")
def api_timestamps(case: ReadCase) -> list[TimestampRecord]:
    """Every trusted timestamp recorded, newest first."""
    return list_timestamps(case)
