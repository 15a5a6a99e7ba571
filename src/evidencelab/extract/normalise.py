"""Normalise raw ExifTool/ffprobe metadata into a few well-defined fields.

Pure functions over the raw dict stored in :attr:`Extraction.metadata_raw` (ExifTool JSON with
``-G1:4 -a -n``, i.e. ``"Group1:TagName"`` keys (``"Group1:TagName [2]"`` for a repeated tag)
and numeric values, plus an ``"ffprobe"`` sub-dict). Nothing here touches a file.

Output keys (all optional):

* ``captured_at`` — ISO 8601; carries a UTC offset when one is known, else naive.
  ``captured_at_naive`` (bool), ``captured_at_source`` (the tag it came from) and, when the
  offset came from another tag, ``captured_at_offset_source``.
  A capture time read from a camera maker note (a trail camera's, when the standard tags
  are empty) names that tag, e.g. ``Reconyx:DateTimeOriginal``.
* ``gps`` — ``{"lat", "lon", "altitude_m", "direction_deg", "direction_ref"}``: WGS 84
  decimal degrees, north and east positive, altitude in metres above sea level, image
  direction in degrees clockwise from north, and ``direction_ref`` ``"true"`` or
  ``"magnetic"``: the north it is measured from (``GPSImgDirectionRef`` T or M, Exif 2.32,
  CIPA DC-008-2019, GPS attribute information); absent when the file does not say, and a
  magnetic bearing is kept as recorded, never converted. ``gps_source`` names the tag(s) used.
* ``gps_time`` — the UTC time of the GPS fix (``GPSDateStamp`` + ``GPSTimeStamp``, both UTC
  by Exif 2.32), ISO 8601 with ``+00:00``.
* ``make``, ``model``, ``software``, ``width``, ``height`` (stored pixels, before rotation),
  ``duration_s``, ``video_codec``, ``rotation_deg`` (clockwise rotation to apply for display,
  0/90/180/270), ``frame_rate`` (frames per second).
* ``normalisation_notes`` — why a value was dropped or inferred (e.g. a GPS 0,0 position).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone
from fractions import Fraction
from typing import Any

# Where an offset inferred from the GPS fix time is said to come from.
GPS_TIME_SOURCE = "GPS:GPSDateStamp+GPS:GPSTimeStamp"
# A GPS fix older than this relative to the photo's own clock is not used to infer the
# photo's UTC offset: the two clocks would not describe the same moment.
MAX_GPS_CLOCK_RESIDUAL_S = 120.0
# Civil UTC offsets are whole quarter hours between -12:00 and +14:00.
_OFFSET_STEP_S = 15 * 60

_EXIF_DATETIME = re.compile(
    r"^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_ISO_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_OFFSET = re.compile(r"^(Z|[+-]\d{2}:?\d{2})$")
# ISO 6709 "Annex H" string: latitude, longitude, optional altitude, optional CRS, then "/".
# Each angle is degrees, degrees+minutes or degrees+minutes+seconds, told apart by the
# number of integer digits (lat 2/4/6, lon 3/5/7).
_ISO6709 = re.compile(
    r"^\s*(?P<lat>[+-]\d{2}(?:\d{2}){0,2}(?:\.\d+)?)"
    r"(?P<lon>[+-]\d{3}(?:\d{2}){0,2}(?:\.\d+)?)"
    r"(?P<alt>[+-]\d+(?:\.\d+)?)?"
    r"(?:CRS[^/]*)?/?\s*$"
)


def parse_iso6709(text: str) -> tuple[float, float, float | None]:
    """Parse an ISO 6709 point such as ``+32.0929+034.8620+028.516/``.

    Returns ``(lat, lon, altitude_m or None)`` in decimal degrees. Used for Apple's
    ``com.apple.quicktime.location.ISO6709`` and Android's ``©xyz`` / ``location`` tags.
    Reference: ISO 6709:2008 Annex H (string representation). Raises ``ValueError``.
    """
    match = _ISO6709.match(text)
    if match is None:
        raise ValueError(f"not an ISO 6709 point: {text!r}")
    lat = _iso6709_angle(match["lat"], degree_digits=2)
    lon = _iso6709_angle(match["lon"], degree_digits=3)
    alt = float(match["alt"]) if match["alt"] else None
    return lat, lon, alt


def _iso6709_angle(text: str, degree_digits: int) -> float:
    sign = -1.0 if text[0] == "-" else 1.0
    body = text[1:]
    integer, _, fraction = body.partition(".")
    frac = float("0." + fraction) if fraction else 0.0
    extra = len(integer) - degree_digits  # 0: DD.D, 2: DDMM.M, 4: DDMMSS.S
    degrees = float(integer[:degree_digits])
    if extra == 0:
        value = degrees + frac
    elif extra == 2:
        value = degrees + (float(integer[degree_digits:]) + frac) / 60.0
    else:
        minutes = float(integer[degree_digits : degree_digits + 2])
        seconds = float(integer[degree_digits + 2 :]) + frac
        value = degrees + minutes / 60.0 + seconds / 3600.0
    return sign * value


def parse_offset(text: str) -> timezone | None:
    """Parse a UTC offset such as ``-04:00``, ``+0300`` or ``Z``; ``None`` if not one."""
    text = text.strip()
    if not _OFFSET.match(text):
        return None
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:])
    return timezone(sign * timedelta(minutes=minutes))


def parse_datetime(text: str) -> datetime | None:
    """Parse an EXIF (``2011:01:13 14:33:39``) or ISO 8601 date-time, with optional
    fraction and UTC offset. Returns ``None`` for empty, zero (``0000:00:00``) or malformed
    values rather than guessing.
    """
    text = str(text).strip()
    match = _EXIF_DATETIME.match(text) or _ISO_DATETIME.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(match[i]) for i in range(1, 7))
    micro = round(float(match[7]) * 1_000_000) if match[7] else 0
    tz = parse_offset(match[8]) if match[8] else None
    try:
        return datetime(year, month, day, hour, minute, second, min(micro, 999_999), tz)
    except ValueError:
        return None


def _subseconds(value: Any) -> int:
    """Microseconds from an EXIF SubSecTime value (digits after the decimal point)."""
    digits = re.sub(r"\D", "", str(value))[:6]
    return int(digits.ljust(6, "0")) if digits else 0


def gps_fix_time(raw: dict[str, Any]) -> datetime | None:
    """UTC time of the GPS fix from ``GPSDateStamp`` + ``GPSTimeStamp`` (both UTC by Exif
    2.32, CIPA DC-008-2019), if both are present; ``None`` otherwise."""
    date, clock = raw.get("GPS:GPSDateStamp"), raw.get("GPS:GPSTimeStamp")
    if not date or clock is None or clock == "":
        return None
    return parse_datetime(f"{date} {clock}Z")


def infer_offset_from_gps(local: datetime, gps_utc: datetime) -> timezone | None:
    """UTC offset implied by a naive local time and the UTC time of a GPS fix.

    The difference is rounded to the nearest quarter hour; it is accepted only if it lies
    within -12:00..+14:00 and the rounding residual is at most
    :data:`MAX_GPS_CLOCK_RESIDUAL_S` (a stale fix or a wrong camera clock gives neither).
    """
    delta = (local.replace(tzinfo=UTC) - gps_utc).total_seconds()
    steps = round(delta / _OFFSET_STEP_S)
    offset_s = steps * _OFFSET_STEP_S
    if abs(delta - offset_s) > MAX_GPS_CLOCK_RESIDUAL_S:
        return None
    if not -12 * 3600 <= offset_s <= 14 * 3600:
        return None
    return timezone(timedelta(seconds=offset_s))


# Capture times that camera firmware writes into its maker note, as ExifTool names them:
# (date-and-time tag or date tag, time tag when the time is separate). Trail cameras such as
# Reconyx's HyperFire, UltraFire and HyperFire 2 leave the EXIF date tags empty and keep
# the time here (ExifTool Reconyx tags, exiftool.org/TagNames/Reconyx.html); Pentax and
# Minolta keep a copy beside the EXIF one (exiftool.org/TagNames/Pentax.html, Minolta.html).
MAKER_NOTE_TIMES: tuple[tuple[str, str | None], ...] = (
    ("Reconyx:DateTimeOriginal", None),
    ("Pentax:Date", "Pentax:Time"),
    ("Minolta:MinoltaDate", "Minolta:MinoltaTime"),
)


def _capture_time(raw: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """Choose the capture time: EXIF first (stills), then XMP, QuickTime/ffprobe (video),
    and a camera maker note only when all of these are empty."""
    exif_candidates = (
        ("ExifIFD:DateTimeOriginal", "ExifIFD:SubSecTimeOriginal", "ExifIFD:OffsetTimeOriginal"),
        ("ExifIFD:CreateDate", "ExifIFD:SubSecTimeDigitized", "ExifIFD:OffsetTimeDigitized"),
    )
    for tag, subsec_tag, offset_tag in exif_candidates:
        moment = parse_datetime(raw.get(tag, ""))
        if moment is None:
            continue
        if subsec_tag in raw and moment.microsecond == 0:
            moment = moment.replace(microsecond=_subseconds(raw[subsec_tag]))
        return _camera_clock(moment, tag, raw.get(offset_tag), offset_tag, raw, notes)
    return _container_time(raw) or _maker_note_time(raw, notes)


def _camera_clock(
    moment: datetime,
    tag: str,
    offset_value: Any,
    offset_tag: str,
    raw: dict[str, Any],
    notes: list[str],
) -> dict[str, Any]:
    """A camera's wall-clock time, given its offset from ``offset_tag`` when it has one,
    else from the GPS fix time when the two differ by a whole quarter hour."""
    result: dict[str, Any] = {"captured_at_source": tag}
    offset = parse_offset(str(offset_value or ""))
    if moment.tzinfo is None and offset is not None:
        moment = moment.replace(tzinfo=offset)
        result["captured_at_offset_source"] = offset_tag
    elif moment.tzinfo is None and (gps_utc := gps_fix_time(raw)) is not None:
        gps_offset = infer_offset_from_gps(moment, gps_utc)
        if gps_offset is not None:
            moment = moment.replace(tzinfo=gps_offset)
            result["captured_at_offset_source"] = GPS_TIME_SOURCE
            notes.append(
                f"UTC offset of {tag} inferred from the GPS fix time {gps_utc.isoformat()}"
            )
        else:
            notes.append(
                f"{tag} and the GPS fix time {gps_utc.isoformat()} do not differ by a "
                "whole quarter hour; no UTC offset inferred"
            )
    result["captured_at"] = moment.isoformat()
    result["captured_at_naive"] = moment.tzinfo is None
    return result


def _maker_note_time(raw: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """The capture time a camera kept in its maker note (:data:`MAKER_NOTE_TIMES`)."""
    for date_tag, time_tag in MAKER_NOTE_TIMES:
        text = str(raw.get(date_tag, "")).strip()
        if time_tag is not None:
            text = f"{text} {str(raw.get(time_tag, '')).strip()}"
        moment = parse_datetime(text)
        if moment is None:
            continue
        source = date_tag if time_tag is None else f"{date_tag}+{time_tag}"
        notes.append(
            f"capture time read from the camera's maker note ({source}): "
            "the EXIF, XMP and container date tags are empty"
        )
        return _camera_clock(moment, source, None, "", raw, notes)
    return {}


def _container_time(raw: dict[str, Any]) -> dict[str, Any]:
    """The capture time from XMP, Apple's QuickTime keys, the movie header or ffprobe."""
    # XMP and Apple's QuickTime "Keys" carry the local time with its offset.
    for tag in (
        "XMP-exif:DateTimeOriginal",
        "XMP-photoshop:DateCreated",
        "Keys:CreationDate",
        "XMP-xmp:CreateDate",
    ):
        moment = parse_datetime(raw.get(tag, ""))
        if moment is not None:
            return _time_result(moment, tag)

    # QuickTime movie-header times are UTC by the QuickTime/MP4 specification.
    for tag in ("QuickTime:CreateDate", "QuickTime:MediaCreateDate"):
        moment = parse_datetime(raw.get(tag, ""))
        if moment is not None:
            return _time_result(moment.replace(tzinfo=UTC), tag)
    ffprobe_time = _ffprobe_format_tags(raw).get("creation_time")
    if ffprobe_time:
        moment = parse_datetime(str(ffprobe_time))
        if moment is not None:
            return _time_result(moment, "ffprobe:format.tags.creation_time")
    return {}


