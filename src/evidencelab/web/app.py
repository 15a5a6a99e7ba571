"""The app factory: routes, access control, error pages, security headers, size limits."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute

from evidencelab import __version__
from evidencelab.locker.case import CaseError, open_case
from evidencelab.service.case_cache import CaseReadings
from evidencelab.service.verification.duplicate_cache import DuplicateMembers
from evidencelab.web import (
    api,
    auth,
    case_import,
    credentials_api,
    credentials_pages,
    discussion_api,
    discussion_pages,
    edit,
    formats,
    output_pages,
    pages,
    user_admin,
    workflow_api,
)
from evidencelab.web.assessment_pages import router as assessment_router
from evidencelab.web.capture_pages import install as install_capture
from evidencelab.web.location_pages import router as location_router
from evidencelab.web.map_pages import router as map_router
from evidencelab.web.media_pages import router as media_router
from evidencelab.web.output_jobs import OutputJobs
from evidencelab.web.safety_api import router as safety_api_router
from evidencelab.web.safety_pages import install as install_safety
from evidencelab.web.settings import WebSettings
from evidencelab.web.source_pages import router as source_router
from evidencelab.web.timestamp_pages import router as timestamp_router
from evidencelab.web.verification_pages import router as verification_router
from evidencelab.web.workflow_pages import router as workflow_router

HERE = Path(__file__).parent
LOG = logging.getLogger(__name__)
UPLOAD_PATHS = frozenset({"/upload", "/import"})
FORM_OVERHEAD_BYTES = 64 * 1024  # multipart boundaries and the small fields beside the file

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class UploadTooLarge(Exception):
    pass


class BodyLimit:
    """Refuse request bodies above a limit on the upload routes, while they stream in
    (a declared Content-Length above it is refused before reading anything)."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in UPLOAD_PATHS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large(send, self.limit)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise UploadTooLarge
            return message

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except* UploadTooLarge:
            if not started:
                await _too_large(send, self.limit)


async def _too_large(send: Send, limit: int) -> None:
    body = f"upload refused: larger than the limit of {limit} bytes".encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _csp(settings: WebSettings) -> str:
    images = "'self' data:"
    if settings.tiles_url:
        images += " " + _origin(settings.tiles_url)
    return (
        f"default-src 'self'; img-src {images}; media-src 'self'; script-src 'self'; "
        "style-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'self'"
    )


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    return f"{scheme}://{host.replace('{s}', '*')}"


def create_app(case_path: Path, *, settings: WebSettings | None = None) -> FastAPI:
    """The web workbench over the case at ``case_path``."""
    settings = settings or WebSettings()
    case = open_case(case_path, actor="web")

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        _app.state.output_jobs.close()
        _app.state.capture_jobs.close()
        _app.state.case_readings.close()
        case.close()

    app = FastAPI(
        lifespan=lifespan,
        title="evidencelab",
        version=__version__,
        description="Investigation workbench over one case.",
        dependencies=[Depends(auth.authorize)],
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.case = case
    app.state.settings = settings
    app.state.duplicate_members = DuplicateMembers()
    app.state.case_readings = CaseReadings(case)
    app.state.output_jobs = OutputJobs()
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["version"] = __version__
    formats.install(templates.env)
    discussion_pages.install(templates.env)
    credentials_pages.install(templates.env)  # the evidence page's content credentials
    app.state.templates = templates
    app.include_router(auth.router)
    app.include_router(edit.router)  # before pages: /incidents/new is not an incident id
    app.include_router(case_import.router)
    app.include_router(user_admin.router)
    app.include_router(output_pages.router)
    app.include_router(verification_router)
    app.include_router(assessment_router)
    app.include_router(location_router)
    app.include_router(media_router)
    app.include_router(source_router)  # before pages: /incidents/{id}/casualties/…
    app.include_router(timestamp_router)
    app.include_router(workflow_router)  # before pages: /incidents is the filtered list
    install_safety(app)  # routes, and the flags and preferences the templates read
    install_capture(app)  # routes, the capture worker, the evidence page's capture link
    app.include_router(map_router)
    app.include_router(discussion_pages.router)
    app.include_router(credentials_pages.router)
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(safety_api_router)
    app.include_router(workflow_api.router)  # GET /api/incidents: the filtered list
    app.include_router(discussion_api.router)
    app.include_router(credentials_api.router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    _install_handlers(app)
    csp = _csp(settings)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes + FORM_OVERHEAD_BYTES)
    return app


def route_table(routes: Sequence[BaseRoute], prefix: str = "") -> list[tuple[str, str, set[str]]]:
    """(name, path, methods) of every API route, including those of included routers."""
    table: list[tuple[str, str, set[str]]] = []
    for route in routes:
        if isinstance(route, APIRoute):
            table.append((route.name, prefix + route.path, set(route.methods or ())))
        nested = getattr(route, "original_router", None)
        if nested is not None:
            context = getattr(route, "include_context", None)
            table += route_table(nested.routes, prefix + getattr(context, "prefix", ""))
    return table


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(auth.LoginRequired)
    async def login_required(request: Request, _exc: Exception) -> Response:
        if auth.is_api(request):
            return JSONResponse(
                {"detail": "log in or send an API token"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        return auth.login_redirect(request)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        return _error(request, error.status_code, str(error.detail))

    @app.exception_handler(CaseError)
    async def case_error(request: Request, error: Exception) -> Response:
        status = 404 if "no such" in str(error) else 400
        return _error(request, status, str(error))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return _error(request, 422, f"{where}: {first.get('msg', 'invalid request')}")

    @app.exception_handler(UploadTooLarge)
    async def too_large(request: Request, _exc: Exception) -> Response:
        limit = auth.settings_of(request).max_upload_bytes
        return _error(request, 413, f"upload refused: larger than the limit of {limit} bytes")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        # A bug, not a bad input: the transaction it was in rolled back, so the case is as
        # it was. The person gets a reference to quote; the log has the traceback under it.
        reference = secrets.token_hex(4)
        LOG.error("unexpected error %s on %s %s", reference, request.method, request.url.path,
                  exc_info=error)  # fmt: skip
        message = f"an unexpected error; nothing was changed (reference {reference})"
        try:
            return _error(request, 500, message)
        except Exception:  # the page itself failed to render: plain text, still the reference
            return PlainTextResponse(message, status_code=500)


def _error(request: Request, status: int, message: str) -> Response:
    if auth.is_api(request):
        return JSONResponse({"detail": message}, status_code=status)
    return auth.render(request, "error.html", {"status": status, "message": message}, status)
