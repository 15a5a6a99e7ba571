"""Every image and video the page embeds, in the bytes its server sent: those the browser
received whole are taken from its traffic; the others (a video the browser streamed by
ranges, an image never scrolled into view, a file named only in OpenGraph) are fetched
once more, whole, by the same browser context (its cookies and user agent), checked by the
same address rules, and recorded in the WARC too.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from playwright.sync_api import Error as PlaywrightError

from evidencelab.collect.addresses import SCHEMES, require_public
from evidencelab.collect.browser import Exchange, LoadedPage, utc_now
from evidencelab.collect.errors import CaptureRefused

MAX_MEDIA = 60  # files taken from one page
EMBEDDED_MEDIA_JS = """() => {
  const urls = [];
  for (const img of document.images) urls.push(img.currentSrc || img.src);
  for (const v of document.querySelectorAll('video, audio')) {
    urls.push(v.currentSrc || v.src);
    if (v.poster) urls.push(v.poster);
    for (const s of v.querySelectorAll('source')) urls.push(s.src);
  }
  return urls.filter(Boolean);
}"""


@dataclass(frozen=True)
class MediaFile:
    """One embedded file: where it was served from, its name and bytes."""

    url: str
    name: str
    media_type: str | None
    body: bytes


def media_step(loaded: LoadedPage, named: list[str]) -> list[MediaFile]:
    """The embedded images and videos (and those the page's markup ``named``), once each."""
    urls = list(dict.fromkeys([*loaded.page.evaluate(EMBEDDED_MEDIA_JS), *named]))
    urls = [u for u in urls if urlsplit(u).scheme in SCHEMES][:MAX_MEDIA]
    files: list[MediaFile] = []
    for url in urls:
        if _failed_in_page(loaded, url):
            continue  # listed with its failure; fetching it again would wait the same way
        exchange = _received_whole(loaded, url) or _fetch(loaded, url)
        if exchange is None or not _is_media(exchange):
            continue
        files.append(
            MediaFile(url, _name(url, exchange, len(files)), _type(exchange), exchange.body)
        )
    return files


def _received_whole(loaded: LoadedPage, url: str) -> Exchange | None:
    return next(
        (e for e in loaded.exchanges if e.url == url and e.status == 200 and e.body_complete),
        None,
    )


def _failed_in_page(loaded: LoadedPage, url: str) -> bool:
    exchanges = [e for e in loaded.exchanges if e.url == url]
    return bool(exchanges) and all(e.failure is not None for e in exchanges)


def _fetch(loaded: LoadedPage, url: str) -> Exchange | None:
    """GET ``url`` whole, recorded as an exchange; None when it fails (the page-info record
    lists the failure)."""
    exchange = Exchange(url, "GET", "media", [], None, at=utc_now())
    loaded.exchanges.append(exchange)
    try:
        require_public(url, allow_private=loaded.limits.allow_private)
        response = loaded.context.request.get(
            url, timeout=loaded.seconds_left() * 1000, max_redirects=0
        )
        body = response.body()
    except (CaptureRefused, PlaywrightError) as error:
        exchange.failure = str(error).splitlines()[0]
        return None
    exchange.status, exchange.status_text = response.status, response.status_text
    exchange.response_headers = [(h["name"], h["value"]) for h in response.headers_array]
    exchange.body, exchange.body_complete = body, True
    taken = sum(len(e.body) for e in loaded.exchanges)
    if taken > loaded.limits.max_page_bytes:
        raise CaptureRefused(
            f"is over the size limit ({taken} bytes with its media, "
            f"limit {loaded.limits.max_page_bytes})"
        )
    return exchange if response.status == 200 else None


def _type(exchange: Exchange) -> str | None:
    for name, value in exchange.response_headers:
        if name.lower() == "content-type":
            return value.split(";")[0].strip().lower() or None
    return None


def _is_media(exchange: Exchange) -> bool:
    media_type = _type(exchange) or ""
    return media_type.startswith(("image/", "video/", "audio/")) and bool(exchange.body)


def _name(url: str, exchange: Exchange, index: int) -> str:
    """A safe file name: the URL's last path segment, else ``media-N`` with the type's
    extension."""
    stem = PurePosixPath(unquote(urlsplit(url).path)).name
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._")[:100]
    if stem and "." in stem:
        return stem
    extension = mimetypes.guess_extension(_type(exchange) or "") or ""
    return f"{stem or f'media-{index + 1}'}{extension}"
