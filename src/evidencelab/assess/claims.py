"""Public claims as testable predicates over the case's incidents.

The set of predicates is closed: a claim in the register names one of `PREDICATES`, and
each is evaluated over every incident's facts as "supported", "contradicted" or
"undetermined", with the incidents that decide it and a sentence saying why. Absence of
evidence never supports a claim: "supported" needs every incident to bear it out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from evidencelab.assess.facts import IncidentFacts
from evidencelab.assess.indicators import no_military_objective_identified
from evidencelab.assess.records import ClaimEvaluation
from evidencelab.assess.situation import accuracy_branch
from evidencelab.assess.weapon import weapon_profile

Verdict = tuple[str, tuple[str, ...], str]


@dataclass(frozen=True)
class Predicate:
    """A named test: `evaluate` returns (result, deciding incident ids, explanation)."""

    name: str
    description: str
    evaluate: Callable[[Sequence[IncidentFacts]], Verdict]


def _only_precision_guided(incidents: Sequence[IncidentFacts]) -> Verdict:
    against: list[str] = []
    bearing: list[str] = []
    open_: list[str] = []
    why: list[str] = []
    for facts in incidents:
        if facts.munition is None:
            open_.append(facts.incident_id)
            continue
        profile = weapon_profile(facts.munition)
        if profile.branch == "inaccurate" or profile.munition.guidance == "unguided":
            against.append(facts.incident_id)
            why.append(f"{facts.incident_id}: {profile.name}: {profile.reason}")
        elif profile.branch == "precise" and profile.munition.guidance == "guided":
            bearing.append(facts.incident_id)
        else:
            open_.append(facts.incident_id)
    if against:
        return (
            "contradicted",
            tuple(against),
            "weapons outside the precise branch were identified: " + "; ".join(why),
        )
    if bearing and not open_:
        return "supported", tuple(bearing), "every identified weapon is guided and precise"
    return (
        "undetermined",
        tuple(open_),
        "weapon not identified, or its guidance or accuracy not established, in: "
        + (", ".join(open_) or "no incident"),
    )


def _no_civilian_casualties(incidents: Sequence[IncidentFacts]) -> Verdict:
    harmed = [
        f for f in incidents if (f.casualties.killed_min or 0) + (f.casualties.injured_min or 0) > 0
    ]
    if harmed:
        parts = [
            f"{f.incident_id}: at least {f.casualties.killed_min or 0} killed, "
            f"{f.casualties.injured_min or 0} injured"
            for f in harmed
        ]
        return "contradicted", tuple(f.incident_id for f in harmed), "; ".join(parts)
    unknown = [
        f.incident_id
        for f in incidents
        if f.casualties.killed_min is None or f.casualties.injured_min is None
    ]
    if incidents and not unknown:
        return "supported", tuple(f.incident_id for f in incidents), "every incident records zero"
    return "undetermined", tuple(unknown), "casualties not recorded for: " + ", ".join(unknown)


def _no_strikes_on_civilian_objects(incidents: Sequence[IncidentFacts]) -> Verdict:
    hit = [(f, [o for o in f.objects_hit if o.civilian and o.relation == "hit"]) for f in incidents]
    against = [(f, objs) for f, objs in hit if objs]
    if against:
        parts = [f"{f.incident_id}: {', '.join(o.label for o in objs)}" for f, objs in against]
        return (
            "contradicted",
            tuple(f.incident_id for f, _ in against),
            "civilian objects recorded as hit: " + "; ".join(parts),
        )
    # An incident decides for the claim only when every object it records as hit is
    # military: one hit of an unclassified kind leaves it open.
    silent = [
        f.incident_id
        for f in incidents
        if not any(o.relation == "hit" for o in f.objects_hit)
        or any(o.unclassified and o.relation == "hit" for o in f.objects_hit)
    ]
    if incidents and not silent:
        return (
            "supported",
            tuple(f.incident_id for f in incidents),
            "every incident records only military objects hit",
        )
    return (
        "undetermined",
        tuple(silent),
        "no object recorded as hit, or only objects of unclassified kinds, in: "
        + ", ".join(silent),
    )


def _military_objectives_only(incidents: Sequence[IncidentFacts]) -> Verdict:
    against: list[str] = []
    with_objective: list[str] = []
    for facts in incidents:
        none_known = no_military_objective_identified(facts, accuracy_branch(facts))["fires"]
        civilian_hit = any(o.civilian and o.relation == "hit" for o in facts.objects_hit)
        if none_known and civilian_hit:
            against.append(facts.incident_id)
        elif not none_known:
            with_objective.append(facts.incident_id)
    if against:
        return (
            "contradicted",
            tuple(against),
            "civilian objects were hit where the case identifies no military objective in "
            "the plausible aim area: " + ", ".join(against),
        )
    if incidents and len(with_objective) == len(incidents):
        return (
            "supported",
            tuple(with_objective),
            "every incident has a military objective recorded or mapped in its aim area",
        )
    return (
        "undetermined",
        tuple(f.incident_id for f in incidents if f.incident_id not in with_objective),
        "no objective identified, but no civilian object recorded as hit, in the others",
    )


def _no_cluster_munitions(incidents: Sequence[IncidentFacts]) -> Verdict:
    def cluster(facts: IncidentFacts) -> bool:
        if facts.warhead and "cluster" in facts.warhead.lower():
            return True
        return facts.munition is not None and facts.munition.weapon_class == "submunition"

    against = [f.incident_id for f in incidents if cluster(f)]
    if against:
        return (
            "contradicted",
            tuple(against),
            "a cluster warhead or submunition is recorded in: " + ", ".join(against),
        )
    stated = [f for f in incidents if f.warhead]
    if incidents and len(stated) == len(incidents):
        return "supported", tuple(f.incident_id for f in stated), "every warhead is recorded"
    return (
        "undetermined",
        tuple(f.incident_id for f in incidents if not f.warhead),
        "the warhead type is not recorded for every incident",
    )


PREDICATES: Final[dict[str, Predicate]] = {
    p.name: p
    for p in (
        Predicate(
            "only_precision_guided_weapons",
            "every identified weapon is guided and in the precise accuracy branch",
            _only_precision_guided,
        ),
        Predicate(
            "no_civilian_casualties",
            "no incident records civilians killed or injured",
            _no_civilian_casualties,
        ),
        Predicate(
            "no_strikes_on_civilian_objects",
            "no incident records a civilian object as hit",
            _no_strikes_on_civilian_objects,
        ),
        Predicate(
            "military_objectives_only",
            "every strike that hit civilian objects had a military objective in its aim area",
            _military_objectives_only,
        ),
        Predicate(
            "no_cluster_munitions",
            "no incident records a cluster warhead or submunitions",
            _no_cluster_munitions,
        ),
    )
}


def evaluate_claim(claim: Mapping[str, Any], incidents: Sequence[IncidentFacts]) -> ClaimEvaluation:
    """One claim (id, claimant, made_at, text, predicate; made_at and predicate may be
    missing) evaluated over the incidents."""
    predicate = PREDICATES.get(claim.get("predicate") or "")
    if predicate is None:
        result, deciding = "undetermined", []
        explanation = "the claim has no testable predicate"
    else:
        result, found, why = predicate.evaluate(incidents)
        deciding, explanation = list(found), f"{predicate.description}: {why}"
    return {
        "id": claim["id"],
        "claimant": claim["claimant"],
        "made_at": claim.get("made_at"),
        "text": claim["text"],
        "predicate": claim.get("predicate"),
        "result": result,
        "deciding_incidents": deciding,
        "explanation": explanation,
    }
