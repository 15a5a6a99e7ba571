"""The records the assessment capability hands to the faces: incidents' indicators and
their sign-offs, claims evaluated, corroboration, the munitions catalogue, accuracy
figures and candidate launch areas."""

from __future__ import annotations

from typing import Any, NotRequired

from typing_extensions import TypedDict

from evidencelab.assess.records import (
    ClaimEvaluation as ClaimEvaluation,
)
from evidencelab.assess.records import (
    ConditionalFigures as ConditionalFigures,
)
from evidencelab.assess.records import (
    FactRecord as FactRecord,
)
from evidencelab.assess.records import (
    IncidentAssessment as IncidentAssessment,
)
from evidencelab.assess.records import (
    IndicatorRecord as IndicatorRecord,
)
from evidencelab.assess.records import (
    IndicatorReview as IndicatorReview,
)
from evidencelab.assess.records import (
    PopulatedAreaRecord as PopulatedAreaRecord,
)
from evidencelab.assess.records import (
    RuleRecord as RuleRecord,
)
from evidencelab.verify.corroboration import CorroboratedFact


class SignOffRecord(TypedDict):
    """A person's decision on an indicator just recorded, with its custody event."""

    incident: str
    code: str
    decision: str  # accepted or rejected
    comment: str
    by: str
    at: str  # UTC, ISO 8601
    fingerprint: str  # SHA-256 of the indicator's code, firing, facts and numbers
    previous_state: str
    custody_event: int


class CorroborationRecord(TypedDict):
    """For each fact of an incident (time, place, weapon, casualties): its corroboration."""

    incident: str
    title: str | None
    method: str
    facts: list[CorroboratedFact]


# A catalogue entry in one line of the list ("class" is a Python keyword, hence this form).
MunitionSummary = TypedDict("MunitionSummary", {"id": str, "class": str, "names": list[str]})

# A catalogue entry as its validated document gives it (data/munitions/munition.schema.json),
# after the file it came from; every figure carries its source and reliability flag.
MunitionRecord = TypedDict(
    "MunitionRecord",
    {
        "id": str,
        "origin": str,
        "format": str,
        "description": NotRequired[str],
        "names": dict[str, list[str]],  # english, russian, designations, nato, …
        "class": str,
        "guidance": dict[str, Any],
        "range_km": dict[str, Any],
        "accuracy": dict[str, Any],
        "warhead": dict[str, Any],
        "submunitions": dict[str, Any] | None,
        "launcher": NotRequired[dict[str, Any]],
        "effects": dict[str, Any],
        "remnants": list[dict[str, Any]] | None,
        "variants": NotRequired[list[dict[str, Any]]],
        "builds_on": NotRequired[list[str]],
        "gaps": dict[str, str],
        "notes": NotRequired[str],
    },
)


class AccuracyRecord(TypedDict):
    """What a CEP means around an aim point, and near another object (metres)."""

    cep_m: float
    r90_m: float
    r95_m: float
    r99_m: float
    model: str
    p_within_of_object: NotRequired[float]  # probability, 0–1
    within_m: NotRequired[float]
    sentence: str


class LaunchAreaSummary(TypedDict):
    """The candidate launch area behind an impact, in numbers (metres, degrees, km²)."""

    role: str
    impact: dict[str, float]  # lat, lon (WGS 84 degrees)
    bearing_deg: float
    bearing_uncertainty_deg: float
    range_min_m: float
    range_max_m: float
    area_km2: float
    range_basis: list[str]
    file: str
    within_control_km2: NotRequired[float]
    share_within_control: NotRequired[float]  # 0–1


class FeatureCollection(TypedDict):
    """A GeoJSON FeatureCollection (RFC 7946)."""

    type: str
    features: list[dict[str, Any]]


class LaunchAreaRecord(TypedDict):
    """The candidate launch area as written (GeoJSON) and summarised."""

    geojson: FeatureCollection
    summary: LaunchAreaSummary


class PredicateRecord(TypedDict):
    """A predicate a claim can name (assess.claims.PREDICATES)."""

    name: str
    description: str


class SourceOption(TypedDict):
    """A source a claim can cite, as a form offers it."""

    id: str
    description: str | None


class RegisterEntry(ClaimEvaluation):
    """A claim of the register evaluated over the incidents, with the source it cites."""

    source: str | None


class ClaimsRegister(TypedDict):
    """The claims register as a page shows it: each claim evaluated, and what a new claim
    can name (predicates, sources)."""

    claims: list[RegisterEntry]
    predicates: list[PredicateRecord]
    sources: list[SourceOption]
