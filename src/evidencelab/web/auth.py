"""Who is asking and whether they may: sessions, API tokens, CSRF, login and logout.

Every route passes through :func:`authorize` (an app-wide dependency), which looks the route
up in the permission matrix. A route missing from the matrix is refused to everyone.
"""

from __future__ import annotations

import dataclasses
import math
import secrets
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from evidencelab.locker.case import Case
from evidencelab.service.access import users
from evidencelab.service.access.users import LoginThrottled, Principal
from evidencelab.web.permissions import PUBLIC, ROUTE_PERMISSIONS, allowed
from evidencelab.web.settings import WebSettings

SESSION_COOKIE = "evidencelab_session"
LOGIN_COOKIE = "evidencelab_login"  # CSRF token of the login form (double submit)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

router = APIRouter()


class LoginRequired(Exception):
    """Not logged in: pages redirect to the login page, the API answers 401."""


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def base_case(request: Request) -> Case:
    case: Case = request.app.state.case
    return case


def settings_of(request: Request) -> WebSettings:
    settings: WebSettings = request.app.state.settings
    return settings


def principal_of(request: Request) -> Principal:
    """The logged-in user (routes that need a permission always have one)."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        raise LoginRequired
    return principal


def acting_case(request: Request) -> Case:
    """The case with the logged-in user as the actor of any custody event."""
    return dataclasses.replace(base_case(request), actor=principal_of(request).name)


def may(request: Request, permission: str) -> bool:
    principal: Principal | None = getattr(request.state, "principal", None)
    return allowed(principal.role if principal else None, permission)


def _resolve(request: Request) -> Principal | None:
    case = base_case(request)
    header = request.headers.get("authorization", "")
    if is_api(request) and header.lower().startswith("bearer "):
        principal = users.token_principal(case, header[7:].strip())
        if principal is None:
            raise HTTPException(401, "API token unknown or revoked")
        return principal
    session_id = request.cookies.get(SESSION_COOKIE)
    return users.session_principal(case, session_id) if session_id else None


async def authorize(request: Request) -> None:
    """Allow the request if the route's permission is held; check CSRF on changes."""
    route = request.scope.get("route")
    permission = ROUTE_PERMISSIONS.get(getattr(route, "name", ""))
    if permission is None:
        raise HTTPException(403, "this route has no access rule")
    principal = _resolve(request)
    request.state.principal = principal
    if permission == PUBLIC:
        return
    if principal is None:
        raise LoginRequired
    if not allowed(principal.role, permission):
        raise HTTPException(403, f"your role ({principal.role}) may not do this")
    if request.method not in SAFE_METHODS and principal.csrf_token is not None:
        await check_csrf(request, principal.csrf_token)


async def check_csrf(request: Request, expected: str) -> None:
    """The request carries the session's CSRF token (header ``X-CSRF-Token`` or form
    field ``csrf_token``); cookies alone never authorise a change."""
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not sent or not secrets.compare_digest(sent, expected):
        raise HTTPException(403, "missing or wrong CSRF token; reload the page and try again")


def cookie_secure(request: Request) -> bool:
    """Whether cookies get the Secure flag (see WebSettings.secure_cookies)."""
    settings = settings_of(request)
    if settings.secure_cookies in ("always", "never"):
        return settings.secure_cookies == "always"
    if request.url.scheme == "https":
        return True
    client = request.client.host if request.client else None
    return (
        client in settings.trusted_proxies
        and request.headers.get("x-forwarded-proto", "").lower() == "https"
    )


def client_address(request: Request) -> str:
    """The client's address: the proxy's ``X-Forwarded-For`` only from a trusted proxy."""
    client = request.client.host if request.client else "unknown"
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded and client in settings_of(request).trusted_proxies:
        return forwarded.split(",")[-1].strip()
    return client


def _local_path(target: str | None) -> str:
    """Only a path on this site is followed after login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    templates = request.app.state.templates
    principal: Principal | None = getattr(request.state, "principal", None)
    response: Response = templates.TemplateResponse(
        request,
        template,
        {
            "principal": principal,
            "csrf_token": principal.csrf_token if principal else None,
            "may": lambda permission: may(request, permission),
            "settings": settings_of(request),
            **context,
        },
        status_code=status,
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    """The login form (also to someone logged in: logging in again replaces the session)."""
    return _login_page(request, next, None, 200)


def _login_page(request: Request, next_path: str, error: str | None, status: int) -> Response:
    token = secrets.token_urlsafe(32)
    response = render(
        request,
        "login.html",
        {"login_token": token, "next": _local_path(next_path), "error": error},
        status,
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=cookie_secure(request),
        path="/login",
    )
    return response


@router.post("/login")
def login(
    request: Request,
    name: str = Form(...),
    password: str = Form(...),
    csrf_token: str = Form(""),
    next: str = Form("/"),
) -> Response:
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie, csrf_token):
        return _login_page(request, next, "The form expired; please try again.", 403)
    case = base_case(request)
    try:
        principal = users.authenticate(case, name, password, client=client_address(request))
    except LoginThrottled as error:
        response = _login_page(request, next, str(error).capitalize() + ".", 429)
        response.headers["Retry-After"] = str(math.ceil(error.retry_after.total_seconds()))
        return response
    if principal is None:
        return _login_page(request, next, "Wrong name or password.", 401)
    session_id, _csrf = users.start_session(
        case, principal.name, replacing=request.cookies.get(SESSION_COOKIE)
    )
    response = RedirectResponse(_local_path(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request),
        path="/",
        max_age=int(users.SESSION_LIFETIME.total_seconds()),
    )
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        users.end_session(base_case(request), session_id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
