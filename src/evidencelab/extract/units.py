"""The pluggable extractors. Each has a ``name``, a test for which media it applies to,
and one job; the pipeline (:mod:`evidencelab.extract.pipeline`) runs them in order and turns
any exception into an :class:`~evidencelab.extract.types.ExtractionError`.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy.typing as npt
from PIL import Image, UnidentifiedImageError

from evidencelab.extract.exiftool_runner import ExifToolRunner
from evidencelab.extract.images import (
    ImageTooLargeError,
    array_thumbnail,
    decode_image,
    jpeg_thumbnail,
    rotate_clockwise,
)
from evidencelab.extract.normalise import ffprobe_rotation
from evidencelab.extract.pdq import pdq_hash_bounded
from evidencelab.extract.types import CredentialsReading, Limits, PerceptualHash
from evidencelab.extract.video import MIN_MATCH_QUALITY, hash_frame, sample_frames

# One frame per second, as vPDQ samples by default.
VIDEO_SAMPLE_INTERVAL_S = 1.0


class ExtractorFailure(Exception):
    """A problem an extractor reports in its own words (one line, no traceback needed)."""


@dataclass
class ExtractionContext:
    """State shared by the extractors while one file is processed."""

    path: Path
    name_hint: str | None
    limits: Limits
    media_type: str | None = None
    metadata_raw: dict[str, Any] = field(default_factory=dict)
    perceptual_hashes: list[PerceptualHash] = field(default_factory=list)
    thumbnail_jpeg: bytes | None = None
    content_credentials: CredentialsReading | None = None
    # Decoded once by whichever extractor needs pixels first, reused by the others.
    image: Image.Image | None = None
    # The image was decoded at 1/image_scale of its stored size (JPEG only, see decode_image).
    image_scale: int = 1
    poster_frame: npt.NDArray[Any] | None = None

    @property
    def kind(self) -> str | None:
        """``"image"``, ``"video"`` or ``"audio"`` from the MIME type, else ``None``."""
        if self.media_type is None:
            return None
        major = self.media_type.split("/")[0]
        return major if major in ("image", "video", "audio") else None

    def decoded_image(self) -> Image.Image:
        """The still image, decoded once within the pixel budget (``image_scale`` says at
        what fraction of its stored size)."""
        if self.image is None:
            try:
                self.image, self.image_scale = decode_image(self.path, self.limits.max_image_pixels)
            except UnidentifiedImageError as exc:
                raise ExtractorFailure(f"Pillow cannot decode {self.media_type}") from exc
            except ImageTooLargeError as exc:
                raise ExtractorFailure(str(exc)) from exc
        return self.image


class Extractor:
    """Base class: subclasses set ``name`` and implement ``applies_to`` and ``run``."""

    name: ClassVar[str]

    def __init__(self, limits: Limits) -> None:
        self.limits = limits

    def applies_to(self, ctx: ExtractionContext) -> bool:
        """Whether this extractor has anything to do for the file."""
        raise NotImplementedError

    def run(self, ctx: ExtractionContext) -> None:
        """Do the job, writing results into ``ctx``; raise on failure."""
        raise NotImplementedError

    def close(self) -> None:
        """Release long-lived resources (processes)."""


class ExifToolExtractor(Extractor):
    """All metadata tags via one ExifTool ``-stay_open`` process; also sets the MIME type."""

    name = "exiftool"

    def __init__(self, limits: Limits) -> None:
        super().__init__(limits)
        self.runner = ExifToolRunner(timeout_s=limits.subprocess_timeout_s)

    def applies_to(self, ctx: ExtractionContext) -> bool:
        return True

    def run(self, ctx: ExtractionContext) -> None:
        tags = self.runner.read(ctx.path)
        ctx.metadata_raw.update(tags)
        mime = tags.get("File:MIMEType")
        if isinstance(mime, str) and mime:
            ctx.media_type = mime
        if "ExifTool:Error" in tags:
            raise ExtractorFailure(f"ExifTool: {tags['ExifTool:Error']}")

    def close(self) -> None:
        self.runner.close()


class FfprobeExtractor(Extractor):
    """Container and stream details of audio/video from ``ffprobe`` (JSON, with a timeout)."""

    name = "ffprobe"
    executable = "ffprobe"

    def applies_to(self, ctx: ExtractionContext) -> bool:
        return ctx.kind in ("video", "audio")

    def run(self, ctx: ExtractionContext) -> None:
        command = [
            self.executable,
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            "--",
            str(ctx.path),
        ]
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                timeout=self.limits.subprocess_timeout_s,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ExtractorFailure(
                f"ffprobe timed out after {self.limits.subprocess_timeout_s:g} s"
            ) from exc
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            detail = message[-1] if message else f"exit status {done.returncode}"
            raise ExtractorFailure(f"ffprobe failed: {detail}")
        ctx.metadata_raw["ffprobe"] = json.loads(done.stdout)


class PdqExtractor(Extractor):
    """PDQ hash of a still image (stored pixels, EXIF orientation not applied)."""

    name = "pdq"

    def applies_to(self, ctx: ExtractionContext) -> bool:
        return ctx.kind == "image"

    def run(self, ctx: ExtractionContext) -> None:
        image = ctx.decoded_image()
        perceptual_hash, factor = pdq_hash_bounded(image, self.limits.pdq_max_pixels)
        ctx.perceptual_hashes.append(perceptual_hash)
        if factor > 1 or ctx.image_scale > 1:
            ctx.metadata_raw["pdq"] = _reduction_record(image, ctx.image_scale, factor)


def _reduction_record(image: Image.Image, scale: int, factor: int) -> dict[str, Any]:
    """What ``metadata_raw["pdq"]`` says about a hash made from fewer pixels than stored."""
    steps = []
    if scale > 1:
        steps.append(f"decoded at 1/{scale} scale (JPEG DCT scaling)")
    if factor > 1:
        steps.append(f"a {factor}x box reduction of the {image.width}x{image.height} image")
    record: dict[str, Any] = {
        "reduced_by": scale * factor,
        "note": f"hashed after {' and '.join(steps)}, to bound memory; such a hash can "
        "differ by a few bits from one made at full size",
    }
    if scale > 1:
        record["decoded_scale"] = scale
    return record


class VideoPdqExtractor(Extractor):
    """PDQ hashes of frames sampled once per second; keeps the poster frame."""

    name = "video_pdq"

    def applies_to(self, ctx: ExtractionContext) -> bool:
        return ctx.kind == "video"

    def run(self, ctx: ExtractionContext) -> None:
        frames = sample_frames(
            ctx.path,
            interval_s=VIDEO_SAMPLE_INTERVAL_S,
            max_frames=self.limits.max_video_frames,
            max_seconds=self.limits.max_video_seconds,
        )
        poster_is_good = False
        for frame in frames:
            frame_hash = hash_frame(frame)
            ctx.perceptual_hashes.append(frame_hash)
            # Poster: the first frame good enough to match on, else the very first frame.
            if ctx.poster_frame is None or (
                not poster_is_good and frame_hash.quality >= MIN_MATCH_QUALITY
            ):
                ctx.poster_frame = frame.rgb
                poster_is_good = frame_hash.quality >= MIN_MATCH_QUALITY
        if ctx.poster_frame is None:
            raise ExtractorFailure("no video frame could be decoded")


class ThumbnailExtractor(Extractor):
    """JPEG thumbnail: the image shown as viewers show it, or a video's poster frame."""

    name = "thumbnail"

    def applies_to(self, ctx: ExtractionContext) -> bool:
        return ctx.kind in ("image", "video")

    def run(self, ctx: ExtractionContext) -> None:
        side = self.limits.thumbnail_max_side
        if ctx.kind == "image":
            ctx.thumbnail_jpeg = jpeg_thumbnail(
                ctx.decoded_image(), side, apply_exif_orientation=True
            )
            return
        frame = ctx.poster_frame
        if frame is None:
            frame = _first_frame(ctx)
        ctx.thumbnail_jpeg = array_thumbnail(rotate_clockwise(frame, _rotation(ctx)), side)


