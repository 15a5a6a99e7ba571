"""Content credentials (C2PA) on an evidence item's page: the template global that the
"Content credentials" section (templates/_credentials_evidence.html) reads, and its
"Read content credentials" button for an item not read yet."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from jinja2 import Environment
from starlette.concurrency import run_in_threadpool

from evidencelab.service.evidence.credentials import content_credentials, read_credentials_again
from evidencelab.service.evidence.records import CredentialsRecord
from evidencelab.web.auth import acting_case, base_case, may

router = APIRouter()


def install(env: Environment) -> None:
    """The template global ``content_credentials_of(request, evidence_id)``."""
    env.globals["content_credentials_of"] = _content_credentials_of


def _content_credentials_of(request: Request, evidence_id: str) -> CredentialsRecord:
    # Called only from the page of an item the reader was allowed to open.
    return content_credentials(
        base_case(request), evidence_id, sensitive=may(request, "read_sensitive")
    )


@router.post("/evidence/{evidence_id}/credentials/read")
async def evidence_credentials_read(request: Request, evidence_id: str) -> Response:
    """Read the item's content credentials from its stored copy (a custody event); back
    to its page, which says what was found."""
    (outcome,) = await run_in_threadpool(
        lambda: read_credentials_again(
            acting_case(request), [evidence_id], sensitive=may(request, "read_sensitive")
        )
    )
    page = f"/evidence/{outcome['evidence_id']}?credentials=read#cc-h"
    return RedirectResponse(page, status_code=303)
