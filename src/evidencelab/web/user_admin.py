"""User management for admins: list users, add one, change a role, disable one.

Each change goes through :mod:`evidencelab.service.access.users` with the admin as the actor of
its custody event; the service refuses to disable or demote the last active admin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from evidencelab.locker.case import CaseError
from evidencelab.service.access import users
from evidencelab.web.auth import acting_case, base_case, render

router = APIRouter()


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _page(request: Request, status: int = 200, **context: Any) -> Response:
    listed = users.list_users(base_case(request))
    return render(request, "users.html", {"users": listed, "roles": users.ROLES, **context}, status)


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request) -> Response:
    return _page(request)


@router.post("/users")
async def user_add(request: Request) -> Response:
    form = await _form(request)
    name, role = form.get("name", "").strip(), form.get("role", "")
    password = form.get("password", "")
    if password != form.get("password_again", ""):
        message = "password: the two entries differ"
        return _page(request, 400, error=message, form={"name": name, "role": role})
    return await _change(
        request,
        lambda: users.add_user(acting_case(request), name, password, role),
        form={"name": name, "role": role},
    )


@router.post("/users/{name}/role")
async def user_role(request: Request, name: str) -> Response:
    role = (await _form(request)).get("role", "")
    return await _change(request, lambda: users.set_role(acting_case(request), name, role))


@router.post("/users/{name}/disable")
async def user_disable(request: Request, name: str) -> Response:
    return await _change(request, lambda: users.disable_user(acting_case(request), name))


async def _change(
    request: Request, change: Callable[[], Any], form: dict[str, str] | None = None
) -> Response:
    """Run a change; on success show the list again (post, redirect, get)."""
    try:
        await run_in_threadpool(change)
    except CaseError as error:
        return _page(request, 400, error=str(error), form=form or {})
    return RedirectResponse("/users", status_code=303)
