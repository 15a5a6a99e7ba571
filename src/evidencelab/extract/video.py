"""Sampling and PDQ-hashing video frames with PyAV (vPDQ-style).

vPDQ (https://github.com/facebook/ThreatExchange/tree/main/vpdq) hashes decoded RGB frames
with PDQ and records each frame's quality and timestamp. We sample one frame per interval
(default one per second: the first frame, then the first frame at or after each whole
second), decoding every frame in between because inter-coded frames need their references.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy.typing as npt

from evidencelab.extract.pdq import pdq_hash_array
from evidencelab.extract.types import PerceptualHash

# Frames whose PDQ quality is below this are unreliable for matching (vPDQ's default).
MIN_MATCH_QUALITY = 50


@dataclass
class SampledFrame:
    """One decoded frame: seconds from the first frame, and its RGB pixels."""

    time_s: float
    rgb: npt.NDArray[Any]


class TruncatedVideoError(ValueError):
    """The decodable frames end well before the duration the container declares."""


# Decoded frames may stop this much short of the declared duration without the file being
# called truncated: audio tracks and edit lists often make the container slightly longer.
TRUNCATION_SLACK_S = 0.5


def sample_frames(
    path: Path, *, interval_s: float, max_frames: int, max_seconds: float
) -> Iterator[SampledFrame]:
    """Yield RGB frames of the first video stream, one per ``interval_s`` seconds.

    ``interval_s=0`` yields every frame. Times are relative to the first decoded frame.
    Decoding stops after ``max_frames`` yielded frames or once frames are more than
    ``max_seconds`` in. PyAV errors (broken containers, unknown codecs) propagate; if the
    decodable frames end more than :data:`TRUNCATION_SLACK_S` (plus two frame durations)
    before the container's declared duration, :class:`TruncatedVideoError` is raised after
    the frames that could be decoded have been yielded.
    """
    with av.open(str(path)) as container:
        if not container.streams.video:
            raise ValueError("no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        rate = float(stream.average_rate) if stream.average_rate else 30.0
        first_time: float | None = None
        relative = 0.0
        next_time = 0.0
        yielded = 0
        for index, frame in enumerate(container.decode(stream)):
            absolute = frame.time if frame.time is not None else index / rate
            if first_time is None:
                first_time = absolute
            relative = absolute - first_time
            if relative > max_seconds:
                return
            # A microsecond of slack absorbs rounding in pts * time_base.
            if relative + 1e-6 < next_time:
                continue
            yield SampledFrame(time_s=relative, rgb=frame.to_ndarray(format="rgb24"))
            yielded += 1
            if yielded >= max_frames:
                return
            while next_time <= relative + 1e-6:
                next_time += interval_s
                if interval_s <= 0:
                    break
        declared = _declared_duration_s(container, stream)
        decoded = relative + 1.0 / rate if first_time is not None else 0.0
        if declared is not None and decoded + 2.0 / rate + TRUNCATION_SLACK_S < declared:
            raise TruncatedVideoError(
                f"video frames end at {decoded:.3f} s but the container declares "
                f"{declared:.3f} s: truncated or damaged"
            )


def _declared_duration_s(container: Any, stream: Any) -> float | None:
    """Duration the video stream (else the container) claims, in seconds."""
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return float(container.duration) / 1_000_000.0
    return None


def hash_frame(frame: SampledFrame) -> PerceptualHash:
    """PDQ hash of one sampled frame, tagged with its time."""
    hash_hex, quality = pdq_hash_array(frame.rgb)
    return PerceptualHash(
        algorithm="pdq-frame", hash_hex=hash_hex, quality=quality, frame_time_s=frame.time_s
    )
