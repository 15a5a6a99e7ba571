"""Shadow geometry and chronolocation: from a measured shadow to the times of day that fit.

Geometry (vertical object of height h on level ground, shadow of length L):
sun elevation α = atan(h / L); shadow azimuth = sun azimuth + 180° (mod 360), both from true
north, clockwise. This is the model of Bellingcat's ShadowFinder and of the SunCalc-style
chronolocation that investigators do by hand. Sloping ground, a leaning object, lens distortion
and perspective must be corrected before measuring; the functions here assume they have been.

Sun positions come from :func:`evidencelab.verify.sun.solar_position` (NREL SPA, Reda & Andreas
2004, NREL/TP-560-34302, via pvlib). The apparent (refracted) elevation is compared, because the
shadow is cast by the light as it arrives, bent by the atmosphere.

A result is a set of times *consistent with* the measurement at the stated tolerances; it is
never proof of when a photograph was taken.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from evidencelab.verify.sun import METHOD, as_tzinfo, solar_position, sun_times

FloatArray = npt.NDArray[np.float64]

#: Default tolerance when matching a measured shadow azimuth, degrees. An image oriented
#: against satellite imagery is rarely better than a few degrees.
DEFAULT_AZIMUTH_TOLERANCE_DEG = 5.0
#: Windows closer than this to solar noon get a sensitivity note, minutes.
NOON_WARNING_MINUTES = 60.0


@dataclass(frozen=True)
class ElevationInterval:
    """A sun elevation with its interval, degrees (apparent elevation above the horizon)."""

    estimate_deg: float
    low_deg: float
    high_deg: float

    def __post_init__(self) -> None:
        if not self.low_deg <= self.estimate_deg <= self.high_deg:
            raise ValueError(
                f"elevation interval must satisfy low <= estimate <= high, got "
                f"{self.low_deg}, {self.estimate_deg}, {self.high_deg}"
            )

    @property
    def width_deg(self) -> float:
        return self.high_deg - self.low_deg

    @classmethod
    def of(cls, value: ElevationInterval | tuple[float, float]) -> ElevationInterval:
        """Accept an interval or a (low, high) pair in degrees."""
        if isinstance(value, ElevationInterval):
            return value
        low, high = (float(v) for v in value)
        if low > high:
            raise ValueError(f"elevation interval low {low} is above high {high}")
        return cls(estimate_deg=(low + high) / 2, low_deg=low, high_deg=high)


def elevation_interval(elevation_deg: float, uncertainty_deg: float = 0.0) -> ElevationInterval:
    """An elevation ± uncertainty, degrees, clipped to [−90, 90]."""
    if uncertainty_deg < 0:
        raise ValueError("uncertainty must not be negative")
    return ElevationInterval(
        estimate_deg=elevation_deg,
        low_deg=max(-90.0, elevation_deg - uncertainty_deg),
        high_deg=min(90.0, elevation_deg + uncertainty_deg),
    )


def sun_elevation_from_shadow(
    object_height_m: float,
    shadow_length_m: float,
    *,
    height_uncertainty_m: float = 0.0,
    length_uncertainty_m: float = 0.0,
) -> ElevationInterval:
    """Sun elevation α = atan(h / L) of a vertical object on level ground, degrees.

    The interval is exact interval arithmetic, not a linearised error: atan(h/L) rises with h
    and falls with L, so the extremes are atan((h − dh)/(L + dL)) and atan((h + dh)/(L − dL)).
    Units: metres (any length unit, as long as h and L share it). A shadow length uncertainty
    reaching zero length gives an upper bound of 90°.
    """
    h, length = float(object_height_m), float(shadow_length_m)
    dh, dl = float(height_uncertainty_m), float(length_uncertainty_m)
    if h <= 0 or length <= 0:
        raise ValueError("object height and shadow length must be positive")
    if dh < 0 or dl < 0 or dh >= h:
        raise ValueError("uncertainties must be non-negative and smaller than the height")
    low = math.degrees(math.atan2(h - dh, length + dl))
    high = 90.0 if length - dl <= 0 else math.degrees(math.atan2(h + dh, length - dl))
    return ElevationInterval(
        estimate_deg=math.degrees(math.atan2(h, length)), low_deg=low, high_deg=high
    )


def shadow_length(object_height_m: float, sun_elevation_deg: npt.ArrayLike) -> FloatArray:
    """Shadow length L = h / tan(α) on level ground (same unit as h); NaN where α ≤ 0."""
    elev = np.asarray(sun_elevation_deg, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        length = object_height_m / np.tan(np.radians(elev))
    return np.where(elev > 0, length, np.nan)


def shadow_azimuth_to_sun_azimuth(shadow_azimuth_deg: npt.ArrayLike) -> FloatArray:
    """The sun lies opposite the shadow: sun azimuth = shadow azimuth + 180° (mod 360), degrees
    from true north clockwise. The same formula maps a sun azimuth to its shadow's azimuth."""
    return np.mod(np.asarray(shadow_azimuth_deg, dtype=np.float64) + 180.0, 360.0)


