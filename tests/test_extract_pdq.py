"""PDQ hashes against the hashes published by ThreatExchange (see corpus README).

* python-threatexchange rows: reproduced exactly (hash and quality).
* C++/Java/WASM rows: upstream's acceptance rule, Hamming distance <= 10 for quality >= 80.
* python-pure-reference rows: that implementation's own test tolerance, <= 16.
* bridge-mods edits: near-duplicates, within PDQ's match threshold of 31 bits.
* unrelated images: more than twice the match threshold apart.
"""

from __future__ import annotations

import hashlib
import io
import itertools
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from evidencelab.extract import Extractors, hamming_distance
from evidencelab.extract.pdq import (
    bits_to_hex,
    black_border_box,
    pdq_hash_image,
    reduction_factor,
)
from evidencelab.extract.types import Limits
from extract_helpers import (
    PDQ_DIR,
    TE_RESOURCES,
    PdqRow,
    extractors,
    read_expected_pdq,
    stored_copy,
)

__all__ = ["extractors"]  # pytest fixture shared from extract_helpers

MATCH_THRESHOLD = 31
CPP_TOLERANCE = 10  # pdq/README.md: "within Hamming distance 10 of the C++ reference"
PYTHON_PURE_TOLERANCE = 16  # pdq/python tests assert hamming <= 16
# aaa-orig.jpg and bridge-1-original.jpg are byte-identical to sample-b.jpg (same SHA-256 in
# the curation SHA256SUMS); only sample-b.jpg was copied.
SAMPLE_B_SHA256 = "b5b0799616df52d475a3968dc7e54f1d0724c912244ffa6175bc786375dd7298"
ALIASES = {
    "pdq/data/bridge-mods/aaa-orig.jpg": TE_RESOURCES / "sample-b.jpg",
    "pdq/data/reg-test-input/dih/bridge-1-original.jpg": TE_RESOURCES / "sample-b.jpg",
}
ROWS = read_expected_pdq()
TE_ROWS = [row for row in ROWS if row.implementation.startswith("python-threatexchange")]


def _local(image: str) -> Path | None:
    path = ALIASES.get(image, PDQ_DIR / image)
    return path if path.exists() else None


def _reencode(image: Image.Image, fmt: str) -> Image.Image:
    """Save and reopen, as python-threatexchange's preprocessors do before hashing."""
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    buffer.seek(0)
    return Image.open(buffer)


_T = Image.Transpose
# python-threatexchange PhotoContent.all_simple_rotations (see corpus README).
ROTATIONS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "ORIGINAL": lambda im: im,
    "ROTATE90": lambda im: im.rotate(90, expand=True),
    "ROTATE180": lambda im: im.rotate(180, expand=True),
    "ROTATE270": lambda im: im.rotate(270, expand=True),
    "FLIPX": lambda im: im.transpose(_T.FLIP_TOP_BOTTOM),
    "FLIPY": lambda im: im.transpose(_T.FLIP_LEFT_RIGHT),
    "FLIPPLUS1": lambda im: im.transpose(_T.ROTATE_270).transpose(_T.FLIP_LEFT_RIGHT),
    "FLIPMINUS1": lambda im: im.transpose(_T.ROTATE_90).transpose(_T.FLIP_LEFT_RIGHT),
}


def _threatexchange_hash(row: PdqRow) -> tuple[str, int]:
    """Hash one python-threatexchange row the way its test or CLI did."""
    path = PDQ_DIR / row.image
    with Image.open(path) as image:
        if "--photo-preprocess=rotations" in row.note:
            rotation = row.note.rsplit(": ", 1)[1]
            prepared = _reencode(ROTATIONS[rotation](image), image.format or "PNG")
        elif "unletterbox" in row.note:
            # The CLI's default black threshold is not in the corpus; 15 is the only value in
            # 0..29 that reproduces the published hash. The second row states 25.
            threshold = 25 if "--black-threshold=25" in row.note else 15
            box = black_border_box(np.asarray(image.convert("RGB")), threshold)
            prepared = _reencode(image.crop(box), image.format or "JPEG")
        else:
            raise AssertionError(f"unexpected preprocessing note {row.note!r}")
        result = pdq_hash_image(prepared)
    return result.hash_hex, result.quality


def test_all_fourteen_threatexchange_rows_are_present() -> None:
    assert len(TE_ROWS) == 14


@pytest.mark.parametrize(
    "row", TE_ROWS, ids=[f"{r.image.rsplit('/')[-1]}:{r.note}" for r in TE_ROWS]
)
def test_python_threatexchange_hashes_reproduced_exactly(
    row: PdqRow, extractors: Extractors, tmp_path: Path
) -> None:
    if "preprocess" in row.note:
        hash_hex, quality = _threatexchange_hash(row)
    else:
        # Plain hashing goes through the whole pipeline, on an extension-less locker copy.
        extraction = extractors.extract(stored_copy(PDQ_DIR / row.image, tmp_path))
        assert extraction.errors == []
        [perceptual] = extraction.perceptual_hashes
        assert perceptual.algorithm == "pdq" and perceptual.frame_time_s is None
        hash_hex, quality = perceptual.hash_hex, perceptual.quality
    assert hash_hex == row.pdq_hex
    if row.quality is not None:
        assert quality == row.quality


