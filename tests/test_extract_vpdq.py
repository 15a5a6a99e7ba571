"""Per-frame PDQ of the two tmk sample videos against vPDQ's published frame hashes.

vPDQ's regression test (vpdq/cpp/regtest.py) counts a frame pair as matching when both
qualities are >= 50 and the Hamming distance is <= 31; we apply the same rule. Measured with
PyAV + pdqhash: test-padded-dimensions.mp4 all 150 frames within 2 bits, doorknob-hd-no-bar.mp4
all 60 good frames within 22 bits.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from evidencelab.extract import Extractors, Limits, hamming_distance
from evidencelab.extract.video import hash_frame, sample_frames
from extract_helpers import PDQ_DIR, VpdqFrame, extractors, read_vpdq, stored_copy

__all__ = ["extractors"]  # pytest fixture shared from extract_helpers

MATCH_THRESHOLD = 31
MIN_QUALITY = 50
VIDEOS = ["doorknob-hd-no-bar", "test-padded-dimensions"]


def _video(name: str) -> Path:
    return PDQ_DIR / "tmk" / "sample-videos" / f"{name}.mp4"


def _reference(name: str) -> list[VpdqFrame]:
    return read_vpdq(PDQ_DIR / "vpdq" / "sample-hashes" / f"{name}.txt")


@pytest.mark.parametrize("name", VIDEOS)
def test_every_frame_matches_vpdq_reference(name: str) -> None:
    reference = _reference(name)
    frames = list(sample_frames(_video(name), interval_s=0, max_frames=10_000, max_seconds=1e9))
    assert len(frames) == len(reference)
    distances = []
    for frame, expected in zip(frames, reference, strict=True):
        # Reference timestamps are printed to the millisecond.
        assert frame.time_s == pytest.approx(expected.time_s, abs=0.0005 + 1e-9)
        ours = hash_frame(frame)
        if ours.quality >= MIN_QUALITY and expected.quality >= MIN_QUALITY:
            distances.append(hamming_distance(ours.hash_hex, expected.pdq_hex))
    print(f"{name}: {len(distances)} good frames compared, max distance {max(distances)}")
    assert len(distances) >= 60
    assert max(distances) <= MATCH_THRESHOLD


@pytest.mark.parametrize("name", VIDEOS)
def test_pipeline_samples_one_frame_per_second(
    name: str, extractors: Extractors, tmp_path: Path
) -> None:
    reference = _reference(name)
    extraction = extractors.extract(stored_copy(_video(name), tmp_path), name_hint=f"{name}.mp4")
    assert extraction.errors == []
    assert extraction.media_type == "video/mp4"
    times = [h.frame_time_s for h in extraction.perceptual_hashes]
    duration = reference[-1].time_s
    assert times == [float(t) for t in range(int(duration) + 1)]
    for perceptual in extraction.perceptual_hashes:
        assert perceptual.algorithm == "pdq-frame"
        assert perceptual.frame_time_s is not None
        expected = min(reference, key=lambda f: abs(f.time_s - (perceptual.frame_time_s or 0)))
        assert abs(expected.time_s - perceptual.frame_time_s) < 0.0005 + 1e-9
        if perceptual.quality >= MIN_QUALITY and expected.quality >= MIN_QUALITY:
            assert hamming_distance(perceptual.hash_hex, expected.pdq_hex) <= MATCH_THRESHOLD
    assert extraction.metadata["video_codec"] == "h264"
    assert extraction.thumbnail_jpeg is not None


def test_limits_bound_frames_and_seconds(tmp_path: Path) -> None:
    stored = stored_copy(_video("test-padded-dimensions"), tmp_path)
    with Extractors(["video_pdq"], limits=Limits(max_video_frames=2)) as pipeline:
        assert len(pipeline.extract(stored).perceptual_hashes) == 2
    with Extractors(["video_pdq"], limits=Limits(max_video_seconds=1.5)) as pipeline:
        extraction = pipeline.extract(stored)
    assert [h.frame_time_s for h in extraction.perceptual_hashes] == [0.0, 1.0]
    assert extraction.errors == []


def test_portrait_iphone_video_poster_is_rotated_for_display(
    extractors: Extractors, tmp_path: Path
) -> None:
    """with-gps.mov is stored 568x320 with a display matrix turning it 90° clockwise."""
    source = PDQ_DIR.parent / "metadata-extractor-images" / "mov" / "with-gps.mov"
    extraction = extractors.extract(stored_copy(source, tmp_path))
    assert extraction.metadata["rotation_deg"] == 90
    assert (extraction.metadata["width"], extraction.metadata["height"]) == (568, 320)
    assert extraction.thumbnail_jpeg is not None
    with Image.open(io.BytesIO(extraction.thumbnail_jpeg)) as poster:
        assert poster.size == (288, 512)


def test_poster_is_first_frame_with_usable_quality(tmp_path: Path) -> None:
    """The poster thumbnail must show the frame at t=0 when its quality is >= 50."""
    stored = stored_copy(_video("doorknob-hd-no-bar"), tmp_path)
    with Extractors(["video_pdq", "thumbnail"]) as pipeline:
        extraction = pipeline.extract(stored, name_hint="doorknob.mp4")
    assert extraction.perceptual_hashes[0].quality >= MIN_QUALITY
    first = next(iter(sample_frames(stored, interval_s=1, max_frames=1, max_seconds=0)))
    assert extraction.thumbnail_jpeg is not None
    with Image.open(io.BytesIO(extraction.thumbnail_jpeg)) as poster:
        assert poster.size == (512, 288)
        # Compare the poster with the first frame scaled the same way (JPEG noise only).
        expected = Image.fromarray(first.rgb).resize(poster.size)
        ours = np.asarray(poster.convert("L"), dtype=np.int16)
        theirs = np.asarray(expected.convert("L"), dtype=np.int16)
        assert float(np.abs(ours - theirs).mean()) < 4
