"""Where on Earth a shadow fits at a known time: the ShadowFinder method, and beyond it.

Method (Bellingcat's ShadowFinder, https://github.com/bellingcat/ShadowFinder): evaluate the
sun's elevation on a latitude/longitude grid at the instant of the photograph and keep the
cells where it matches the elevation implied by the shadow. At one instant the cells of equal
sun elevation form a ring around the sub-solar point, so the answer is a band. A shadow
azimuth (the direction the shadow points) narrows the band to an arc. Sun positions are by the
NREL SPA (Reda & Andreas 2004, NREL/TP-560-34302) via pvlib.

Beyond ShadowFinder: several shadows, and photographs taken at different known times at the
same unknown place (e.g. a video and a later photo), are combined by intersecting their bands
(:func:`places_from_shadows`, :meth:`PlaceBand.intersect`).

A cell is judged by the sun position at its centre; with a coarse grid a narrow band can slip
between centres, so choose ``step_deg`` well below the band's width. Time zones are resolved
offline with timezonefinder from today's zone boundaries; the UTC offset of that zone on the
date comes from the IANA tz database (zoneinfo), so past offset rules are honoured but past
boundary changes are not. A band lists places *consistent with* the measurement, not proof.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pandas as pd

from evidencelab.verify.shadows import (
    DEFAULT_AZIMUTH_TOLERANCE_DEG,
    ElevationInterval,
    ShadowMeasurement,
)
from evidencelab.verify.sun import METHOD, solar_position
from evidencelab.verify.timezones import timezone_at

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
BBox = tuple[float, float, float, float]

#: ShadowFinder's default extent (west, south, east, north), degrees: inhabited latitudes.
WORLD_BBOX: BBox = (-180.0, -60.0, 180.0, 85.0)

#: PNG colours (RGB): consistent cells; sun up but not consistent; sun below the horizon.
PNG_CONSISTENT = (255, 196, 0)
PNG_SUN_UP = (40, 60, 90)
PNG_SUN_DOWN = (0, 0, 0)


@dataclass(frozen=True)
class PhotoObservation:
    """What one photograph shows: its time and the shadow measurement(s) in it.

    ``time`` is timezone-aware (an instant), or naive with ``local_clock=True`` meaning "this
    wall-clock reading in whatever the local time zone is" (ShadowFinder's local mode): each
    cell then gets its own UTC instant from its own zone.
    """

    time: dt.datetime
    measurements: tuple[ShadowMeasurement, ...]
    local_clock: bool = False

    def __post_init__(self) -> None:
        naive = self.time.tzinfo is None or self.time.utcoffset() is None
        if self.local_clock and not naive:
            raise ValueError("local_clock=True needs a naive wall-clock time, without offset")
        if not self.local_clock and naive:
            raise ValueError(
                f"time {self.time.isoformat()} is timezone-naive; give an offset, or set "
                "local_clock=True if it is the local wall-clock time at the unknown place"
            )
        if not self.measurements:
            raise ValueError("give at least one shadow measurement")


@dataclass(frozen=True)
class PlaceCell:
    """A grid cell consistent with every observation: its centre (degrees), the sun there at
    each observation (degrees), its time zone and the photo's time in UTC and local clock."""

    lat: float
    lon: float
    sun_elevation_deg: tuple[float, ...]
    sun_azimuth_deg: tuple[float, ...]
    tz_name: str | None
    times_utc: tuple[dt.datetime, ...]
    local_times: tuple[dt.datetime, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "lat": self.lat,
            "lon": self.lon,
            "sun_elevation_deg": [round(v, 4) for v in self.sun_elevation_deg],
            "sun_azimuth_deg": [round(v, 4) for v in self.sun_azimuth_deg],
            "tz": self.tz_name,
            "times_utc": [t.isoformat() for t in self.times_utc],
            "local_times": [t.isoformat() for t in self.local_times],
        }


