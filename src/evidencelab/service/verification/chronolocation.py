"""Chronolocation runs: the sun's position, and times or places consistent with a shadow.

Each function returns a run — ``{"kind", "method", "inputs", "result"}`` of plain JSON
values — that can be printed, or stored as a finding on an evidence item and re-run later
with the same inputs to the same result.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from evidencelab.locker.case import CaseError
from evidencelab.locker.errors import InputError
from evidencelab.locker.inputs import coordinate, day, moment
from evidencelab.service.verification.records import (
    ElevationRange,
    ShadowPlacesRun,
    ShadowTimesRun,
    SunPositionRun,
)
from evidencelab.store.atomic import write_text_atomic
from evidencelab.verify.places import places_from_shadow
from evidencelab.verify.shadows import (
    ElevationInterval,
    sun_elevation_from_shadow,
    times_from_shadow,
)
from evidencelab.verify.sun import METHOD, as_tzinfo, solar_position, sun_times
from evidencelab.verify.timezones import timezone_at

#: Most grid cells a place band is computed on: 8 million is the whole world at 0.1°
#: (about two minutes on one core); a finer grid should cover a smaller bbox.
MAX_GRID_CELLS = 8_000_000


def zone_for(lat: float, lon: float, tz: str | None) -> str:
    """The time zone to show local times in: as given, else the place's own (offline)."""
    if tz is not None:
        return tz
    found = timezone_at(lat, lon)
    if found is None:
        raise InputError("tz", None, f"no time zone found at {lat}, {lon}; give one")
    return found


def sun_position_run(
    lat: float,
    lon: float,
    time: str,
    *,
    elevation_m: float = 0.0,
    pressure_hpa: float | None = None,
    temperature_c: float = 12.0,
    tz: str | None = None,
) -> SunPositionRun:
    """The sun seen from a place at an instant, with that day's sunrise, noon and sunset."""
    lat, lon = coordinate(lat, "lat"), coordinate(lon, "lon")
    instant = moment(time, "time")
    zone = zone_for(lat, lon, tz)
    position = solar_position(
        lat,
        lon,
        [instant],
        elevation_m=elevation_m,
        pressure_hpa=pressure_hpa,
        temperature_c=temperature_c,
    )
    local = instant.astimezone(as_tzinfo(zone))
    day = sun_times(lat, lon, local.date(), zone)
    return {
        "kind": "chronolocation.sun_position",
        "method": METHOD,
        "inputs": {
            "lat": lat,
            "lon": lon,
            "time": time,
            "elevation_m": elevation_m,
            "pressure_hpa": pressure_hpa,
            "temperature_c": temperature_c,
            "tz": zone,
        },
        "result": {
            "time_local": local.isoformat(),
            "time_utc": instant.astimezone(dt.UTC).isoformat(),
            "apparent_elevation_deg": round(float(position.apparent_elevation[0]), 6),
            "apparent_zenith_deg": round(float(position.apparent_zenith[0]), 6),
            "true_elevation_deg": round(float(position.elevation[0]), 6),
            "azimuth_deg": round(float(position.azimuth[0]), 6),
            "equation_of_time_min": round(float(position.equation_of_time_min[0]), 4),
            "pressure_hpa": round(position.pressure_hpa, 2),
            "sunrise": _iso(day.sunrise),
            "solar_noon": day.transit.isoformat(),
            "sunset": _iso(day.sunset),
            "polar": day.polar,
        },
    }


def shadow_times_run(
    lat: float,
    lon: float,
    date: str,
    *,
    object_height_m: float,
    shadow_length_m: float,
    height_uncertainty_m: float = 0.0,
    length_uncertainty_m: float = 0.0,
    shadow_azimuth_deg: float | None = None,
    azimuth_tolerance_deg: float = 5.0,
    tz: str | None = None,
) -> ShadowTimesRun:
    """Times on a date at a known place when the sun casts the measured shadow."""
    lat, lon = coordinate(lat, "lat"), coordinate(lon, "lon")
    local_day = day(date, "date")
    interval = _interval(
        object_height_m, shadow_length_m, height_uncertainty_m, length_uncertainty_m
    )
    zone = zone_for(lat, lon, tz)
    windows = times_from_shadow(
        lat, lon, local_day, zone, interval, shadow_azimuth_deg, azimuth_tolerance_deg
    )
    return {
        "kind": "chronolocation.shadow_times",
        "method": METHOD,
        "inputs": {
            "lat": lat,
            "lon": lon,
            "date": date,
            "object_height_m": object_height_m,
            "shadow_length_m": shadow_length_m,
            "height_uncertainty_m": height_uncertainty_m,
            "length_uncertainty_m": length_uncertainty_m,
            "shadow_azimuth_deg": shadow_azimuth_deg,
            "azimuth_tolerance_deg": azimuth_tolerance_deg,
            "tz": zone,
        },
        "result": {
            "sun_elevation_deg": _interval_dict(interval),
            "windows": [w.to_dict() for w in windows],
        },
    }


