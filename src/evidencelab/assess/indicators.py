"""Explainable IHL indicators over one incident's facts.

Each function returns an INDICATOR record (contracts: code, title, fires, statement,
rules, facts with provenance, numbers, confidence, would_change) whether it fires or not.
An indicator points to the rules a human should consider; it never states a violation.
Wording follows the field: "consistent with", "may constitute", "at least".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from evidencelab.analysis.accuracy import format_percent, p_within_of_point, r90
from evidencelab.assess.facts import Fact, HitObject, IncidentFacts, NearbyObject, Objective
from evidencelab.assess.records import (
    ConditionalFigures,
    IncidentAssessment,
    IndicatorRecord,
)
from evidencelab.assess.rules import rules
from evidencelab.assess.situation import (
    AccuracyBranch,
    PopulatedArea,
    accuracy_branch,
    populated_area,
)
from evidencelab.assess.weapon import WeaponProfile

#: Radius (m) taken to stand for a building-sized object in the offset probability
#: ("lands within 50 m of the residential block"); a parameter, printed with the figure.
BUILDING_RADIUS_M: Final = 50.0

#: Warhead mass (kg) from which a single warhead counts as "very large" for the EWIPA
#: blast factor. No published threshold was found: this is a policy line of the
#: tool, printed with the figure, for a person to judge.
LARGE_WARHEAD_KG: Final = 500.0

CODES: Final = (
    "PROTECTED_OBJECT_NEARBY",
    "NO_MILITARY_OBJECTIVE_IDENTIFIED",
    "INACCURATE_WEAPON_IN_POPULATED_AREA",
    "WIDE_AREA_EFFECTS",
    "PRECISE_WEAPON_CIVILIAN_TARGET",
    "CLUSTER_MUNITIONS_IN_POPULATED_AREA",
    "CIVILIAN_HARM",
    "CLAIM_CONTRADICTED",
)


@dataclass(frozen=True)
class Protection:
    """What protects an object of a context kind, in words, and the rules that say so."""

    text: str
    rule_codes: tuple[str, ...]


_GENERAL = Protection(
    "the general protection of civilian objects (API 52), no special protection", ()
)
_EDUCATION = Protection(
    "a building dedicated to education: special care must be taken to avoid damage to it",
    ("CIHL 38",),
)
_CULTURE = Protection(
    "cultural property, protected where it constitutes the cultural or spiritual heritage "
    "of peoples; special care must be taken to avoid damage to it",
    ("API 53", "CIHL 38"),
)

#: Context kind → its protection (docs/assessment.md, "Objects hit"): medical units
#: (GC IV 18, API 12, CIHL 28), buildings dedicated to education, religion or culture
#: (CIHL 38, API 53), drinking water (API 54, CIHL 54), dams, dykes and nuclear power
#: stations (API 56, CIHL 42); shelters, markets and power works are civilian objects.
PROTECTIONS: Final[dict[str, Protection]] = {
    "hospital": Protection(
        "a medical unit: respected and protected, never the object of attack",
        ("GC IV 18", "API 12", "CIHL 28"),
    ),
    "clinic": Protection(
        "a medical unit: respected and protected, never the object of attack",
        ("API 12", "CIHL 28"),
    ),
    "school": _EDUCATION,
    "kindergarten": _EDUCATION,
    "university": _EDUCATION,
    "place_of_worship": _CULTURE,
    "cultural_property": _CULTURE,
    "water": Protection(
        "an object indispensable to the survival of the civilian population (drinking water)",
        ("API 54", "CIHL 54"),
    ),
    "dangerous_forces": Protection(
        "a work or installation containing dangerous forces (dam, dyke or nuclear power station)",
        ("API 56", "CIHL 42"),
    ),
    "shelter": _GENERAL,
    "marketplace": _GENERAL,
    "power": _GENERAL,
}

#: Kinds the Rome Statute's Art. 8(2)(b)(ix) names: buildings dedicated to religion,
#: education, art, science or charitable purposes, historic monuments, hospitals.
_IX_KINDS = frozenset(
    {"hospital", "clinic", "school", "kindergarten", "university", "place_of_worship",
     "cultural_property"}
)  # fmt: skip


def _indicator(
    code: str,
    title: str,
    *,
    fires: bool,
    statement: str,
    rule_codes: tuple[str, ...],
    facts: list[Fact],
    numbers: dict[str, Any],
    confidence: str,
    would_change: list[str],
) -> IndicatorRecord:
    return {
        "code": code,
        "title": title,
        "fires": fires,
        "statement": statement,
        "rules": rules(*rule_codes),
        "facts": [f.record() for f in facts],
        "numbers": numbers,
        "confidence": confidence,
        "would_change": would_change,
    }


def _weapon_facts(facts: IncidentFacts, branch: AccuracyBranch) -> list[Fact]:
    found = [facts.place_fact]
    if branch.profile is not None:
        found.append(
            Fact(
                "weapon",
                branch.profile.name,
                f"incident record (basis: {facts.weapon_basis or 'not stated'}; confidence: "
                f"{facts.weapon_confidence or 'not stated'}); catalogue entry "
                f"{branch.profile.munition.id}",
            )
        )
        found.extend(
            Fact(f"accuracy figure ({r.kept_as})", r.label, f"{r.source} ({r.url}); {r.reading}")
            for r in branch.profile.readings
        )
    elif facts.munition_name or facts.weapon_category:
        found.append(
            Fact(
                "weapon",
                facts.munition_name or f"category {facts.weapon_category}",
                f"incident record (basis: {facts.weapon_basis or 'not stated'})",
            )
        )
    found.append(Fact("accuracy branch", branch.name, branch.reason))
    return found


def _nearest(objective: Objective | None) -> float | None:
    """The least separation the recorded positions allow (m), None when not known."""
    span = objective.separation_range_m if objective is not None else None
    return span[0] if span is not None else None


def _separation_text(objective: Objective) -> str:
    """'3093 m' with, when the positions' precision is recorded, the range it allows."""
    assert objective.separation_m is not None
    text = f"{objective.separation_m:.0f} m"
    span = objective.separation_range_m
    if span is None:
        return text + " (the precision of the positions is not recorded)"
    return text + f" (the recorded positions allow {span[0]:.0f}–{span[1]:.0f} m)"