def azimuth_difference(a_deg: npt.ArrayLike, b_deg: npt.ArrayLike) -> FloatArray:
    """Signed smallest angle a − b in degrees, in [−180, 180)."""
    diff = np.asarray(a_deg, dtype=np.float64) - np.asarray(b_deg, dtype=np.float64)
    return np.mod(diff + 180.0, 360.0) - 180.0


@dataclass(frozen=True)
class ShadowMeasurement:
    """One shadow measured in an image: the sun elevation it implies and, optionally, the
    azimuth of the shadow (degrees from true north, clockwise) with a tolerance."""

    elevation: ElevationInterval
    shadow_azimuth_deg: float | None = None
    azimuth_tolerance_deg: float = DEFAULT_AZIMUTH_TOLERANCE_DEG

    @classmethod
    def from_shadow(
        cls,
        object_height_m: float,
        shadow_length_m: float,
        *,
        height_uncertainty_m: float = 0.0,
        length_uncertainty_m: float = 0.0,
        shadow_azimuth_deg: float | None = None,
        azimuth_tolerance_deg: float = DEFAULT_AZIMUTH_TOLERANCE_DEG,
    ) -> ShadowMeasurement:
        return cls(
            elevation=sun_elevation_from_shadow(
                object_height_m,
                shadow_length_m,
                height_uncertainty_m=height_uncertainty_m,
                length_uncertainty_m=length_uncertainty_m,
            ),
            shadow_azimuth_deg=shadow_azimuth_deg,
            azimuth_tolerance_deg=azimuth_tolerance_deg,
        )

    @property
    def sun_azimuth_deg(self) -> float | None:
        if self.shadow_azimuth_deg is None:
            return None
        return float(shadow_azimuth_to_sun_azimuth(self.shadow_azimuth_deg))

    def consistent(self, apparent_elevation: FloatArray, azimuth: FloatArray) -> npt.NDArray[Any]:
        """Boolean mask: sun positions consistent with this measurement."""
        ok = (apparent_elevation >= self.elevation.low_deg) & (
            apparent_elevation <= self.elevation.high_deg
        )
        if self.sun_azimuth_deg is not None:
            ok &= np.abs(azimuth_difference(azimuth, self.sun_azimuth_deg)) <= (
                self.azimuth_tolerance_deg
            )
        return ok


PartOfDay = Literal["morning", "afternoon", "spans solar noon"]