@dataclass(frozen=True)
class PlaceBand:
    """Grid cells whose sun position is consistent with the observation(s).

    Grids are indexed [row, column] = [latitude south→north, longitude west→east]; ``lats`` and
    ``lons`` are cell centres in degrees; each cell spans ±step_deg/2 around its centre.
    """

    bbox: BBox
    step_deg: float
    lats: FloatArray
    lons: FloatArray
    consistent: BoolArray
    sun_up: BoolArray
    sun_elevation_deg: FloatArray
    observations: tuple[PhotoObservation, ...]
    cells: tuple[PlaceCell, ...]
    method: str = METHOD
    notes: tuple[str, ...] = field(default=())

    @property
    def cell_count(self) -> int:
        return int(self.consistent.sum())

    def _index(self, lat: float, lon: float) -> tuple[int, int] | None:
        west, south, _, _ = self.bbox
        row = math.floor((lat - south) / self.step_deg)
        col = math.floor((lon - west) / self.step_deg)
        if 0 <= row < self.lats.size and 0 <= col < self.lons.size:
            return row, col
        return None

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the cell containing (lat, lon) is consistent (False outside the grid)."""
        index = self._index(lat, lon)
        return index is not None and bool(self.consistent[index])

    def intersect(self, other: PlaceBand) -> PlaceBand:
        """Cells consistent with both bands (same grid required): e.g. two photos at one place."""
        if self.bbox != other.bbox or self.step_deg != other.step_deg:
            raise ValueError("bands must share bbox and step_deg to be intersected")
        return places_from_shadows(
            self.observations + other.observations, bbox=self.bbox, step_deg=self.step_deg
        )

    def to_geojson(self) -> dict[str, Any]:
        """A GeoJSON FeatureCollection (RFC 7946, WGS84 lon/lat) of the consistent cells as
        polygons; the run's inputs sit in the foreign member ``evidencelab``."""
        half = self.step_deg / 2
        features = []
        for cell in self.cells:
            w, e, s, n = cell.lon - half, cell.lon + half, cell.lat - half, cell.lat + half
            ring = [[w, s], [e, s], [e, n], [w, n], [w, s]]  # counter-clockwise exterior
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                    "properties": cell.to_dict(),
                }
            )
        return {
            "type": "FeatureCollection",
            "features": features,
            "evidencelab": {
                "kind": "shadow_place_band",
                "method": self.method,
                "statement": "cells whose centre has a sun position consistent with the "
                "shadow measurement(s); not proof of location",
                "bbox": list(self.bbox),
                "step_deg": self.step_deg,
                "cell_count": self.cell_count,
                "observations": [_observation_dict(o) for o in self.observations],
                "notes": list(self.notes),
            },
        }

    def strips(self) -> list[list[float]]:
        """The band as ``[south, north, west, east]`` rectangles in degrees (WGS 84): each
        run of consistent cells along one grid row joined into one rectangle, so a map can
        draw the band with a few hundred shapes instead of one per cell."""
        half = self.step_deg / 2
        found: list[list[float]] = []
        for row, lat in enumerate(self.lats):
            columns = np.flatnonzero(self.consistent[row])
            if not columns.size:
                continue
            breaks = np.flatnonzero(np.diff(columns) > 1)
            starts = np.concatenate(([columns[0]], columns[breaks + 1]))
            ends = np.concatenate((columns[breaks], [columns[-1]]))
            found.extend(
                [
                    float(lat - half),
                    float(lat + half),
                    float(self.lons[start] - half),
                    float(self.lons[end] + half),
                ]
                for start, end in zip(starts, ends, strict=True)
            )
        return found

    def to_png(self, path: str | Path, *, pixels_per_cell: int = 2) -> Path:
        """Write the band as an equirectangular RGB PNG covering ``bbox`` (north up).

        Colours: amber (255, 196, 0) = consistent; dark blue (40, 60, 90) = sun above the
        horizon but not consistent; black = sun below the horizon at some observation. The
        bbox and colour meaning are also stored as PNG text chunks.
        """
        from PIL import Image
        from PIL.PngImagePlugin import PngInfo

        rgb = np.zeros((*self.consistent.shape, 3), dtype=np.uint8)
        rgb[self.sun_up] = PNG_SUN_UP
        rgb[self.consistent] = PNG_CONSISTENT
        rgb = np.flipud(rgb)  # row 0 of an image is its top: north
        rgb = rgb.repeat(pixels_per_cell, axis=0).repeat(pixels_per_cell, axis=1)
        info = PngInfo()
        # Namespaced keys: Pillow 13 takes a text chunk named "bbox" as its own decode box.
        info.add_text(
            "evidencelab:bbox_west_south_east_north", ",".join(f"{v:g}" for v in self.bbox)
        )
        info.add_text("evidencelab:step_deg", f"{self.step_deg:g}")
        info.add_text(
            "evidencelab:colours",
            "amber=consistent with the shadow; dark blue=sun up, not consistent; "
            "black=sun below horizon",
        )
        target = Path(path)
        Image.fromarray(np.ascontiguousarray(rgb)).save(target, pnginfo=info)
        return target