def _conditional(
    facts: IncidentFacts, profiles: tuple[WeaponProfile, ...]
) -> list[ConditionalFigures]:
    """Figures for each catalogue entry of the recorded category, labelled as hypotheses."""
    objective = facts.objective
    separation = objective.separation_m if objective is not None else None
    nearest = _nearest(objective)
    out = []
    for profile in profiles:
        entry: ConditionalFigures = {
            "if_the_weapon_were": profile.name,
            "catalogue_id": profile.munition.id,
            "separation_to": objective.separation_to if objective is not None else None,
            "branch": profile.branch,
            "reason": profile.reason,
            "readings": [
                r.numbers(
                    separation_m=separation,
                    within_m=BUILDING_RADIUS_M if separation is not None else None,
                    nearest_m=nearest,
                )
                for r in profile.readings
            ],
        }
        out.append(entry)
    return out


def _unclassified(facts: IncidentFacts) -> list[HitObject]:
    """Objects recorded in the incident whose kind is outside the vocabulary."""
    return [o for o in facts.objects_hit if o.unclassified]


def _unclassified_text(objects: list[HitObject]) -> str:
    names = ", ".join(f"{o.label} [{o.relation}]" for o in objects)
    return (
        f"Objects of kinds outside the vocabulary are recorded ({names}): they are "
        "unclassified, counted neither as civilian objects nor as military objectives."
    )


def _unclassified_missing(objects: list[HitObject]) -> str:
    kinds = ", ".join(sorted({o.kind for o in objects}))
    return f"a kind from the vocabulary (civilian or military) for the objects recorded as {kinds}"


# --- PROTECTED_OBJECT_NEARBY ------------------------------------------------------------


def _protection_of(kinds: tuple[str, ...]) -> Protection:
    """The strongest protection among an object's kinds (a special one before the
    general protection of civilian objects)."""
    found = [PROTECTIONS[k] for k in kinds if k in PROTECTIONS]
    special = [p for p in found if p.rule_codes]
    return (special or found or [_GENERAL])[0]