@dataclass(frozen=True)
class TimeWindow:
    """A span of the day when the sun's position is consistent with the shadow measurement(s).

    Times are timezone-aware in the place's zone (``start``, ``end``; ``start_utc``/``end_utc``
    give UTC). Angles in degrees. ``minutes_per_degree`` is how many minutes the sun takes to
    change its elevation by 1° at the window's midpoint: the time error per degree of elevation
    error. It grows without bound towards solar noon.
    """

    start: dt.datetime
    end: dt.datetime
    midpoint: dt.datetime
    sun_elevation_deg: float
    sun_azimuth_deg: float
    sun_azimuth_range_deg: tuple[float, float]
    minutes_per_degree: float
    minutes_from_transit: float
    part_of_day: PartOfDay
    notes: tuple[str, ...] = field(default=())

    @property
    def start_utc(self) -> dt.datetime:
        return self.start.astimezone(dt.UTC)

    @property
    def end_utc(self) -> dt.datetime:
        return self.end.astimezone(dt.UTC)

    @property
    def duration(self) -> dt.timedelta:
        return self.end - self.start

    def contains(self, when: dt.datetime) -> bool:
        return self.start <= when <= self.end

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ISO 8601 times with their offsets."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "start_utc": self.start_utc.isoformat(),
            "end_utc": self.end_utc.isoformat(),
            "midpoint": self.midpoint.isoformat(),
            "duration_min": round(self.duration.total_seconds() / 60, 2),
            "sun_elevation_deg": round(self.sun_elevation_deg, 4),
            "sun_azimuth_deg": round(self.sun_azimuth_deg, 4),
            "sun_azimuth_range_deg": [round(a, 4) for a in self.sun_azimuth_range_deg],
            "minutes_per_degree": (
                None if math.isinf(self.minutes_per_degree) else round(self.minutes_per_degree, 2)
            ),
            "minutes_from_transit": round(self.minutes_from_transit, 1),
            "part_of_day": self.part_of_day,
            "notes": list(self.notes),
        }


def _band_fractions(values: FloatArray, low: float, high: float) -> tuple[FloatArray, FloatArray]:
    """For each segment between consecutive samples, the fraction [f0, f1] of it where the
    linearly interpolated value lies in [low, high] (empty when f0 > f1). Interpolating means an
    interval narrower than the scan step is still found."""
    v0, v1 = values[:-1], values[1:]
    dv = v1 - v0
    with np.errstate(divide="ignore", invalid="ignore"):
        fa = (low - v0) / dv
        fb = (high - v0) / dv
    rising, falling = dv > 0, dv < 0
    flat_inside = (v0 >= low) & (v0 <= high)
    f0 = np.where(rising, fa, np.where(falling, fb, np.where(flat_inside, 0.0, 1.0)))
    f1 = np.where(rising, fb, np.where(falling, fa, np.where(flat_inside, 1.0, 0.0)))
    return np.maximum(f0, 0.0), np.minimum(f1, 1.0)


def _consistent_fractions(
    apparent_elevation: FloatArray, azimuth: FloatArray, measurements: Sequence[ShadowMeasurement]
) -> tuple[FloatArray, FloatArray]:
    f0 = np.zeros(apparent_elevation.size - 1)
    f1 = np.ones(apparent_elevation.size - 1)
    for m in measurements:
        a, b = _band_fractions(apparent_elevation, m.elevation.low_deg, m.elevation.high_deg)
        f0, f1 = np.maximum(f0, a), np.minimum(f1, b)
        if m.sun_azimuth_deg is not None:
            signed = azimuth_difference(azimuth, m.sun_azimuth_deg)
            tol = m.azimuth_tolerance_deg
            a, b = _band_fractions(signed, -tol, tol)
            # A jump of ~360° is the wrap opposite the expected azimuth, not a real match.
            wrapped = np.abs(np.diff(signed)) > 180.0
            a, b = np.where(wrapped, 1.0, a), np.where(wrapped, 0.0, b)
            f0, f1 = np.maximum(f0, a), np.minimum(f1, b)
    return f0, f1


def _merge_windows(
    f0: FloatArray, f1: FloatArray, starts_ns: npt.NDArray[np.int64], step_ns: int
) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    eps = 1e-9
    for i in range(f0.size):
        if f0[i] > f1[i]:
            if current is not None:
                spans.append(current)
                current = None
            continue
        begin = int(starts_ns[i] + f0[i] * step_ns)
        end = int(starts_ns[i] + f1[i] * step_ns)
        if current is not None and f0[i] <= eps:
            current = (current[0], end)
        else:
            if current is not None:
                spans.append(current)
            current = (begin, end)
        if f1[i] < 1.0 - eps:
            spans.append(current)
            current = None
    if current is not None:
        spans.append(current)
    return spans


