"""PDQ perceptual hashing of decoded images, as python-threatexchange does it.

Reference: Meta's PDQ (https://github.com/facebook/ThreatExchange/tree/main/pdq) through the
``pdqhash`` binding, fed the way python-threatexchange's ``PdqSignal`` feeds it, so that our
hashes are bit-identical to the hashes that python-threatexchange publishes in its tests.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pdqhash
from PIL import Image

from evidencelab.extract.types import PerceptualHash

PDQ_BITS = 256
PDQ_HEX_CHARS = PDQ_BITS // 4


def bits_to_hex(bits: npt.ArrayLike) -> str:
    """Encode PDQ's 256 hash bits as 64 hex chars, the first bit being the most significant.

    This is the bit order of python-threatexchange and of the C++ ``pdq-photo-hasher`` output.
    """
    flat = np.asarray(bits, dtype=np.uint8).reshape(-1)
    if flat.size != PDQ_BITS:
        raise ValueError(f"expected {PDQ_BITS} bits, got {flat.size}")
    return np.packbits(flat).tobytes().hex()


def hamming_distance(hex_a: str, hex_b: str) -> int:
    """Number of differing bits between two equal-length hex-encoded hashes.

    For PDQ, upstream treats a distance of 31 or less (out of 256) as a match.
    """
    if len(hex_a) != len(hex_b):
        raise ValueError(f"hash lengths differ: {len(hex_a)} vs {len(hex_b)} hex chars")
    return (int(hex_a, 16) ^ int(hex_b, 16)).bit_count()


def image_to_pdq_array(image: Image.Image) -> npt.NDArray[Any]:
    """Turn a decoded Pillow image into the array that python-threatexchange hands to PDQ.

    python-threatexchange takes ``np.asarray(image)`` after converting modes ``LA`` and
    ``I;16`` to RGB, and stacks 2-D (single-channel) arrays into three identical channels.
    Other multi-band modes (RGBA, CMYK, P, 1, …) are not covered by its tests; we convert them
    to RGB so that PDQ always sees three 8-bit channels.
    """
    if image.mode not in ("RGB", "L"):  # LA and I;16 included, as upstream does
        image = image.convert("RGB")
    array = np.asarray(image)
    if array.ndim == 2:
        array = np.stack((array, array, array), axis=2)
    return array


def pdq_hash_array(array: npt.NDArray[Any]) -> tuple[str, int]:
    """PDQ hash of an ``(height, width, 3)`` uint8 RGB array: ``(hash_hex, quality)``."""
    bits, quality = pdqhash.compute(np.ascontiguousarray(array))
    return bits_to_hex(bits), int(quality)


def pdq_hash_image(image: Image.Image) -> PerceptualHash:
    """PDQ hash of a decoded still image, with the pixels as stored (no EXIF rotation).

    EXIF orientation is deliberately not applied: the published reference hashes
    (python-threatexchange, the C++ and Java hashers) are computed on the stored pixels, and
    matching against hash lists from other organisations requires the same convention.
    """
    hash_hex, quality = pdq_hash_array(image_to_pdq_array(image))
    return PerceptualHash(algorithm="pdq", hash_hex=hash_hex, quality=quality)


def reduction_factor(pixels: int, max_pixels: int) -> int:
    """The smallest whole factor ``k`` with ``pixels / k**2 <= max_pixels`` (1 when the
    image is already small enough)."""
    factor = 1
    while pixels > max_pixels * factor * factor:
        factor += 1
    return factor


def pdq_hash_bounded(image: Image.Image, max_pixels: int) -> tuple[PerceptualHash, int]:
    """PDQ hash of a still image whose pixel count may be large: ``(hash, factor)``.

    Up to ``max_pixels`` this is :func:`pdq_hash_image`, bit-identical with upstream.
    Above it the image is box-reduced by ``factor`` first (Pillow ``Image.reduce``), which
    bounds pdqhash's memory. PDQ itself box-filters before it decimates to 64×64, so the
    hash moves only a little: on the 18 image/factor pairs of tests/corpus reduced to
    0.25–1 Mpx, by 0–12 of 256 bits (median 5), against a match threshold of 31.
    """
    factor = reduction_factor(image.width * image.height, max_pixels)
    if factor == 1:
        return pdq_hash_image(image), 1
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    return pdq_hash_image(image.reduce(factor)), factor


def black_border_box(rgb: npt.NDArray[Any], black_threshold: int = 0) -> tuple[int, int, int, int]:
    """Crop box ``(left, top, right, bottom)`` that removes all-black rows and columns.

    A row or column is a border when every channel of every pixel in it is at most
    ``black_threshold`` (0..255). Borders are trimmed from each edge independently, as
    python-threatexchange's ``--photo-preprocess=unletterbox`` does. An all-black image gives
    an empty box.
    """
    if rgb.ndim != 3:
        raise ValueError("expected an (height, width, channels) array")
    is_content: npt.NDArray[np.bool_] = np.any(rgb > black_threshold, axis=2)
    rows = np.flatnonzero(is_content.any(axis=1))
    cols = np.flatnonzero(is_content.any(axis=0))
    if rows.size == 0 or cols.size == 0:
        return (0, 0, 0, 0)
    return (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)