def _comparable_rows(prefixes: tuple[str, ...]) -> list[PdqRow]:
    return [
        row
        for row in ROWS
        if row.implementation.startswith(prefixes) and _local(row.image) is not None
    ]


def _our_hash(image: str) -> tuple[str, int]:
    path = _local(image)
    assert path is not None
    with Image.open(path) as opened:
        result = pdq_hash_image(opened)
    return result.hash_hex, result.quality


@pytest.mark.parametrize(
    ("prefixes", "tolerance"),
    [(("cpp-reference", "java", "wasm"), CPP_TOLERANCE), (("python-pure",), PYTHON_PURE_TOLERANCE)],
    ids=["cpp-java-wasm", "python-pure"],
)
def test_other_implementations_within_stated_tolerance(
    prefixes: tuple[str, ...], tolerance: int
) -> None:
    rows = _comparable_rows(prefixes)
    distances = []
    for row in rows:
        hash_hex, quality = _our_hash(row.image)
        if prefixes[0] == "cpp-reference" and quality < 80:
            continue  # upstream's rule covers quality >= 80 only
        distances.append(hamming_distance(hash_hex, row.pdq_hex))
    print(f"{prefixes}: {len(distances)} hashes compared, max distance {max(distances)}")
    assert len(distances) >= 10
    assert max(distances) <= tolerance


def test_sample_b_is_the_published_file() -> None:
    """Upstream's SHA-256 oracle for sample-b.jpg (test_sha256_hash.py)."""
    digest = hashlib.sha256((TE_RESOURCES / "sample-b.jpg").read_bytes()).hexdigest()
    assert digest == SAMPLE_B_SHA256


def test_near_duplicate_edits_match_the_original() -> None:
    original, _ = _our_hash("pdq/data/bridge-mods/aaa-orig.jpg")
    edits = sorted((PDQ_DIR / "pdq/data/bridge-mods").glob("*.jpg"))
    assert len(edits) >= 7
    distances = {}
    for edit in edits:
        with Image.open(edit) as image:
            distances[edit.name] = hamming_distance(original, pdq_hash_image(image).hash_hex)
    print(f"bridge-mods vs original: {distances}")
    assert max(distances.values()) <= MATCH_THRESHOLD


def test_unrelated_images_are_far_apart() -> None:
    paths = [
        *sorted((PDQ_DIR / "pdq/data/reg-test-input/labelme-subset").glob("*.jpg")),
        PDQ_DIR / "pdq/data/misc-images/wee.jpg",
        TE_RESOURCES / "rgb.jpeg",
        TE_RESOURCES / "sample-b.jpg",
    ]
    hashes = {}
    for path in paths:
        with Image.open(path) as image:
            result = pdq_hash_image(image)
        if result.quality >= 50:  # upstream: discard hashes with quality <= 49
            hashes[path.name] = result.hash_hex
    pairs = list(itertools.combinations(hashes.values(), 2))
    distances = [hamming_distance(a, b) for a, b in pairs]
    print(f"{len(pairs)} unrelated pairs: min {min(distances)}, max {max(distances)}")
    assert len(hashes) >= 7
    assert min(distances) > 2 * MATCH_THRESHOLD


def test_low_quality_images_report_low_quality() -> None:
    """q0003/q0004 are upstream's low-quality examples; small.jpg is featureless."""
    expected = {"q0003.jpg": 3, "q0004.jpg": 4}
    for name, quality in expected.items():
        with Image.open(PDQ_DIR / "pdq/data/reg-test-input/labelme-subset" / name) as image:
            assert pdq_hash_image(image).quality == quality
    with Image.open(PDQ_DIR / "pdq/data/misc-images/small.jpg") as image:
        assert pdq_hash_image(image).quality == 0


def test_hash_uses_stored_pixels_thumbnail_applies_exif_orientation(
    extractors: Extractors, tmp_path: Path
) -> None:
    """Orientation 6 (rotate 90° clockwise to display): the hash must equal the hash of the
    stored landscape pixels, the thumbnail must be portrait."""
    with Image.open(TE_RESOURCES / "rgb.jpeg") as source:
        landscape = source.convert("RGB").resize((400, 300))
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    landscape.save(buffer, format="JPEG", exif=exif.tobytes(), quality=95)
    stored = stored_copy_bytes(buffer.getvalue(), tmp_path)
    extraction = extractors.extract(stored)
    assert extraction.errors == []
    with Image.open(stored) as decoded:
        assert extraction.perceptual_hashes[0].hash_hex == pdq_hash_image(decoded).hash_hex
        rotated = pdq_hash_image(decoded.transpose(Image.Transpose.ROTATE_270)).hash_hex
    assert extraction.perceptual_hashes[0].hash_hex != rotated
    assert extraction.thumbnail_jpeg is not None
    with Image.open(io.BytesIO(extraction.thumbnail_jpeg)) as thumbnail:
        assert thumbnail.format == "JPEG"
        assert thumbnail.size == (300, 400)


