"""Georeferenced rasters (GeoTIFF, Cloud-Optimised GeoTIFF, JPEG 2000, any raster GDAL
reads): CRS, extent, WGS84 footprint, ground resolution, bands, acquisition time and
provider tags, read with rasterio under GDAL limits. Writes ``metadata_raw["raster"]``.

Untrusted files: the declared size is checked before any pixel is read, GDAL's block cache
is capped, side-car files are not looked for, and only a decimated mask (at most
``MASK_MAX_SIDE`` pixels a side) is ever read.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from affine import Affine
from pyproj import CRS
from rasterio.errors import NotGeoreferencedWarning, RasterioIOError

from evidencelab.analysis.imagery.geometry import (
    bounds_footprint,
    ground_resolution_m,
    lonlat_bounds,
    mask_footprint,
)
from evidencelab.extract.units import ExtractionContext, Extractor, ExtractorFailure

# Media types of raster formats GDAL reads that may carry georeferencing.
RASTER_MEDIA_TYPES = frozenset(
    {"image/tiff", "image/tiff-fx", "image/jp2", "image/jpx", "image/x-ntf", "image/vnd.ecw"}
)
GDAL_MEDIA_PREFIX = "application/x-gdal-"
_DRIVER_MEDIA_TYPES = {
    "GTiff": "image/tiff",
    "COG": "image/tiff",
    "JP2OpenJPEG": "image/jp2",
    "NITF": "image/x-ntf",
    "netCDF": "application/x-netcdf",
    "HDF5": "application/x-hdf5",
}
# GDAL configuration for untrusted files: a 256 MB block cache, no directory listing for
# side-car files (the stored object sits among thousands of others), one thread.
GDAL_LIMITS = {
    "GDAL_CACHEMAX": 256,
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "GDAL_NUM_THREADS": 1,
    "GTIFF_REPORT_COMPD_CS": False,
}
# A raster may be far larger than a photo (a whole scene), but one declaring more pixels
# than this per band is refused before anything is read: 40,000 × 40,000.
MAX_RASTER_PIXELS = 1_600_000_000
MASK_MAX_SIDE = 1024  # the valid-pixel footprint is traced on a mask at most this wide
MASK_MAX_SOURCE_PIXELS = 400_000_000  # without overviews, larger rasters use their bounds
CHECKSUM_MAX_PIXELS = 50_000_000  # GDAL band checksums read every pixel: small rasters only
# GDAL metadata items that state when the scene was acquired, in order of preference.
ACQUISITION_TAGS = (
    "ACQUISITION_DATETIME",
    "ACQUISITIONDATETIME",
    "ACQUISITION_TIME",
    "SENSING_TIME",
    "DATATAKE_SENSING_START",
    "datetime",
    "ACQUISITION_DATE",
    "DATE_ACQUIRED",
)
SENSOR_TAGS = ("SENSOR", "SENSOR_ID", "INSTRUMENT", "instruments")
PROVIDER_TAGS = ("SATELLITE", "SPACECRAFT_ID", "SPACECRAFT_NAME", "PLATFORM", "platform", "MISSION")


@contextmanager
def gdal_env(**options: Any) -> Iterator[None]:
    """GDAL with the limits for untrusted rasters (plus ``options``)."""
    with rasterio.Env(**{**GDAL_LIMITS, **options}):
        yield


def sniff_raster_media_type(path: Path) -> str | None:
    """Media type of a raster that only GDAL recognises (``application/x-gdal-DRIVER`` when
    the driver has no registered type), else ``None``."""
    try:
        with gdal_env(), warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            with rasterio.open(path) as dataset:
                driver = str(dataset.driver)
    except (RasterioIOError, OSError, ValueError):
        return None
    return _DRIVER_MEDIA_TYPES.get(driver, GDAL_MEDIA_PREFIX + driver.lower())


class RasterExtractor(Extractor):
    """Georeferencing, footprint and scene tags of a raster GDAL reads."""

    name = "raster"

    def applies_to(self, ctx: ExtractionContext) -> bool:
        media = ctx.media_type
        return media is not None and (
            media in RASTER_MEDIA_TYPES or media.startswith(GDAL_MEDIA_PREFIX)
        )

    def run(self, ctx: ExtractionContext) -> None:
        with gdal_env(), warnings.catch_warnings():
            # A raster without georeferencing is recorded as such, not warned about.
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            try:
                dataset = rasterio.open(ctx.path)
            except RasterioIOError as exc:
                raise ExtractorFailure(f"GDAL cannot open the raster: {_first_line(exc)}") from exc
            with dataset:
                ctx.metadata_raw["raster"] = describe_raster(dataset)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def describe_raster(dataset: Any) -> dict[str, Any]:
    """The scene record of an open rasterio dataset (JSON values only).

    Raises :class:`ExtractorFailure` for a declared size over ``MAX_RASTER_PIXELS`` and for
    pixel data GDAL cannot read (truncated or corrupt files), after checking the size.
    """
    width, height, count = int(dataset.width), int(dataset.height), int(dataset.count)
    if width * height > MAX_RASTER_PIXELS:
        raise ExtractorFailure(
            f"raster declares {width}x{height} = {width * height} pixels per band, "
            f"over the limit of {MAX_RASTER_PIXELS}; not read"
        )
    notes: list[str] = []
    transform: Affine = dataset.transform
    record: dict[str, Any] = {
        "driver": str(dataset.driver),
        "width": width,
        "height": height,
        "count": count,
        "dtypes": [str(d) for d in dataset.dtypes],
        "nodata": _json_number(dataset.nodata),
        "transform": [transform.a, transform.b, transform.c, transform.d, transform.e, transform.f],
        "rotated": bool(transform.b != 0 or transform.d != 0),
        "overviews": [int(f) for f in dataset.overviews(1)] if count else [],
        "tags": {str(k): str(v) for k, v in dataset.tags().items()},
    }
    crs = CRS.from_wkt(dataset.crs.to_wkt()) if dataset.crs is not None else None
    has_transform = not transform.is_identity
    record["georeferenced"] = crs is not None and has_transform
    record["crs"] = _crs_name(crs)
    record["crs_wkt"] = crs.to_wkt() if crs is not None else None
    if not record["georeferenced"]:
        missing = "no CRS" if crs is None else "no geotransform"
        if dataset.gcps[0]:
            missing += " (ground control points present, not used)"
        notes.append(f"not georeferenced: {missing}; the file is preserved as it is")
        record.update(bounds=None, footprint=None, footprint_method=None, resolution_m=None)
        record["lonlat_bounds"] = None
    else:
        assert crs is not None
        record["bounds"] = list(dataset.bounds)
        footprint, method = _footprint(dataset, crs, notes)
        record["footprint"] = footprint
        record["footprint_method"] = method
        record["lonlat_bounds"] = list(lonlat_bounds(footprint))
        record["resolution_m"] = ground_resolution_m(transform, crs, width, height)
    if width * height <= CHECKSUM_MAX_PIXELS:
        try:
            record["checksums"] = [int(dataset.checksum(b)) for b in range(1, count + 1)]
        except Exception as exc:  # GDAL raises its own error types for corrupt blocks
            raise ExtractorFailure(f"pixel data unreadable: {_first_line(exc)}") from exc
    else:
        record["checksums"] = None
        notes.append(f"band checksums skipped above {CHECKSUM_MAX_PIXELS} pixels")
    acquired_at, source = acquisition_time(record["tags"], notes)
    record["acquired_at"] = acquired_at
    record["acquired_at_source"] = source
    record["sensor"] = _first_tag(record["tags"], SENSOR_TAGS)
    record["provider"] = _first_tag(record["tags"], PROVIDER_TAGS)
    record["attribution"] = record["tags"].get("TIFFTAG_COPYRIGHT")
    record["notes"] = notes
    return record


def _footprint(dataset: Any, crs: CRS, notes: list[str]) -> tuple[dict[str, Any], str]:
    """The valid-pixel footprint from a decimated mask when that is cheap, else the extent."""
    width, height = dataset.width, dataset.height
    cheap = bool(dataset.overviews(1)) or width * height <= MASK_MAX_SOURCE_PIXELS
    if cheap and dataset.count:
        scale = max(1.0, max(width, height) / MASK_MAX_SIDE)
        out_w, out_h = max(1, math.ceil(width / scale)), max(1, math.ceil(height / scale))
        try:
            mask = dataset.dataset_mask(out_shape=(out_h, out_w))
        except Exception as exc:
            raise ExtractorFailure(f"pixel data unreadable: {_first_line(exc)}") from exc
        if not np.all(mask):
            reduced = dataset.transform @ Affine.scale(width / out_w, height / out_h)
            outline = mask_footprint(mask, reduced, crs)
            if outline is None:
                notes.append("no valid pixel: the footprint is the raster's extent")
            else:
                return outline, f"valid pixels (mask at {out_w}x{out_h})"
        else:
            return bounds_footprint(
                dataset.transform, width, height, crs
            ), "extent (all pixels valid)"
    else:
        notes.append("footprint from the extent: no overviews and too large to trace cheaply")
    return bounds_footprint(dataset.transform, width, height, crs), "extent"


def acquisition_time(tags: dict[str, str], notes: list[str]) -> tuple[str | None, str | None]:
    """Acquisition time from GDAL metadata tags, ISO 8601 UTC, and the tag it came from.

    Satellite metadata states UTC; a time without an offset is taken as UTC and noted.
    ``TIFFTAG_DATETIME`` is the file's creation time (TIFF 6.0, tag 306), not the
    acquisition, so it is noted and never used. ``(None, None)`` when no tag says.
    """
    for tag in ACQUISITION_TAGS:
        text = tags.get(tag)
        if not text:
            continue
        moment = _parse_tag_time(text)
        if moment is None:
            notes.append(f"tag {tag}={text!r} is not a time; ignored")
            continue
        if moment.tzinfo is None:
            notes.append(f"tag {tag} has no UTC offset; taken as UTC")
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z"), tag
    if tags.get("TIFFTAG_DATETIME"):
        notes.append(
            f"TIFFTAG_DATETIME={tags['TIFFTAG_DATETIME']!r} is the file's creation time, "
            "not the acquisition; not used"
        )
    notes.append("no acquisition time in the file; set it with `imagery set --acquired-at`")
    return None, None


def _parse_tag_time(text: str) -> datetime | None:
    cleaned = text.strip().replace("Z", "+00:00")
    if len(cleaned) >= 10 and cleaned[4] == ":" and cleaned[7] == ":":
        cleaned = cleaned[:4] + "-" + cleaned[5:7] + "-" + cleaned[8:]  # EXIF-style date
    try:
        return datetime.fromisoformat(cleaned)
    except ValueError:
        return None


def _first_tag(tags: dict[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        if tags.get(name):
            return tags[name]
    return None


def _crs_name(crs: CRS | None) -> str | None:
    if crs is None:
        return None
    authority = crs.to_authority()
    return f"{authority[0]}:{authority[1]}" if authority else crs.name


def _json_number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None
