"""Still images are decoded within a pixel budget (``Limits.max_image_pixels``, 64 Mpx).

Above it a JPEG is decoded at 1/2, 1/4 or 1/8 scale; any other image is refused for
hashing and thumbnails with an extraction error naming its size and the budget, while the
original is preserved and ExifTool still reads it.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

from PIL import Image

from cli_helpers import run_cli
from evidencelab.extract import Extraction, Extractors, Limits, hamming_distance
from evidencelab.extract.pdq import pdq_hash_image
from extract_helpers import TE_RESOURCES, stored_copy

SIDE = 13_000  # 169 Mpx: under Pillow's own refusal (179 Mpx), over the budget
PEAK_BUDGET_KIB = 600 * 1024  # measured: 1,349 MiB before the budget, 149 MiB with it
MATCH_THRESHOLD = 31

# Ingests one file (inline, in this process), then prints the outcome and the peak memory.
INGEST_AND_REPORT_PEAK = """
import json, sys
from pathlib import Path
from evidencelab.locker.case import open_case
from evidencelab.locker.ingest import IngestRequest, ingest
with open_case(Path(sys.argv[1]), actor="tester") as case:
    [outcome] = ingest(case, [IngestRequest(path=Path(sys.argv[2]))])
status = Path("/proc/self/status").read_text().splitlines()
peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({"status": outcome.status, "id": outcome.evidence_id, "peak_kib": peak}))
"""


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def write_flat_png(path: Path, width: int, height: int) -> None:
    """An RGB PNG of one colour, compressed row by row (never whole in memory)."""
    compressor = zlib.compressobj(9)
    row = b"\0" + bytes((200, 180, 150)) * width
    data = bytearray()
    for _ in range(height):
        data += compressor.compress(row)
    data += compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


def _evidence_show(case_dir: Path, evidence_id: str) -> dict[str, Any]:
    done = run_cli("evidence", "show", evidence_id, "--case", str(case_dir), "--json")
    assert done.returncode == 0, done.stderr
    shown: dict[str, Any] = json.loads(done.stdout)
    return shown


def _errors(extraction: Extraction) -> dict[str, str]:
    return {error.extractor: error.message for error in extraction.errors}


def test_huge_png_is_preserved_refused_for_decoding_and_memory_stays_bounded(
    tmp_path: Path,
) -> None:
    from evidencelab.locker.case import init_case

    png = tmp_path / "huge.png"
    write_flat_png(png, SIDE, SIDE)
    assert png.stat().st_size < 2 * 1024 * 1024  # small file, huge image
    init_case(tmp_path / "case").close()
    done = subprocess.run(
        [sys.executable, "-c", INGEST_AND_REPORT_PEAK, str(tmp_path / "case"), str(png)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "new"
    assert result["peak_kib"] < PEAK_BUDGET_KIB, f"peak {result['peak_kib'] // 1024} MiB"

    item = _evidence_show(tmp_path / "case", result["id"])
    assert item["sha256"] == hashlib.sha256(png.read_bytes()).hexdigest()
    stored = tmp_path / "case" / item["object_path"]
    assert stored.read_bytes() == png.read_bytes()  # the original is preserved
    errors = {e["extractor"]: e["message"] for e in item["extraction_errors"]}
    assert set(errors) == {"pdq", "thumbnail"}
    assert errors["pdq"] == (
        "image declares 13000x13000 = 169000000 pixels, over the limit of 64000000 pixels "
        "decoded (the decoding budget); not hashed and no thumbnail, the original is kept"
    )
    assert item["perceptual_hashes"] == [] and item["derivatives"] == []
    raw = item["metadata_raw"]
    assert raw["File:MIMEType"] == "image/png"  # ExifTool still read it
    assert raw["PNG:ImageWidth"] == SIDE


def test_jpeg_over_the_budget_is_decoded_at_reduced_scale(tmp_path: Path) -> None:
    """sample-b.jpg is 1600x1004 (1.6 Mpx); with a 0.5 Mpx budget libjpeg decodes it at
    1/2 scale (800x502), which the record states; the hash still matches full size."""
    stored = stored_copy(TE_RESOURCES / "sample-b.jpg", tmp_path)
    limits = Limits(max_image_pixels=500_000)
    with Extractors(["exiftool", "pdq", "thumbnail"], limits=limits) as bounded:
        extraction = bounded.extract(stored)
    assert extraction.errors == []
    record = extraction.metadata_raw["pdq"]
    assert record["decoded_scale"] == 2 and record["reduced_by"] == 2
    assert "decoded at 1/2 scale" in record["note"]
    with Image.open(stored) as image:
        image.draft(image.mode, (800, 502))
        assert image.size == (800, 502)
        drafted = pdq_hash_image(image).hash_hex
    with Image.open(stored) as image:
        full = pdq_hash_image(image).hash_hex
    [perceptual_hash] = extraction.perceptual_hashes
    assert perceptual_hash.hash_hex == drafted
    assert hamming_distance(perceptual_hash.hash_hex, full) <= MATCH_THRESHOLD
    assert extraction.thumbnail_jpeg is not None
    with Image.open(io.BytesIO(extraction.thumbnail_jpeg)) as thumbnail:
        assert thumbnail.size == (512, 321)


def test_jpeg_over_the_budget_even_at_one_eighth_is_refused(tmp_path: Path) -> None:
    """1600x1004 at 1/8 is 200x126 = 25,200 px, over a 10,000 px budget."""
    stored = stored_copy(TE_RESOURCES / "sample-b.jpg", tmp_path)
    with Extractors(["exiftool", "pdq", "thumbnail"], limits=Limits(max_image_pixels=10_000)) as ex:
        extraction = ex.extract(stored)
    errors = _errors(extraction)
    assert set(errors) == {"pdq", "thumbnail"}
    assert "1600x1004 = 1606400 pixels, over the limit of 10000 pixels" in errors["pdq"]
    assert "even at 1/8 scale" in errors["pdq"]
    assert extraction.metadata_raw["File:ImageWidth"] == 1600


def test_pillow_decompression_bomb_is_recorded_not_raised(tmp_path: Path) -> None:
    """20000x20000 declared: over twice Pillow's MAX_IMAGE_PIXELS, where Pillow itself
    raises DecompressionBombError on opening."""
    header = struct.pack(">IIBBBBB", 20_000, 20_000, 8, 2, 0, 0, 0)
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + _chunk(b"IEND", b"")
    )
    with Extractors() as extractors:
        extraction = extractors.extract(stored_copy(bomb, tmp_path))
    errors = _errors(extraction)
    assert set(errors) == {"pdq", "thumbnail"}
    assert errors["pdq"].startswith("refused as a possible decompression bomb: Image size ")
    assert "400000000 pixels" in errors["pdq"]
    assert extraction.metadata["width"] == 20_000