def protected_object_nearby(facts: IncidentFacts, branch: AccuracyBranch) -> IndicatorRecord:
    """A protected or sensitive object (medical unit, school, place of worship, cultural
    property, drinking water, dam or dyke, shelter, power works, market) hit, recorded
    near the impact, or in the context data within the relevant radius: the weapon's R90
    (largest deciding reading) or the impact point's precision radius, whichever is
    larger (m). Each object's protection is named: a special protection, or the general
    protection of civilian objects; the Rome Statute's 8(2)(b)(ix) is cited only for an
    object of its kinds that was hit."""
    error_radius = branch.profile.error_radius_m if branch.profile else None
    candidates = [r for r in (error_radius, facts.precision_m) if r is not None]
    radius = max(candidates) if candidates else None
    basis = []
    if error_radius is not None:
        basis.append(f"R90 of the weapon ({error_radius:.0f} m)")
    if facts.precision_m is not None:
        basis.append(f"precision radius of the impact point ({facts.precision_m:g} m)")
    recorded: list[HitObject] = [o for o in facts.objects_hit if o.protected]
    mapped: list[NearbyObject] = [
        o
        for o in facts.nearby
        if o.category == "protected" and radius is not None and o.distance_m <= radius
    ]
    used = [facts.place_fact]
    used += [
        Fact(
            f"protected object {o.relation}",
            o.label,
            f"incident {facts.incident_id} objects_hit"
            + (f" (context object {o.object_id})" if o.object_id else ""),
        )
        for o in recorded
    ]
    used += [Fact("protected object in context data", o.label, o.provenance) for o in mapped]
    objects = [
        {
            "name": o.label,
            "relation": o.relation,
            "distance_m": 0.0
            if o.relation == "hit"
            else (round(o.distance_m, 1) if o.distance_m is not None else None),
            "protection": _protection_of((o.context_kind,)).text,
        }
        for o in recorded
    ] + [
        {
            "name": o.label,
            "relation": "mapped",
            "distance_m": round(o.distance_m, 1),
            "protection": _protection_of(o.kinds).text,
        }
        for o in mapped
    ]
    fires = bool(objects)
    numbers: dict[str, Any] = {
        "radius_m": round(radius, 1) if radius is not None else None,
        "radius_basis": "; the larger of ".join(basis) if basis else None,
        "objects": objects,
    }
    kinds = [o.context_kind for o in recorded] + [k for o in mapped for k in o.kinds]
    special = [code for k in kinds if k in PROTECTIONS for code in PROTECTIONS[k].rule_codes]
    rule_codes: tuple[str, ...] = ("API 52", "CIHL 7", *dict.fromkeys(special))
    if any(o.relation == "hit" and o.context_kind in _IX_KINDS for o in recorded):
        rule_codes += ("RS 8(2)(b)(ix)",)
    would_change = [
        "evidence that the object was used, outside its protected function, for acts "
        "harmful to the enemy (for a civilian hospital, protection ends only after a "
        "warning with a time limit has gone unheeded)",
        "a more precise impact location (the distances are measured from the recorded point)",
    ]
    if facts.context_searched_m is None:
        would_change.append("context data (mapped protected objects) around the impact point")
    if fires:
        names = "; ".join(
            f"{o['name']} ({o['relation']}"
            + (f", {o['distance_m']:.0f} m" if o["distance_m"] is not None else "")
            + f"): {o['protection']}"
            for o in objects
        )
        where = (
            f"Protected objects were hit, recorded near the impact, or lie within "
            f"{radius:.0f} m of it"
            if radius is not None
            else "Protected objects were hit or recorded near the impact"
        )
        statement = f"{where}: {names}. An attack on or near them may engage the protection named."
        hit = any(o.relation == "hit" for o in recorded)
        confidence = "high" if hit else "medium"
    else:
        statement = "No protected object is recorded as hit or near, and none is known within " + (
            f"{radius:.0f} m of the impact point." if radius is not None else "the area."
        )
        confidence = "medium" if facts.context_searched_m is not None else "low"
    return _indicator(
        "PROTECTED_OBJECT_NEARBY",
        "Protected object hit or nearby",
        fires=fires,
        statement=statement,
        rule_codes=rule_codes,
        facts=used,
        numbers=numbers,
        confidence=confidence,
        would_change=would_change,
    )


# --- NO_MILITARY_OBJECTIVE_IDENTIFIED ---------------------------------------------------


def _military_struck(facts: IncidentFacts) -> list[Fact]:
    """Military objects recorded as hit (or near) and reports of military casualties:
    each identifies a military objective of the attack."""
    found = [
        Fact(f"military object {o.relation}", o.label, f"incident {facts.incident_id} objects_hit")
        for o in facts.objects_hit
        if o.military
    ]
    found += [
        Fact("military casualties", c.label, f"incident {facts.incident_id} casualty report")
        for c in facts.military_casualties
    ]
    return found


def no_military_objective_identified(
    facts: IncidentFacts, branch: AccuracyBranch
) -> IndicatorRecord:
    """No likely military objective recorded in the incident, no military object recorded
    as hit or near, no military casualties reported, and no possible military objective
    in the context data within the plausible aim area: the weapon's R95 (largest deciding
    reading) plus the impact point's precision radius (m)."""
    aim = branch.profile.aim_radius_m if branch.profile else None
    radius = (aim or 0.0) + (facts.precision_m or 0.0)
    military = [o for o in facts.nearby if o.category == "military" and o.distance_m <= radius]
    used = [facts.place_fact]
    numbers: dict[str, Any] = {
        "aim_area_radius_m": round(radius, 1),
        "aim_area_basis": (
            f"R95 of the weapon ({aim:.0f} m) + precision of the impact point "
            f"({facts.precision_m or 0:g} m)"
            if aim is not None
            else f"precision of the impact point ({facts.precision_m or 0:g} m); the "
            "weapon's dispersion is unknown"
        ),
        "context_searched_m": facts.context_searched_m,
        "military_objects_in_aim_area": [
            {"name": o.label, "kinds": list(o.kinds), "distance_m": round(o.distance_m, 1)}
            for o in military
        ],
    }
    would_change = [
        "reporting or imagery identifying a military objective (forces, equipment, use of "
        "a building) at the time of the attack",
    ]
    if facts.context_searched_m is None:
        would_change.append("context data (possible military objectives) around the impact")
    if aim is None:
        would_change.append("the weapon's identity and accuracy (they set the aim area)")
    objective = facts.objective
    if objective is not None:
        used.append(
            Fact("likely military objective", objective.name, objective.basis or objective.origin)
        )
        statement = (
            f"A likely military objective is recorded: {objective.name} "
            f"({objective.basis or 'no basis given'})."
        )
        return _indicator(
            "NO_MILITARY_OBJECTIVE_IDENTIFIED",
            "No military objective identified",
            fires=False,
            statement=statement,
            rule_codes=("API 48", "API 52", "CIHL 7"),
            facts=used,
            numbers=numbers,
            confidence="medium",
            would_change=["evidence that the recorded objective was not one at the time"],
        )
    struck = _military_struck(facts)
    if struck:
        used += struck
        return _indicator(
            "NO_MILITARY_OBJECTIVE_IDENTIFIED",
            "No military objective identified",
            fires=False,
            statement=(
                "A military objective is identified by what the attack struck: "
                + "; ".join(f"{f.fact}: {f.value}" for f in struck)
                + ". Whether the civilian harm was excessive is the proportionality question."
            ),
            rule_codes=("API 48", "API 52", "CIHL 7"),
            facts=used,
            numbers=numbers,
            confidence="medium",
            would_change=[
                "evidence that the object or the people struck were not a military objective "
                "at the time (API 52(2))"
            ],
        )
    used += [
        Fact("possible military objective in context data", o.label, o.provenance) for o in military
    ]
    fires = not military
    if fires:
        statement = (
            "No military objective is recorded, and none is known within the plausible aim "
            f"area ({radius:.0f} m of the impact point). An attack not directed at a "
            "specific military objective may constitute an indiscriminate attack; this "
            "rests on the absence of known objectives, not on proof that none existed."
        )
        confidence = "medium" if facts.context_searched_m is not None and aim else "low"
    else:
        statement = (
            f"No objective is recorded, but the context data show possible military "
            f"objectives within {radius:.0f} m: "
            + ", ".join(f"{o.label} ({o.distance_m:.0f} m)" for o in military)
            + "."
        )
        confidence = "medium"
    return _indicator(
        "NO_MILITARY_OBJECTIVE_IDENTIFIED",
        "No military objective identified",
        fires=fires,
        statement=statement,
        rule_codes=("API 48", "API 51(4)(a)", "API 52", "CIHL 7", "CIHL 12"),
        facts=used,
        numbers=numbers,
        confidence=confidence,
        would_change=would_change,
    )


