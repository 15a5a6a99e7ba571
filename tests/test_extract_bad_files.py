"""Bad input never raises from ``extract``: each failing extractor leaves an ExtractionError."""

from __future__ import annotations

import pickle
import random
import struct
import zlib
from pathlib import Path

import pytest

from evidencelab.extract import DEFAULT_EXTRACTORS, Extraction, Extractors, Limits
from extract_helpers import (
    EXIF_SAMPLES_DIR,
    MEI_DIR,
    PDQ_DIR,
    TE_RESOURCES,
    extractors,
    stored_bytes,
    stored_copy,
)

__all__ = ["extractors"]  # pytest fixture shared from extract_helpers


def _png_declaring(width: int, height: int) -> bytes:
    """A tiny, valid-looking PNG whose header declares ``width`` x ``height`` RGB pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + chunk(b"IEND", b"")
    )


def _by_extractor(extraction: Extraction) -> dict[str, str]:
    return {error.extractor: error.message for error in extraction.errors}


def test_zero_byte_file(extractors: Extractors, tmp_path: Path) -> None:
    extraction = extractors.extract(stored_bytes(b"", tmp_path), name_hint="photo.jpg")
    assert extraction.media_type is None
    assert _by_extractor(extraction) == {"exiftool": "ExifTool: File is empty"}
    assert extraction.perceptual_hashes == [] and extraction.thumbnail_jpeg is None


def test_random_bytes(extractors: Extractors, tmp_path: Path) -> None:
    data = random.Random(1).randbytes(64 * 1024)
    extraction = extractors.extract(stored_bytes(data, tmp_path), name_hint="clip.mp4")
    assert extraction.media_type is None
    assert _by_extractor(extraction) == {"exiftool": "ExifTool: Unknown file type"}


def test_truncated_jpeg(extractors: Extractors, tmp_path: Path) -> None:
    data = (TE_RESOURCES / "sample-b.jpg").read_bytes()
    extraction = extractors.extract(stored_bytes(data[: len(data) // 2], tmp_path))
    assert extraction.media_type == "image/jpeg"
    errors = _by_extractor(extraction)
    assert set(errors) == {"pdq", "thumbnail"}
    assert "truncated" in errors["pdq"]
    # The metadata in the surviving header is still read.
    assert extraction.metadata_raw["File:ImageWidth"] == 1600


def test_truncation_is_still_seen_after_the_pdf_renderer_is_loaded(
    extractors: Extractors, tmp_path: Path
) -> None:
    # WeasyPrint switches Pillow to accept truncated images when it is imported.
    import evidencelab.publish.pdf_report  # noqa: F401

    data = (TE_RESOURCES / "sample-b.jpg").read_bytes()
    extraction = extractors.extract(stored_bytes(data[: len(data) // 2], tmp_path))
    assert set(_by_extractor(extraction)) == {"pdq", "thumbnail"}


def test_png_bomb_beyond_pillows_own_guard(extractors: Extractors, tmp_path: Path) -> None:
    """100000 x 100000 px declared in a file of about 100 bytes."""
    extraction = extractors.extract(stored_bytes(_png_declaring(100_000, 100_000), tmp_path))
    assert extraction.media_type == "image/png"
    errors = _by_extractor(extraction)
    assert set(errors) == {"pdq", "thumbnail"}
    assert "10000000000 pixels" in errors["pdq"]
    assert extraction.metadata["width"] == 100_000  # the header is reported as found


def test_png_bomb_over_our_limit(tmp_path: Path) -> None:
    """5000 x 5000 px is under Pillow's default guard but over a configured limit."""
    stored = stored_bytes(_png_declaring(5000, 5000), tmp_path)
    with Extractors(["pdq", "thumbnail"], limits=Limits(max_image_pixels=1_000_000)) as ex:
        extraction = ex.extract(stored)
    errors = _by_extractor(extraction)
    assert set(errors) == {"pdq", "thumbnail"}
    assert "5000x5000 = 25000000 pixels, over the limit of 1000000" in errors["pdq"]


def test_video_truncated_in_media_data(extractors: Extractors, tmp_path: Path) -> None:
    data = (PDQ_DIR / "tmk/sample-videos/doorknob-hd-no-bar.mp4").read_bytes()
    extraction = extractors.extract(stored_bytes(data[: len(data) // 3], tmp_path))
    assert extraction.media_type == "video/mp4"
    errors = _by_extractor(extraction)
    assert set(errors) == {"video_pdq"}
    assert "truncated or damaged" in errors["video_pdq"]
    # Frames before the cut are still hashed, and give a poster.
    assert [h.frame_time_s for h in extraction.perceptual_hashes] == [0.0]
    assert extraction.thumbnail_jpeg is not None


def test_video_with_broken_container(extractors: Extractors, tmp_path: Path) -> None:
    """with-gps.mp4 keeps its movie header at the end: cutting the file loses it."""
    data = (MEI_DIR / "mp4/with-gps.mp4").read_bytes()
    extraction = extractors.extract(stored_bytes(data[: len(data) // 2], tmp_path))
    errors = _by_extractor(extraction)
    assert set(errors) == {"ffprobe", "video_pdq", "thumbnail"}
    assert "Invalid data" in errors["ffprobe"]
    assert extraction.perceptual_hashes == []


@pytest.mark.parametrize("name", ["image01551.jpg", "image01713.jpg", "image02206.jpg"])
def test_corrupt_exif_does_not_stop_extraction(
    name: str, extractors: Extractors, tmp_path: Path
) -> None:
    """exif-py regression files with broken EXIF (upstream: "should not loop endlessly")."""
    extraction = extractors.extract(stored_copy(EXIF_SAMPLES_DIR / "jpg/invalid" / name, tmp_path))
    assert extraction.media_type == "image/jpeg"
    assert extraction.errors == []
    assert extraction.metadata_raw["File:FileType"] == "JPEG"
    assert len(extraction.perceptual_hashes) == 1 and extraction.thumbnail_jpeg is not None


def test_extraction_pickles(extractors: Extractors, tmp_path: Path) -> None:
    extraction = extractors.extract(stored_copy(MEI_DIR / "mov/with-gps.mov", tmp_path))
    assert pickle.loads(pickle.dumps(extraction)) == extraction


def test_type_is_sniffed_without_exiftool(tmp_path: Path) -> None:
    with Extractors(["pdq", "video_pdq"]) as pipeline:
        image = pipeline.extract(stored_copy(TE_RESOURCES / "rgb.jpeg", tmp_path))
        movie = pipeline.extract(stored_copy(MEI_DIR / "mov/with-gps.mov", tmp_path))
        mp4 = pipeline.extract(
            stored_copy(MEI_DIR / "mp4/with-gps.mp4", tmp_path), name_hint="a.mp4"
        )
    assert (image.media_type, movie.media_type, mp4.media_type) == (
        "image/jpeg",
        "video/quicktime",
        "video/mp4",
    )
    assert image.perceptual_hashes[0].algorithm == "pdq"
    assert movie.perceptual_hashes[0].algorithm == "pdq-frame"
    assert image.metadata_raw == {}


def test_unknown_extractor_name_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown extractors"):
        Extractors(["exiftool", "ocr"])


def test_default_order() -> None:
    assert DEFAULT_EXTRACTORS == (
        "exiftool", "ffprobe", "pdq", "video_pdq", "thumbnail", "raster", "c2pa"
    )  # fmt: skip
