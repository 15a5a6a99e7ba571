"""Solar position and sunrise/sunset for a place and time (NREL SPA through pvlib).

All angles are in degrees. Azimuth is measured from true north, clockwise (east = 90°).
Elevation is the angle above the horizon; zenith = 90° − elevation.

The algorithm is the NREL Solar Position Algorithm (SPA):
Reda, I. and Andreas, A., "Solar Position Algorithm for Solar Radiation Applications",
NREL/TP-560-34302, National Renewable Energy Laboratory, 2003 (revised 2008);
Solar Energy 76(5), 577-589, 2004. Its stated uncertainty is ±0.0003° for the years
−2000 to 6000. The implementation used is pvlib-python's (``pvlib.spa``), as exposed by
``pvlib.solarposition.spa_python``: Holmgren, Hansen and Mikofski, "pvlib python: a python
package for modeling solar energy systems", Journal of Open Source Software 3(29), 884, 2018.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pandas as pd
import pvlib
from pvlib import atmosphere, spa

FloatArray = npt.NDArray[np.float64]
TimesLike: TypeAlias = dt.datetime | pd.Timestamp | Sequence[dt.datetime] | pd.DatetimeIndex

#: SPA default atmospheric refraction at sunrise/sunset, degrees (Reda & Andreas, eq. 42).
ATMOS_REFRACT_DEG = 0.5667
#: The sun's upper limb touches the horizon when the geometric elevation of its centre is
#: −0.8333° (refraction 0.5667° + semi-diameter 0.2667°); SPA and USNO use this value.
SUNRISE_ELEVATION_DEG = -0.8333

METHOD = f"NREL SPA (Reda & Andreas 2004, NREL/TP-560-34302) via pvlib {pvlib.__version__}"


@dataclass(frozen=True)
class SolarPosition:
    """Sun position for each input instant (arrays broadcast from lat, lon and times).

    Attributes (degrees unless stated):
        times_utc: the instants, UTC.
        apparent_elevation: topocentric elevation corrected for atmospheric refraction.
        apparent_zenith: 90 − apparent_elevation.
        elevation: true (geometric, unrefracted) topocentric elevation.
        azimuth: from true north, clockwise.
        equation_of_time_min: apparent minus mean solar time, minutes.
        delta_t_s: ΔT = TT − UT1 used, seconds.
        pressure_hpa, temperature_c: the atmosphere used for refraction.
    """

    times_utc: pd.DatetimeIndex
    apparent_elevation: FloatArray
    apparent_zenith: FloatArray
    elevation: FloatArray
    azimuth: FloatArray
    equation_of_time_min: FloatArray
    delta_t_s: FloatArray
    pressure_hpa: float
    temperature_c: float
    method: str = METHOD


def as_tzinfo(tz: dt.tzinfo | str) -> dt.tzinfo:
    """A tzinfo from an IANA name ("Europe/Kyiv"), "UTC", a fixed offset ("+02:00"), or a tzinfo."""
    if isinstance(tz, dt.tzinfo):
        return tz
    match = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", tz.strip())
    if match:
        sign = 1 if match.group(1) == "+" else -1
        offset = dt.timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
        return dt.timezone(sign * offset)
    if tz.strip().upper() in {"UTC", "Z"}:
        return dt.UTC
    return ZoneInfo(tz)


def to_utc_index(times: TimesLike) -> pd.DatetimeIndex:
    """Timezone-aware instants as a UTC DatetimeIndex; naive times are refused.

    A naive time has no defined instant: the same wall-clock reading is hours apart in
    different zones, which would silently move the sun. So we refuse rather than guess.
    """
    if isinstance(times, dt.datetime | pd.Timestamp):
        items: Any = [times]
    else:
        items = times
    if isinstance(items, pd.DatetimeIndex):
        index = items
    else:
        items = list(items)
        for item in items:
            if not isinstance(item, dt.datetime) or item.tzinfo is None or item.utcoffset() is None:
                raise ValueError(
                    f"time {item!r} is timezone-naive; give an offset (e.g. +02:00) or a zone"
                )
        index = pd.DatetimeIndex([pd.Timestamp(item).tz_convert("UTC") for item in items])
    if index.tz is None:
        raise ValueError("times are timezone-naive; give an offset (e.g. +02:00) or a zone")
    return index.tz_convert("UTC")


def delta_t_for(times_utc: pd.DatetimeIndex) -> FloatArray:
    """ΔT = TT − UT1 in seconds from pvlib's Espenak & Meeus polynomial (NASA eclipse site)."""
    return np.asarray(
        spa.calculate_deltat(times_utc.year.to_numpy(), times_utc.month.to_numpy()),
        dtype=np.float64,
    )