def shadow_places_run(
    time: str,
    *,
    object_height_m: float,
    shadow_length_m: float,
    height_uncertainty_m: float = 0.0,
    length_uncertainty_m: float = 0.0,
    shadow_azimuth_deg: float | None = None,
    azimuth_tolerance_deg: float = 5.0,
    bbox: tuple[float, float, float, float] = (-180.0, -60.0, 180.0, 85.0),
    step_deg: float = 0.5,
    local_clock: bool = False,
    out_geojson: Path | None = None,
    out_png: Path | None = None,
) -> ShadowPlacesRun:
    """The band of places where the sun casts the measured shadow at a time (ShadowFinder)."""
    instant = moment(time, "time", naive_ok=local_clock)
    if local_clock and instant.tzinfo is not None:
        raise InputError("local_clock", time, "a wall-clock time is given without a UTC offset")
    interval = _interval(
        object_height_m, shadow_length_m, height_uncertainty_m, length_uncertainty_m
    )
    check_grid(bbox, step_deg)
    band = places_from_shadow(
        instant,
        interval,
        bbox=bbox,
        step_deg=step_deg,
        shadow_azimuth_deg=shadow_azimuth_deg,
        azimuth_tolerance_deg=azimuth_tolerance_deg,
        local_clock=local_clock,
    )
    geojson = band.to_geojson()
    if out_geojson is not None:
        write_text_atomic(out_geojson, json.dumps(geojson, ensure_ascii=False) + "\n")
    if out_png is not None:
        band.to_png(out_png)
    consistent = [cell.to_dict() for cell in band.cells]
    return {
        "kind": "chronolocation.shadow_places",
        "method": METHOD,
        "inputs": {
            "time": time,
            "object_height_m": object_height_m,
            "shadow_length_m": shadow_length_m,
            "height_uncertainty_m": height_uncertainty_m,
            "length_uncertainty_m": length_uncertainty_m,
            "shadow_azimuth_deg": shadow_azimuth_deg,
            "azimuth_tolerance_deg": azimuth_tolerance_deg,
            "bbox": list(bbox),
            "step_deg": step_deg,
            "local_clock": local_clock,
        },
        "result": {
            "sun_elevation_deg": _interval_dict(interval),
            "cells": band.cell_count,
            "lat_range": _span([c["lat"] for c in consistent]),
            "lon_range": _span([c["lon"] for c in consistent]),
            "notes": list(band.notes),
            "strips": band.strips(),
            "geojson": str(out_geojson) if out_geojson else None,
            "png": str(out_png) if out_png else None,
        },
    }


def check_grid(bbox: tuple[float, float, float, float], step_deg: float, *, limit: int = 0) -> None:
    """Refuse a grid the band cannot be computed on: a bbox that is not (west, south, east,
    north) in WGS 84 degrees with west < east and south < north, a step that is not a
    positive number of degrees up to 10, or more cells than ``limit`` (default
    :data:`MAX_GRID_CELLS`)."""
    limit = limit or MAX_GRID_CELLS
    west, south, east, north = bbox
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        shown = ",".join(f"{v:g}" for v in bbox)
        raise InputError(
            "bbox", shown, "must be west,south,east,north in degrees, west < east, south < north"
        )
    if not 0 < step_deg <= 10:
        raise InputError("step", step_deg, "must be more than 0 and at most 10 degrees")
    cells = ((east - west) / step_deg) * ((north - south) / step_deg)
    if cells > limit:
        raise InputError(
            "step",
            step_deg,
            f"gives {cells:,.0f} grid cells over this bbox, more than {limit:,}; "
            "use a larger step or a smaller bbox",
        )


def _interval(height: float, length: float, dh: float, dl: float) -> ElevationInterval:
    """The sun's elevation from a shadow; a bad measurement is named by its input."""
    if not height > 0:
        raise InputError("object_height", height, "must be a positive number of metres")
    if not length > 0:
        raise InputError("shadow_length", length, "must be a positive number of metres")
    if not 0 <= dh < height:
        raise InputError("height_uncertainty", dh, "must be from 0 to below the object height")
    if not dl >= 0:
        raise InputError("length_uncertainty", dl, "must not be negative")
    try:
        return sun_elevation_from_shadow(
            height, length, height_uncertainty_m=dh, length_uncertainty_m=dl
        )
    except ValueError as error:
        raise CaseError(f"shadow: {error}") from None


def _interval_dict(interval: ElevationInterval) -> ElevationRange:
    return {
        "estimate": round(interval.estimate_deg, 4),
        "low": round(interval.low_deg, 4),
        "high": round(interval.high_deg, 4),
    }


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _span(values: list[float]) -> list[float] | None:
    return [min(values), max(values)] if values else None
