"""ExifTool extraction compared with ExifTool's own test-suite expected outputs (``.out``).

The ``.out`` files were written by ExifTool 13.46 with print conversion on; we store
``-n`` numeric values from the Debian 12.57 build. The comparison therefore chains two
checks per reference line ``[Group0, Group1, Group2] TagID - Description: value``:

1. a separate ``exiftool -j -l -G1:4 -a`` run (parsed like ours) maps (Group1, Description) to our
   ``Group1:TagName`` key and gives ExifTool's print-converted text and numeric value;
2. the line matches when that print-converted text equals the reference value, and our
   stored raw value equals ExifTool's numeric value for the tag.

Lines whose tag 12.57 does not produce (tags added upstream since) are counted separately.
"""

from __future__ import annotations

import csv
import json
import math
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from evidencelab.extract import Extractors
from evidencelab.extract.exiftool_runner import LOCKER_TAGS, parse_exiftool_json
from extract_helpers import (
    EXIFTOOL_DIR,
    ExifToolOutLine,
    read_exiftool_out,
    stored_copy,
)

# Lines that depend on the machine or the ExifTool version (per the corpus README).
ENVIRONMENT_TAGS = {
    "ExifToolVersion",
    "FileName",
    "Directory",
    "FileModifyDate",
    "FileAccessDate",
    "FileInodeChangeDate",
    "FilePermissions",
}
# Reference lines that differ for a stated reason, excluded from the match share.
KNOWN_DIFFERENCES = {
    ("ASF_2.out", "File", "File Type"): "WMV vs ASF is chosen from the file extension; "
    "stored objects have none, so ExifTool reports the container, ASF",
    ("ASF_2.out", "File", "File Type Extension"): "same: extension-based",
    ("ASF_2.out", "File", "MIME Type"): "same: extension-based",
    ("PNG_2.out", "ExifTool", "Warning"): "warning text gained an '[x2]' count after 12.57",
    ("RIFF_3.out", "RIFF", "Max Data Rate"): "print conversion changed from KiB to kB after "
    "12.57 (201.2 kB/s vs 206 kB/s); the stored numeric value is 206024 bytes/s in both",
}
# Share of comparable lines (tag present in 12.57) whose value must match, per file.
MIN_MATCH_SHARE = 1.0


def _index() -> list[tuple[str, str, str]]:
    with (EXIFTOOL_DIR / "expected" / "INDEX.tsv").open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [
        (row["expected_out"], row["image"], row["exiftool_options"])
        for row in rows
        if (EXIFTOOL_DIR / "expected" / row["expected_out"]).exists()
    ]


CASES = _index()


def _cli_long(image: Path, options: str) -> dict[str, dict[str, Any]]:
    """ExifTool's own description/print/numeric view of every tag (mapping only)."""
    args = ["exiftool", "-j", "-l", "-G1:4", "-a"]
    if options.startswith("CoordFormat="):
        args += ["-c", options.split("=", 1)[1].strip("'")]
    done = subprocess.run([*args, str(image)], capture_output=True, check=True)
    record: dict[str, dict[str, Any]] = parse_exiftool_json(done.stdout)[0]
    return record


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_as_text(item) for item in value)
    # The .out harness prints binary placeholders without the command-line hint, line
    # breaks as ";" and other control characters as ".".
    text = str(value).replace(", use -b option to extract)", ")")
    return re.sub(r"[\x00-\x08\x0b-\x0c\x0e-\x1f]", ".", re.sub(r"[\r\n]", ";", text))


def _same(a: Any, b: Any) -> bool:
    """Equal as text, or as numbers (JSON turns "4.10" into 4.1)."""
    if _as_text(a) == _as_text(b):
        return True
    try:
        return math.isclose(float(_as_text(a)), float(_as_text(b)), rel_tol=1e-9)
    except ValueError:
        return False


def compare(
    out_name: str,
    lines: list[ExifToolOutLine],
    ours: dict[str, Any],
    cli: dict[str, dict[str, Any]],
) -> tuple[int, int, list[str]]:
    """(comparable lines, matching lines, mismatch descriptions)."""
    by_description: dict[tuple[str, str], list[str]] = {}
    for key, entry in cli.items():
        if isinstance(entry, dict) and ":" in key:
            group1 = key.split(":", 1)[0]
            by_description.setdefault((group1, entry.get("desc", "")), []).append(key)
    comparable = matched = 0
    mismatches = []
    for line in lines:
        if line.tag_id in ENVIRONMENT_TAGS:
            continue
        if (out_name, line.group1, line.description) in KNOWN_DIFFERENCES:
            continue
        keys = by_description.get((line.group1, line.description), [])
        if not keys:
            continue  # tag not produced by this ExifTool version
        comparable += 1
        ok = False
        for key in keys:
            entry = cli[key]
            numeric = entry.get("num", entry.get("val"))
            if _same(entry.get("val"), line.value) and key in ours and _same(ours[key], numeric):
                ok = True
                break
        if ok:
            matched += 1
        else:
            mismatches.append(f"{line.group1}:{line.description}={line.value!r}")
    return comparable, matched, mismatches


@pytest.fixture(scope="module")
def pipeline() -> Any:
    with Extractors(["exiftool"]) as extractors:
        yield extractors


