"""The facts a consistency check compared, in words for a reader.

A check result's ``details`` (``evidencelab.verify.checks``) hold the values it compared
under keys that carry their unit: ``_s`` seconds, ``_m`` metres (geodesic, WGS 84),
``_bits`` bits of a perceptual-hash distance, ``_deg`` degrees. This module writes each as
a label and a value a person reads at a glance ("before", "11.8 years (371,755,075 s)"),
keeping the exact figure beside the rounded one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_YEAR_S = 365.25 * 86400  # a Julian year, as the checks' messages count years
_UNITS = ("_s", "_m", "_bits", "_deg")


def duration_text(seconds: float) -> str:
    """A duration in seconds as minutes, hours, days or years (of 365.25 days), the unit
    chosen as the checks' messages choose it, with the exact seconds beside it."""
    value = abs(seconds)
    if value < 120:
        return f"{value:,.0f} s"
    if value < 7200:
        shown = f"{value / 60:.0f} min"
    elif value < 4 * 86400:
        shown = f"{value / 3600:.1f} h"
    elif value < 365 * 86400:
        shown = f"{value / 86400:.1f} days"
    else:
        shown = f"{value / _YEAR_S:.1f} years"
    return f"{shown} ({value:,.0f} s)"


def distance_text(metres: float) -> str:
    """A distance in metres; in kilometres from 10 km, as the checks' messages write it."""
    if abs(metres) < 10_000:
        return f"{metres:,.0f} m"
    return f"{metres / 1000:,.1f} km"


def value_text(key: str, value: Any) -> str:
    """One compared value in words, its unit read from the key's suffix."""
    if isinstance(value, bool) or value is None:
        return {True: "yes", False: "no", None: "not given"}[value]
    if isinstance(value, int | float):
        if key.endswith("_s"):
            return duration_text(float(value))
        if key.endswith("_m"):
            return distance_text(float(value))
        if key.endswith("_bits"):
            return f"{value} bits"
        if key.endswith("_deg"):
            return f"{value}°"
        return f"{value:,}" if isinstance(value, int) else f"{value:g}"
    if isinstance(value, Mapping):
        return ", ".join(f"{_label(k)}: {value_text(str(k), v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        parts = [  # a pair inside a list is a span (a shadow finding's time window)
            " to ".join(map(str, v)) if isinstance(v, list | tuple) else value_text(key, v)
            for v in value
        ]
        return "; ".join(parts) or "none"
    return str(value)


def _label(key: str) -> str:
    for suffix in _UNITS:
        if key.endswith(suffix):
            key = key[: -len(suffix)]
            break
    return key.replace("_", " ")


def compared_facts(details: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value in words) for each fact a check compared, in the order given."""
    return [(_label(key), value_text(key, value)) for key, value in details.items()]