def solar_position(
    lat: float | npt.ArrayLike,
    lon: float | npt.ArrayLike,
    times: TimesLike,
    *,
    elevation_m: float = 0.0,
    pressure_hpa: float | None = None,
    temperature_c: float = 12.0,
    delta_t_s: float | None = None,
    atmos_refract_deg: float = ATMOS_REFRACT_DEG,
) -> SolarPosition:
    """Apparent and true sun position by the NREL SPA (Reda & Andreas 2004) via pvlib.

    Args:
        lat: latitude(s), degrees north (WGS84); broadcast against ``lon`` and ``times``.
        lon: longitude(s), degrees east.
        times: timezone-aware instant(s); naive times raise ``ValueError``.
        elevation_m: observer height above mean sea level, metres.
        pressure_hpa: surface pressure in hPa (= mbar) for the refraction correction;
            default is the standard-atmosphere pressure at ``elevation_m``
            (``pvlib.atmosphere.alt2pres``).
        temperature_c: air temperature, °C, for the refraction correction.
        delta_t_s: ΔT = TT − UT1, seconds; default from pvlib's polynomial for each date.
        atmos_refract_deg: refraction at the horizon, degrees (SPA default 0.5667).

    Returns:
        A :class:`SolarPosition` whose arrays have the broadcast shape of the inputs
        (1-D of the times' length for scalar lat/lon).

    Refraction near the horizon depends on the real atmosphere; below about 5° apparent
    elevation, model differences of 0.1° or more are normal (and up to ~0.6° below −1°).
    """
    times_utc = to_utc_index(times)
    if pressure_hpa is None:
        pressure_hpa = float(atmosphere.alt2pres(elevation_m)) / 100.0
    unixtime = (times_utc.as_unit("ns").asi8 / 1e9).astype(np.float64)
    lat_b, lon_b, unix_b = np.broadcast_arrays(
        np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64), unixtime
    )
    shape = unix_b.shape
    delta_t = np.broadcast_to(
        delta_t_for(times_utc) if delta_t_s is None else float(delta_t_s), unixtime.shape
    )  # one per instant
    # SPA's terms for the sun itself depend on the instant alone. For one instant over
    # many places (a place band's grid, given once or once per place) they are computed
    # once and broadcast by numpy, not once per place: the same values, ten times faster.
    if unixtime.size and (unixtime == unixtime[0]).all() and (delta_t == delta_t[0]).all():
        times_given, delta_t_given = unixtime[:1], delta_t[:1]
    else:
        times_given, delta_t_given = unix_b.ravel(), np.broadcast_to(delta_t, shape).ravel()
    app_zenith, _zenith, app_elev, elev, azimuth, eot = spa.solar_position(
        times_given,
        lat_b.ravel(),
        lon_b.ravel(),
        elevation_m,
        pressure_hpa,
        temperature_c,
        delta_t_given,
        atmos_refract_deg,
    )

    def shaped(values: Any) -> FloatArray:
        return np.broadcast_to(np.asarray(values, dtype=np.float64), (unix_b.size,)).reshape(shape)

    return SolarPosition(
        times_utc=times_utc,
        apparent_elevation=shaped(app_elev),
        apparent_zenith=shaped(app_zenith),
        elevation=shaped(elev),
        azimuth=shaped(azimuth),
        equation_of_time_min=shaped(eot),
        delta_t_s=shaped(delta_t),
        pressure_hpa=float(pressure_hpa),
        temperature_c=float(temperature_c),
    )


PolarState = Literal["normal", "polar_day", "polar_night"]


@dataclass(frozen=True)
class SunTimes:
    """Sunrise, sunset and solar noon (upper transit) on one local calendar date.

    ``sunrise``/``sunset`` are ``None`` when the event does not happen on that local date —
    in polar day or polar night (``polar`` says which) or, rarely, when the event falls just
    outside the date at high latitude. Times are timezone-aware in the requested zone.
    Sunrise/sunset are when the sun's upper limb touches a sea-level horizon under standard
    refraction (centre at −0.8333° geometric elevation), as in SPA and USNO tables.
    """

    date: dt.date
    tz: dt.tzinfo
    sunrise: dt.datetime | None
    sunset: dt.datetime | None
    transit: dt.datetime
    transit_elevation_deg: float
    polar: PolarState
    method: str = METHOD

    @property
    def day_length(self) -> dt.timedelta | None:
        """Sunset − sunrise, or 24 h in polar day, 0 in polar night; None if undefined."""
        if self.polar == "polar_day":
            return dt.timedelta(hours=24)
        if self.polar == "polar_night":
            return dt.timedelta(0)
        if self.sunrise is None or self.sunset is None:
            return None
        return self.sunset - self.sunrise


