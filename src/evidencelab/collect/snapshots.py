"""What the loaded page looks like and holds, each taken by one step: a full-page
screenshot (PNG), the serialised DOM, an MHTML snapshot (Chromium's
``Page.captureSnapshot``) and the visible text. The Berkeley Protocol on Digital Open
Source Investigations (OHCHR and UC Berkeley, 2022, §VI.C "Collection") names the URL, the
HTML source and a full-page capture as the minimum of an online collection.
"""

from __future__ import annotations

from dataclasses import dataclass

from evidencelab.collect.browser import LoadedPage


@dataclass
class Snapshots:
    screenshot_png: bytes = b""
    dom_html: str = ""
    mhtml: bytes = b""
    text: str = ""
    title: str = ""
    user_agent: str = ""


def screenshot_step(loaded: LoadedPage, taken: Snapshots) -> None:
    """Full-page screenshot (PNG; Chromium caps a page at 16,384 px high)."""
    taken.screenshot_png = loaded.page.screenshot(
        full_page=True, type="png", timeout=loaded.seconds_left() * 1000
    )


def dom_step(loaded: LoadedPage, taken: Snapshots) -> None:
    """The DOM serialised as HTML, the document title and the visible text."""
    page = loaded.page
    taken.dom_html = page.content()
    taken.title = page.title()
    taken.text = page.evaluate("() => document.body ? document.body.innerText : ''")
    taken.user_agent = page.evaluate("() => navigator.userAgent")


def mhtml_step(loaded: LoadedPage, taken: Snapshots) -> None:
    """The page and its resources as one MHTML document (RFC 2557)."""
    session = loaded.context.new_cdp_session(loaded.page)
    try:
        taken.mhtml = str(
            session.send("Page.captureSnapshot", {"format": "mhtml"})["data"]
        ).encode()
    finally:
        session.detach()