# --- INACCURATE_WEAPON_IN_POPULATED_AREA ------------------------------------------------


def inaccurate_weapon_in_populated_area(
    facts: IncidentFacts, branch: AccuracyBranch, populated: PopulatedArea
) -> IndicatorRecord:
    """The weapon is in the inaccurate branch, the area is populated, and its dispersion is
    large compared with the separation between the likely objective and the civilian
    object hit (R90 ≥ separation) — or, with no objective known, civilians lie within its
    error radius (the populated-area bases say which)."""
    used = _weapon_facts(facts, branch) + list(populated.facts)
    objective = facts.objective
    separation = objective.separation_m if objective is not None else None
    numbers: dict[str, Any] = {
        "branch": branch.record(),
        "populated_area": populated.record(),
    }
    would_change: list[str] = list(branch.missing)
    if branch.profile is None:
        numbers["conditional"] = _conditional(facts, branch.conditional)
        statement = (
            f"Not assessed: {branch.reason}. "
            + (
                "Conditional figures for the catalogue entries of the recorded category are "
                "given, each only as 'if the weapon were X'."
                if branch.conditional
                else ""
            )
        ).strip()
        return _indicator(
            "INACCURATE_WEAPON_IN_POPULATED_AREA",
            "Inaccurate weapon in a populated area",
            fires=False,
            statement=statement,
            rule_codes=("API 51(4)(b)", "CIHL 12", "CIHL 17"),
            facts=used,
            numbers=numbers,
            confidence="low",
            would_change=would_change,
        )
    profile = branch.profile
    nearest = _nearest(objective)
    readings = [
        r.numbers(
            separation_m=separation,
            within_m=BUILDING_RADIUS_M if separation is not None else None,
            nearest_m=nearest,
        )
        for r in profile.readings
    ]
    numbers["readings"] = readings
    error_radius = profile.error_radius_m
    numbers["error_radius_m"] = round(error_radius, 1) if error_radius else None
    if objective is not None:
        used.append(
            Fact(
                "likely military objective",
                objective.name,
                f"{objective.origin}; basis: {objective.basis or 'not stated'}",
            )
        )
        if separation is not None:
            used.append(
                Fact(
                    "separation objective → " + (objective.separation_to or "impact point"),
                    _separation_text(objective),
                    "geodesic distance (WGS 84) between the recorded coordinates; the range "
                    "adds and subtracts the objective's and the incident place's precision",
                )
            )
    if populated.value is not True:
        would_change.append("whether the area is populated (context data or an analyst's marking)")
    if branch.name != "inaccurate":
        fires = False
        statement = f"The weapon is not in the inaccurate branch: {branch.reason}."
    elif populated.value is not True:
        fires = False
        statement = (
            f"{profile.name} is in the inaccurate branch, but nothing establishes that the "
            "area is populated."
        )
    elif separation is not None and error_radius is not None and error_radius < separation:
        assert objective is not None
        fires = False
        statement = (
            f"{profile.name} is in the inaccurate branch, but the civilian object hit lies "
            f"{_separation_text(objective)} from the likely objective, beyond the weapon's "
            f"R90 ({error_radius:.0f} m) as recorded: under these figures an impact that "
            "far from the objective is unlikely, which questions the objective or the figures."
        )
        if nearest is None or nearest <= error_radius:
            statement += (
                " The positions are not recorded precisely enough to establish this."
                if nearest is not None
                else " Without the positions' precision this cannot be established."
            )
        would_change.append("a closer check of the likely objective and of the impact point")
    else:
        fires = True
        statement = _inaccurate_statement(profile, objective, separation, populated)
    would_change.append(
        "better accuracy figures for the weapon (the catalogue's are cited and graded above)"
    )
    return _indicator(
        "INACCURATE_WEAPON_IN_POPULATED_AREA",
        "Inaccurate weapon in a populated area",
        fires=fires,
        statement=statement,
        rule_codes=("API 51(4)(b)", "CIHL 12", "CIHL 17", "API 57", "EWIPA 2022"),
        facts=used,
        numbers=numbers,
        confidence=branch.confidence if fires else "low",
        would_change=would_change,
    )


