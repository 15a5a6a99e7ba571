"""Evidence shown as media: display previews (thumbnails, video posters, first pages).

A preview is a display copy, never evidence: it is made from the item's stored original (or
from the thumbnail or poster frame stored at ingest, which is smaller to read), kept in the
case folder's ``cache/previews/`` under the original's SHA-256 and the size, and may be
deleted at any time (it is made again on the next request). Nothing here writes to the
database or the custody log; the original is only ever read.

A file that cannot be previewed (corrupt, too large, too slow) is remembered as such in the
cache too, so a page of thumbnails never asks FFmpeg twice about the same broken file.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path

from evidencelab.extract.previews import PreviewError, image_preview, pdf_preview, video_preview
from evidencelab.extract.types import Limits
from evidencelab.locker.case import Case, CaseError
from evidencelab.locker.errors import InputError
from evidencelab.model.sensitivity import warning_text
from evidencelab.service.evidence.items import visible_evidence
from evidencelab.service.evidence.records import PreviewRecord, PreviewSaved
from evidencelab.service.evidence.sensitivity import covering_flags
from evidencelab.store.atomic import write_bytes_atomic, write_text_atomic

# Longest side in pixels of each preview size: "small" fills a list's 96 CSS px square at
# twice the pixel density; "large" a video player's poster.
PREVIEW_SIDES = {"small": 256, "large": 960}
CACHE_FOLDER = Path("cache") / "previews"
# FFmpeg and pdftoppm get this long per preview.
PREVIEW_TIMEOUT_S = 20.0
# Previews made at once, whatever the number of requests: a page of fifty thumbnails
# never starts fifty decoders on the machine.
_MAKING = threading.BoundedSemaphore(2)
_LIMITS = Limits()


def preview_sides() -> list[str]:
    """The preview sizes, smallest first."""
    return list(PREVIEW_SIDES)


def evidence_preview(
    case: Case, evidence_id: str, size: str = "small", *, sensitive: bool
) -> PreviewRecord:
    """The preview of an item at ``size`` (small, large), made on first request and read
    from the cache after. An item the reader may not see (sensitive, without
    ``sensitive``) is no such item, as for its original. An item with a covering
    sensitivity flag has no preview at all (docs/safety.md): the record names its warning
    instead, and only its original, behind the page's deliberate reveal, shows it."""
    max_side = PREVIEW_SIDES.get(size)
    if max_side is None:
        raise InputError("size", size, f"unknown preview size; one of {', '.join(PREVIEW_SIDES)}")
    with case.sessions() as session:
        item = visible_evidence(session, evidence_id, sensitive=sensitive)
        stored = {d.role: d for d in item.derivatives}
        shown = stored.get("thumbnail") or stored.get("poster")
        original = case.objects.path(item.sha256)
        source = case.objects.path(shown.sha256) if shown else original
        make = _maker(shown.media_type if shown else item.media_type, max_side)
        target = case.root / CACHE_FOLDER / f"{item.sha256}-{max_side}.jpg"
        record: PreviewRecord = {
            "evidence": item.id,
            "path": None,
            "media_type": "image/jpeg",
            "max_side": max_side,
            "icon": _icon(item.media_type),
            "problem": None,
            "warning": None,
        }
        cover = covering_flags(session, item.id)
    if cover:
        return record | {"icon": "flagged", "warning": warning_text(cover)}
    if make is None:
        return record
    problem = _cached_or_made(target, lambda: make(source))
    if problem is not None:
        return record | {"icon": "broken", "problem": problem}
    return record | {"path": str(target)}


def save_preview(
    case: Case, ref: str, out: Path, size: str = "small", *, sensitive: bool
) -> PreviewSaved:
    """Write the preview of item ``ref`` (id or SHA-256 prefix) at ``size`` to ``out``,
    whole or not at all: the picture :func:`evidence_preview` serves. Refused, writing
    nothing, for an item flagged as graphic (it has no preview), an item without a picture
    and a file that cannot be previewed."""
    with case.sessions() as session:
        evidence_id = visible_evidence(session, ref, sensitive=sensitive, by_prefix=True).id
    preview = evidence_preview(case, evidence_id, size, sensitive=sensitive)
    if preview["warning"] is not None:
        flags = preview["warning"].removeprefix("Warning: ")
        raise CaseError(f"evidence {evidence_id}: flagged ({flags}): no preview is made")
    if preview["path"] is None:
        why = preview["problem"] or f"no picture to preview ({preview['icon']})"
        raise CaseError(f"evidence {evidence_id}: {why}")
    if not out.parent.is_dir():
        raise InputError("out", out, "folder does not exist")
    data = Path(preview["path"]).read_bytes()
    write_bytes_atomic(out, data)
    return {
        "evidence": evidence_id,
        "size": size,
        "max_side": preview["max_side"],
        "media_type": preview["media_type"],
        "out": str(out),
        "size_bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def _maker(media_type: str | None, max_side: int) -> Callable[[Path], bytes] | None:
    """How to make a preview of a file of ``media_type``; None: it has no picture."""
    kind = (media_type or "").split("/")[0]
    if kind == "image":
        return lambda path: image_preview(path, max_side, max_pixels=_LIMITS.max_image_pixels)
    if kind == "video":
        return lambda path: video_preview(path, max_side, timeout_s=PREVIEW_TIMEOUT_S)
    if media_type == "application/pdf":
        return lambda path: pdf_preview(path, max_side, timeout_s=PREVIEW_TIMEOUT_S)
    return None


def _cached_or_made(target: Path, make: Callable[[], bytes]) -> str | None:
    """Make ``target`` unless it (or the note that it failed) is cached; the problem, if
    any (a case folder that cannot be written to shows the placeholder, saying why)."""
    failed = target.with_suffix(".failed")
    if target.is_file():
        return None
    if failed.is_file():
        return failed.read_text(encoding="utf-8")
    with _MAKING:
        if target.is_file():  # made by another request while this one waited
            return None
        try:
            data, problem = make(), None
        except PreviewError as error:
            data, problem = None, str(error).splitlines()[0]
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if data is not None:
                write_bytes_atomic(target, data)
            else:
                write_text_atomic(failed, problem or "")
        except OSError as unwritable:
            return problem or f"preview not kept: {unwritable}"
    return problem


def _icon(media_type: str | None) -> str:
    """The placeholder shown for an item without a preview: its broad kind."""
    kind = (media_type or "").split("/")[0]
    if kind in ("image", "video", "audio"):
        return kind
    if media_type in ("application/pdf", "text/plain", "text/html"):
        return "document"
    return "file"
