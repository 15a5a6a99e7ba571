"""Ingest of real media through the whole path: locker, ExifTool, ffprobe, PDQ, thumbnails."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from evidencelab.extract import hamming_distance
from evidencelab.locker.case import Case
from evidencelab.locker.ingest import IngestRequest, ingest
from evidencelab.locker.verify import verify_case
from evidencelab.service.evidence.items import show_evidence

CORPUS = Path(__file__).parent / "corpus"
PDQ = CORPUS / "pdq-threatexchange"
MOV = CORPUS / "metadata-extractor-images" / "mov" / "with-gps.mov"
VIDEO = PDQ / "tmk" / "sample-videos" / "doorknob-hd-no-bar.mp4"
SAMPLE_B = next(PDQ.rglob("sample-b.jpg"))  # the bridge photo, = upstream aaa-orig.jpg


def reference_pdq(image: str) -> str:
    with open(PDQ / "expected_pdq_hashes.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["image"].endswith(image) and row["implementation"].startswith("python-"):
                return row["pdq_hex"]
    raise LookupError(image)


def test_photo_gets_reference_pdq_metadata_and_thumbnail(case: Case) -> None:
    [outcome] = ingest(case, [IngestRequest(path=SAMPLE_B)])
    record = show_evidence(case, outcome.evidence_id or "")
    # upstream's own SHA-256 oracle for this file (corpus README)
    assert record["sha256"] == "b5b0799616df52d475a3968dc7e54f1d0724c912244ffa6175bc786375dd7298"
    assert record["media_type"] == "image/jpeg"
    assert record["kind"] == "photo"
    [pdq] = record["perceptual_hashes"]
    assert pdq["algorithm"] == "pdq"
    assert pdq["hash"] == reference_pdq("sample-b.jpg")
    [thumbnail] = record["derivatives"]
    assert thumbnail["role"] == "thumbnail"
    assert case.objects.path(thumbnail["sha256"]).read_bytes()[:2] == b"\xff\xd8"
    assert record["metadata_raw"]  # every ExifTool tag is kept
    assert record["extraction_errors"] == []


def test_video_gets_gps_capture_time_and_frame_hashes(case: Case) -> None:
    outcomes = ingest(case, [IngestRequest(path=MOV), IngestRequest(path=VIDEO)], workers=2)
    mov = show_evidence(case, outcomes[0].evidence_id or "")
    assert mov["kind"] == "video"
    assert mov["metadata"]["gps"]["lat"] == 32.0929  # ISO 6709 "+32.0929+034.8620+028.516/"
    assert mov["metadata"]["gps"]["lon"] == 34.862
    assert mov["metadata"]["duration_s"] > 0
    clip = show_evidence(case, outcomes[1].evidence_id or "")
    frames = clip["perceptual_hashes"]
    assert [f["frame_time_s"] for f in frames] == [0.0, 1.0, 2.0, 3.0]
    assert all(f["algorithm"] == "pdq-frame" for f in frames)
    assert [d["role"] for d in clip["derivatives"]] == ["poster"]
    assert verify_case(case).intact


def test_near_duplicate_is_within_pdq_match_distance(case: Case) -> None:
    original = SAMPLE_B
    edited = PDQ / "pdq" / "data" / "bridge-mods" / "blur-a-lot.jpg"
    outcomes = ingest(case, [IngestRequest(path=original), IngestRequest(path=edited)])
    hashes = [
        show_evidence(case, o.evidence_id or "")["perceptual_hashes"][0]["hash"] for o in outcomes
    ]
    assert outcomes[0].sha256 != outcomes[1].sha256
    assert hamming_distance(*hashes) <= 31  # upstream's recommended match threshold


def test_corrupt_files_are_preserved_with_an_extraction_error(case: Case, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(VIDEO.read_bytes()[:20000])
    broken = tmp_path / "broken.jpg"
    shutil.copy(SAMPLE_B, broken)
    broken.write_bytes(broken.read_bytes()[:3000])
    outcomes = ingest(case, [IngestRequest(path=p) for p in (empty, truncated, broken)])
    assert [o.status for o in outcomes] == ["new", "new", "new"]
    for outcome, path in zip(outcomes, (empty, truncated, broken), strict=True):
        record = show_evidence(case, outcome.evidence_id or "")
        assert case.objects.path(record["sha256"]).read_bytes() == path.read_bytes()
        assert record["extraction_errors"], path.name
        assert all(e["message"] and "\n" not in e["message"] for e in record["extraction_errors"])
    assert verify_case(case).intact


def test_large_files_extract_while_copying_and_keep_exiftool_alive(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    import evidencelab.locker.ingest as ingest_module

    monkeypatch.setattr(ingest_module, "OVERLAP_EXTRACTION_BYTES", 1)  # every file is "large"
    outcomes = ingest(case, [IngestRequest(path=SAMPLE_B), IngestRequest(path=MOV)], workers=1)
    photo, video = (show_evidence(case, o.evidence_id or "") for o in outcomes)
    assert photo["perceptual_hashes"][0]["hash"] == reference_pdq("sample-b.jpg")
    assert video["metadata"]["gps"]["lat"] == 32.0929  # ExifTool still answers the second file
    assert photo["extraction_errors"] == video["extraction_errors"] == []


def test_iphone_heic_gets_a_pdq_hash_and_thumbnail(case: Case) -> None:
    heic = CORPUS / "metadata-extractor-images" / "heic" / "exif-at-eof.heic"
    [outcome] = ingest(case, [IngestRequest(path=heic)])
    record = show_evidence(case, outcome.evidence_id or "")
    assert record["media_type"] == "image/heic"
    assert record["extraction_errors"] == []
    [pdq] = record["perceptual_hashes"]
    assert pdq["quality"] >= 50
    assert [d["role"] for d in record["derivatives"]] == ["thumbnail"]
