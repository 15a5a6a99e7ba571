"""Search, comment threads and the activity feed: the pages of the search and discussion
services (``service.search``, ``service.discussion``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment

from evidencelab.locker.errors import CaseError, InputError
from evidencelab.service import search
from evidencelab.service.discussion import activity, comments
from evidencelab.service.discussion.records import CommentRecord
from evidencelab.web.auth import acting_case, base_case, may, principal_of, render
from evidencelab.web.params import RowId
from evidencelab.web.source_pages import form_errors, text_form

router = APIRouter()
PAGES = {"incident": "/incidents/", "evidence": "/evidence/"}


def _sensitive(request: Request) -> bool:
    return may(request, "read_sensitive")


def _thread(request: Request, kind: str, subject_id: str) -> list[CommentRecord]:
    return comments.list_comments(
        base_case(request), kind, subject_id, sensitive=_sensitive(request)
    )


def _activity_count(request: Request) -> int:
    principal = getattr(request.state, "principal", None)
    if principal is None:
        return 0
    return activity.activity_count(
        base_case(request), principal.name, sensitive=_sensitive(request)
    )


def install(env: Environment) -> None:
    """What the thread partial and the header's count call from a template."""
    env.globals["discussion_thread"] = _thread
    env.globals["activity_count"] = _activity_count


# --- search -------------------------------------------------------------------------------


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: str = "", date_from: str = "", date_to: str = "") -> Response:
    kinds = request.query_params.getlist("kind")
    form = {"q": q, "kinds": kinds, "date_from": date_from, "date_to": date_to}
    context: dict[str, Any] = {"form": form, "labels": search.LABELS, "query": q}
    try:
        results = search.search(
            base_case(request),
            q,
            sensitive=_sensitive(request),
            kinds=kinds or None,
            date_from=date_from or None,
            date_to=date_to or None,
        )
    except InputError as error:
        return render(request, "search.html", context | {"errors": {error.field: str(error)}}, 400)
    return render(request, "search.html", context | {"results": results, "errors": {}})


# --- comments -----------------------------------------------------------------------------


def _back(kind: str, subject_id: str) -> str:
    return f"{PAGES.get(kind, '/incidents/')}{subject_id}#comments"


def _comment_form(
    request: Request, form: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    return render(request, "comment_form.html", {"form": form, "errors": errors}, status)


@router.get("/comments/new", response_class=HTMLResponse)
def comment_form(request: Request, subject_kind: str = "", subject_id: str = "") -> Response:
    return _comment_form(request, {"subject_kind": subject_kind, "subject_id": subject_id}, {})


@router.post("/comments/new")
async def comment_add(request: Request) -> Response:
    form = await text_form(request)
    kind, subject_id = form.get("subject_kind", ""), form.get("subject_id", "")
    try:
        await run_in_threadpool(
            comments.add_comment,
            acting_case(request),
            principal_of(request).name,
            kind,
            subject_id,
            form.get("body", ""),
            sensitive=_sensitive(request),
        )
    except CaseError as error:
        return _comment_form(request, form, form_errors(error, "body"), 400)
    return RedirectResponse(_back(kind, subject_id), status_code=303)


def _own(request: Request, comment_id: int) -> CommentRecord:
    """The comment, if the logged-in user wrote it and may see its thread."""
    return comments.comment_of(
        base_case(request), comment_id, principal_of(request).name, sensitive=_sensitive(request)
    )


@router.get("/comments/{comment_id}/edit", response_class=HTMLResponse)
def comment_edit_form(request: Request, comment_id: RowId) -> Response:
    record = _own(request, comment_id)
    form = {"body": record["body"] or "", "id": str(comment_id)}
    return render(request, "comment_edit.html", {"comment": record, "form": form, "errors": {}})


@router.post("/comments/{comment_id}/edit")
async def comment_update(request: Request, comment_id: RowId) -> Response:
    record = _own(request, comment_id)
    form = await text_form(request)
    try:
        await run_in_threadpool(
            comments.edit_comment,
            acting_case(request),
            comment_id,
            principal_of(request).name,
            form.get("body", ""),
        )
    except CaseError as error:
        context = {"comment": record, "form": form, "errors": form_errors(error, "body")}
        return render(request, "comment_edit.html", context, 400)
    return RedirectResponse(_back(record["subject_kind"], record["subject_id"]), status_code=303)


@router.get("/comments/{comment_id}/delete", response_class=HTMLResponse)
def comment_delete_form(request: Request, comment_id: RowId) -> Response:
    return render(request, "comment_delete.html", {"comment": _own(request, comment_id)})


@router.post("/comments/{comment_id}/delete")
async def comment_delete(request: Request, comment_id: RowId) -> Response:
    record = _own(request, comment_id)
    await run_in_threadpool(
        comments.delete_comment, acting_case(request), comment_id, principal_of(request).name
    )
    return RedirectResponse(_back(record["subject_kind"], record["subject_id"]), status_code=303)


# --- activity -----------------------------------------------------------------------------


@router.get("/activity", response_class=HTMLResponse)
def activity_page(request: Request) -> Response:
    feed = activity.activity(
        base_case(request), principal_of(request).name, sensitive=_sensitive(request)
    )
    done = request.query_params.get("seen") is not None
    return render(request, "activity.html", {"feed": feed, "done": done})


@router.post("/activity/seen")
async def activity_seen(request: Request) -> Response:
    await run_in_threadpool(
        activity.mark_seen,
        acting_case(request),
        principal_of(request).name,
        sensitive=_sensitive(request),
    )
    return RedirectResponse("/activity?seen=1", status_code=303)
