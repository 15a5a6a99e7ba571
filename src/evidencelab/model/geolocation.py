"""Where an item or an incident was placed, by whom and how; and whether an item is
verified. Each record keeps its author and review so the reasoning can be checked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

GeolocationMethod = Literal[
    "metadata_gps", "satellite_landmark", "street_level", "witness", "other"
]
GEOLOCATION_METHODS: tuple[GeolocationMethod, ...] = (
    "metadata_gps",
    "satellite_landmark",
    "street_level",
    "witness",
    "other",
)

ReviewState = Literal["unreviewed", "reviewed", "disputed"]
REVIEW_STATES: tuple[ReviewState, ...] = ("unreviewed", "reviewed", "disputed")

StatusState = Literal["unverified", "verified", "disputed", "discounted"]
STATUS_STATES: tuple[StatusState, ...] = ("unverified", "verified", "disputed", "discounted")


@dataclass(frozen=True, kw_only=True)
class Review:
    """The latest review of a record: its state, who gave it, when, and why."""

    state: ReviewState
    by: str | None = None
    at: datetime | None = None
    comment: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Geolocation:
    """A point with a precision radius (metres), the method that gave it, the material
    used (e.g. a satellite scene), the reasoning, its author and its review."""

    lat: float
    lon: float
    precision_m: float
    method: GeolocationMethod
    reference: str | None = None
    reasoning: str | None = None
    author: str | None = None
    created_at: datetime | None = None
    review: Review | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class EvidenceStatus:
    """An item's verification status, with the reason, who set it and when."""

    state: StatusState
    reason: str | None = None
    by: str | None = None
    at: datetime | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
