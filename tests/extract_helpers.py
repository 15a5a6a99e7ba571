"""Shared helpers for the extract tests: corpus paths, reference-file parsers, fixtures."""

from __future__ import annotations

import csv
import hashlib
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from evidencelab.extract import Extractors

CORPUS = Path(__file__).resolve().parent / "corpus"
PDQ_DIR = CORPUS / "pdq-threatexchange"
MEI_DIR = CORPUS / "metadata-extractor-images"
EXIFTOOL_DIR = CORPUS / "exiftool"
EXIF_SAMPLES_DIR = CORPUS / "exif-samples"
TE_RESOURCES = PDQ_DIR / "python-threatexchange/threatexchange/tests/hashing/resources"


def stored_copy(source: Path, root: Path) -> Path:
    """Copy a file the way the locker stores it: ``objects/ab/cdef…``, no extension."""
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    target = root / "objects" / digest[:2] / digest[2:]
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def stored_bytes(data: bytes, root: Path) -> Path:
    """Store raw bytes as a locker object (for generated bad files)."""
    digest = hashlib.sha256(data).hexdigest()
    target = root / "objects" / digest[:2] / digest[2:]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


@pytest.fixture(scope="module")
def extractors() -> Iterator[Extractors]:
    """One pipeline (one ExifTool process) shared by a test module."""
    with Extractors() as pipeline:
        yield pipeline


@dataclass(frozen=True)
class PdqRow:
    """One row of ``expected_pdq_hashes.csv``."""

    image: str
    implementation: str
    pdq_hex: str
    quality: int | None
    note: str


def read_expected_pdq() -> list[PdqRow]:
    """All rows of the curated PDQ reference table."""
    with (PDQ_DIR / "expected_pdq_hashes.csv").open(newline="") as handle:
        return [
            PdqRow(
                image=row["image"],
                implementation=row["implementation"],
                pdq_hex=row["pdq_hex"],
                quality=int(row["quality"]) if row["quality"] else None,
                note=row["note"],
            )
            for row in csv.DictReader(handle)
        ]


@dataclass(frozen=True)
class VpdqFrame:
    """One line of a vPDQ sample-hash file: ``frame_index,quality,pdq_hex,timestamp_s``."""

    index: int
    quality: int
    pdq_hex: str
    time_s: float


def read_vpdq(path: Path) -> list[VpdqFrame]:
    """Parse a vPDQ ``sample-hashes/*.txt`` file."""
    frames = []
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        index, quality, pdq_hex, time_s = line.split(",")
        frames.append(VpdqFrame(int(index), int(quality), pdq_hex, float(time_s)))
    return frames


_ME_LINE = re.compile(r"^\[(.+?) - (0x[0-9a-f]+|[^\]]+)\] (.+?) = (.*)$")


def read_metadata_extractor(path: Path) -> dict[tuple[str, str], str]:
    """metadata-extractor baseline as ``{(directory, tag name): value}`` (README regex)."""
    values: dict[tuple[str, str], str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _ME_LINE.match(line)
        if match:
            values.setdefault((match[1], match[3]), match[4])
    return values


_DMS = re.compile(r"^(-?\d+)° (\d+)' ([\d.]+)\"$")
# metadata-extractor prints seconds with java.text.DecimalFormat("0.##"), so a printed value
# is within half a hundredth of an arc-second of the true one.
ME_DMS_TOLERANCE_DEG = 0.005 / 3600 + 1e-12


def dms_to_degrees(text: str, ref: str) -> float:
    """``48° 53' 19.41"`` with ref ``N``/``S``/``E``/``W`` to signed decimal degrees."""
    match = _DMS.match(text.strip())
    if match is None:
        raise ValueError(f"not a DMS value: {text!r}")
    value = int(match[1]) + int(match[2]) / 60 + float(match[3]) / 3600
    return -value if ref.strip() in ("S", "W") else value


@dataclass(frozen=True)
class ExifToolOutLine:
    """One line of an ExifTool test ``.out`` file."""

    group0: str
    group1: str
    tag_id: str
    description: str
    value: str


_OUT_LINE = re.compile(r"^\[([^,\]]+), ([^,\]]+), ([^\]]+)\] (.+?) - (.+?): (.*)$")


def read_exiftool_out(path: Path) -> list[ExifToolOutLine]:
    """Parse ``[Group0, Group1, Group2] TagID - Description: value`` lines."""
    lines = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        match = _OUT_LINE.match(line)
        if match:
            lines.append(ExifToolOutLine(match[1], match[2], match[4], match[5], match[6]))
    return lines
