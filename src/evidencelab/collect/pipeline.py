"""One capture, step by step: load the page (always), then the configured steps —
screenshot, DOM and text, MHTML, embedded media, yt-dlp — then the WARC and its WACZ
package. Everything is written into a working folder the caller owns; nothing here knows
a case.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser

from evidencelab import __version__
from evidencelab.collect import wacz, ytdlp
from evidencelab.collect.addresses import check_url, require_public
from evidencelab.collect.bounds import bound_statement
from evidencelab.collect.browser import CaptureLimits, LoadedPage, open_page, utc_now
from evidencelab.collect.clock import read_clock
from evidencelab.collect.media import MediaFile, media_step
from evidencelab.collect.pagemeta import page_facts
from evidencelab.collect.records import ClockReading, ExchangeRecord, PageFacts
from evidencelab.collect.snapshots import Snapshots, dom_step, mhtml_step, screenshot_step
from evidencelab.collect.warc import TRANSFORMATIONS, exchange_records, page_info_json, write_warc

PAGE_STEPS: dict[str, Callable[[LoadedPage, Snapshots], None]] = {
    "dom": dom_step,
    "screenshot": screenshot_step,
    "mhtml": mhtml_step,
}
STEPS = (*PAGE_STEPS, "media", "ytdlp")


@dataclass(frozen=True)
class CaptureSettings:
    """The limits and the steps of a capture (default: all)."""

    limits: CaptureLimits = field(default_factory=CaptureLimits)
    steps: tuple[str, ...] = STEPS


@dataclass
class CaptureResult:
    """The files written and what the capture recorded about the page."""

    wacz: Path
    screenshot: Path | None
    media: list[tuple[MediaFile, Path]]
    platform_files: list[Path]
    url_entered: str
    url_final: str
    redirects: list[dict[str, object]]
    status: int | None
    title: str
    text: str
    facts: PageFacts
    requests: list[ExchangeRecord]
    user_agent: str
    viewport: dict[str, int]
    versions: dict[str, str]
    clock: ClockReading
    started_at: str
    finished_at: str
    transformations: list[str]


def capture(
    url: str,
    folder: Path,
    settings: CaptureSettings,
    progress: Callable[[str], None] = lambda _step: None,
    browser: Browser | None = None,
) -> CaptureResult:
    """Capture ``url`` into ``folder`` (in a context of its own of ``browser``, if given);
    CaptureRefused (before anything is kept) for a URL that is not http(s), internal when
    not allowed, unreachable, answering no page in time, a download or too large. A page
    that reaches the time, scroll or request bound is kept as it stood then, with the bound
    declared (collect/bounds.py)."""
    url = check_url(url)
    require_public(url, allow_private=settings.limits.allow_private)
    clock = read_clock()
    progress("loading the page")
    with open_page(url, settings.limits, browser) as loaded:
        taken = Snapshots()
        for name, step in PAGE_STEPS.items():
            if name in settings.steps:
                progress(name)
                step(loaded, taken)
        facts = page_facts(taken.dom_html, loaded.url_final)
        media: list[MediaFile] = []
        if "media" in settings.steps:
            progress("embedded media")
            media = media_step(loaded, facts["media_urls"])
        browser_version = loaded.browser_version
    platform_files = _platform_step(url, folder, settings)
    progress("packaging")
    return _package(
        url, folder, loaded, taken, facts, media, platform_files, clock, browser_version, settings
    )


def _platform_step(url: str, folder: Path, settings: CaptureSettings) -> list[Path]:
    if "ytdlp" not in settings.steps or ytdlp.claims(url) is None:
        return []
    target = folder / "platform"
    target.mkdir()
    return ytdlp.download(
        url, target, max_bytes=settings.limits.max_page_bytes, timeout_s=settings.limits.timeout_s
    )


def _package(
    url: str,
    folder: Path,
    loaded: LoadedPage,
    taken: Snapshots,
    facts: PageFacts,
    media: list[MediaFile],
    platform_files: list[Path],
    clock: ClockReading,
    browser_version: str,
    settings: CaptureSettings,
) -> CaptureResult:
    final = loaded.url_final
    requests = exchange_records(loaded.exchanges, loaded.refused)
    title = taken.title or facts["title"] or ""
    resources = [
        (f"urn:view:{final}", "image/png", taken.screenshot_png),
        (f"urn:dom:{final}", "text/html; charset=utf-8", taken.dom_html.encode()),
        (f"urn:mhtml:{final}", "multipart/related", taken.mhtml),
        (f"urn:text:{final}", "text/plain; charset=utf-8", taken.text.encode()),
        (f"urn:pageinfo:{final}", "application/json", page_info_json(final, title, requests)),
    ]
    versions = _versions(browser_version)
    finished = utc_now()
    warc_path = folder / "capture.warc.gz"
    write_warc(
        warc_path,
        loaded.exchanges,
        [r for r in resources if r[2]],
        {
            "software": f"evidencelab {__version__}",
            "format": "WARC File Format 1.1",
            "isPartOf": url,
            "json-metadata": json.dumps(versions),
        },
    )
    pages = folder / "pages.jsonl"
    wacz.write_pages(pages, final, clock["utc"], title, taken.text)
    wacz_path = folder / "capture.wacz"
    wacz.package(warc_path, pages, wacz_path, title=title or final)
    screenshot = None
    if taken.screenshot_png:
        screenshot = folder / "screenshot.png"
        screenshot.write_bytes(taken.screenshot_png)
    return CaptureResult(
        wacz=wacz_path,
        screenshot=screenshot,
        media=_write_media(folder, media),
        platform_files=platform_files,
        url_entered=url,
        url_final=final,
        redirects=loaded.redirects,
        status=loaded.status,
        title=title,
        text=taken.text,
        facts=facts,
        requests=requests,
        user_agent=taken.user_agent,
        viewport={
            "width": settings.limits.viewport_width,
            "height": settings.limits.viewport_height,
        },
        versions=versions,
        clock=clock,
        started_at=clock["utc"],
        finished_at=finished,
        transformations=[*TRANSFORMATIONS, *_bound_statements(loaded)],
    )


def _bound_statements(loaded: LoadedPage) -> list[str]:
    limits = loaded.limits
    limit = {"time": limits.timeout_s, "scroll": limits.scroll_screens}
    limit["requests"] = limits.max_requests
    return [bound_statement(b, limit[b]) for b in loaded.bounds_reached]


def _write_media(folder: Path, media: list[MediaFile]) -> list[tuple[MediaFile, Path]]:
    target = folder / "media"
    target.mkdir()
    written = []
    for index, item in enumerate(media):
        # One folder per file: the served name is kept, however many files share it.
        path = target / f"{index + 1:03d}" / item.name
        path.parent.mkdir()
        path.write_bytes(item.body)
        written.append((item, path))
    return written


def _versions(browser_version: str) -> dict[str, str]:
    packages: dict[str, Any] = {
        name: version(name) for name in ("playwright", "warcio", "wacz", "yt-dlp")
    }
    return {"evidencelab": __version__, "chromium": browser_version, **packages}