def stored_copy_bytes(data: bytes, root: Path) -> Path:
    target = root / "generated"
    target.write_bytes(data)
    return stored_copy(target, root)


def test_thumbnail_longest_side_is_512(extractors: Extractors, tmp_path: Path) -> None:
    extraction = extractors.extract(stored_copy(TE_RESOURCES / "sample-b.jpg", tmp_path))
    assert extraction.thumbnail_jpeg is not None
    with Image.open(io.BytesIO(extraction.thumbnail_jpeg)) as thumbnail:
        assert max(thumbnail.size) == 512
        assert thumbnail.size == (512, 321)  # 1600x1004 scaled, aspect ratio kept


def test_image_over_the_pdq_bound_is_hashed_reduced_and_says_so(tmp_path: Path) -> None:
    """sample-b.jpg is 1600x1004 (1.6 Mpx); with a 0.5 Mpx bound it is hashed after a 2x
    box reduction, which the record states, and still matches the full-size hash."""
    stored = stored_copy(TE_RESOURCES / "sample-b.jpg", tmp_path)
    with Extractors(["exiftool", "pdq"], limits=Limits(pdq_max_pixels=500_000)) as bounded:
        extraction = bounded.extract(stored)
    assert extraction.errors == []
    assert extraction.metadata_raw["pdq"]["reduced_by"] == 2
    with Image.open(stored) as image:
        reduced = pdq_hash_image(image.reduce(2)).hash_hex
        full = pdq_hash_image(image).hash_hex
    [perceptual_hash] = extraction.perceptual_hashes
    assert perceptual_hash.hash_hex == reduced
    assert perceptual_hash.hash_hex != full
    assert hamming_distance(perceptual_hash.hash_hex, full) <= MATCH_THRESHOLD


def test_image_under_the_pdq_bound_is_hashed_at_full_size(
    extractors: Extractors, tmp_path: Path
) -> None:
    extraction = extractors.extract(stored_copy(TE_RESOURCES / "sample-b.jpg", tmp_path))
    assert "pdq" not in extraction.metadata_raw
    with Image.open(TE_RESOURCES / "sample-b.jpg") as image:
        assert extraction.perceptual_hashes[0].hash_hex == pdq_hash_image(image).hash_hex


@pytest.mark.parametrize(
    ("pixels", "bound", "factor"),
    [(100, 100, 1), (101, 100, 2), (400, 100, 2), (401, 100, 3), (10_000**2, 24_000_000, 3)],
)
def test_reduction_factor_is_the_smallest_that_fits(pixels: int, bound: int, factor: int) -> None:
    assert reduction_factor(pixels, bound) == factor


def test_large_oriented_image_thumbnail_is_reduced_and_upright(
    extractors: Extractors, tmp_path: Path
) -> None:
    """A 2400x1800 photo with Orientation 6: the thumbnail is made from a reduced copy and
    still shown upright (portrait), longest side 512."""
    with Image.open(TE_RESOURCES / "rgb.jpeg") as source:
        landscape = source.convert("RGB").resize((2400, 1800))
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    landscape.save(buffer, format="JPEG", exif=exif.tobytes(), quality=90)
    extraction = extractors.extract(stored_copy_bytes(buffer.getvalue(), tmp_path))
    assert extraction.thumbnail_jpeg is not None
    with Image.open(io.BytesIO(extraction.thumbnail_jpeg)) as thumbnail:
        assert thumbnail.size == (384, 512)


# --- pure helpers ---------------------------------------------------------------------

hex_hashes = st.binary(min_size=32, max_size=32).map(bytes.hex)


@given(hex_hashes, hex_hashes, hex_hashes)
def test_hamming_distance_is_a_metric(a: str, b: str, c: str) -> None:
    assert hamming_distance(a, a) == 0
    assert hamming_distance(a, b) == hamming_distance(b, a)
    assert hamming_distance(a, c) <= hamming_distance(a, b) + hamming_distance(b, c)
    assert 0 <= hamming_distance(a, b) <= 256


def test_hamming_distance_counts_bits() -> None:
    assert hamming_distance("00" * 32, "ff" * 32) == 256
    assert hamming_distance("00" * 32, "01" + "00" * 31) == 1
    with pytest.raises(ValueError):
        hamming_distance("00", "0000")


def test_bits_to_hex_is_big_endian() -> None:
    bits = np.zeros(256, dtype=np.uint8)
    bits[0] = 1  # first bit is the most significant bit of the first hex digit
    bits[255] = 1
    assert bits_to_hex(bits) == "8" + "0" * 62 + "1"
    with pytest.raises(ValueError):
        bits_to_hex(np.zeros(255, dtype=np.uint8))


def test_black_border_box() -> None:
    image = np.zeros((10, 20, 3), dtype=np.uint8)
    image[2:7, 5:15] = 200
    image[8, 3] = (0, 0, 9)  # dark but above threshold 5 in one channel
    assert black_border_box(image, 0) == (3, 2, 15, 9)
    assert black_border_box(image, 9) == (5, 2, 15, 7)
    assert black_border_box(np.zeros((4, 4, 3), dtype=np.uint8)) == (0, 0, 0, 0)
