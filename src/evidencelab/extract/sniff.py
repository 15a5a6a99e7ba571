"""Content-based media type detection, used when ExifTool gives no MIME type."""

from __future__ import annotations

import mimetypes
from pathlib import Path

import av
from PIL import Image, UnidentifiedImageError

from evidencelab.extract.raster import sniff_raster_media_type

# PyAV/FFmpeg demuxer names (first of the comma-separated list) to MIME types.
_CONTAINER_MIME = {
    "matroska": "video/x-matroska",
    "avi": "video/x-msvideo",
    "mpegts": "video/mp2t",
    "flv": "video/x-flv",
    "asf": "video/x-ms-asf",
    "mpeg": "video/mpeg",
    "webm": "video/webm",
    "ogg": "video/ogg",
}


def sniff_media_type(path: Path, name_hint: str | None = None) -> str | None:
    """MIME type from the file's content: Pillow first, then FFmpeg via PyAV, then GDAL.

    The ``name_hint`` extension is used only to tell apart formats that FFmpeg reports as
    one family (MP4 vs QuickTime). Returns ``None`` if no library recognises the data.
    """
    try:
        with Image.open(path) as image:
            if image.format and image.format in Image.MIME:
                return Image.MIME[image.format]
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        pass
    try:
        with av.open(str(path)) as container:
            has_video = bool(container.streams.video)
            family = container.format.name.split(",")[0]
    except (av.FFmpegError, OSError, ValueError):
        return sniff_raster_media_type(path)
    hinted = mimetypes.guess_type(name_hint)[0] if name_hint else None
    if family == "mov":
        if hinted in ("video/mp4", "video/quicktime", "audio/mp4"):
            return hinted
        return "video/quicktime" if has_video else "audio/mp4"
    if family in _CONTAINER_MIME and has_video:
        return _CONTAINER_MIME[family]
    if hinted is not None and hinted.split("/")[0] in ("video", "audio"):
        return hinted
    return f"video/x-{family}" if has_video else f"audio/x-{family}"