def _inaccurate_statement(
    profile: WeaponProfile,
    objective: Objective | None,
    separation: float | None,
    populated: PopulatedArea,
) -> str:
    """The sentence for a firing INACCURATE_WEAPON_IN_POPULATED_AREA, with the figures."""
    ceps = [c for r in profile.deciding for c in (r.cep_low_m, r.cep_high_m)]
    if ceps:
        low, high = float(r90(min(ceps))), float(r90(max(ceps)))
        spread = f"R90 {low:.0f} m" if low == high else f"R90 {low:.0f}–{high:.0f} m"
        what = f"{profile.name} ({'; '.join(r.label for r in profile.deciding)}; {spread})"
    else:
        what = f"{profile.name} ({profile.reason})"
    conclusion = (
        "consistent with an attack employing a means that cannot be directed at a specific "
        "military objective in this setting"
    )
    if separation is not None and ceps:
        worst = float(p_within_of_point(BUILDING_RADIUS_M, separation, max(ceps)))
        target = objective.name if objective is not None else "the objective"
        distance = _separation_text(objective) if objective is not None else f"{separation:.0f} m"
        return (
            f"The use of {what} against {target}, {distance} from the civilian object "
            f"hit, is {conclusion} (with a CEP of {max(ceps):g} m, {format_percent(worst)} of "
            f"impacts aimed at the objective would land within {BUILDING_RADIUS_M:g} m of "
            "that object); this may constitute an indiscriminate attack."
        )
    return (
        f"{what} was used in a populated area ({'; '.join(populated.bases)}). Its dispersion "
        f"is large compared with the spacing of civilian objects there, which is {conclusion}; "
        "this may constitute an indiscriminate attack."
    )


# --- WIDE_AREA_EFFECTS -------------------------------------------------------------------


def _low(figures: list[Any]) -> float | None:
    lows = [f.min if f.min is not None else f.value for f in figures]
    values = [v for v in lows if v is not None]
    return min(values) if values else None


def _cluster_fact(facts: IncidentFacts) -> Fact | None:
    """The cluster variant as a fact: recorded in the weapon record, or read from the
    munition's designation (`variant_basis` says which); the older free-text `warhead`
    field counts when no variant is given."""
    if facts.variant == "cluster":
        return Fact("warhead variant", "cluster", facts.variant_basis or "weapon record")
    if facts.variant is None and facts.warhead and "cluster" in facts.warhead.lower():
        return Fact("warhead", facts.warhead, f"incident {facts.incident_id} weapon record")
    return None


def _wide_area_confidence(
    facts: IncidentFacts, branch: AccuracyBranch, factors: list[str], cluster: Fact | None
) -> str:
    """A cluster variant is a property of the identified weapon: that factor stands at the
    confidence of the weapon identification, not at that of the accuracy branch; the
    indicator takes the best confidence among its factors."""
    if cluster is None:
        return branch.confidence
    found = [facts.weapon_confidence or "low"]
    if len(factors) > 1:
        found.append(branch.confidence)
    return min(found, key=("high", "medium", "low").index)