def sun_times(
    lat: float,
    lon: float,
    date: dt.date,
    tz: dt.tzinfo | str,
    *,
    delta_t_s: float | None = None,
    convention: Literal["local_date", "spa"] = "local_date",
) -> SunTimes:
    """Sunrise, sunset and transit on a local date by the SPA rise/set method (Reda & Andreas
    2004, appendix A.2) as implemented in ``pvlib.spa.transit_sunrise_sunset``.

    Args:
        lat, lon: degrees north / east.
        date: the local calendar date.
        tz: the place's time zone (IANA name, "+HH:MM", or tzinfo); results are in it.
        delta_t_s: ΔT in seconds; default from pvlib's polynomial.
        convention: "local_date" (default) gives the events that physically happen on the
            local date. "spa" reproduces the NREL SPA calculator and
            ``pvlib.solarposition.sun_rise_set_transit_spa``: the rise and set around the
            transit of that date, a neighbouring day's time relabelled (see below).

    SPA (appendix A.2) finds the events of the solar day whose transit falls on a given UT day,
    with times of day inside that UT day; pvlib then moves a sunrise that precedes 0h UT (or a
    sunset after 24h UT) to the neighbouring day *without* recomputing it, which is wrong by the
    day-to-day drift (up to ~7 min near the poles at an equinox). We keep SPA's time inside its
    UT day instead, evaluate the UT days before, of and after ``date``, and keep the events
    whose local date is ``date``.
    """
    tzinfo = as_tzinfo(tz)
    if convention == "spa":
        days = [date]
        # pvlib's reference day is the local calendar day of each timestamp, as 0h UT.
        ut_midnights = pd.DatetimeIndex([pd.Timestamp(date, tz="UTC")])
    else:
        days = [date + dt.timedelta(days=k) for k in (-1, 0, 1)]
        ut_midnights = pd.DatetimeIndex([pd.Timestamp(d, tz="UTC") for d in days])
    unix_days = (ut_midnights.as_unit("ns").asi8 // 10**9).astype(np.float64)
    if delta_t_s is None:
        delta_t: float | FloatArray = delta_t_for(ut_midnights)
    else:
        delta_t = np.full(len(days), float(delta_t_s))
    events = [
        np.asarray(e, dtype=np.float64)
        for e in spa.transit_sunrise_sunset(unix_days, lat, lon, delta_t, 1)
    ]
    if convention != "spa":
        # Fold each event back into the UT day SPA computed it for (see above).
        events = [unix_days + np.mod(e - unix_days, 86400.0) for e in events]
    transits, sunrises, sunsets = events

    def on_date(events: FloatArray) -> tuple[dt.datetime | None, int | None]:
        for k, value in enumerate(events):
            if np.isnan(value):
                continue
            local = pd.Timestamp(value, unit="s", tz="UTC").round("us").tz_convert(tzinfo)
            if convention == "spa" or local.date() == date:
                return local.to_pydatetime(), k
        return None, None

    transit, k_transit = on_date(transits)
    if transit is None or k_transit is None:  # a transit happens every day; numerical edge
        raise ValueError(f"no solar transit found on {date} at {lat}, {lon}")
    noon = solar_position(lat, lon, transit, delta_t_s=delta_t_s)
    transit_true_elev = float(noon.elevation[0])
    sunrise, _ = on_date(sunrises)
    sunset, _ = on_date(sunsets)
    polar: PolarState = "normal"
    no_events = bool(np.isnan(sunrises[k_transit]) and np.isnan(sunsets[k_transit]))
    if sunrise is None and sunset is None and no_events:
        polar = "polar_day" if transit_true_elev > SUNRISE_ELEVATION_DEG else "polar_night"
    return SunTimes(
        date=date,
        tz=tzinfo,
        sunrise=sunrise,
        sunset=sunset,
        transit=transit,
        transit_elevation_deg=float(noon.apparent_elevation[0]),
        polar=polar,
    )
