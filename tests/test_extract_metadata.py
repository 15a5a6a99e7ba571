"""Normalised metadata against metadata-extractor's recorded outputs (Java baselines).

Tolerances follow the printed precision of the reference: metadata-extractor prints
arc-seconds and metres with at most two decimals (``DecimalFormat("0.##")``), so positions are
compared to 0.005" = 1.4e-6 degrees and altitudes to 0.005 m. Values the reference states
exactly (ISO 6709 strings, XMP decimal minutes) are compared to 1e-9 degrees.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidencelab.extract import Extractors, normalise, parse_iso6709
from evidencelab.extract.normalise import (
    ffprobe_rotation,
    infer_offset_from_gps,
    parse_datetime,
)
from extract_helpers import (
    ME_DMS_TOLERANCE_DEG,
    MEI_DIR,
    dms_to_degrees,
    extractors,
    read_metadata_extractor,
    stored_copy,
)

__all__ = ["extractors"]  # pytest fixture shared from extract_helpers

EXACT_DEG = 1e-9
ALTITUDE_TOLERANCE_M = 0.005 + 1e-9
PHOTOS = [
    "jpg/Apple iPhone 4.jpg",
    "jpg/HTC Desire.jpg",
    "jpg/Issue 508.jpg",
    "jpg/Sony DSC-HX5V (2).jpg",
    "heic/exif-at-eof.heic",
]


def _reference(relative: str) -> dict[tuple[str, str], str]:
    media = Path(relative)
    return read_metadata_extractor(
        MEI_DIR / media.parent / "metadata" / "java" / f"{media.name}.txt"
    )


def _extract(pipeline: Extractors, relative: str, tmp_path: Path) -> dict[str, Any]:
    extraction = pipeline.extract(stored_copy(MEI_DIR / relative, tmp_path), name_hint=relative)
    return extraction.metadata


@pytest.mark.parametrize("relative", PHOTOS)
def test_photo_gps_time_and_camera_match_reference(
    relative: str, extractors: Extractors, tmp_path: Path
) -> None:
    ref = _reference(relative)
    ours = _extract(extractors, relative, tmp_path)
    lat = dms_to_degrees(ref[("GPS", "GPS Latitude")], ref[("GPS", "GPS Latitude Ref")])
    lon = dms_to_degrees(ref[("GPS", "GPS Longitude")], ref[("GPS", "GPS Longitude Ref")])
    assert ours["gps"]["lat"] == pytest.approx(lat, abs=ME_DMS_TOLERANCE_DEG)
    assert ours["gps"]["lon"] == pytest.approx(lon, abs=ME_DMS_TOLERANCE_DEG)
    if ("GPS", "GPS Altitude") in ref:
        metres = float(ref[("GPS", "GPS Altitude")].removesuffix(" metres"))
        assert ours["gps"]["altitude_m"] == pytest.approx(metres, abs=ALTITUDE_TOLERANCE_M)
    else:
        assert "altitude_m" not in ours["gps"]
    if ("GPS", "GPS Img Direction") in ref:
        degrees = float(ref[("GPS", "GPS Img Direction")].removesuffix(" degrees"))
        assert ours["gps"]["direction_deg"] == pytest.approx(degrees, abs=0.005 + 1e-9)
    reference_time = datetime.strptime(
        ref[("Exif SubIFD", "Date/Time Original")], "%Y:%m:%d %H:%M:%S"
    )
    captured = datetime.fromisoformat(ours["captured_at"])
    assert captured.replace(tzinfo=None, microsecond=0) == reference_time
    assert ours["captured_at_source"] == "ExifIFD:DateTimeOriginal"
    assert ours["make"] == ref[("Exif IFD0", "Make")].strip()
    assert ours["model"] == ref[("Exif IFD0", "Model")].strip()


def test_offset_time_original_gives_an_aware_capture_time(
    extractors: Extractors, tmp_path: Path
) -> None:
    ours = _extract(extractors, "heic/exif-at-eof.heic", tmp_path)
    ref = _reference("heic/exif-at-eof.heic")
    assert ref[("Exif SubIFD", "Time Zone Original")] == "-04:00"
    assert ours["captured_at"] == "2020-05-04T18:39:11.644000-04:00"
    assert ours["captured_at_naive"] is False
    assert ours["captured_at_offset_source"] == "ExifIFD:OffsetTimeOriginal"


@pytest.mark.parametrize(
    ("relative", "offset_hours"),
    [("jpg/HTC Desire.jpg", 2), ("jpg/Sony DSC-HX5V (2).jpg", 2)],
)
def test_offset_inferred_from_gps_time(
    relative: str, offset_hours: int, extractors: Extractors, tmp_path: Path
) -> None:
    """Both cameras record local time and a GPS UTC time (GPS Date Stamp + Time-Stamp)."""
    ref = _reference(relative)
    gps_utc = datetime.strptime(
        f"{ref[('GPS', 'GPS Date Stamp')]} {ref[('GPS', 'GPS Time-Stamp')]}",
        "%Y:%m:%d %H:%M:%S.%f UTC",
    ).replace(tzinfo=UTC)
    ours = _extract(extractors, relative, tmp_path)
    captured = datetime.fromisoformat(ours["captured_at"])
    assert captured.utcoffset() == timedelta(hours=offset_hours)
    assert abs((captured - gps_utc).total_seconds()) <= 2  # Sony's fix is 2 s after
    assert ours["captured_at_offset_source"] == "GPS:GPSDateStamp+GPS:GPSTimeStamp"


def test_gps_time_without_date_leaves_time_naive(extractors: Extractors, tmp_path: Path) -> None:
    ours = _extract(extractors, "jpg/Apple iPhone 4.jpg", tmp_path)
    assert ours["captured_at"] == "2011-01-13T14:33:39"
    assert ours["captured_at_naive"] is True


def test_iphone_mov_iso6709_position_and_creation_date(
    extractors: Extractors, tmp_path: Path
) -> None:
    ref = _reference("mov/with-gps.mov")
    assert ref[("QuickTime Metadata", "ISO 6709")] == "+32.0929+034.8620+028.516/"
    ours = _extract(extractors, "mov/with-gps.mov", tmp_path)
    assert ours["gps"]["lat"] == pytest.approx(32.0929, abs=EXACT_DEG)
    assert ours["gps"]["lon"] == pytest.approx(34.8620, abs=EXACT_DEG)
    assert ours["gps"]["altitude_m"] == pytest.approx(28.516, abs=1e-9)
    assert ours["gps_source"] == "ffprobe:format.tags.com.apple.quicktime.location.ISO6709"
    reference_created = datetime.strptime(
        ref[("QuickTime Metadata", "Creation Date")], "%Y-%m-%dT%H:%M:%S%z"
    )
    assert datetime.fromisoformat(ours["captured_at"]) == reference_created
    assert ours["captured_at"] == "2019-07-24T11:25:40+03:00"
    assert ours["captured_at_source"] == "Keys:CreationDate"
    assert (ours["make"], ours["model"]) == (
        ref[("QuickTime Metadata", "Make")],
        ref[("QuickTime Metadata", "Model")],
    )
    assert ours["software"] == ref[("QuickTime Metadata", "Software")]
    assert (ours["width"], ours["height"]) == (568, 320)
    assert ref[("QuickTime Video", "Width")] == "568 pixels"
    # metadata-extractor prints the matrix angle (-90, counter-clockwise); we store the
    # clockwise turn needed for display.
    assert ours["rotation_deg"] == (-int(ref[("QuickTime", "Rotation")])) % 360
    duration = int(ref[("QuickTime", "Duration")]) / int(ref[("QuickTime", "Media Time Scale")])
    assert ours["duration_s"] == pytest.approx(duration, abs=1e-6)
    assert ours["video_codec"] == "h264"
    assert ours["frame_rate"] == pytest.approx(
        float(ref[("QuickTime Video", "Frame Rate")]), rel=0.005
    )


def test_iphone_mov_movie_header_time_is_utc(extractors: Extractors, tmp_path: Path) -> None:
    """metadata-extractor shows the header time in its own zone: 18:25:57 +10:00."""
    extraction = extractors.extract(stored_copy(MEI_DIR / "mov/with-gps.mov", tmp_path))
    header = parse_datetime(extraction.metadata_raw["QuickTime:CreateDate"])
    assert header is not None
    reference = datetime(2019, 7, 24, 18, 25, 57, tzinfo=timezone(timedelta(hours=10)))
    assert header.replace(tzinfo=UTC) == reference


def test_android_mp4_xyz_position_and_utc_time(extractors: Extractors, tmp_path: Path) -> None:
    ref = _reference("mp4/with-gps.mp4")
    ours = _extract(extractors, "mp4/with-gps.mp4", tmp_path)
    # ©xyz is "+51.4169-000.0806/" (corpus README); metadata-extractor rounds to 3 decimals.
    assert ours["gps"]["lat"] == pytest.approx(51.4169, abs=EXACT_DEG)
    assert ours["gps"]["lon"] == pytest.approx(-0.0806, abs=EXACT_DEG)
    assert ours["gps"]["lat"] == pytest.approx(float(ref[("MP4", "Latitude")]), abs=0.0005)
    assert ours["gps"]["lon"] == pytest.approx(float(ref[("MP4", "Longitude")]), abs=0.0005)
    assert ours["gps_source"] == "ffprobe:format.tags.location"
    # "Wed Feb 22 19:20:28 AEDT 2017": AEDT is UTC+11.
    assert ref[("MP4", "Creation Time")] == "Wed Feb 22 19:20:28 AEDT 2017"
    reference = datetime(2017, 2, 22, 19, 20, 28, tzinfo=timezone(timedelta(hours=11)))
    assert datetime.fromisoformat(ours["captured_at"]) == reference
    assert ours["captured_at_source"] == "QuickTime:CreateDate"
    assert (ours["width"], ours["height"]) == (1920, 1080)
    assert ours["duration_s"] == pytest.approx(int(ref[("MP4", "Duration")]) / 1000, abs=1e-6)
    assert ours["rotation_deg"] == int(ref[("MP4", "Rotation")])
    assert ours["frame_rate"] == pytest.approx(float(ref[("MP4 Video", "Frame Rate")]), rel=0.005)


def test_null_island_is_not_a_position(extractors: Extractors, tmp_path: Path) -> None:
    relative = "jpg/Samsung GT-I9000 (Galaxy S).jpg"
    ref = _reference(relative)
    assert ref[("GPS", "GPS Latitude")] == ref[("GPS", "GPS Longitude")] == "0° 0' 0\""
    ours = _extract(extractors, relative, tmp_path)
    assert "gps" not in ours
    assert any("0,0" in note for note in ours["normalisation_notes"])
    assert ours["make"] == "SAMSUNG"  # trailing padding stripped


def test_zero_denominator_seconds_fall_back_to_xmp(extractors: Extractors, tmp_path: Path) -> None:
    """EXIF GPS is 48/1 5332358/100000 0/0: ExifTool gives an empty value, so the XMP copy
    (48,53.323582N 21,2.595070E, stated exactly) is used and the choice is noted."""
    relative = "jpg/Nikon D5000.jpg"
    ref = _reference(relative)
    ours = _extract(extractors, relative, tmp_path)
    assert ours["gps_source"] == "XMP-exif"
    assert ref[("XMPMeta", "exif:GPSLatitude")] == "48,53.323582N"
    assert ours["gps"]["lat"] == pytest.approx(48 + 53.323582 / 60, abs=EXACT_DEG)
    assert ours["gps"]["lon"] == pytest.approx(21 + 2.595070 / 60, abs=EXACT_DEG)
    # metadata-extractor reads 0/0 as 0 and gets the same point to its printed precision.
    lat = dms_to_degrees(ref[("GPS", "GPS Latitude")], "N")
    assert ours["gps"]["lat"] == pytest.approx(lat, abs=ME_DMS_TOLERANCE_DEG)
    assert ours["gps"]["altitude_m"] == pytest.approx(324.145, abs=1e-9)
    assert any("unreadable" in note for note in ours["normalisation_notes"])


# --- normalise() on hand-made raw dicts --------------------------------------------------


def test_exif_refs_sign_the_coordinates_and_altitude() -> None:
    raw = {
        "GPS:GPSLatitude": 33.5,
        "GPS:GPSLatitudeRef": "S",
        "GPS:GPSLongitude": 70.25,
        "GPS:GPSLongitudeRef": "W",
        "GPS:GPSAltitude": 12.5,
        "GPS:GPSAltitudeRef": 1,
    }
    assert normalise(raw)["gps"] == {"lat": -33.5, "lon": -70.25, "altitude_m": -12.5}


def test_out_of_range_and_empty_positions_are_dropped_with_notes() -> None:
    out = normalise({"GPS:GPSLatitude": 95.0, "GPS:GPSLatitudeRef": "N", "GPS:GPSLongitude": 1.0})
    assert "gps" not in out and "out of range" in out["normalisation_notes"][0]
    out = normalise({"GPS:GPSLatitude": "", "GPS:GPSLongitude": "", "GPS:GPSLatitudeRef": "N"})
    assert "gps" not in out and "unreadable" in out["normalisation_notes"][0]


def test_zero_dates_are_ignored_and_quicktime_time_is_utc() -> None:
    out = normalise(
        {
            "ExifIFD:DateTimeOriginal": "0000:00:00 00:00:00",
            "QuickTime:CreateDate": "2020:01:02 03:04:05",
        }
    )
    assert out["captured_at"] == "2020-01-02T03:04:05+00:00"
    assert out["captured_at_source"] == "QuickTime:CreateDate"
    assert normalise({"QuickTime:CreateDate": "0000:00:00 00:00:00"}) == {}


def test_ffprobe_creation_time_is_the_last_resort() -> None:
    raw = {"ffprobe": {"format": {"tags": {"creation_time": "2017-02-22T08:20:28.000000Z"}}}}
    out = normalise(raw)
    assert out["captured_at"] == "2017-02-22T08:20:28+00:00"
    assert out["captured_at_source"] == "ffprobe:format.tags.creation_time"


def test_gps_offset_inference_rejects_stale_fixes_and_wrong_clocks() -> None:
    local = datetime(2008, 10, 22, 16, 28, 39)
    # DSCN0010 (exif-samples): camera clock and GPS disagree by about 22 hours.
    assert infer_offset_from_gps(local, datetime(2008, 10, 23, 14, 27, 7, tzinfo=UTC)) is None
    # 10 minutes away from any quarter hour: not the same moment.
    assert infer_offset_from_gps(local, datetime(2008, 10, 22, 14, 21, 0, tzinfo=UTC)) is None
    offset = infer_offset_from_gps(local, datetime(2008, 10, 22, 11, 58, 40, tzinfo=UTC))
    assert offset == timezone(timedelta(hours=4, minutes=30))


def test_ffprobe_rotation_conventions() -> None:
    assert ffprobe_rotation({"side_data_list": [{"rotation": -90}]}) == 90
    assert ffprobe_rotation({"side_data_list": [{"rotation": 90}]}) == 270
    assert ffprobe_rotation({"tags": {"rotate": "180"}}) == 180
    assert ffprobe_rotation({}) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+32.0929+034.8620+028.516/", (32.0929, 34.862, 28.516)),
        ("+51.4169-000.0806/", (51.4169, -0.0806, None)),
        ("-3345.5+15130.25/", (-(33 + 45.5 / 60), 151 + 30.25 / 60, None)),
        (
            "+403412.5-0735823.2+10CRSWGS_84/",
            (40 + 34 / 60 + 12.5 / 3600, -(73 + 58 / 60 + 23.2 / 3600), 10.0),
        ),
    ],
)
def test_parse_iso6709_forms(text: str, expected: tuple[float, float, float | None]) -> None:
    lat, lon, alt = parse_iso6709(text)
    assert lat == pytest.approx(expected[0], abs=1e-12)
    assert lon == pytest.approx(expected[1], abs=1e-12)
    assert alt == expected[2]


@pytest.mark.parametrize("text", ["", "32.1 34.8", "+32.0929/", "+3+034/", "garbage"])
def test_parse_iso6709_rejects_non_points(text: str) -> None:
    with pytest.raises(ValueError):
        parse_iso6709(text)


@given(
    st.floats(min_value=-90, max_value=90, allow_nan=False),
    st.floats(min_value=-180, max_value=180, allow_nan=False),
)
def test_parse_iso6709_round_trips_decimal_degrees(lat: float, lon: float) -> None:
    text = f"{lat:+08.4f}{lon:+09.4f}/"
    parsed_lat, parsed_lon, _ = parse_iso6709(text)
    assert parsed_lat == pytest.approx(round(lat, 4), abs=1e-9)
    assert parsed_lon == pytest.approx(round(lon, 4), abs=1e-9)


def test_parse_datetime_variants() -> None:
    assert parse_datetime("2011:01:13 14:33:39") == datetime(2011, 1, 13, 14, 33, 39)
    assert parse_datetime("2019-07-24T11:25:40+0300") == datetime(
        2019, 7, 24, 11, 25, 40, tzinfo=timezone(timedelta(hours=3))
    )
    assert parse_datetime("2008:10:23 14:27:07.24Z") == datetime(
        2008, 10, 23, 14, 27, 7, 240000, tzinfo=UTC
    )
    assert parse_datetime("2011:13:45 99:00:00") is None
    assert parse_datetime("") is None