def _observation_dict(obs: PhotoObservation) -> dict[str, Any]:
    return {
        "time": obs.time.isoformat(),
        "local_clock": obs.local_clock,
        "measurements": [
            {
                "elevation_deg": m.elevation.estimate_deg,
                "elevation_low_deg": m.elevation.low_deg,
                "elevation_high_deg": m.elevation.high_deg,
                "shadow_azimuth_deg": m.shadow_azimuth_deg,
                "azimuth_tolerance_deg": m.azimuth_tolerance_deg,
            }
            for m in obs.measurements
        ],
    }


def _grid(bbox: BBox, step_deg: float) -> tuple[FloatArray, FloatArray]:
    west, south, east, north = (float(v) for v in bbox)
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise ValueError(f"bbox must be (west, south, east, north) in degrees, got {bbox}")
    if step_deg <= 0:
        raise ValueError("step_deg must be positive")
    # A tiny epsilon keeps e.g. 360 / 0.5 from losing its last cell to rounding.
    n_lon = max(1, math.floor((east - west) / step_deg + 1e-9))
    n_lat = max(1, math.floor((north - south) / step_deg + 1e-9))
    lons = np.asarray(west + (np.arange(n_lon) + 0.5) * step_deg, dtype=np.float64)
    lats = np.asarray(south + (np.arange(n_lat) + 0.5) * step_deg, dtype=np.float64)
    return lats, lons


def _timezones(lats: FloatArray, lons: FloatArray) -> list[str | None]:
    return [timezone_at(lat, lon) for lat, lon in zip(lats, lons, strict=True)]


def _utc_times_for(obs: PhotoObservation, tz_names: list[str | None]) -> pd.DatetimeIndex:
    """Per-cell UTC instants: the same instant everywhere, or the wall clock in each zone."""
    if not obs.local_clock:
        instant = pd.Timestamp(obs.time).tz_convert("UTC")
        return pd.DatetimeIndex([instant] * len(tz_names))
    stamps = []
    for name in tz_names:
        zone = ZoneInfo(name) if name else dt.UTC
        stamps.append(pd.Timestamp(obs.time.replace(tzinfo=zone)).tz_convert("UTC"))
    return pd.DatetimeIndex(stamps)


