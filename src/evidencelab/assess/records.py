"""The records the assessment hands on: an indicator (the INDICATOR contract), its facts
and rules, an incident's assessment, and a claim evaluated over the incidents."""

from __future__ import annotations

from typing import Any, NotRequired

from typing_extensions import TypedDict


class FactRecord(TypedDict):
    """One fact an indicator used: what, its value, and where it comes from."""

    fact: str
    value: Any  # a number, a text or a list, as the fact is
    provenance: str


class RuleRecord(TypedDict):
    """A rule an indicator points to, with its source and the source's reliability flag."""

    code: str  # as cited, e.g. "API 51(4)(b)"
    title: str
    text: str
    source: str
    flag: str


class IndicatorReview(TypedDict):
    """A person's decision on an indicator, from its latest sign-off."""

    state: str  # unreviewed, accepted, rejected, or stale (facts changed since)
    by: str | None
    at: str | None  # UTC, ISO 8601
    comment: str | None
    signed_decision: NotRequired[str]  # when stale: the decision signed then


class IndicatorRecord(TypedDict):
    """One indicator, whether it fires or not: what it says, the rules it points to, the
    facts and numbers it rests on, and what would change it."""

    code: str
    title: str
    fires: bool
    statement: str
    rules: list[RuleRecord]
    facts: list[FactRecord]
    numbers: dict[str, Any]  # the figures of this indicator (each code has its own)
    confidence: str
    would_change: list[str]
    review: NotRequired[IndicatorReview]  # added by the service from the sign-offs


class PopulatedAreaRecord(TypedDict):
    """Whether the incident is in a populated area, and on what basis."""

    value: bool | None
    bases: list[str]
    conflict: str | None  # what the bases disagree on


class ConditionalFigures(TypedDict):
    """Figures for one catalogue entry the unidentified weapon might be: a hypothesis."""

    if_the_weapon_were: str
    catalogue_id: str
    separation_to: str | None
    branch: str
    reason: str
    readings: list[dict[str, object]]  # per accuracy reading: CEP, R90, R95 (m), …


class IncidentAssessment(TypedDict):
    """Every indicator for one incident, with the accuracy branch, the populated-area
    basis, the conditional figures and what is missing."""

    incident: str
    title: str | None
    branch: str
    branch_reason: str
    branch_confidence: str
    populated_area: PopulatedAreaRecord
    conditional: list[ConditionalFigures]
    indicators: list[IndicatorRecord]
    missing: list[str]


class ClaimEvaluation(TypedDict):
    """A claim of the register evaluated over the incidents."""

    id: str
    claimant: str
    made_at: str | None  # a date or an ISO 8601 time, as given
    text: str
    predicate: str | None
    result: str  # supported, contradicted or undetermined
    deciding_incidents: list[str]
    explanation: str