def _first_frame(ctx: ExtractionContext) -> npt.NDArray[Any]:
    """First frame of the video, for when ``video_pdq`` did not run."""
    frames = sample_frames(ctx.path, interval_s=1.0, max_frames=1, max_seconds=0.0)
    for frame in frames:
        return frame.rgb
    raise ExtractorFailure("no video frame could be decoded")


def _rotation(ctx: ExtractionContext) -> int:
    """Clockwise display rotation of the video, from ffprobe or else ExifTool."""
    ffprobe = ctx.metadata_raw.get("ffprobe")
    if isinstance(ffprobe, dict):
        for stream in ffprobe.get("streams", []):
            if isinstance(stream, dict) and stream.get("codec_type") == "video":
                rotation = ffprobe_rotation(stream)
                if rotation is not None:
                    return rotation
                break
    composite = ctx.metadata_raw.get("Composite:Rotation")
    return int(composite) % 360 if isinstance(composite, int | float) else 0


# The units defined here; the pipeline adds those defined in modules of their own.
CORE_UNITS: dict[str, type[Extractor]] = {
    unit.name: unit
    for unit in (
        ExifToolExtractor,
        FfprobeExtractor,
        PdqExtractor,
        VideoPdqExtractor,
        ThumbnailExtractor,
    )
}