def wide_area_effects(
    facts: IncidentFacts, branch: AccuracyBranch, populated: PopulatedArea
) -> IndicatorRecord:
    """Any of the three wide-area factors (large blast, inaccurate delivery, multiple
    munitions: ICRC/INEW usage) in a populated area. A launcher's salvo is a possible
    factor only, unless the record says several munitions struck (`munition_count`)."""
    factors: list[str] = []
    possible: list[str] = []
    used = _weapon_facts(facts, branch) + list(populated.facts)
    numbers: dict[str, Any] = {
        "populated_area": populated.record(),
        "large_warhead_kg": LARGE_WARHEAD_KG,
    }
    profile = branch.profile
    submunition_hint = False
    if branch.name == "inaccurate":
        factors.append(f"inaccurate delivery ({branch.reason})")
    if facts.munition_count is not None and facts.munition_count >= 2:
        factors.append(f"multiple munitions: {facts.munition_count} recorded in the incident")
        used.append(
            Fact("munitions recorded", facts.munition_count, f"incident {facts.incident_id}")
        )
    cluster = _cluster_fact(facts)
    if cluster is not None:
        factors.append(f"multiple munitions: cluster variant ({cluster.provenance})")
        used.append(cluster)
    if profile is not None:
        munition = profile.munition
        tubes = munition.figures("launcher.tubes")
        if munition.weapon_class == "multiple_rocket_launcher" and tubes:
            salvo = (
                f"rocket salvo (the launcher holds {tubes[0].value:g} {tubes[0].unit} "
                f"[{tubes[0].flag}])"
            )
            numbers["salvo"] = tubes[0].value
            if facts.munition_count is None or facts.munition_count < 2:
                # A launcher's capacity says what it can fire, not what struck here.
                possible.append(f"a {salvo}; the record does not say several rockets struck")
        if munition.weapon_class == "submunition" and cluster is None:
            factors.append("multiple munitions: the weapon is a submunition")
        submunitions = munition.figures("submunitions.count")
        submunition_hint = bool(submunitions) and cluster is None and facts.variant is None
        if submunition_hint:
            counts = ", ".join(f"{f.value:g} [{f.flag}]" for f in submunitions if f.value)
            possible.append(
                f"the catalogue lists a cluster variant ({counts} submunitions); the incident "
                "record does not state the warhead"
            )
        mass = _low(munition.figures("warhead.mass_kg"))
        if mass is not None:
            numbers["warhead_mass_kg_low"] = mass
            if mass >= LARGE_WARHEAD_KG:
                factors.append(f"large blast: warhead of at least {mass:g} kg")
    numbers["factors"] = factors
    numbers["possible_factors"] = possible
    would_change = [
        *(["the warhead type (cluster or unitary) from remnants"] if submunition_hint else []),
        *(["how many rockets struck"] if "salvo" in numbers and not facts.munition_count else []),
    ]
    if profile is None:
        would_change.insert(0, "the munition type")
    if populated.value is not True:
        would_change.append("whether the area is populated")
    fires = bool(factors) and populated.value is True
    if fires:
        statement = (
            "Explosive weapon with wide area effects in a populated area: "
            + "; ".join(factors)
            + ". The effects of such an attack may not be limited as required, and it may "
            "treat a populated area as one objective; it is the situation the 2022 "
            "political declaration on explosive weapons in populated areas addresses."
        )
    elif factors:
        statement = (
            "Wide-area factors present ("
            + "; ".join(factors)
            + "), but the area is not established as populated."
        )
    else:
        statement = "No wide-area factor is established for this weapon."
    if possible:
        statement += " Possible: " + "; ".join(possible) + "."
    return _indicator(
        "WIDE_AREA_EFFECTS",
        "Wide area effects in a populated area",
        fires=fires,
        statement=statement,
        rule_codes=("API 51(4)(c)", "API 51(5)(a)", "CIHL 12", "EWIPA 2022"),
        facts=used,
        numbers=numbers,
        confidence=_wide_area_confidence(facts, branch, factors, cluster) if fires else "low",
        would_change=would_change,
    )


# --- PRECISE_WEAPON_CIVILIAN_TARGET -------------------------------------------------------


def precise_weapon_civilian_target(
    facts: IncidentFacts, branch: AccuracyBranch, no_objective: IndicatorRecord
) -> IndicatorRecord:
    """A precise weapon, no military objective identified, and civilian objects hit or
    civilians harmed: the question becomes a direct attack on civilians or a failure to do
    everything feasible to verify the target (OHCHR's reasoning on Hroza)."""
    used = _weapon_facts(facts, branch)
    civilian_hit = [o for o in facts.objects_hit if o.civilian and o.relation == "hit"]
    unclassified = _unclassified(facts)
    harmed = (facts.casualties.killed_min or 0) + (facts.casualties.injured_min or 0)
    used += [
        Fact("civilian object hit", o.label, f"incident {facts.incident_id}") for o in civilian_hit
    ]
    numbers: dict[str, Any] = {
        "branch": branch.record(),
        "no_military_objective_identified": no_objective["fires"],
        "civilians_harmed_min": harmed,
        "unclassified_objects": [o.label for o in unclassified],
    }
    if branch.profile is None:
        numbers["conditional"] = _conditional(facts, branch.conditional)
    fires = (
        branch.name == "precise" and no_objective["fires"] and (bool(civilian_hit) or harmed > 0)
    )
    if fires:
        assert branch.profile is not None
        statement = (
            f"{branch.profile.name} is in the precise branch ({branch.reason}), no military "
            "objective is identified, and civilians or civilian objects were hit. This is "
            "consistent either with civilians or civilian objects being the object of the "
            "attack or with a failure to do everything feasible to verify the target; either "
            "may constitute a serious violation."
        )
    elif branch.name != "precise":
        statement = f"The weapon is not in the precise branch: {branch.reason}."
    elif not no_objective["fires"]:
        statement = "A military objective is recorded or known near the impact."
    else:
        statement = "No civilian object hit and no civilian harm are recorded."
    if unclassified and not fires:
        statement += " " + _unclassified_text(unclassified)
    would_change = [
        *branch.missing,
        *([_unclassified_missing(unclassified)] if unclassified else []),
        "evidence of a military objective at the site at the time",
        "evidence of a malfunction or interception that diverted the weapon",
    ]
    return _indicator(
        "PRECISE_WEAPON_CIVILIAN_TARGET",
        "Precise weapon, civilian target",
        fires=fires,
        statement=statement,
        rule_codes=(
            "API 51(2)", "API 52", "CIHL 1", "CIHL 7", "CIHL 16", "API 57",
            "RS 8(2)(b)(i)", "RS 8(2)(b)(ii)",
        ),
        facts=used,
        numbers=numbers,
        confidence=branch.confidence if fires else "low",
        would_change=would_change,
    )  # fmt: skip


