"""A contact sheet of a video: frames at even intervals side by side in one JPEG, so that a
reviewer can scrub through a video without playing it (and without its sound).

Each frame is read with FFmpeg's input seeking (``-ss`` before ``-i``: the demuxer jumps to
the keyframe at or before the time, https://trac.ffmpeg.org/wiki/Seeking), so the cost is
bounded by the number of frames, not the video's length. The sheet is display data derived
from the original, never evidence.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from PIL import Image

#: At most this many frames per sheet, and this wide each (pixels).
MAX_FRAMES = 16
FRAME_WIDTH = 240
TIMEOUT_S = 20.0


class ContactSheetError(ValueError):
    """FFmpeg could not read the video or gave no frame."""


def frame_times(duration_s: float, frames: int) -> list[float]:
    """``frames`` times (seconds) at the middle of equal slices of ``duration_s`` seconds,
    so the first and last frames are inside the video rather than on its edges."""
    if frames < 1 or duration_s <= 0:
        return []
    step = duration_s / frames
    return [round(step * (index + 0.5), 3) for index in range(frames)]


def probe_duration(path: Path) -> float:
    """The container's duration in seconds (ffprobe)."""
    done = _run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)]
    )
    try:
        return float(done.decode().strip())
    except ValueError as error:
        raise ContactSheetError("ffprobe gives no duration") from error


def _run(command: list[str]) -> bytes:
    try:
        done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as error:
        raise ContactSheetError(f"{command[0]} timed out after {TIMEOUT_S:g} s") from error
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip().splitlines()
        raise ContactSheetError(f"{command[0]} failed: {detail[-1] if detail else 'no output'}")
    return done.stdout


def _frame(path: Path, time_s: float) -> Image.Image | None:
    png = _run(
        ["ffmpeg", "-v", "error", "-nostdin", "-ss", f"{time_s:.3f}", "-i", str(path),
         "-frames:v", "1", "-an", "-vf", f"scale={FRAME_WIDTH}:-2",
         "-f", "image2pipe", "-c:v", "png", "-"]
    )  # fmt: skip
    return Image.open(io.BytesIO(png)).convert("RGB") if png else None


def contact_sheet(path: Path, frames: int) -> tuple[bytes, list[float]]:
    """A JPEG of up to ``frames`` (at most :data:`MAX_FRAMES`) frames in one row, each
    :data:`FRAME_WIDTH` pixels wide, and the time (seconds) of each frame shown."""
    times = frame_times(probe_duration(path), min(frames, MAX_FRAMES))
    shots = [(time_s, image) for time_s in times if (image := _frame(path, time_s)) is not None]
    if not shots:
        raise ContactSheetError("no frame could be decoded")
    height = max(image.height for _time, image in shots)
    sheet = Image.new("RGB", (FRAME_WIDTH * len(shots), height))
    for index, (_time, image) in enumerate(shots):
        sheet.paste(image, (index * FRAME_WIDTH, 0))
    out = io.BytesIO()
    sheet.save(out, format="JPEG", quality=80)
    return out.getvalue(), [time_s for time_s, _image in shots]
