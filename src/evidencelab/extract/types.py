"""Plain data types returned by the extraction pipeline.

Everything here is a dataclass of builtins, so an :class:`Extraction` can be pickled and sent
back from a worker process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PerceptualHash:
    """One perceptual hash of an image or of one video frame.

    ``algorithm`` is ``"pdq"`` for still images and ``"pdq-frame"`` for frames sampled from a
    video (vPDQ-style). ``hash_hex`` is the 256-bit hash as 64 hex characters, most significant
    bit first, as python-threatexchange writes it. ``quality`` is PDQ's 0..100 quality score;
    upstream advises ignoring hashes with quality below 50 when matching.
    """

    algorithm: str
    hash_hex: str
    quality: int
    frame_time_s: float | None = None


@dataclass
class ExtractionError:
    """A failure of one extractor on one file: the file was still processed by the others."""

    extractor: str
    message: str


@dataclass
class CredentialsReading:
    """What one file's content credentials say, as plain values (picklable).

    ``manifest`` is the active manifest and ``validation_results`` the validation results
    (``activeManifest`` and ``ingredientDeltas``, each with ``success``, ``informational``
    and ``failure`` lists of ``{code, url, explanation}``), both as the library reports
    them. ``problem`` is the library's message when it found C2PA data it could not read
    at all (state ``invalid``). ``anchors_sha256`` names the trust anchors used.
    """

    state: str
    library: str
    anchors_sha256: str
    manifest: dict[str, Any] | None = None
    validation_results: dict[str, Any] | None = None
    problem: str | None = None


@dataclass
class Extraction:
    """Everything extracted from one stored file.

    ``metadata_raw`` holds every ExifTool tag as ``"Group1:TagName"`` keys (a repeated tag
    as ``"Group1:TagName [2]"``) with numeric (``-n``) values, plus an ``"ffprobe"``
    sub-dict for audio/video. ``metadata`` holds the normalised fields (see
    :func:`evidencelab.extract.normalise.normalise`).
    """

    media_type: str | None
    metadata_raw: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    perceptual_hashes: list[PerceptualHash] = field(default_factory=list)
    thumbnail_jpeg: bytes | None = None
    errors: list[ExtractionError] = field(default_factory=list)
    content_credentials: CredentialsReading | None = None


@dataclass(frozen=True)
class Limits:
    """Size and time limits applied while parsing untrusted media.

    ``max_image_pixels`` is the decoding budget for still images: 64 Mpx (192 MiB as 8-bit
    RGB). Larger JPEGs are decoded at 1/2, 1/4 or 1/8 scale to fit it; larger images of
    other formats are refused, before any pixel is decoded, with an extraction error
    (no hash, no thumbnail; the original is kept and ExifTool still reads it).
    ``subprocess_timeout_s`` bounds each ffprobe run. ``max_video_frames`` and
    ``max_video_seconds`` bound how many sampled frames are hashed and how far into a video
    the decoder goes. ``thumbnail_max_side`` is the longest side of thumbnails, in pixels.
    """

    max_image_pixels: int = 64_000_000
    subprocess_timeout_s: float = 60.0
    max_video_frames: int = 600
    max_video_seconds: float = 600.0
    thumbnail_max_side: int = 512
    pdq_max_pixels: int = 24_000_000
