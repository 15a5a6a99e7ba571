"""Decoding still images safely, and making thumbnails."""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pi_heif
from PIL import Image, ImageOps

# HEIC/HEIF (the default photo format of iPhones) through libheif's decoder only; the
# pi-heif build carries no x265 encoder, so no GPL code comes with it.
pi_heif.register_heif_opener()


# libjpeg decodes at these fractions of full size without ever holding the full image.
JPEG_DRAFT_SCALES = (2, 4, 8)


class ImageTooLargeError(ValueError):
    """The image declares more pixels than may be decoded (the budget, or a decompression
    bomb by Pillow's own guard)."""


def decode_image(path: Path, max_pixels: int) -> tuple[Image.Image, int]:
    """Open and decode the first frame of an image within a pixel budget: ``(image, scale)``.

    Up to ``max_pixels`` the image is decoded at full size (``scale`` 1). A JPEG above it is
    decoded by libjpeg at 1/2, 1/4 or 1/8 of its size (Pillow's ``draft``), the first that
    fits, so no full-size copy ever exists; ``scale`` is that divisor. Any other image above
    it, or a JPEG that does not fit even at 1/8, raises ImageTooLargeError naming the size
    and the budget — checked from the header, before any pixel data is decoded, so a small
    file that declares huge dimensions costs nothing. Pillow's own guard (an error above
    twice ``Image.MAX_IMAGE_PIXELS``) becomes an ImageTooLargeError too. Truncated or
    corrupt data raises ``OSError`` from Pillow.
    """
    with warnings.catch_warnings():
        # Our own budget decides; Pillow's warning between 1x and 2x its default is noise.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(path)
        except Image.DecompressionBombError as exc:
            raise ImageTooLargeError(f"refused as a possible decompression bomb: {exc}") from exc
        try:
            scale = _fit_budget(image, max_pixels)
            image.load()
        except BaseException:
            image.close()
            raise
    return image, scale


def _fit_budget(image: Image.Image, max_pixels: int) -> int:
    """Set up ``image`` to decode within ``max_pixels``; the scale divisor it will use."""
    width, height = image.size
    if width * height <= max_pixels:
        return 1
    if image.format == "JPEG":
        for scale in JPEG_DRAFT_SCALES:
            size = (-(-width // scale), -(-height // scale))
            if size[0] * size[1] <= max_pixels:
                image.draft(image.mode, size)
                if image.width * image.height <= max_pixels:
                    return scale
                break
    raise ImageTooLargeError(
        f"image declares {width}x{height} = {width * height} pixels, over the limit of "
        f"{max_pixels} pixels decoded (the decoding budget"
        f"{', even at 1/8 scale' if image.format == 'JPEG' else ''}); "
        "not hashed and no thumbnail, the original is kept"
    )


def jpeg_thumbnail(image: Image.Image, max_side: int, *, apply_exif_orientation: bool) -> bytes:
    """JPEG thumbnail, longest side at most ``max_side`` pixels, aspect ratio kept.

    With ``apply_exif_orientation`` the EXIF Orientation tag is applied first so that the
    thumbnail shows the photo the way viewers display it (hashes, by contrast, use the
    stored pixels). A large image is box-reduced to between two and three times
    ``max_side`` before anything else, so no full-size copy is ever made.
    """
    factor = max(1, max(image.size) // (2 * max_side))
    small = image.reduce(factor) if factor > 1 else image.copy()
    if apply_exif_orientation:  # Image.reduce keeps the EXIF block, Orientation included
        oriented = ImageOps.exif_transpose(small)
        small = oriented if oriented is not None else small
    if small.mode not in ("RGB", "L"):
        small = small.convert("RGB")
    small.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    small.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def rotate_clockwise(array: npt.NDArray[Any], degrees: int) -> npt.NDArray[Any]:
    """Rotate an image array clockwise by a multiple of 90 degrees (video display rotation)."""
    quarter_turns = (degrees // 90) % 4
    return np.ascontiguousarray(np.rot90(array, k=-quarter_turns))


def array_thumbnail(array: npt.NDArray[Any], max_side: int) -> bytes:
    """JPEG thumbnail of an RGB array (a decoded video frame)."""
    return jpeg_thumbnail(Image.fromarray(array), max_side, apply_exif_orientation=False)
