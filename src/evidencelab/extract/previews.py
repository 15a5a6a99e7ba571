"""Display previews of a file: a small JPEG of an image, a video frame or a PDF's first page.

A preview is a display copy for people browsing a case, never evidence: it is made from the
original (read only) and may be thrown away and made again. Every maker is bounded: images
by the decoding budget of :func:`decode_image`, FFmpeg and pdftoppm by a time limit, and
each raises :class:`PreviewError` (one line) when the file cannot be shown.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from PIL import Image

from evidencelab.extract.images import decode_image, jpeg_thumbnail

# Where a video's preview frame is taken, in seconds: past a fade-in from black, and
# within any clip (a shorter one falls back to its first frame).
VIDEO_FRAME_AT_S = 1.0


class PreviewError(ValueError):
    """The file could not be turned into a preview (corrupt, truncated, too large, slow)."""


def image_preview(path: Path, max_side: int, *, max_pixels: int) -> bytes:
    """JPEG of a still image, longest side at most ``max_side`` pixels, turned as viewers
    show it (EXIF Orientation applied, JEITA CP-3451 / Exif 2.32 §4.6.4 tag 274);
    decoded within ``max_pixels`` (:func:`decode_image`)."""
    try:
        image, _scale = decode_image(path, max_pixels)
        with image:
            return jpeg_thumbnail(image, max_side, apply_exif_orientation=True)
    except (OSError, ValueError, Image.DecompressionBombError) as problem:
        raise PreviewError(f"image cannot be decoded: {problem}") from problem


def video_preview(path: Path, max_side: int, *, timeout_s: float) -> bytes:
    """JPEG of a video frame at :data:`VIDEO_FRAME_AT_S` seconds (the first frame of a
    shorter clip), longest side at most ``max_side`` pixels, display rotation applied
    (FFmpeg's default autorotate), decoded by FFmpeg within ``timeout_s`` seconds
    (https://ffmpeg.org/ffmpeg.html)."""
    for start in (VIDEO_FRAME_AT_S, 0.0):
        frame = _run(
            [
                "ffmpeg", "-nostdin", "-v", "error", "-ss", str(start), "-i", str(path),
                "-frames:v", "1", "-vf", _fit(max_side), "-f", "image2pipe", "-c:v", "png", "-",
            ],
            timeout_s,
        )  # fmt: skip
        if frame:
            return _downscaled(frame, max_side)
    raise PreviewError("video has no decodable frame")


def pdf_preview(path: Path, max_side: int, *, timeout_s: float) -> bytes:
    """JPEG of a PDF's first page, longest side at most ``max_side`` pixels, rendered by
    poppler's pdftoppm within ``timeout_s`` seconds (pdftoppm(1): ``-scale-to``)."""
    page = _run(
        [
            "pdftoppm", "-f", "1", "-l", "1", "-singlefile", "-scale-to", str(max_side),
            "-png", str(path),
        ],
        timeout_s,
    )  # fmt: skip
    if not page:
        raise PreviewError("PDF has no page that can be rendered")
    return _downscaled(page, max_side)


def _fit(max_side: int) -> str:
    """FFmpeg scale filter: longest side at most ``max_side``, never enlarged."""
    return (
        f"scale=w='min(iw,{max_side})':h='min(ih,{max_side})':force_original_aspect_ratio=decrease"
    )


def _run(command: list[str], timeout_s: float) -> bytes:
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired as slow:
        raise PreviewError(f"{command[0]} took longer than {timeout_s:g} s") from slow
    except OSError as missing:
        raise PreviewError(f"{command[0]} cannot run: {missing}") from missing
    if done.returncode != 0:
        first = done.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        raise PreviewError(f"{command[0]} failed: {first[0] if first else done.returncode}")
    return done.stdout


def _downscaled(png: bytes, max_side: int) -> bytes:
    try:
        with Image.open(io.BytesIO(png)) as image:
            image.load()
            return jpeg_thumbnail(image, max_side, apply_exif_orientation=False)
    except OSError as problem:
        raise PreviewError(f"rendered frame cannot be read: {problem}") from problem