# --- CLUSTER_MUNITIONS_IN_POPULATED_AREA ---------------------------------------------------


def cluster_evidence(facts: IncidentFacts) -> tuple[list[Fact], list[str]]:
    """What establishes that a cluster munition was used (the cluster variant, recorded or
    read from the designation: `_cluster_fact`; or a catalogued submunition identified),
    and what only makes it possible (the catalogue lists a cluster variant of the weapon,
    and the record states no variant)."""
    cluster = _cluster_fact(facts)
    established: list[Fact] = [cluster] if cluster is not None else []
    possible: list[str] = []
    munition = facts.munition
    if munition is not None and munition.weapon_class == "submunition":
        established.append(
            Fact(
                "submunition identified",
                munition.names[0],
                f"incident {facts.incident_id} weapon record; catalogue {munition.id}",
            )
        )
    if munition is not None and not established and facts.variant is None:
        counts = [f for f in munition.figures("submunitions.count") if f.value]
        if counts:
            listed = ", ".join(f"{f.value:g} [{f.flag}]" for f in counts)
            possible.append(
                f"the catalogue lists a cluster variant of {munition.names[0]} ({listed} "
                "submunitions); the record does not state the warhead"
            )
    return established, possible


def cluster_munitions_in_populated_area(
    facts: IncidentFacts, populated: PopulatedArea
) -> IndicatorRecord:
    """A cluster munition recorded (`cluster_evidence`) in a populated area. Cluster
    munitions release many submunitions over a wide area, some of which fail to explode;
    whether a weapon is indiscriminate by nature (CIHL 71) is a person's judgement."""
    established, possible = cluster_evidence(facts)
    used = [facts.place_fact, *established, *populated.facts]
    fires = bool(established) and populated.value is True
    numbers: dict[str, Any] = {
        "populated_area": populated.record(),
        "cluster_established": [f.value for f in established],
        "cluster_possible": possible,
    }
    if fires:
        statement = (
            "A cluster munition was used in a populated area ("
            + "; ".join(f"{f.fact}: {f.value}" for f in established)
            + f"; {'; '.join(populated.bases)}). Its submunitions spread over a wide area "
            "and some fail to explode: this is consistent with an attack whose effects "
            "cannot be limited as required, and may constitute an indiscriminate attack; "
            "whether cluster munitions are by nature indiscriminate is for a person to judge."
        )
    elif established:
        statement = "A cluster munition is recorded, but the area is not established as populated."
    else:
        statement = "No cluster munition is recorded for this incident."
        if possible:
            statement += " Possible: " + "; ".join(possible) + "."
    would_change = ["the warhead type (cluster or unitary) from remnants"] if possible else []
    if established and populated.value is not True:
        would_change.append("whether the area is populated")
    return _indicator(
        "CLUSTER_MUNITIONS_IN_POPULATED_AREA",
        "Cluster munitions in a populated area",
        fires=fires,
        statement=statement,
        rule_codes=("CIHL 71", "API 51(4)(b)", "API 51(4)(c)", "CIHL 12", "EWIPA 2022"),
        facts=used,
        numbers=numbers,
        confidence=(facts.weapon_confidence or "medium") if fires else "low",
        would_change=would_change,
    )


# --- CIVILIAN_HARM ------------------------------------------------------------------------


#: Words by which a source marks a casualty as uncertain, as Amnesty International's
#: press release "Russian military commits indiscriminate attacks during the invasion of
#: Ukraine" did ("a civilian man appears to have been killed", "apparently killing").
#: The list is this tool's, not a published standard: a quote that uses none of them is
#: read as the source's plain statement.
HEDGES: Final = re.compile(
    r"\b(appears?|appeared|apparent(ly)?|reportedly|alleged(ly)?|possibl[ey]|probabl[ey]|"
    r"likely|believed|presumed|unconfirmed|unverified|seem(s|ed)?|may have|might have|"
    r"(is|are|was|were) said)\b",
    re.IGNORECASE,
)


def hedged(quote: str) -> bool:
    """True when a source's own words mark the casualty as uncertain (`HEDGES`)."""
    return HEDGES.search(quote) is not None