@pytest.mark.parametrize(("out_name", "image_name", "options"), CASES, ids=[c[0] for c in CASES])
def test_raw_tags_match_exiftool_expected_output(
    out_name: str, image_name: str, options: str, pipeline: Extractors, tmp_path: Path
) -> None:
    image = EXIFTOOL_DIR / "images" / image_name
    stored = stored_copy(image, tmp_path)
    extraction = pipeline.extract(stored, name_hint=image_name)
    assert extraction.errors == []
    reference = read_exiftool_out(EXIFTOOL_DIR / "expected" / out_name)
    comparable, matched, mismatches = compare(
        out_name, reference, extraction.metadata_raw, _cli_long(stored, options)
    )
    print(f"{out_name}: {len(reference)} lines, {comparable} comparable, {matched} matched")
    assert comparable >= 10
    assert matched / comparable >= MIN_MATCH_SHARE, mismatches


def test_overall_agreement_with_expected_outputs(pipeline: Extractors, tmp_path: Path) -> None:
    """The figure reported for the whole set: lines, comparable lines, matches."""
    total_lines = total_comparable = total_matched = 0
    for out_name, image_name, options in CASES:
        stored = stored_copy(EXIFTOOL_DIR / "images" / image_name, tmp_path)
        reference = read_exiftool_out(EXIFTOOL_DIR / "expected" / out_name)
        ours = pipeline.extract(stored).metadata_raw
        comparable, matched, _ = compare(out_name, reference, ours, _cli_long(stored, options))
        total_lines += len(reference)
        total_comparable += comparable
        total_matched += matched
    print(
        f"{len(CASES)} files: {total_lines} reference lines, {total_comparable} comparable, "
        f"{total_matched} matched"
    )
    assert len(CASES) >= 30
    assert total_matched == total_comparable


def test_gps_jpg_position_matches_reference_minutes(pipeline: Extractors, tmp_path: Path) -> None:
    """GPS_2.out prints "54 degrees 59.38 minutes" N and "1 degrees 54.85 minutes" W;
    two decimals of a minute are exact to 0.005' = 8.3e-5 degrees."""
    lines = {
        line.description: line.value
        for line in read_exiftool_out(EXIFTOOL_DIR / "expected" / "GPS_2.out")
        if line.group1 == "GPS"
    }
    assert lines["GPS Latitude"] == "54 degrees 59.38 minutes"
    assert lines["GPS Longitude"] == "1 degrees 54.85 minutes"
    assert lines["GPS Longitude Ref"] == "West"
    extraction = pipeline.extract(stored_copy(EXIFTOOL_DIR / "images" / "GPS.jpg", tmp_path))
    gps = extraction.metadata["gps"]
    tolerance = 0.005 / 60 + 1e-12
    assert gps["lat"] == pytest.approx(54 + 59.38 / 60, abs=tolerance)
    assert gps["lon"] == pytest.approx(-(1 + 54.85 / 60), abs=tolerance)


def test_quicktime_mov_fields_match_reference(pipeline: Extractors, tmp_path: Path) -> None:
    lines = {
        (line.group1, line.description): line.value
        for line in read_exiftool_out(EXIFTOOL_DIR / "expected" / "QuickTime_2.out")
    }
    raw = pipeline.extract(
        stored_copy(EXIFTOOL_DIR / "images" / "QuickTime.mov", tmp_path)
    ).metadata_raw
    assert raw["QuickTime:CreateDate"] == lines[("QuickTime", "Create Date")]
    assert raw["Track1:TrackCreateDate"] == lines[("Track1", "Track Create Date")]


def test_one_exiftool_process_serves_many_files(tmp_path: Path) -> None:
    images = [EXIFTOOL_DIR / "images" / name for name in ("GPS.jpg", "PNG.png", "Nikon.jpg")]
    with Extractors(["exiftool"]) as extractors:
        runner = extractors.units[0].runner  # type: ignore[attr-defined]
        pids = set()
        for image in images:
            extractors.extract(stored_copy(image, tmp_path))
            pids.add(runner.pid)
        assert len(pids) == 1 and None not in pids
    assert runner.pid is None


def test_locker_properties_are_not_stored(pipeline: Extractors, tmp_path: Path) -> None:
    raw = pipeline.extract(stored_copy(EXIFTOOL_DIR / "images" / "GPS.jpg", tmp_path)).metadata_raw
    assert LOCKER_TAGS.isdisjoint(raw)
    assert raw["System:FileSize"] == (EXIFTOOL_DIR / "images" / "GPS.jpg").stat().st_size
    assert raw["File:MIMEType"] == "image/jpeg"
    assert str(tmp_path) not in json.dumps(raw)


def test_repeated_tags_are_kept(pipeline: Extractors, tmp_path: Path) -> None:
    """RIFF.avi has a video and an audio stream header; ExifTool.jpg two JPEG comments."""
    raw = pipeline.extract(stored_copy(EXIFTOOL_DIR / "images" / "RIFF.avi", tmp_path)).metadata_raw
    assert (raw["RIFF:StreamType"], raw["RIFF:StreamType [2]"]) == ("vids", "auds")
    raw = pipeline.extract(
        stored_copy(EXIFTOOL_DIR / "images" / "ExifTool.jpg", tmp_path)
    ).metadata_raw
    assert raw["File:Comment [2]"] == "a comment"


def test_exiftool_is_installed() -> None:
    assert shutil.which("exiftool") is not None