def places_from_shadows(
    observations: Sequence[PhotoObservation],
    *,
    bbox: BBox = WORLD_BBOX,
    step_deg: float = 0.5,
    elevation_m: float = 0.0,
    resolve_timezones: bool = True,
) -> PlaceBand:
    """Cells consistent with *every* observation: several shadows in one photo, or photos
    taken at different known times at the same unknown place. See the module docstring."""
    if not observations:
        raise ValueError("give at least one observation")
    lats, lons = _grid(bbox, step_deg)
    lat2d, lon2d = np.meshgrid(lats, lons, indexing="ij")
    flat_lat, flat_lon = lat2d.ravel(), lon2d.ravel()
    any_local = any(o.local_clock for o in observations)
    all_zones: list[str | None] = (
        _timezones(flat_lat, flat_lon) if any_local else [None] * flat_lat.size
    )
    consistent = np.ones(flat_lat.size, dtype=bool)
    sun_up = np.ones(flat_lat.size, dtype=bool)
    elevations, azimuths, utc_times = [], [], []
    for obs in observations:
        times = _utc_times_for(obs, all_zones)
        sun = solar_position(flat_lat, flat_lon, times, elevation_m=elevation_m)
        for m in obs.measurements:
            consistent &= m.consistent(sun.apparent_elevation, sun.azimuth)
        sun_up &= sun.apparent_elevation > 0
        elevations.append(sun.apparent_elevation)
        azimuths.append(sun.azimuth)
        utc_times.append(times)
    hits = np.flatnonzero(consistent)
    if resolve_timezones and not any_local:
        zones: list[str | None] = _timezones(flat_lat[hits], flat_lon[hits])
    else:
        zones = [all_zones[i] for i in hits]
    cells = []
    for zone, i in zip(zones, hits, strict=True):
        tzinfo: dt.tzinfo = ZoneInfo(zone) if zone else dt.UTC
        cell_utc = tuple(t[i].to_pydatetime() for t in utc_times)
        cells.append(
            PlaceCell(
                lat=float(flat_lat[i]),
                lon=float(flat_lon[i]),
                sun_elevation_deg=tuple(float(e[i]) for e in elevations),
                sun_azimuth_deg=tuple(float(a[i]) for a in azimuths),
                tz_name=zone,
                times_utc=cell_utc,
                local_times=tuple(t.astimezone(tzinfo) for t in cell_utc) if zone else (),
            )
        )
    notes = []
    if not hits.size:
        notes.append("no cell is consistent; check the measurement, the time and the bbox")
    return PlaceBand(
        bbox=(float(bbox[0]), float(bbox[1]), float(bbox[2]), float(bbox[3])),
        step_deg=float(step_deg),
        lats=lats,
        lons=lons,
        consistent=consistent.reshape(lat2d.shape),
        sun_up=sun_up.reshape(lat2d.shape),
        sun_elevation_deg=elevations[0].reshape(lat2d.shape),
        observations=tuple(observations),
        cells=tuple(cells),
        notes=tuple(notes),
    )


def places_from_shadow(
    time: dt.datetime,
    elevation_interval_deg: ElevationInterval | tuple[float, float],
    *,
    bbox: BBox = WORLD_BBOX,
    step_deg: float = 0.5,
    shadow_azimuth_deg: float | None = None,
    azimuth_tolerance_deg: float = DEFAULT_AZIMUTH_TOLERANCE_DEG,
    local_clock: bool = False,
    elevation_m: float = 0.0,
    resolve_timezones: bool = True,
) -> PlaceBand:
    """The band of places where the sun's apparent elevation at ``time`` lies in the interval
    (ShadowFinder method), optionally narrowed by the shadow's azimuth.

    Args:
        time: the photo's instant (timezone-aware); or, with ``local_clock=True``, a naive
            wall-clock time interpreted in each cell's own time zone (timezonefinder, offline).
        elevation_interval_deg: :class:`~evidencelab.verify.shadows.ElevationInterval` or
            (low, high), degrees.
        bbox: (west, south, east, north), degrees; default ShadowFinder's −60…85° latitude.
        step_deg: grid spacing, degrees (cells are judged at their centres).
        shadow_azimuth_deg: direction the shadow points, degrees from true north, clockwise.
        azimuth_tolerance_deg: accepted difference in sun azimuth, degrees.
        elevation_m: ground height for the refraction pressure, metres.
        resolve_timezones: look up each consistent cell's time zone and local clock time.
    """
    measurement = ShadowMeasurement(
        elevation=ElevationInterval.of(elevation_interval_deg),
        shadow_azimuth_deg=shadow_azimuth_deg,
        azimuth_tolerance_deg=azimuth_tolerance_deg,
    )
    return places_from_shadows(
        [PhotoObservation(time=time, measurements=(measurement,), local_clock=local_clock)],
        bbox=bbox,
        step_deg=step_deg,
        elevation_m=elevation_m,
        resolve_timezones=resolve_timezones,
    )


__all__ = [
    "WORLD_BBOX",
    "PhotoObservation",
    "PlaceBand",
    "PlaceCell",
    "places_from_shadow",
    "places_from_shadows",
]
