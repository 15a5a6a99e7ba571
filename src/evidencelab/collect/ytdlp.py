"""Video platforms (YouTube, TikTok, X, Telegram…): the video in its original form and its
``info.json`` through yt-dlp (https://github.com/yt-dlp/yt-dlp), as Bellingcat's
auto-archiver does. It runs only for a URL one of yt-dlp's platform extractors claims; a
plain web page's media are the media step's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evidencelab.collect.errors import CaptureRefused


def claims(url: str) -> str | None:
    """The yt-dlp extractor (other than the generic one) that handles ``url``, or None."""
    from yt_dlp.extractor import gen_extractor_classes

    for extractor in gen_extractor_classes():
        if extractor.ie_key() != "Generic" and extractor.suitable(url):
            return str(extractor.ie_key())
    return None


def download(url: str, folder: Path, *, max_bytes: int, timeout_s: float) -> list[Path]:
    """The video(s) and their ``.info.json`` files written into ``folder``; CaptureRefused
    with yt-dlp's reason when it fails."""
    from yt_dlp import YoutubeDL
    from yt_dlp.utils import YoutubeDLError

    options: dict[str, Any] = {
        "outtmpl": str(folder / "%(extractor)s-%(id)s.%(ext)s"),
        "writeinfojson": True,
        "noplaylist": True,
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
        "max_filesize": max_bytes,
        "socket_timeout": timeout_s,
    }
    try:
        with YoutubeDL(options) as ydl:
            ydl.download([url])
    except YoutubeDLError as error:
        raise CaptureRefused(f"yt-dlp could not take the video ({error})") from None
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.endswith(".part"))
