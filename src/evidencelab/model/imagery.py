"""Satellite imagery in a case file: the facts a person set on a scene (acquisition time,
sensor, provider, terms of use) and the annotations drawn on scenes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

AnnotationKind = Literal["crater", "damaged_building", "burn_scar", "other"]
ANNOTATION_KINDS: tuple[AnnotationKind, ...] = ("crater", "damaged_building", "burn_scar", "other")


@dataclass(frozen=True, kw_only=True)
class SceneFacts:
    """What is known about a satellite scene beyond what its file states.

    `acquired_at` carries a UTC offset; `acquired_at_source` says who or what stated it
    (`user`, `stac`, …). `publishable` is whether the licence allows showing the scene in
    public; absent means not cleared (commercial imagery often is not)."""

    acquired_at: datetime | None = None
    acquired_at_source: str | None = None
    sensor: str | None = None
    provider: str | None = None
    licence: str | None = None
    attribution: str | None = None
    publishable: bool | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class SceneAnnotationEntry:
    """A geometry drawn on a scene: `scene` is the evidence id of the scene, `geometry` a
    GeoJSON Point, LineString, Polygon or MultiPolygon in WGS 84; `diameter_m` a crater's
    diameter in metres; `note` the analyst's label; who drew it and when."""

    id: int
    scene: str
    kind: AnnotationKind
    geometry: Mapping[str, Any]
    diameter_m: float | None = None
    note: str | None = None
    author: str | None = None
    created_at: datetime | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
