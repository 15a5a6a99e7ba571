"""The page as a headless Chromium loads it: every exchange on the wire (with the address
it came from), the main document's redirects and status, scrolled to load what loads
late, within bounds of time, bytes, requests and scroll depth.

Debian's Chromium is driven by Playwright for Python (``executable_path``: no browser is
downloaded). Bodies are those the browser hands over, decoded of any content encoding; the
WARC writer declares this (see ``warc.TRANSFORMATIONS``).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    Request,
    Response,
    Route,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from evidencelab.collect.addresses import SCHEMES, internal_address, is_public
from evidencelab.collect.errors import CaptureRefused

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
SETTLE_MS = 1500  # quiet network after scrolling before the page is taken as loaded
SCROLL_WAIT_MS = 250  # after each screen scrolled, for what the page loads on scrolling
# Seconds left for the snapshots and media once the time bound stopped the loading.
AFTER_TIME_BOUND_S = 20.0


@dataclass(frozen=True)
class CaptureLimits:
    """Bounds of one capture: seconds for the whole page, bytes of all bodies, requests,
    screens scrolled; the viewport in CSS pixels; whether internal addresses may be
    fetched (tests on loopback; never on a shared workbench unless configured)."""

    timeout_s: float = 60.0
    max_page_bytes: int = 200 * 1024 * 1024
    max_requests: int = 400
    scroll_screens: int = 12
    viewport_width: int = 1366
    viewport_height: int = 900
    allow_private: bool = False


@dataclass
class Exchange:
    """One HTTP request and its response, as recorded."""

    url: str
    method: str
    resource_type: str
    request_headers: list[tuple[str, str]]
    request_body: bytes | None
    status: int | None = None
    status_text: str = ""
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    body_complete: bool = False
    server_ip: str | None = None
    failure: str | None = None
    at: str = ""


@dataclass
class LoadedPage:
    """The page after loading: the browser's state for the later steps, and what loading
    recorded."""

    page: Page
    context: BrowserContext
    browser_version: str
    limits: CaptureLimits
    deadline: float
    url_entered: str
    url_final: str = ""
    redirects: list[dict[str, object]] = field(default_factory=list)
    status: int | None = None
    exchanges: list[Exchange] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    routed: int = 0
    bounds_reached: list[str] = field(default_factory=list)  # see collect/bounds.py

    def reached(self, bound: str) -> None:
        if bound not in self.bounds_reached:
            self.bounds_reached.append(bound)

    def seconds_left(self) -> float:
        return max(0.5, self.deadline - time.monotonic())


def utc_now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium for one capture or several: each capture opens a browser context
    of its own, so captures share no cookies, cache or storage."""
    with sync_playwright() as playwright:
        browser = _launch(playwright)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def open_page(
    url: str, limits: CaptureLimits, browser: Browser | None = None
) -> Iterator[LoadedPage]:
    """Load ``url`` in a fresh context of ``browser`` (by default, of a browser launched for
    this page alone) and yield the loaded page (closed after); CaptureRefused when it cannot
    be reached, answers nothing in time, or comes from an internal address that is not
    allowed."""
    with contextlib.ExitStack() as stack:
        if browser is None:
            browser = stack.enter_context(chromium())
        context = browser.new_context(
            viewport={"width": limits.viewport_width, "height": limits.viewport_height},
            accept_downloads=False,
            service_workers="block",  # a service worker would answer from its cache
        )
        stack.callback(context.close)
        loaded = LoadedPage(
            context.new_page(),
            context,
            browser.version,
            limits,
            time.monotonic() + limits.timeout_s,
            url,
        )
        _load(loaded)
        yield loaded


def _launch(playwright: Playwright) -> Browser:
    args = CHROMIUM_ARGS + (["--no-sandbox"] if os.geteuid() == 0 else [])
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)


def _load(loaded: LoadedPage) -> None:
    pending: list[tuple[Request, Exchange]] = []
    ended: set[Request] = set()  # answered or failed: their response will not wait
    loaded.page.on("requestfinished", lambda r: ended.add(r))
    loaded.page.on("requestfailed", lambda r: ended.add(r))
    loaded.context.route("**/*", lambda route: _guard(route, loaded))
    loaded.page.on("request", lambda r: pending.append((r, _exchange(r))))
    try:
        response = loaded.page.goto(
            loaded.url_entered, wait_until="commit", timeout=loaded.limits.timeout_s * 1000
        )
    except PlaywrightTimeout:
        raise CaptureRefused(f"no page within {loaded.limits.timeout_s:g} s") from None
    except PlaywrightError as error:
        raise CaptureRefused(f"could not be loaded ({_reason(error)})") from None
    if response is None:
        raise CaptureRefused("answered no document")
    _wait_for_load(loaded)
    if "time" not in loaded.bounds_reached:
        _scroll(loaded)
    loaded.exchanges = [
        _finish(request, exchange) if request in ended else _unfinished(exchange)
        for request, exchange in pending
    ]
    _check_sources(loaded)
    loaded.url_final, loaded.status = response.url, response.status
    loaded.redirects = _redirects(response)


