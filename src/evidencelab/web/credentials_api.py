"""The JSON API of content credentials (C2PA): an item's stored reading, and reading
items again from their stored copies (``service.evidence.credentials``; permission
``upload``, as `evidencelab extract c2pa`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field, StringConstraints
from starlette.concurrency import run_in_threadpool

from evidencelab.service.evidence.credentials import content_credentials, read_credentials_again
from evidencelab.service.evidence.records import CredentialsReadOutcome, CredentialsRecord
from evidencelab.web.api import ActingCase, ReadCase, SeesSensitive

router = APIRouter(prefix="/api", tags=["api"])

EvidenceRef = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class CredentialsReadIn(BaseModel):
    evidence: list[EvidenceRef] = Field(
        default_factory=list,
        max_length=10_000,
        description="evidence ids or SHA-256 prefixes; none: every item not read yet",
    )


@router.get("/evidence/{evidence_id}/credentials")
def api_evidence_credentials(
    case: ReadCase, sensitive: SeesSensitive, evidence_id: str
) -> CredentialsRecord:
    """The item's content credentials as stored (state ``not_read``: never read)."""
    return content_credentials(case, evidence_id, sensitive=sensitive)


@router.post("/evidence/credentials/read")
async def api_credentials_read(
    case: ActingCase, sensitive: SeesSensitive, body: CredentialsReadIn
) -> list[CredentialsReadOutcome]:
    """Read the content credentials of the items named (none named: every item not read
    yet) offline against the pinned trust anchors, in one transaction, a
    ``content_credentials_read`` custody event each; an unknown item is refused before
    anything is read."""
    return await run_in_threadpool(
        lambda: read_credentials_again(case, body.evidence, sensitive=sensitive)
    )
