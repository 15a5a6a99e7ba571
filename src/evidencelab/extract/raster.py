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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import rasterio
import shapely
from affine import Affine
from pyproj import CRS, Transformer
from rasterio.errors import NotGeoreferencedWarning, RasterioIOError
from rasterio.features import shapes
from rasterio.transform import GCPTransformer, RPCTransformer
from shapely.affinity import translate
from shapely.geometry import MultiPolygon, Polygon, box, mapping, shape
from shapely.ops import unary_union

from evidencelab.analysis.imagery.geometry import (
    GEOD,
    SPECK_PIXELS,
    WGS84,
    densify,
    ground_resolution_m,
    reproject_geometry,
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
    georeference = pixel_georeference(dataset)
    record["georeferenced"] = georeference is not None
    if georeference is None:
        crs = CRS.from_wkt(dataset.crs.to_wkt()) if dataset.crs is not None else None
        missing = "no CRS" if crs is None else "no geotransform"
        if dataset.gcps[0]:
            missing += " (ground control points present, without a CRS)"
        notes.append(f"not georeferenced: {missing}; the file is preserved as it is")
        record.update(crs=_crs_name(crs), crs_wkt=crs.to_wkt() if crs is not None else None)
        record.update(georeference=None, bounds=None, footprint=None, footprint_method=None)
        record.update(resolution_m=None, lonlat_bounds=None)
    else:
        method, crs, to_crs = georeference
        record.update(georeference=method, crs=_crs_name(crs), crs_wkt=crs.to_wkt())
        outline, footprint_method = _valid_outline(dataset, notes)
        in_crs = pixels_to_crs(outline, to_crs)
        record["bounds"] = list(in_crs.bounds) if method != "transform" else list(dataset.bounds)
        footprint, bounds = lonlat_footprint(in_crs, crs)
        record["footprint"] = footprint
        record["footprint_method"] = footprint_method
        record["lonlat_bounds"] = list(bounds)
        if bounds[0] > bounds[2]:
            notes.append("the footprint crosses the antimeridian: split in two (RFC 7946 §3.1.9)")
        if method == "transform":
            record["resolution_m"] = ground_resolution_m(transform, crs, width, height)
        else:
            record["resolution_m"] = local_resolution_m(to_crs, crs, width, height)
        if method == "gcps":
            record["gcps"] = len(dataset.gcps[0])
            notes.append(
                f"georeferenced by {record['gcps']} ground control points (GDAL's polynomial "
                "GCP transform); the footprint and resolution follow that transform"
            )
        elif method == "rpc":
            notes.append(
                "georeferenced by rational polynomial coefficients only: footprint and "
                "resolution are approximate (RPCs applied at the RPC height offset, no "
                "elevation model); chips need an orthorectified scene"
            )
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


# Maps pixel coordinates (column, row; 0, 0 is the top-left corner) to CRS coordinates.
PixelToCrs = Callable[
    [npt.NDArray[np.float64], npt.NDArray[np.float64]],
    tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]],
]