def times_from_shadows(
    lat: float,
    lon: float,
    date: dt.date,
    tz: dt.tzinfo | str,
    measurements: Sequence[ShadowMeasurement],
    *,
    step_minutes: float = 1.0,
    elevation_m: float = 0.0,
    noon_warning_minutes: float = NOON_WARNING_MINUTES,
) -> list[TimeWindow]:
    """Time windows on a local date when the sun fits *every* measurement at once.

    Use this for several shadows measured in the same image (one instant, one place): each
    object gives its own elevation interval (and azimuth), and the windows are their
    intersection. Arguments are as in :func:`times_from_shadow`.
    """
    if not measurements:
        raise ValueError("give at least one shadow measurement")
    if step_minutes <= 0:
        raise ValueError("step_minutes must be positive")
    tzinfo = as_tzinfo(tz)
    day_start = pd.Timestamp(dt.datetime.combine(date, dt.time(0)), tz=tzinfo).tz_convert("UTC")
    day_end = pd.Timestamp(
        dt.datetime.combine(date + dt.timedelta(days=1), dt.time(0)), tz=tzinfo
    ).tz_convert("UTC")
    step = pd.Timedelta(minutes=step_minutes)
    samples = pd.date_range(day_start, day_end, freq=step)
    if samples[-1] < day_end:
        samples = samples.append(pd.DatetimeIndex([day_end]))
    sun = solar_position(lat, lon, samples, elevation_m=elevation_m)
    f0, f1 = _consistent_fractions(sun.apparent_elevation, sun.azimuth, measurements)
    sample_ns = samples.as_unit("ns").asi8
    # Segment lengths are all `step` except possibly the last (day length need not divide).
    spans: list[tuple[int, int]] = []
    seg_len = np.diff(sample_ns)
    for length in np.unique(seg_len):
        idx = np.flatnonzero(seg_len == length)
        g0, g1 = np.ones_like(f0), np.zeros_like(f1)
        g0[idx], g1[idx] = f0[idx], f1[idx]
        spans.extend(_merge_windows(g0, g1, sample_ns[:-1], int(length)))
    spans = _join_touching(sorted(spans))
    if not spans:
        return []
    return _describe_windows(
        lat,
        lon,
        date,
        tzinfo,
        spans,
        elevation_m,
        noon_warning_minutes,
        day_start.value,
        day_end.value,
    )