def _time_result(moment: datetime, source: str) -> dict[str, Any]:
    return {
        "captured_at": moment.isoformat(),
        "captured_at_naive": moment.tzinfo is None,
        "captured_at_source": source,
    }


def _number(value: Any) -> float | None:
    """A finite float from an ExifTool ``-n`` value, or ``None`` (empty, text, NaN)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(Fraction(str(value).strip()))
        except (ValueError, ZeroDivisionError):
            return None
    return number if math.isfinite(number) else None


def _signed(value: Any, ref: Any, negative_refs: tuple[str, ...]) -> float | None:
    number = _number(value)
    if number is None:
        return None
    if isinstance(ref, str) and ref.strip().upper()[:1] in negative_refs:
        return -abs(number)
    return abs(number) if isinstance(ref, str) and ref.strip() else number


def _exif_gps(raw: dict[str, Any], notes: list[str]) -> dict[str, Any] | None:
    """GPS from the EXIF GPS IFD (unsigned values + N/S/E/W references)."""
    if "GPS:GPSLatitude" not in raw and "GPS:GPSLongitude" not in raw:
        return None
    lat = _signed(raw.get("GPS:GPSLatitude"), raw.get("GPS:GPSLatitudeRef"), ("S",))
    lon = _signed(raw.get("GPS:GPSLongitude"), raw.get("GPS:GPSLongitudeRef"), ("W",))
    if lat is None or lon is None:
        notes.append(
            "EXIF GPSLatitude/GPSLongitude present but unreadable (ExifTool gives an empty "
            "value, e.g. for a 0/0 rational); EXIF position not used"
        )
        return None
    gps: dict[str, Any] = {"lat": lat, "lon": lon}
    altitude = _number(raw.get("GPS:GPSAltitude"))
    if altitude is not None:
        below_sea_level = _number(raw.get("GPS:GPSAltitudeRef")) == 1
        gps["altitude_m"] = -abs(altitude) if below_sea_level else altitude
    gps.update(_direction(raw, "GPS", notes))
    return gps


# GPSImgDirectionRef: "T" true north, "M" magnetic north (Exif 2.32, CIPA DC-008-2019).
_DIRECTION_REFS = {"T": "true", "M": "magnetic"}


def _direction(raw: dict[str, Any], group: str, notes: list[str]) -> dict[str, Any]:
    """``direction_deg`` and, when the file states it, ``direction_ref`` (true or magnetic
    north) from ``GPSImgDirection`` and ``GPSImgDirectionRef`` in ``group``."""
    direction = _number(raw.get(f"{group}:GPSImgDirection"))
    if direction is None:
        return {}
    result: dict[str, Any] = {"direction_deg": direction}
    ref = str(raw.get(f"{group}:GPSImgDirectionRef", "")).strip()
    if ref.upper() in _DIRECTION_REFS:
        result["direction_ref"] = _DIRECTION_REFS[ref.upper()]
    else:
        notes.append(
            f"{group}:GPSImgDirectionRef is {ref or 'empty'!r}, not T (true north) or M "
            "(magnetic north): the image direction's north is not known"
        )
    return result


def _xmp_gps(raw: dict[str, Any], notes: list[str]) -> dict[str, Any] | None:
    """GPS from XMP ``exif:`` tags; ExifTool's ``-n`` already signs these."""
    lat = _number(raw.get("XMP-exif:GPSLatitude"))
    lon = _number(raw.get("XMP-exif:GPSLongitude"))
    if lat is None or lon is None:
        return None
    gps: dict[str, Any] = {"lat": lat, "lon": lon}
    altitude = _number(raw.get("XMP-exif:GPSAltitude"))
    if altitude is not None:
        below_sea_level = _number(raw.get("XMP-exif:GPSAltitudeRef")) == 1
        gps["altitude_m"] = -abs(altitude) if below_sea_level else altitude
    gps.update(_direction(raw, "XMP-exif", notes))
    return gps


