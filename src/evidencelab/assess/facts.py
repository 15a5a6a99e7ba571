"""The plain facts about one incident that the indicators reason over.

The service layer builds an `IncidentFacts` from the case (incident record, munitions
catalogue, context objects, casualty figures); tests build them by hand. Distances are
geodesic metres on WGS 84; coordinates are decimal degrees.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from evidencelab.analysis.context.kinds import (
    KIND_CATEGORY,
    ObjectClass,
    canonical_kind,
    object_class,
)
from evidencelab.analysis.munitions import Munition
from evidencelab.assess.records import FactRecord

#: Kinds of protected and sensitive objects (context vocabulary; docs/assessment.md says
#: which of them carry a special protection and which the general protection of
#: civilian objects).
PROTECTED_KINDS: Final[frozenset[str]] = frozenset(
    k for k, c in KIND_CATEGORY.items() if c == "protected"
)


#: Radius (m) around an impact point within which the case must hold at least one context
#: object for its context data to count as consulted for that incident (a larger search
#: radius is used when an indicator needs one). Objects far away say nothing about this
#: incident's surroundings; an extract that covers them holds residential buildings or
#: other mapped objects within this distance. A policy line of this tool.
CONTEXT_NEIGHBOURHOOD_M: Final = 1000.0


@dataclass(frozen=True)
class Fact:
    """One fact an indicator used: what, its value, and where it comes from."""

    fact: str
    value: Any
    provenance: str

    def record(self) -> FactRecord:
        return {"fact": self.fact, "value": self.value, "provenance": self.provenance}


@dataclass(frozen=True, kw_only=True)
class NearbyObject:
    """A context object near the impact point (the NEARBY contract)."""

    id: str
    name: str | None
    kinds: tuple[str, ...]
    category: str | None
    distance_m: float
    origin: str = "manual"
    basis: str | None = None
    ref: str | None = None
    lat: float | None = None
    lon: float | None = None

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> NearbyObject:
        return cls(
            id=str(record["id"]),
            name=record.get("name"),
            kinds=tuple(record.get("kinds") or ()),
            category=record.get("category"),
            distance_m=float(record["distance_m"]),
            origin=str(record.get("origin") or "manual"),
            basis=record.get("basis"),
            ref=record.get("ref"),
            lat=record.get("lat"),
            lon=record.get("lon"),
        )

    @property
    def label(self) -> str:
        return self.name or self.ref or self.id

    @property
    def provenance(self) -> str:
        where = {"osm": "OpenStreetMap", "geojson": "GeoJSON import", "manual": "added by hand"}
        text = f"context object {self.id} ({where.get(self.origin, self.origin)})"
        return f"{text}; basis: {self.basis}" if self.basis else text


@dataclass(frozen=True, kw_only=True)
class HitObject:
    """An object recorded in the incident. `relation` is "hit" (struck) or "near" (the
    record says the strike was near it). `distance_m` is its geodesic distance from the
    impact point when its position is known (linked context object or coordinates)."""

    kind: str
    name: str | None = None
    relation: str = "hit"
    distance_m: float | None = None
    object_id: str | None = None
    lat: float | None = None
    lon: float | None = None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.kind})" if self.name else self.kind

    @property
    def classification(self) -> ObjectClass:
        """civilian, military or unclassified (analysis.context.kinds.object_class)."""
        return object_class(self.kind)

    @property
    def civilian(self) -> bool:
        return self.classification == "civilian"

    @property
    def military(self) -> bool:
        return self.classification == "military"

    @property
    def unclassified(self) -> bool:
        return self.classification == "unclassified"

    @property
    def context_kind(self) -> str:
        """The context kind the recorded kind stands for (`apartments` → `residential`)."""
        return canonical_kind(self.kind)

    @property
    def protected(self) -> bool:
        return self.context_kind in PROTECTED_KINDS


@dataclass(frozen=True, kw_only=True)
class Objective:
    """The likely military objective: from the incident record, or a possible military
    objective from the context data. `separation_m` is the geodesic distance from it to
    the civilian object hit (or the impact point, `separation_to` says which);
    `separation_precision_m` is how far the true separation may differ from it (m): the
    sum of the two positions' recorded precision radii, None when either is not recorded."""

    name: str
    origin: str
    basis: str | None = None
    lat: float | None = None
    lon: float | None = None
    separation_m: float | None = None
    separation_to: str | None = None
    separation_precision_m: float | None = None

    @property
    def separation_range_m(self) -> tuple[float, float] | None:
        """The least and greatest separation the recorded positions allow (m)."""
        if self.separation_m is None or self.separation_precision_m is None:
            return None
        return (
            max(0.0, self.separation_m - self.separation_precision_m),
            self.separation_m + self.separation_precision_m,
        )


