"""Values formatted for people: sizes, durations, times, and internal names in words.

Jinja filters (``install`` registers them): each takes a plain value and returns text, and
leaves a value it cannot read as given, so a page never fails on an odd stored value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from jinja2 import Environment

from evidencelab.locker.actions import ACTIONS

# SI decimal prefixes, as storage and transfer sizes are given (IEC 80000-13:2008 keeps
# kB = 1000 B; the binary KiB is a different unit).
_SIZE_UNITS = ("kB", "MB", "GB", "TB")

# Rows of a payload's list shown in words; the raw form, one click away, has them all.
MAX_ROWS_SHOWN = 12

# Payload keys whose spelling out would read wrong.
PAYLOAD_LABELS = {"sha256": "SHA-256", "size_bytes": "Size", "url": "URL", "id": "Id"}

# The normalised metadata's fields (extract/normalise.py) in words.
METADATA_LABELS = {
    "captured_at": "Capture time",
    "captured_at_naive": "Capture time without time zone (camera clock only)",
    "captured_at_source": "Capture time read from",
    "captured_at_offset_source": "Time zone offset read from",
    "gps": "GPS position",
    "gps_source": "GPS position read from",
    "gps_time": "GPS fix time",
    "make": "Camera make",
    "model": "Camera model",
    "software": "Software",
    "width": "Width (stored)",
    "height": "Height (stored)",
    "duration_s": "Duration",
    "video_codec": "Video codec",
    "rotation_deg": "Display rotation",
    "frame_rate": "Frame rate",
    "normalisation_notes": "Notes on the metadata",
}


def filesize(size_bytes: Any) -> str:
    """A size in bytes for people: "512 bytes", "60.9 kB", "2.4 MB" (SI decimal units,
    IEC 80000-13:2008; three significant figures at most)."""
    if not isinstance(size_bytes, int) or isinstance(size_bytes, bool) or size_bytes < 0:
        return str(size_bytes)
    if size_bytes < 1000:
        return "1 byte" if size_bytes == 1 else f"{size_bytes} bytes"
    value = float(size_bytes)
    for unit in _SIZE_UNITS:
        value /= 1000
        if round(value, 1) < 1000 or unit == _SIZE_UNITS[-1]:
            return f"{value:.0f} {unit}" if value >= 100 else f"{value:.1f} {unit}"
    raise AssertionError("unreachable")


def duration(seconds: Any) -> str:
    """A duration in seconds as a media player shows it: "0:42", "3:05", "1:02:03"; under
    a second in tenths ("0.4 s")."""
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
        return str(seconds)
    if seconds < 1:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def moment(text: Any) -> str:
    """An ISO 8601 time as stored, for people: to the second, with the UTC offset as stored
    ("2022-02-24 10:50:00 UTC+02:00", "… UTC"), or saying it has none (a camera clock)."""
    if not isinstance(text, str):
        return "" if text is None else str(text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return text
    shown = parsed.strftime("%Y-%m-%d %H:%M:%S")
    offset = parsed.utcoffset()
    if offset is None:
        return f"{shown} (no time zone)"
    if not offset:
        return f"{shown} UTC"
    minutes = round(offset.total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    return f"{shown} UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def field_label(key: Any) -> str:
    """A metadata field's name in words (an unknown one spelled out)."""
    return METADATA_LABELS.get(str(key)) or _spelled(str(key))


def metadata_value(value: Any, key: str = "") -> str:
    """A normalised metadata value for people, read by its field (extract/normalise.py):
    degrees, metres, pixels, seconds, frames per second."""
    if key == "gps" and isinstance(value, Mapping):
        return _position(value)
    if key in ("captured_at", "gps_time"):
        return moment(value)
    if key == "duration_s":
        return duration(value)
    if key in ("width", "height") and isinstance(value, int):
        return f"{value} px"
    if key == "rotation_deg" and isinstance(value, int):
        return f"{value}° clockwise" if value else "none"
    if key == "frame_rate" and isinstance(value, int | float):
        return f"{value:.3g} frames/s"
    return plain(value)


def _position(gps: Mapping[str, Any]) -> str:
    """lat, lon (WGS 84 degrees), altitude (m), image direction (degrees from the north
    the file names: true or magnetic, Exif 2.32 GPSImgDirectionRef)."""
    parts = [f"{gps.get('lat')}, {gps.get('lon')}"]
    if gps.get("altitude_m") is not None:
        parts.append(f"altitude {gps['altitude_m']} m")
    if gps.get("direction_deg") is not None:
        north = f" from {gps['direction_ref']} north" if gps.get("direction_ref") else ""
        parts.append(f"facing {gps['direction_deg']}°{north}")
    return " · ".join(parts)


def plain(value: Any) -> str:
    """Any stored value as text: yes/no, lists joined, mappings as "name: value" pairs."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        return "; ".join(f"{_spelled(str(k)).lower()}: {_compact(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_compact(v) for v in value) if value else "none"
    return str(value)


def _compact(value: Any) -> str:
    if isinstance(value, Mapping | list | tuple) and any(
        isinstance(v, Mapping | list | tuple)
        for v in (value.values() if isinstance(value, Mapping) else value)
    ):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return plain(value)


def action_words(name: Any) -> str:
    """A custody action in words, from the one registry (locker/actions.py)."""
    action = ACTIONS.get(str(name))
    return action.words if action else _spelled(str(name))


def payload_fields(payload: Any) -> list[tuple[str, str]]:
    """A custody event's payload as (name in words, value as text) pairs; a list of rows
    (a ``records`` event's changes) as one line per row."""
    if not isinstance(payload, Mapping):
        return [("value", plain(payload))]
    fields = []
    for key, value in payload.items():
        if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            lines = [_row(v) for v in value[:MAX_ROWS_SHOWN]]
            if len(value) > MAX_ROWS_SHOWN:
                lines.append(f"and {len(value) - MAX_ROWS_SHOWN} more (in the raw form)")
            text = "\n".join(lines)
        elif key == "size_bytes":
            text = filesize(value)
        else:
            text = plain(value)
        fields.append((PAYLOAD_LABELS.get(str(key)) or _spelled(str(key)), text))
    return fields


def _row(row: Mapping[str, Any]) -> str:
    """One changed row of a ``records`` event (table, key, operation), else its fields."""
    if "table" in row:
        return f"{row.get('op', 'write')} {row['table']} {plain(row.get('key'))}".strip()
    return plain(row)


def _spelled(name: str) -> str:
    return name.replace("_", " ").replace("-", " ").strip().capitalize()


def install(environment: Environment) -> None:
    """Register the filters on the pages' Jinja environment."""
    environment.filters.update(
        filesize=filesize,
        duration=duration,
        moment=moment,
        field_label=field_label,
        metadata_value=metadata_value,
        plain=plain,
        action_words=action_words,
        payload_fields=payload_fields,
    )
