"""Contact sheets of videos: evenly spaced frames in one strip, so that a reviewer can
scrub a video by hovering or with the arrow keys instead of playing it (docs/safety.md).

A sheet is display data made from the original (read only), kept in the case folder's
``cache/contact-sheets/`` under the original's SHA-256 and the frame count, and made again
whenever it is missing. Nothing is written to the database or the custody log.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PIL import Image

from evidencelab.extract.contact_sheet import FRAME_WIDTH, ContactSheetError, contact_sheet
from evidencelab.locker.case import Case, CaseError
from evidencelab.service.evidence.items import find_evidence
from evidencelab.service.evidence.records import ContactSheetRecord
from evidencelab.store.atomic import write_bytes_atomic

CACHE_FOLDER = Path("cache") / "contact-sheets"
SHEET_FRAMES = 8
# Sheets made at once, whatever the number of requests (each runs FFmpeg per frame).
_MAKING = threading.BoundedSemaphore(1)


def video_contact_sheet(
    case: Case, evidence_id: str, *, sensitive: bool, frames: int = SHEET_FRAMES
) -> ContactSheetRecord:
    """The item's contact sheet, made on first request. Raises InputError for an item that
    is not a video, one the reader may not see (as unknown), or one FFmpeg cannot read."""
    with case.sessions() as session:
        item = find_evidence(session, evidence_id)
        if item.sensitive and not sensitive:
            raise CaseError(f"evidence {evidence_id}: no such evidence item")
        if not (item.media_type or "").startswith("video/"):
            raise CaseError(f"evidence {item.id}: not a video, so no contact sheet")
        item_id, sha256 = item.id, item.sha256
    target = case.root / CACHE_FOLDER / f"{sha256}-{frames}.jpg"
    with _MAKING:
        if not target.is_file():
            try:
                data, _times = contact_sheet(case.objects.path(sha256), frames)
            except ContactSheetError as error:
                raise CaseError(f"evidence {item_id}: no contact sheet: {error}") from error
            target.parent.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(target, data)
    with Image.open(target) as sheet:
        shown = sheet.width // FRAME_WIDTH
    return {"evidence": item_id, "path": str(target), "frames": shown, "frame_width": FRAME_WIDTH}
