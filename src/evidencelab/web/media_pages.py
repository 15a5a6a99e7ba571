"""Evidence as media: the preview route (thumbnails, video posters, first pages).

The original is served by pages.evidence_original (with HTTP Range, so a video can be
scrubbed); this route serves the display preview the service keeps in the case's cache,
under the same rule as the original: an item the reader may not see has no preview either.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from evidencelab.service.evidence.media import evidence_preview
from evidencelab.web.auth import base_case, may

router = APIRouter()

ICONS = Path(__file__).parent / "static" / "media"
# A preview is made from an original that never changes (its name is the original's
# SHA-256), so the browser may keep it; "private": it is the case's, not a proxy's.
PREVIEW_CACHE_CONTROL = "private, max-age=3600"  # as the original


@router.get("/evidence/{evidence_id}/thumbnail")
def evidence_thumbnail(request: Request, evidence_id: str, size: str = "small") -> Response:
    """The item's preview as a JPEG, or a placeholder picture: of its kind (a file that
    cannot be previewed: a broken one), or naming its flags (an item flagged as graphic
    has no preview; its page reveals the original deliberately)."""
    preview = evidence_preview(
        base_case(request), evidence_id, size, sensitive=may(request, "read_sensitive")
    )
    if preview["warning"] is not None:
        response = _flagged_placeholder(preview["warning"], preview["max_side"])
    elif preview["path"] is None:
        response = FileResponse(ICONS / f"icon-{preview['icon']}.svg", media_type="image/svg+xml")
    else:
        response = FileResponse(preview["path"], media_type=preview["media_type"])
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers.setdefault("Cache-Control", PREVIEW_CACHE_CONTROL)
    return response


def _flagged_placeholder(warning: str, side: int) -> Response:
    """A dark square naming a flagged item's flags, one per line, in place of its preview;
    never kept by the browser, so that the preview shows as soon as the flags are cleared."""
    lines = ["Warning:", *warning.removeprefix("Warning: ").split(", "), "no preview"]
    top = 96 - 8 * len(lines)
    text = "".join(
        f'<text x="96" y="{top + 16 * i}" text-anchor="middle">{escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{side}" height="{side}" '
        f'viewBox="0 0 192 192" role="img" aria-label="{escape(warning)}: no preview">'
        '<rect width="192" height="192" fill="#102a43"/>'
        f'<g font-family="DejaVu Sans, sans-serif" font-size="11" fill="#fff">{text}</g></svg>'
    )
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})
