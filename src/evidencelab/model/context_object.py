"""A context object added by hand: a protected object or a possible military objective
known from reporting rather than from a map extract."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, kw_only=True)
class ContextObjectEntry:
    """`kinds` use the context vocabulary (hospital, school, military_airfield, …). The
    object is a point (`lat`, `lon`) or a GeoJSON `geometry` in WGS 84; `basis` says why
    it is recorded and `source` which declared source says so."""

    id: str
    kinds: tuple[str, ...]
    name: str | None = None
    lat: float | None = None
    lon: float | None = None
    geometry: Mapping[str, Any] | None = None
    basis: str
    source: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