def _guard(route: Route, loaded: LoadedPage) -> None:
    """Every request passes here first: at most ``max_requests``, http(s) only, and no
    internal address unless allowed."""
    url = route.request.url
    problem = None
    if loaded.routed >= loaded.limits.max_requests:
        problem = "over the request limit"
        loaded.reached("requests")
    elif url.split(":", 1)[0].lower() not in SCHEMES:
        problem = None if url.startswith(("data:", "blob:")) else "scheme not fetched"
    elif not loaded.limits.allow_private:
        try:
            address = internal_address(url)
        except CaptureRefused:
            address = None  # an unresolvable host fails on its own
        problem = f"internal address {address}" if address else None
    if problem is None:
        loaded.routed += 1
        route.continue_()
    else:
        loaded.refused.append(f"{url}: {problem}")
        route.abort("blockedbyclient")


def _exchange(request: Request) -> Exchange:
    return Exchange(
        url=request.url,
        method=request.method,
        resource_type=request.resource_type,
        request_headers=[(h["name"], h["value"]) for h in request.headers_array()],
        request_body=request.post_data_buffer,
        at=utc_now(),
    )


def _unfinished(exchange: Exchange) -> Exchange:
    exchange.failure = "still loading when the capture stopped"
    return exchange


def _finish(request: Request, exchange: Exchange) -> Exchange:
    """The exchange with its response (headers, body, server address) or its failure."""
    response = request.response() if request.failure is None else None
    if response is None:
        exchange.failure = request.failure or "no response"
        return exchange
    exchange.status, exchange.status_text = response.status, response.status_text
    exchange.response_headers = [(h["name"], h["value"]) for h in response.headers_array()]
    address = response.server_addr()
    exchange.server_ip = address["ipAddress"] if address else None
    if not 300 <= response.status < 400:
        try:
            exchange.body, exchange.body_complete = response.body(), True
        except PlaywrightError:
            exchange.body_complete = False  # media streamed by range: fetched whole later
    return exchange


def _check_sources(loaded: LoadedPage) -> None:
    total = sum(len(e.body) for e in loaded.exchanges)
    if total > loaded.limits.max_page_bytes:
        raise CaptureRefused(
            f"is over the size limit ({total} bytes loaded, limit {loaded.limits.max_page_bytes})"
        )
    if loaded.limits.allow_private:
        return
    for exchange in loaded.exchanges:
        if exchange.server_ip and not is_public(exchange.server_ip):
            raise CaptureRefused(
                f"loaded {exchange.url} from the internal address {exchange.server_ip}; "
                "captures of internal addresses are not allowed by this workbench's settings"
            )


def _wait_for_load(loaded: LoadedPage) -> None:
    """Wait for the page's load event until the time bound; at the bound, stop loading
    (what is pending fails) and keep the page as it stands, with time for the steps
    after."""
    try:
        loaded.page.wait_for_load_state("load", timeout=loaded.seconds_left() * 1000)
    except PlaywrightTimeout:
        _stop_at_time_bound(loaded)


def _stop_at_time_bound(loaded: LoadedPage) -> None:
    loaded.reached("time")
    loaded.page.evaluate("() => window.stop()")
    loaded.deadline = time.monotonic() + AFTER_TIME_BOUND_S


def _scroll(loaded: LoadedPage) -> None:
    """Scroll down a screen at a time (lazy images load), up to ``scroll_screens``, then
    back to the top, and wait for the network to settle. A page still growing after the
    last screen reached the scroll bound; one still scrolling at the deadline, the time
    bound."""
    page = loaded.page
    for _ in range(loaded.limits.scroll_screens):
        if loaded.seconds_left() <= 1:
            _stop_at_time_bound(loaded)
            break
        page.evaluate("() => window.scrollBy(0, window.innerHeight)")
        page.wait_for_timeout(SCROLL_WAIT_MS)  # a feed adds its next posts on scrolling
        if page.evaluate("() => window.scrollY + window.innerHeight >= document.body.scrollHeight"):
            break
    else:
        loaded.reached("scroll")
    page.evaluate("() => window.scrollTo(0, 0)")
    # A page that polls for ever is captured as it stands.
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_load_state(
            "networkidle", timeout=min(SETTLE_MS * 4, loaded.seconds_left() * 1000)
        )


def _redirects(response: Response) -> list[dict[str, object]]:
    """The main document's redirect hops, first to last: URL and status of each."""
    hops: list[dict[str, object]] = []
    request = response.request.redirected_from
    while request is not None:
        hop = request.response()
        hops.insert(0, {"url": request.url, "status": hop.status if hop else None})
        request = request.redirected_from
    return hops


def _reason(error: PlaywrightError) -> str:
    first = str(error.message).strip().splitlines()[0]
    if "Download is starting" in first:
        return "the server sent a file to download, not a page; ingest the file instead"
    return first.removeprefix("Page.goto: ").split(" at ", 1)[0]
