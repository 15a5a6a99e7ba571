"""An incident: one attack, with where, when, what weapon, what it hit and who was hurt."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from evidencelab.model.casualty import CasualtyReport
from evidencelab.model.geolocation import Geolocation

Confidence = Literal["high", "medium", "low"]
WarheadVariant = Literal["unitary", "cluster", "thermobaric", "guided_kit"]
CONFIDENCES: tuple[Confidence, ...] = ("high", "medium", "low")


@dataclass(frozen=True, kw_only=True)
class Place:
    """Where an incident happened.

    `lat` and `lon` are WGS 84 decimal degrees; `precision_m` is the radius in metres
    within which the point is believed to lie. `country` is an ISO 3166-1 alpha-2 code.
    """

    name: str
    admin1: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    precision_m: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class TimeInterval:
    """When an incident happened: from `start` to `end` (None: a single moment).

    Datetimes keep the UTC offset they were given with. A datetime without an offset is
    kept as given (naive): it is a local time whose zone the record does not state.
    `approximate` marks times that sources gave loosely ("at approximately 10.30").
    """

    start: datetime
    end: datetime | None = None
    approximate: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def has_offset(self) -> bool:
        """True when every given datetime carries a UTC offset."""
        return all(t.utcoffset() is not None for t in (self.start, self.end) if t is not None)


@dataclass(frozen=True, kw_only=True)
class Weapon:
    """The munition believed used (None: type not identified), the basis for that
    identification, and confidence. `variant` is the warhead variant when the record
    states it (unitary, cluster, thermobaric, guided_kit); the assessment otherwise takes
    it from the munition's designation, and says which."""

    munition: str | None = None
    basis: str | None = None
    confidence: Confidence | None = None
    variant: WarheadVariant | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ObjectHit:
    """An object struck. `kind` uses OpenStreetMap tag values (hospital, school, …)."""

    kind: str
    name: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class MilitaryObjective:
    """The likely intended target, if any, and the basis for thinking so."""

    name: str
    lat: float | None = None
    lon: float | None = None
    basis: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class PopulatedArea:
    """An analyst's marking of whether the incident took place in a populated area, and
    why; the assessment says when it rests on this marking."""

    value: bool
    basis: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Incident:
    """One attack. `evidence` holds ids of the case's evidence entries."""

    id: str
    title: str
    time: TimeInterval | None = None
    place: Place | None = None
    weapon: Weapon | None = None
    objects_hit: tuple[ObjectHit, ...] = ()
    military_objective: MilitaryObjective | None = None
    casualties: tuple[CasualtyReport, ...] = ()
    evidence: tuple[str, ...] = ()
    notes: str | None = None
    populated_area: PopulatedArea | None = None
    geolocations: tuple[Geolocation, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
