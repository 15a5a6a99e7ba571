"""Pure extraction from stored evidence files: metadata (ExifTool, ffprobe), perceptual
hashes (PDQ for images, per-frame PDQ for video) and thumbnails. No database access.

Typical use::

    with Extractors() as extractors:
        result = extractors.extract(stored_path, name_hint="IMG_0001.JPG")
"""

from evidencelab.extract.normalise import normalise, parse_iso6709
from evidencelab.extract.pdq import hamming_distance
from evidencelab.extract.pipeline import DEFAULT_EXTRACTORS, REGISTRY, Extractors
from evidencelab.extract.types import (
    Extraction,
    ExtractionError,
    Limits,
    PerceptualHash,
)
from evidencelab.extract.units import Extractor

__all__ = [
    "DEFAULT_EXTRACTORS",
    "REGISTRY",
    "Extraction",
    "ExtractionError",
    "Extractor",
    "Extractors",
    "Limits",
    "PerceptualHash",
    "hamming_distance",
    "normalise",
    "parse_iso6709",
]