def _ffprobe_format_tags(raw: dict[str, Any]) -> dict[str, Any]:
    ffprobe = raw.get("ffprobe")
    if not isinstance(ffprobe, dict):
        return {}
    tags = ffprobe.get("format", {}).get("tags", {})
    return tags if isinstance(tags, dict) else {}


def _video_gps(raw: dict[str, Any], notes: list[str]) -> tuple[dict[str, Any], str] | None:
    """GPS of a phone video from its ISO 6709 string (Apple ``mdta`` key or Android
    ``©xyz``), read via ffprobe, else from ExifTool's ``GPSCoordinates``."""
    tags = _ffprobe_format_tags(raw)
    for key in ("com.apple.quicktime.location.ISO6709", "location"):
        text = tags.get(key)
        if not isinstance(text, str):
            continue
        try:
            lat, lon, alt = parse_iso6709(text)
        except ValueError:
            notes.append(f"ffprobe tag {key}={text!r} is not an ISO 6709 point")
            continue
        gps: dict[str, Any] = {"lat": lat, "lon": lon}
        if alt is not None:
            gps["altitude_m"] = alt
        return gps, f"ffprobe:format.tags.{key}"
    for tag in ("Keys:GPSCoordinates", "UserData:GPSCoordinates", "ItemList:GPSCoordinates"):
        text = raw.get(tag)
        if text is None:
            continue
        parts = [_number(p) for p in str(text).split()]
        if len(parts) >= 2 and parts[0] is not None and parts[1] is not None:
            gps = {"lat": parts[0], "lon": parts[1]}
            if len(parts) >= 3 and parts[2] is not None:
                gps["altitude_m"] = parts[2]
            return gps, tag
    return None


