"""Shadow geometry, time windows from a shadow, and place bands: synthetic cases whose answer
is generated from a known sun position, then solved back."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from evidencelab.verify.places import PhotoObservation, places_from_shadow, places_from_shadows
from evidencelab.verify.shadows import (
    ShadowMeasurement,
    elevation_interval,
    shadow_azimuth_to_sun_azimuth,
    shadow_length,
    sun_elevation_from_shadow,
    times_from_shadow,
    times_from_shadows,
)
from evidencelab.verify.sun import solar_position

VUHLEDAR = (47.78, 37.25)
WHEN = dt.datetime.fromisoformat("2022-02-24T10:30:00+02:00")
POLE_M = 10.0


def _synthetic(lat: float, lon: float, when: dt.datetime) -> tuple[float, float, float]:
    """Sun elevation, azimuth and the shadow length of a 10 m pole at a known place and time."""
    sun = solar_position(lat, lon, when)
    elevation, azimuth = float(sun.apparent_elevation[0]), float(sun.azimuth[0])
    return elevation, azimuth, float(shadow_length(POLE_M, elevation))


def test_shadow_geometry() -> None:
    assert sun_elevation_from_shadow(10, 10).estimate_deg == pytest.approx(45.0)
    assert float(shadow_length(10, 45.0)) == pytest.approx(10.0)
    assert math.isnan(float(shadow_length(10, -1.0)))
    assert float(shadow_azimuth_to_sun_azimuth(300.0)) == pytest.approx(120.0)
    assert float(shadow_azimuth_to_sun_azimuth(90.0)) == pytest.approx(270.0)
    interval = sun_elevation_from_shadow(10, 10, height_uncertainty_m=1, length_uncertainty_m=1)
    assert interval.low_deg == pytest.approx(math.degrees(math.atan(9 / 11)))
    assert interval.high_deg == pytest.approx(math.degrees(math.atan(11 / 9)))
    with pytest.raises(ValueError):
        sun_elevation_from_shadow(0, 10)


@given(
    height=st.floats(1, 100),
    length=st.floats(1, 200),
    dh=st.floats(0, 0.4),
    dl=st.floats(0, 0.4),
    grow=st.floats(1.0, 2.0),
)
def test_interval_widens_with_uncertainty(
    height: float, length: float, dh: float, dl: float, grow: float
) -> None:
    narrow = sun_elevation_from_shadow(
        height, length, height_uncertainty_m=dh * height / 2, length_uncertainty_m=dl * length / 2
    )
    wide = sun_elevation_from_shadow(
        height,
        length,
        height_uncertainty_m=dh * height / 2 * grow,
        length_uncertainty_m=dl * length / 2 * grow,
    )
    assert wide.low_deg <= narrow.low_deg <= narrow.estimate_deg
    assert narrow.estimate_deg <= narrow.high_deg <= wide.high_deg
    assert wide.estimate_deg == narrow.estimate_deg


def test_time_windows_recover_the_synthetic_time() -> None:
    elevation, azimuth, length = _synthetic(*VUHLEDAR, WHEN)
    measured = sun_elevation_from_shadow(
        POLE_M, length, height_uncertainty_m=0.1, length_uncertainty_m=0.2
    )
    windows = times_from_shadow(*VUHLEDAR, WHEN.date(), "Europe/Kyiv", measured)
    assert [w.part_of_day for w in windows] == ["morning", "afternoon"]
    assert windows[0].contains(WHEN) and not windows[1].contains(WHEN)
    assert all(w.start.utcoffset() == dt.timedelta(hours=2) for w in windows)
    assert windows[0].start_utc.tzinfo == dt.UTC

    shadow_azimuth = float(shadow_azimuth_to_sun_azimuth(azimuth))
    only = times_from_shadow(
        *VUHLEDAR, WHEN.date(), "Europe/Kyiv", measured, shadow_azimuth_deg=shadow_azimuth
    )
    assert len(only) == 1 and only[0].contains(WHEN)
    # An exact elevation (no uncertainty) still finds the instant to within seconds.
    exact = times_from_shadow(*VUHLEDAR, WHEN.date(), "Europe/Kyiv", (elevation, elevation))
    assert abs((exact[0].midpoint - WHEN).total_seconds()) < 5


def test_near_noon_window_says_it_is_weakly_constrained() -> None:
    noon_elevation = float(
        solar_position(*VUHLEDAR, WHEN.replace(hour=11, minute=44)).apparent_elevation[0]
    )
    windows = times_from_shadow(*VUHLEDAR, WHEN.date(), "Europe/Kyiv", (noon_elevation - 0.5, 40))
    assert len(windows) == 1 and windows[0].part_of_day == "spans solar noon"
    assert windows[0].notes
    near = times_from_shadow(
        *VUHLEDAR, WHEN.date(), "Europe/Kyiv", (noon_elevation - 0.6, noon_elevation - 0.5)
    )
    assert len(near) == 2 and all("solar noon" in " ".join(w.notes) for w in near)
    assert all(w.minutes_per_degree > 30 for w in near)


def test_several_shadows_in_one_photo_intersect() -> None:
    _, _, length = _synthetic(*VUHLEDAR, WHEN)
    pole = ShadowMeasurement.from_shadow(POLE_M, length, length_uncertainty_m=0.5)
    # A 3 m wall measured more precisely: the intersection is no wider than either alone.
    wall = ShadowMeasurement.from_shadow(3.0, length * 0.3, length_uncertainty_m=0.05)
    both = times_from_shadows(*VUHLEDAR, WHEN.date(), "Europe/Kyiv", [pole, wall])
    alone = times_from_shadows(*VUHLEDAR, WHEN.date(), "Europe/Kyiv", [pole])
    assert both[0].contains(WHEN)
    assert both[0].duration <= alone[0].duration


@settings(max_examples=25, deadline=None)
@given(
    lat=st.floats(-60, 65),
    lon=st.floats(-180, 180),
    day=st.integers(0, 364),
    low=st.floats(1, 60),
    width=st.floats(0, 5),
)
def test_window_midpoints_satisfy_the_interval(
    lat: float, lon: float, day: int, low: float, width: float
) -> None:
    date = dt.date(2022, 1, 1) + dt.timedelta(days=day)
    for window in times_from_shadow(lat, lon, date, "UTC", (low, low + width)):
        elevation = float(solar_position(lat, lon, window.midpoint).apparent_elevation[0])
        assert low - 1e-3 <= elevation <= low + width + 1e-3
        assert window.start.date() == date or window.end.date() == date


def test_place_band_contains_the_true_place_and_excludes_far_ones(tmp_path: Path) -> None:
    _, azimuth, length = _synthetic(*VUHLEDAR, WHEN)
    measured = sun_elevation_from_shadow(
        POLE_M, length, height_uncertainty_m=0.1, length_uncertainty_m=0.2
    )
    band = places_from_shadow(WHEN, measured, step_deg=0.25)
    assert band.contains(*VUHLEDAR)
    assert not band.contains(-1.29, 36.82)  # Nairobi: same longitude, sun much higher
    assert not band.contains(40.71, -74.01)  # New York: before sunrise
    assert not band.contains(-33.9, 18.4)  # Cape Town
    cell = next(c for c in band.cells if abs(c.lat - 47.875) < 1e-9 and abs(c.lon - 37.125) < 1e-9)
    assert cell.tz_name == "Europe/Kyiv"
    assert cell.local_times[0].utcoffset() == dt.timedelta(hours=2)

    narrowed = places_from_shadow(
        WHEN,
        measured,
        step_deg=0.25,
        shadow_azimuth_deg=float(shadow_azimuth_to_sun_azimuth(azimuth)),
    )
    assert narrowed.contains(*VUHLEDAR) and 0 < narrowed.cell_count < band.cell_count / 10

    geojson = json.loads(json.dumps(narrowed.to_geojson()))
    assert geojson["type"] == "FeatureCollection"
    assert len(geojson["features"]) == narrowed.cell_count
    ring = geojson["features"][0]["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 5

    png = narrowed.to_png(tmp_path / "band.png", pixels_per_cell=1)
    image = Image.open(png)
    assert image.size == (narrowed.lons.size, narrowed.lats.size)
    pixels = np.asarray(image)
    row = narrowed.lats.size - 1 - int((VUHLEDAR[0] - narrowed.bbox[1]) // 0.25)
    col = int((VUHLEDAR[1] - narrowed.bbox[0]) // 0.25)
    assert tuple(pixels[row, col]) == (255, 196, 0)


def test_local_clock_mode_and_two_photos() -> None:
    _, _, length = _synthetic(*VUHLEDAR, WHEN)
    measured = sun_elevation_from_shadow(POLE_M, length, length_uncertainty_m=0.2)
    bbox = (20.0, 35.0, 50.0, 60.0)
    local = places_from_shadow(WHEN.replace(tzinfo=None), measured, bbox=bbox, local_clock=True)
    assert local.contains(*VUHLEDAR)
    with pytest.raises(ValueError, match="naive"):
        places_from_shadow(WHEN.replace(tzinfo=None), measured, bbox=bbox)

    later = WHEN + dt.timedelta(hours=4)
    _, _, later_length = _synthetic(*VUHLEDAR, later)
    second = ShadowMeasurement.from_shadow(POLE_M, later_length, length_uncertainty_m=0.5)
    first = ShadowMeasurement(measured)
    both = places_from_shadows(
        [PhotoObservation(WHEN, (first,)), PhotoObservation(later, (second,))], bbox=bbox
    )
    one = places_from_shadows([PhotoObservation(WHEN, (first,))], bbox=bbox)
    assert both.contains(*VUHLEDAR)
    assert both.cell_count < one.cell_count / 3
    assert (
        one.intersect(
            places_from_shadows([PhotoObservation(later, (second,))], bbox=bbox)
        ).cell_count
        == both.cell_count
    )


def test_vuhledar_example_numbers() -> None:
    """The worked example in docs/chronolocation.md."""
    elevation, azimuth, length = _synthetic(*VUHLEDAR, WHEN)
    assert elevation == pytest.approx(30.51, abs=0.01)
    assert azimuth == pytest.approx(158.65, abs=0.01)
    assert length / POLE_M == pytest.approx(1.697, abs=0.001)
    assert elevation_interval(30.51, 0.5).width_deg == pytest.approx(1.0)