def civilian_harm(facts: IncidentFacts) -> IndicatorRecord:
    """Civilian casualties recorded (the case's "at least" minima). Proportionality needs
    the concrete and direct military advantage anticipated, which the tool never guesses.
    Confidence is high, or medium when every report the minima rest on hedges (`hedged`)."""
    c = facts.casualties
    killed, injured = c.killed_min or 0, c.injured_min or 0
    fires = killed + injured > 0
    numbers: dict[str, Any] = {
        "killed_min": c.killed_min,
        "killed_max": c.killed_max,
        "injured_min": c.injured_min,
        "injured_max": c.injured_max,
        "anticipated_military_advantage": None,
    }
    hedges = [w for w in c.wording if hedged(w.quote)]
    all_hedged = bool(c.wording) and len(hedges) == len(c.wording)
    numbers["hedged_wording"] = [w.quote for w in hedges]
    used = [
        Fact(
            "civilians killed (at least)",
            c.killed_min,
            "casualty aggregation; sources: " + (", ".join(c.sources) or "none"),
        ),
        Fact("civilians injured (at least)", c.injured_min, "casualty aggregation"),
    ]
    if fires:
        parts = []
        for count, word in ((c.killed_min, "killed"), (c.injured_min, "injured")):
            if count is None:
                parts.append(f"no {word} figure reported")
            else:
                parts.append(f"at least {count} {'civilian' if count == 1 else 'civilians'} {word}")
        statement = (
            f"Recorded: {parts[0]}; {parts[1]}. "
            "Whether this harm was excessive in relation to the concrete and direct military "
            "advantage anticipated (proportionality) needs that advantage, which the case "
            "does not contain and this tool does not estimate: a human judgement."
        )
        if facts.objective is None:
            statement += " No military objective is recorded, so no advantage is identified."
        if hedges:
            statement += (
                " The source hedges: "
                + "; ".join(f'"{w.quote}" ({w.source})' for w in hedges)
                + "."
            )
    else:
        statement = (
            "No civilian casualties are recorded for this incident (which is not a count of zero)."
        )
    return _indicator(
        "CIVILIAN_HARM",
        "Civilian harm recorded; proportionality needs the anticipated military advantage",
        fires=fires,
        statement=statement,
        rule_codes=("API 51(5)(b)", "CIHL 14", "RS 8(2)(b)(iv)"),
        facts=used,
        numbers=numbers,
        confidence=("medium" if all_hedged else "high") if fires and c.sources else "low",
        would_change=[
            "the concrete and direct military advantage anticipated (attacker statements, "
            "evidence of the objective)",
            "further casualty reports",
        ],
    )


# --- CLAIM_CONTRADICTED --------------------------------------------------------------------


def claim_contradicted(facts: IncidentFacts) -> IndicatorRecord:
    """A claim in the register is contradicted, and this incident is among those deciding."""
    against = [
        c
        for c in facts.claims
        if c.result == "contradicted" and facts.incident_id in c.deciding_incidents
    ]
    used = [
        Fact(f"claim {c.id}", c.text, f"{c.claimant}; predicate {c.predicate}")
        for c in facts.claims
    ]
    if against:
        statement = "This incident contradicts: " + "; ".join(
            f'{c.claimant}: "{c.text}" ({c.explanation})' for c in against
        )
    else:
        statement = "No claim in the register is contradicted by this incident."
    return _indicator(
        "CLAIM_CONTRADICTED",
        "Public claim contradicted",
        fires=bool(against),
        statement=statement,
        rule_codes=(),
        facts=used,
        numbers={"claims": [c.id for c in against]},
        confidence="medium" if against else "low",
        would_change=["the evidence behind the deciding facts (weapon, objects hit, casualties)"],
    )


# --- all of them -------------------------------------------------------------------------


def assess_incident(facts: IncidentFacts) -> IncidentAssessment:
    """Every indicator for one incident, with the branch, the populated-area basis, the
    conditional figures and what is missing."""
    branch = accuracy_branch(facts)
    error_radius = branch.profile.error_radius_m if branch.profile else None
    populated = populated_area(facts, error_radius)
    no_objective = no_military_objective_identified(facts, branch)
    indicators = [
        protected_object_nearby(facts, branch),
        no_objective,
        inaccurate_weapon_in_populated_area(facts, branch, populated),
        wide_area_effects(facts, branch, populated),
        precise_weapon_civilian_target(facts, branch, no_objective),
        cluster_munitions_in_populated_area(facts, populated),
        civilian_harm(facts),
        claim_contradicted(facts),
    ]
    missing = list(branch.missing)
    if populated.value is None:
        missing.append("whether the area is populated (context data or an analyst's marking)")
    if facts.context_searched_m is None:
        missing.append("context data (protected objects, possible military objectives)")
    unclassified = _unclassified(facts)
    if unclassified:
        missing.append(_unclassified_missing(unclassified))
    missing.append("the concrete and direct military advantage anticipated (proportionality)")
    return {
        "incident": facts.incident_id,
        "title": facts.title,
        "branch": branch.name,
        "branch_reason": branch.reason,
        "branch_confidence": branch.confidence,
        "populated_area": populated.record(),
        "conditional": _conditional(facts, branch.conditional),
        "indicators": indicators,
        "missing": missing,
    }