def _gps(raw: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """The first usable position among EXIF, XMP and video tags, junk positions dropped."""
    candidates: list[tuple[dict[str, Any] | None, str]] = [
        (_exif_gps(raw, notes), "GPS"),
        (_xmp_gps(raw, notes), "XMP-exif"),
    ]
    video = _video_gps(raw, notes)
    if video is not None:
        candidates.append(video)
    for gps, source in candidates:
        if gps is None:
            continue
        lat, lon = gps["lat"], gps["lon"]
        if lat == 0.0 and lon == 0.0:
            notes.append(f"GPS position 0,0 in {source} treated as no fix (null island)")
            continue
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            notes.append(f"GPS position {lat},{lon} in {source} is out of range; not used")
            continue
        return {"gps": gps, "gps_source": source}
    return {}


def _first_text(raw: dict[str, Any], tags: tuple[str, ...]) -> str | None:
    for tag in tags:
        value = raw.get(tag)
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def _ffprobe_video_stream(raw: dict[str, Any]) -> dict[str, Any]:
    ffprobe = raw.get("ffprobe")
    if not isinstance(ffprobe, dict):
        return {}
    for stream in ffprobe.get("streams", []):
        if isinstance(stream, dict) and stream.get("codec_type") == "video":
            # Cover art in audio files is a one-picture "video" stream; skip it.
            if stream.get("disposition", {}).get("attached_pic") == 1:
                continue
            return stream
    return {}


def _rate(text: Any) -> float | None:
    """Frames per second from ffprobe's ``"30000/1001"``; ``None`` for ``"0/0"``."""
    number = _number(text)
    return number if number else None


def ffprobe_rotation(stream: dict[str, Any]) -> int | None:
    """Clockwise display rotation (0/90/180/270) from an ffprobe video stream.

    ffprobe reports the display matrix angle counter-clockwise (``rotation: -90`` for an
    iPhone portrait video), and older files carry a ``rotate`` tag measured clockwise.
    """
    for side_data in stream.get("side_data_list", []) or []:
        if isinstance(side_data, dict) and "rotation" in side_data:
            angle = _number(side_data["rotation"])
            if angle is not None:
                return round(-angle) % 360
    tag = stream.get("tags", {}).get("rotate")
    angle = _number(tag) if tag is not None else None
    return round(angle) % 360 if angle is not None else None


def _technical(raw: dict[str, Any]) -> dict[str, Any]:
    """Dimensions, duration, codec, rotation and frame rate."""
    out: dict[str, Any] = {}
    stream = _ffprobe_video_stream(raw)
    width, height = _number(stream.get("width")), _number(stream.get("height"))
    if width is None or height is None:
        size = str(raw.get("Composite:ImageSize", "")).replace("x", " ").split()
        if len(size) == 2:
            width, height = _number(size[0]), _number(size[1])
    if width is None or height is None:
        width, height = _number(raw.get("File:ImageWidth")), _number(raw.get("File:ImageHeight"))
    if width is not None and height is not None:
        out["width"], out["height"] = int(width), int(height)

    ffprobe = raw.get("ffprobe")
    duration = None
    if isinstance(ffprobe, dict):
        duration = _number(ffprobe.get("format", {}).get("duration"))
    if duration is None:
        duration = _number(raw.get("QuickTime:Duration") or raw.get("Composite:Duration"))
    if duration is not None:
        out["duration_s"] = duration

    if stream.get("codec_name"):
        out["video_codec"] = str(stream["codec_name"])
    rotation = ffprobe_rotation(stream) if stream else None
    if rotation is None:
        composite = _number(raw.get("Composite:Rotation"))
        rotation = round(composite) % 360 if composite is not None else None
    if rotation is not None:
        out["rotation_deg"] = rotation
    frame_rate = _rate(stream.get("avg_frame_rate")) or _rate(stream.get("r_frame_rate"))
    if frame_rate is not None:
        out["frame_rate"] = frame_rate
    return out


def normalise(raw: dict[str, Any]) -> dict[str, Any]:
    """Normalised metadata from a raw ExifTool (``-G1:4 -a -n``) + ffprobe dict.

    See the module docstring for the keys. Values that look like junk (GPS 0,0, unreadable
    rationals, zero dates) are left out and the reason is added to ``normalisation_notes``.
    """
    notes: list[str] = []
    out: dict[str, Any] = {}
    out.update(_capture_time(raw, notes))
    out.update(_gps(raw, notes))
    fix_time = gps_fix_time(raw)
    if fix_time is not None:
        out["gps_time"] = fix_time.isoformat()
    tags = _ffprobe_format_tags(raw)
    make = _first_text(raw, ("IFD0:Make", "Keys:Make", "UserData:Make", "XMP-tiff:Make"))
    model = _first_text(raw, ("IFD0:Model", "Keys:Model", "UserData:Model", "XMP-tiff:Model"))
    software = _first_text(
        raw, ("IFD0:Software", "Keys:Software", "UserData:Software", "XMP-xmp:CreatorTool")
    )
    make = make or _first_text(tags, ("com.apple.quicktime.make",))
    model = model or _first_text(tags, ("com.apple.quicktime.model",))
    software = software or _first_text(tags, ("com.apple.quicktime.software", "encoder"))
    for key, value in (("make", make), ("model", model), ("software", software)):
        if value is not None:
            out[key] = value
    out.update(_technical(raw))
    if notes:
        out["normalisation_notes"] = notes
    return out