def pixel_georeference(dataset: Any) -> tuple[str, CRS, PixelToCrs] | None:
    """How a dataset's pixels map to the ground: ``("transform", crs, f)`` for an affine
    geotransform, ``("gcps", crs, f)`` for ground control points alone (GDAL's GCP
    transformer: a polynomial fitted to the points), ``("rpc", WGS 84, f)`` for rational
    polynomial coefficients alone (applied at the RPCs' height offset); ``None`` when the
    pixels have no place on the ground."""
    transform: Affine = dataset.transform
    if dataset.crs is not None and not transform.is_identity:
        crs = CRS.from_wkt(dataset.crs.to_wkt())

        def affine(
            cols: npt.NDArray[np.float64], rows: npt.NDArray[np.float64]
        ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
            xs = transform.a * cols + transform.b * rows + transform.c
            return xs, transform.d * cols + transform.e * rows + transform.f

        return "transform", crs, affine
    gcps, gcp_crs = dataset.gcps
    if gcps and gcp_crs is not None:
        return "gcps", CRS.from_wkt(gcp_crs.to_wkt()), _transformer(GCPTransformer, gcps)
    rpcs = dataset.rpcs
    if rpcs is not None:
        return "rpc", WGS84, _transformer(RPCTransformer, rpcs, RPC_HEIGHT=rpcs.height_off)
    return None


def _transformer(kind: Any, source: Any, **options: Any) -> PixelToCrs:
    def apply(
        cols: npt.NDArray[np.float64], rows: npt.NDArray[np.float64]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        with kind(source, **options) as transformer:
            xs, ys = transformer.xy(rows, cols, offset="ul")
        return np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)

    return apply


def _valid_outline(dataset: Any, notes: list[str]) -> tuple[Any, str]:
    """The outline of the valid pixels in pixel coordinates, traced on a decimated mask
    when that is cheap (specks under ``SPECK_PIXELS`` mask pixels dropped, simplified to
    one mask pixel), else the raster's extent; with the method used."""
    width, height = dataset.width, dataset.height
    extent = box(0, 0, width, height)
    cheap = bool(dataset.overviews(1)) or width * height <= MASK_MAX_SOURCE_PIXELS
    if not (cheap and dataset.count):
        notes.append("footprint from the extent: no overviews and too large to trace cheaply")
        return extent, "extent"
    scale = max(1.0, max(width, height) / MASK_MAX_SIDE)
    out_w, out_h = max(1, math.ceil(width / scale)), max(1, math.ceil(height / scale))
    try:
        mask = dataset.dataset_mask(out_shape=(out_h, out_w))
    except Exception as exc:
        raise ExtractorFailure(f"pixel data unreadable: {_first_line(exc)}") from exc
    valid = (mask > 0).astype(np.uint8)
    if valid.all():
        return extent, "extent (all pixels valid)"
    if not valid.any():
        notes.append("no valid pixel: the footprint is the raster's extent")
        return extent, "extent"
    step_x, step_y = width / out_w, height / out_h
    reduced = Affine.scale(step_x, step_y)
    parts = [shape(geom) for geom, _ in shapes(valid, mask=valid, transform=reduced)]
    # Specks of a few valid pixels inside nodata (sensor noise) are not coverage.
    kept = [p for p in parts if p.area >= SPECK_PIXELS * step_x * step_y] or parts
    outline = unary_union(kept).simplify(max(step_x, step_y), preserve_topology=True)
    return outline, f"valid pixels (mask at {out_w}x{out_h})"


def pixels_to_crs(outline: Any, to_crs: PixelToCrs) -> Any:
    """A pixel-space geometry in CRS coordinates, its edges densified first so that a
    curved mapping (projection, GCP polynomial, RPC) bends them correctly."""

    def apply(coords: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        xs, ys = to_crs(coords[:, 0], coords[:, 1])
        return np.column_stack([xs, ys])

    return shapely.transform(densify(outline), apply)


def _unwrapped_ring(coords: Any) -> list[tuple[float, float]]:
    """A ring's longitudes made continuous: a step of more than 180° is a crossing of the
    antimeridian, not a trip round the world, so ±360° is added from there on."""
    out: list[tuple[float, float]] = []
    offset = 0.0
    for lon, lat in coords:
        lon = float(lon) + offset
        if out and lon - out[-1][0] > 180:
            offset -= 360
            lon -= 360
        elif out and lon - out[-1][0] < -180:
            offset += 360
            lon += 360
        out.append((lon, float(lat)))
    return out


def _unwrapped(polygon: Polygon, near: float | None) -> Polygon:
    """A polygon with continuous longitudes, shifted by a whole turn to lie near ``near``
    (so that the parts and holes of one footprint stay together)."""
    shell = _unwrapped_ring(polygon.exterior.coords)
    centre = sum(lon for lon, _ in shell) / len(shell)
    target = centre if near is None else near
    holes = []
    for ring in polygon.interiors:
        hole = _unwrapped_ring(ring.coords)
        turn = 360 * round((target - sum(x for x, _ in hole) / len(hole)) / 360)
        holes.append([(x + turn, y) for x, y in hole])
    turn = 360 * round((target - centre) / 360)
    return Polygon([(x + turn, y) for x, y in shell], holes)


def _wrap(lon: float) -> float:
    return lon if -180 <= lon <= 180 else (lon + 180) % 360 - 180


def lonlat_footprint(
    geometry: Any, crs: CRS
) -> tuple[dict[str, Any], tuple[float, float, float, float]]:
    """A footprint in ``crs`` as a WGS 84 GeoJSON (Multi)Polygon, and its bounding box
    (west, south, east, north) in degrees.

    Longitudes are made continuous across the antimeridian before anything else; a
    footprint that then reaches past ±180° is cut there into parts on either side
    (RFC 7946 §3.1.9), and its box has ``west > east`` (RFC 7946 §5.2). Six decimals of a
    degree (about 0.1 m) are kept.
    """
    lonlat = reproject_geometry(geometry, crs, WGS84)
    polygons = list(lonlat.geoms) if lonlat.geom_type == "MultiPolygon" else [lonlat]
    first = _unwrapped(polygons[0], None)
    near = first.centroid.x
    merged = unary_union([first] + [_unwrapped(p, near) for p in polygons[1:]])
    west, south, east, north = (round(float(v), 6) for v in merged.bounds)
    if west >= -180 and east <= 180:
        rounded = shapely.set_precision(merged, 1e-6)
        w, s, e, n = (float(v) for v in rounded.bounds)
        return dict(mapping(rounded)), (w, s, e, n)
    pieces: list[Polygon] = []
    for shift, window in (
        (360.0, box(-540, -90, -180, 90)),
        (0.0, box(-180, -90, 180, 90)),
        (-360.0, box(180, -90, 540, 90)),
    ):
        part = translate(merged.intersection(window), xoff=shift)
        pieces += [g for g in getattr(part, "geoms", [part]) if g.geom_type == "Polygon"]
    split = shapely.set_precision(MultiPolygon([p for p in pieces if not p.is_empty]), 1e-6)
    return dict(mapping(split)), (_wrap(west), south, _wrap(east), north)


def local_resolution_m(to_crs: PixelToCrs, crs: CRS, width: int, height: int) -> float:
    """Ground size of one pixel at the raster's centre, metres: the mean of the geodesic
    lengths on the WGS 84 ellipsoid (Karney 2013 via pyproj.Geod) of one pixel step along
    a row and along a column, through any pixel-to-ground mapping (GCPs, RPCs)."""
    cols = np.array([width / 2, width / 2 + 1, width / 2], dtype=np.float64)
    rows = np.array([height / 2, height / 2, height / 2 + 1], dtype=np.float64)
    xs, ys = to_crs(cols, rows)
    lons, lats = Transformer.from_crs(crs, WGS84, always_xy=True).transform(xs, ys)
    _, _, along_row = GEOD.inv(lons[0], lats[0], lons[1], lats[1])
    _, _, along_column = GEOD.inv(lons[0], lats[0], lons[2], lats[2])
    return float(abs(along_row) + abs(along_column)) / 2


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