def _join_touching(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    joined: list[tuple[int, int]] = []
    for begin, end in spans:
        if joined and begin <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((begin, end))
    return joined


def _describe_windows(
    lat: float,
    lon: float,
    date: dt.date,
    tzinfo: dt.tzinfo,
    spans: list[tuple[int, int]],
    elevation_m: float,
    noon_warning_minutes: float,
    day_start_ns: int,
    day_end_ns: int,
) -> list[TimeWindow]:
    transit = pd.Timestamp(sun_times(lat, lon, date, tzinfo).transit).tz_convert("UTC")
    mids = pd.DatetimeIndex([pd.Timestamp((a + b) // 2, tz="UTC") for a, b in spans])
    # Central difference over ±1 min gives the elevation rate at the midpoint.
    probe = mids.append([mids - pd.Timedelta(minutes=1), mids + pd.Timedelta(minutes=1)])
    edges = pd.DatetimeIndex(
        [pd.Timestamp(a, tz="UTC") for a, _ in spans]
        + [pd.Timestamp(b, tz="UTC") for _, b in spans]
    )
    sun = solar_position(lat, lon, probe.append(edges), elevation_m=elevation_m)
    n = len(spans)
    elev, az = sun.apparent_elevation, sun.azimuth
    windows = []
    for i, (begin, end) in enumerate(spans):
        rate = float(abs(elev[2 * n + i] - elev[n + i])) / 2.0  # degrees per minute
        per_degree = math.inf if rate == 0 else 1.0 / rate
        start = pd.Timestamp(begin, tz="UTC").round("us")
        stop = pd.Timestamp(end, tz="UTC").round("us")
        mid = mids[i].round("us")
        from_transit = (mid - transit).total_seconds() / 60.0
        if stop <= transit:
            part: PartOfDay = "morning"
        elif start >= transit:
            part = "afternoon"
        else:
            part = "spans solar noon"
        notes = []
        near = min(abs((start - transit).total_seconds()), abs((stop - transit).total_seconds()))
        if part == "spans solar noon":
            notes.append(
                "window contains solar noon: elevation alone cannot tell morning from afternoon"
            )
        elif near <= noon_warning_minutes * 60:
            notes.append(
                f"within {noon_warning_minutes:g} min of solar noon: the sun's elevation changes "
                f"slowly ({per_degree:.1f} min per degree at the midpoint), so the time is "
                "weakly constrained; a shadow azimuth helps"
            )
        if begin <= day_start_ns or end >= day_end_ns:
            notes.append("window reaches the edge of the date and may continue beyond it")
        windows.append(
            TimeWindow(
                start=start.tz_convert(tzinfo).to_pydatetime(),
                end=stop.tz_convert(tzinfo).to_pydatetime(),
                midpoint=mid.tz_convert(tzinfo).to_pydatetime(),
                sun_elevation_deg=float(elev[i]),
                sun_azimuth_deg=float(az[i]),
                sun_azimuth_range_deg=(float(az[3 * n + i]), float(az[4 * n + i])),
                minutes_per_degree=per_degree,
                minutes_from_transit=from_transit,
                part_of_day=part,
                notes=tuple(notes),
            )
        )
    return windows


def times_from_shadow(
    lat: float,
    lon: float,
    date: dt.date,
    tz: dt.tzinfo | str,
    elevation_interval_deg: ElevationInterval | tuple[float, float],
    shadow_azimuth_deg: float | None = None,
    azimuth_tolerance_deg: float = DEFAULT_AZIMUTH_TOLERANCE_DEG,
    *,
    step_minutes: float = 1.0,
    elevation_m: float = 0.0,
    noon_warning_minutes: float = NOON_WARNING_MINUTES,
) -> list[TimeWindow]:
    """Times on a local date at a known place when the sun's apparent elevation lies in the
    measured interval — the chronolocation of a shadow.

    The day (local midnight to midnight, in ``tz``) is scanned every ``step_minutes`` with the
    NREL SPA (Reda & Andreas 2004) and the elevation is interpolated linearly between samples,
    so window edges are accurate to seconds and an interval narrower than the step is still
    found. Without an azimuth there are usually two windows, morning and afternoon. With
    ``shadow_azimuth_deg`` (the direction the shadow points, degrees from true north,
    clockwise) only times when the sun's azimuth is within ``azimuth_tolerance_deg`` of the
    opposite direction are kept; the windows are the intersection of both constraints.

    Args:
        lat, lon: the place, degrees north / east.
        date: local calendar date.
        tz: the place's time zone (IANA name, "+HH:MM" or tzinfo).
        elevation_interval_deg: :class:`ElevationInterval` or (low, high) in degrees.
        elevation_m: height of the place above sea level, metres (sets the default pressure).
        noon_warning_minutes: windows this close to solar noon carry a sensitivity note.

    Returns:
        Windows in time order. Each is *consistent with* the measurement, not proof.
    """
    measurement = ShadowMeasurement(
        elevation=ElevationInterval.of(elevation_interval_deg),
        shadow_azimuth_deg=shadow_azimuth_deg,
        azimuth_tolerance_deg=azimuth_tolerance_deg,
    )
    return times_from_shadows(
        lat,
        lon,
        date,
        tz,
        [measurement],
        step_minutes=step_minutes,
        elevation_m=elevation_m,
        noon_warning_minutes=noon_warning_minutes,
    )


__all__ = [
    "DEFAULT_AZIMUTH_TOLERANCE_DEG",
    "METHOD",
    "ElevationInterval",
    "ShadowMeasurement",
    "TimeWindow",
    "azimuth_difference",
    "elevation_interval",
    "shadow_azimuth_to_sun_azimuth",
    "shadow_length",
    "sun_elevation_from_shadow",
    "times_from_shadow",
    "times_from_shadows",
]