@dataclass(frozen=True, kw_only=True)
class SourceWording:
    """A casualty report's own words (its `quote`), by source id."""

    source: str
    quote: str


@dataclass(frozen=True, kw_only=True)
class CasualtyFacts:
    """Civilian casualties as the case's aggregation gives them ("at least" minima).
    `wording` holds the quotes of the reports the minima rest on."""

    killed_min: int | None = None
    injured_min: int | None = None
    killed_max: int | None = None
    injured_max: int | None = None
    sources: tuple[str, ...] = ()
    wording: tuple[SourceWording, ...] = ()


@dataclass(frozen=True, kw_only=True)
class MilitaryCasualties:
    """A report of members of the armed forces killed or injured in the incident (a
    casualty report with `civilian: false`): people counted as such are not civilians."""

    source: str
    killed: int | None = None
    injured: int | None = None

    @property
    def label(self) -> str:
        parts = [f"{n} {w}" for n, w in ((self.killed, "killed"), (self.injured, "injured")) if n]
        return f"{self.source}: " + (", ".join(parts) or "figures not stated")


@dataclass(frozen=True)
class PopulatedMarking:
    """An analyst's marking of the incident as in a populated area (or not), and why."""

    value: bool
    basis: str | None = None


@dataclass(frozen=True, kw_only=True)
class ClaimOutcome:
    """A claim from the register as evaluated over the case."""

    id: str
    claimant: str
    text: str
    predicate: str
    result: str
    deciding_incidents: tuple[str, ...]
    explanation: str


@dataclass(frozen=True, kw_only=True)
class IncidentFacts:
    """Everything the indicators may use about one incident.

    `munition` is the catalogue entry of the identified weapon (None when the record names
    none, or names one the catalogue lacks: `munition_name` then keeps the name).
    `candidates` are the catalogue entries of `weapon_category` when no munition is named.
    `variant` is the warhead variant (unitary, cluster, thermobaric, guided_kit), recorded
    or read from the designation; `variant_basis` says which.
    `nearby` holds context objects within the search radius of the impact point;
    `context_searched_m` that radius (None: the case holds no context data near this
    incident, so none was consulted). `munition_count` is the number of munitions the
    record says struck (several rockets of a salvo), when recorded.
    """

    incident_id: str
    title: str = ""
    lat: float | None = None
    lon: float | None = None
    precision_m: float | None = None
    munition: Munition | None = None
    munition_name: str | None = None
    weapon_category: str | None = None
    weapon_basis: str | None = None
    weapon_confidence: str | None = None
    warhead: str | None = None
    variant: str | None = None
    variant_basis: str | None = None
    munition_count: int | None = None
    candidates: tuple[Munition, ...] = ()
    objects_hit: tuple[HitObject, ...] = ()
    nearby: tuple[NearbyObject, ...] = ()
    context_searched_m: float | None = None
    objective: Objective | None = None
    casualties: CasualtyFacts = field(default_factory=CasualtyFacts)
    military_casualties: tuple[MilitaryCasualties, ...] = ()
    populated_marking: PopulatedMarking | None = None
    claims: tuple[ClaimOutcome, ...] = ()

    @property
    def place_fact(self) -> Fact:
        where = (
            f"{self.lat:.5f}, {self.lon:.5f} ± {self.precision_m:g} m"
            if self.lat is not None and self.lon is not None and self.precision_m is not None
            else f"{self.lat}, {self.lon}"
        )
        return Fact("impact point", where, f"incident {self.incident_id} place")
