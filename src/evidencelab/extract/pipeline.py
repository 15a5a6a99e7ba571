"""The extraction pipeline: runs the configured extractors over one stored file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from evidencelab.extract.credentials import C2paExtractor
from evidencelab.extract.normalise import normalise
from evidencelab.extract.raster import RasterExtractor
from evidencelab.extract.sniff import sniff_media_type
from evidencelab.extract.types import Extraction, ExtractionError, Limits
from evidencelab.extract.units import (
    CORE_UNITS,
    ExtractionContext,
    Extractor,
    ExtractorFailure,
)

# Every extraction unit by name, in the order they run. The raster unit reuses the media
# type the others detected; the C2PA unit finds the format from the bytes itself.
REGISTRY: dict[str, type[Extractor]] = {
    **CORE_UNITS,
    RasterExtractor.name: RasterExtractor,
    C2paExtractor.name: C2paExtractor,
}
DEFAULT_EXTRACTORS: tuple[str, ...] = tuple(REGISTRY)


def _one_line(exc: BaseException) -> str:
    """A one-line description of an exception for an :class:`ExtractionError`."""
    if isinstance(exc, ExtractorFailure):
        text = str(exc)
    else:
        detail = str(exc).strip()
        text = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return " ".join(text.split())


DEFAULT_LIMITS = Limits()


class Extractors:
    """Runs named extractors, in the given order, over stored files.

    Use as a context manager: it owns one ExifTool process for its lifetime. ``extract``
    never raises for bad media: each extractor's failure becomes an ``ExtractionError``.
    """

    def __init__(
        self, names: Sequence[str] = DEFAULT_EXTRACTORS, *, limits: Limits = DEFAULT_LIMITS
    ) -> None:
        unknown = [name for name in names if name not in REGISTRY]
        if unknown:
            raise ValueError(f"unknown extractors {unknown}; known: {sorted(REGISTRY)}")
        self.limits = limits
        self.units: list[Extractor] = [REGISTRY[name](limits) for name in names]

    def __enter__(self) -> Extractors:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the long-lived processes of all extractors."""
        for unit in self.units:
            unit.close()

    def extract(self, path: Path, *, name_hint: str | None = None) -> Extraction:
        """Extract metadata, hashes and a thumbnail from one file.

        ``path`` is the stored object (no extension). The type is detected from content
        (ExifTool's MIME type, else Pillow/FFmpeg sniffing); ``name_hint``, the original file
        name, only breaks ties between formats of one family.
        """
        ctx = ExtractionContext(path=Path(path), name_hint=name_hint, limits=self.limits)
        errors: list[ExtractionError] = []
        sniffed = False
        try:
            for unit in self.units:
                if unit.name != "exiftool" and ctx.media_type is None and not sniffed:
                    sniffed = True
                    ctx.media_type = sniff_media_type(ctx.path, name_hint)
                try:
                    if unit.applies_to(ctx):
                        unit.run(ctx)
                except Exception as exc:
                    # One bad unit must not lose the others' results.
                    errors.append(ExtractionError(unit.name, _one_line(exc)))
            if ctx.media_type is None and not sniffed:
                ctx.media_type = sniff_media_type(ctx.path, name_hint)
        finally:
            if ctx.image is not None:
                ctx.image.close()
        try:
            metadata = normalise(ctx.metadata_raw)
        except Exception as exc:
            metadata = {}
            errors.append(ExtractionError("normalise", _one_line(exc)))
        return Extraction(
            media_type=ctx.media_type,
            metadata_raw=ctx.metadata_raw,
            metadata=metadata,
            perceptual_hashes=ctx.perceptual_hashes,
            thumbnail_jpeg=ctx.thumbnail_jpeg,
            errors=errors,
            content_credentials=ctx.content_credentials,
        )
