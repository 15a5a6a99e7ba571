"""The JSON API of search and discussion: search across the case, the comment threads of
incidents and evidence items, and the reader's activity feed (``service.search``,
``service.discussion``), with the pages' rule that a reader without ``read_sensitive``
finds nothing about a sensitive item (no hit, no count, no thread)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from evidencelab.locker.case import Case
from evidencelab.locker.errors import InputError
from evidencelab.service import search
from evidencelab.service.access.users import Principal
from evidencelab.service.discussion import activity, comments
from evidencelab.service.discussion.records import ActivityFeed, CommentRecord
from evidencelab.service.search.records import SearchResults
from evidencelab.web.api import ActingCase, ReadCase, SeesSensitive
from evidencelab.web.auth import principal_of
from evidencelab.web.field_errors import REFUSED, field_errors

router = APIRouter(prefix="/api", tags=["api"])

Reader = Annotated[Principal, Depends(principal_of)]
# The kinds of record searched, as store.search_index.KINDS (tested).
SearchKind = Literal["incident", "weapon", "evidence", "source", "metadata"]


class CommentIn(BaseModel):
    body: str  # plain text; "@name" mentions a user


@router.get("/search", response_model=SearchResults, responses=REFUSED)
def api_search(
    case: ReadCase,
    sensitive: SeesSensitive,
    q: str = "",
    kind: Annotated[list[SearchKind], Query()] = [],  # noqa: B006 (FastAPI copies it)
    date_from: str | None = None,
    date_to: str | None = None,
) -> SearchResults | JSONResponse:
    """Records holding every word of ``q``, grouped by kind; ``kind`` (repeatable) limits
    the kinds, ``date_from`` and ``date_to`` (YYYY-MM-DD, inclusive) the day."""
    try:
        return search.search(
            case,
            q,
            sensitive=sensitive,
            kinds=list(kind) or None,
            date_from=date_from,
            date_to=date_to,
        )
    except InputError as error:
        return field_errors(error)


def _thread(case: Case, kind: str, subject_id: str, sensitive: bool) -> list[CommentRecord]:
    return comments.list_comments(case, kind, subject_id, sensitive=sensitive)


async def _add(
    case: Case, reader: Principal, kind: str, subject_id: str, body: str, sensitive: bool
) -> CommentRecord | JSONResponse:
    try:
        return await run_in_threadpool(
            lambda: comments.add_comment(
                case, reader.name, kind, subject_id, body, sensitive=sensitive
            )
        )
    except InputError as error:
        if error.field == kind:  # the incident or item itself: 404, as for its page
            raise
        return field_errors(error)


@router.get("/incidents/{incident_id}/comments")
def api_incident_comments(
    case: ReadCase, sensitive: SeesSensitive, incident_id: str
) -> list[CommentRecord]:
    """The incident's comment thread, oldest first (a deleted comment keeps its place)."""
    return _thread(case, "incident", incident_id, sensitive)


@router.post(
    "/incidents/{incident_id}/comments",
    status_code=201,
    response_model=CommentRecord,
    responses=REFUSED,
)
async def api_incident_comment_add(
    case: ActingCase, reader: Reader, sensitive: SeesSensitive, incident_id: str, body: CommentIn
) -> CommentRecord | JSONResponse:
    """Add the reader's comment to the incident's thread."""
    return await _add(case, reader, "incident", incident_id, body.body, sensitive)


@router.get("/evidence/{evidence_id}/comments")
def api_evidence_comments(
    case: ReadCase, sensitive: SeesSensitive, evidence_id: str
) -> list[CommentRecord]:
    """The evidence item's comment thread, oldest first."""
    return _thread(case, "evidence", evidence_id, sensitive)


@router.post(
    "/evidence/{evidence_id}/comments",
    status_code=201,
    response_model=CommentRecord,
    responses=REFUSED,
)
async def api_evidence_comment_add(
    case: ActingCase, reader: Reader, sensitive: SeesSensitive, evidence_id: str, body: CommentIn
) -> CommentRecord | JSONResponse:
    """Add the reader's comment to the evidence item's thread."""
    return await _add(case, reader, "evidence", evidence_id, body.body, sensitive)


@router.get("/activity")
def api_activity(case: ReadCase, reader: Reader, sensitive: SeesSensitive) -> ActivityFeed:
    """The reader's feed: what others did and comments naming them since they last marked
    it seen."""
    return activity.activity(case, reader.name, sensitive=sensitive)


@router.post("/activity/seen")
async def api_activity_seen(
    case: ActingCase, reader: Reader, sensitive: SeesSensitive
) -> ActivityFeed:
    """Mark the reader's feed seen up to now; answers the (now empty) feed."""
    return await run_in_threadpool(
        lambda: activity.mark_seen(case, reader.name, sensitive=sensitive)
    )
