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


class ImageTooLargeError(ValueError):
    """The image declares more pixels than the configured limit (a decompression bomb)."""


def decode_image(path: Path, max_pixels: int) -> Image.Image:
    """Open and fully decode the first frame of an image, refusing decompression bombs.

    The declared size is checked against ``max_pixels`` from the header, before any pixel
    data is decoded, so a small file that declares huge dimensions costs nothing. Pillow's
    own global guard (``Image.MAX_IMAGE_PIXELS``, an error above twice that) still applies.
    Truncated or corrupt data raises ``OSError`` from Pillow.
    """
    with warnings.catch_warnings():
        # Our own limit decides; Pillow's warning between 1x and 2x its default is noise.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        image = Image.open(path)
        width, height = image.size
        if width * height > max_pixels:
            image.close()
            raise ImageTooLargeError(
                f"image declares {width}x{height} = {width * height} pixels, "
                f"over the limit of {max_pixels}"
            )
        image.load()
    return image


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
