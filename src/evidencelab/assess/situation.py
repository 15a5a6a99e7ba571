"""Two judgements every indicator rests on, made once per incident and explained: which
accuracy branch the weapon puts the incident in, and whether it happened in a populated
area (and on what basis)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from evidencelab.assess.facts import Fact, IncidentFacts
from evidencelab.assess.records import PopulatedAreaRecord
from evidencelab.assess.weapon import (
    INACCURATE_CEP_BASIS,
    INACCURATE_CEP_M,
    WeaponProfile,
    weapon_profile,
)

#: Weapon categories an incident record may give when no munition is named, and the
#: catalogue classes each covers (for the conditional "if the weapon were X" figures).
CATEGORY_CLASSES: Final[dict[str, tuple[str, ...]]] = {
    "missile_or_rocket": (
        "ballistic_missile",
        "cruise_missile",
        "anti_ship_missile",
        "surface_to_air_missile",
        "multiple_rocket_launcher",
    ),
    "missile": (
        "ballistic_missile",
        "cruise_missile",
        "anti_ship_missile",
        "surface_to_air_missile",
    ),
    "rocket": ("multiple_rocket_launcher",),
    "artillery": ("tube_artillery",),
    "bomb": ("guided_bomb",),
    "drone": ("loitering_munition",),
}


def catalogue_classes_for(category: str | None) -> tuple[str, ...]:
    """Catalogue classes a recorded weapon category covers; a category that is itself a
    catalogue class covers that class; an unknown category covers none."""
    if category is None:
        return ()
    if category in CATEGORY_CLASSES:
        return CATEGORY_CLASSES[category]
    from evidencelab.analysis.munitions import munition_schema

    classes: list[str] = munition_schema()["properties"]["class"]["enum"]
    return (category,) if category in classes else ()


@dataclass(frozen=True, kw_only=True)
class AccuracyBranch:
    """The incident's accuracy branch: "inaccurate", "precise" or "unknown", why, and what
    is missing. `profile` is the identified weapon's; `conditional` the profiles of the
    catalogue entries of the recorded category when no weapon is identified."""

    name: str
    reason: str
    confidence: str
    profile: WeaponProfile | None = None
    conditional: tuple[WeaponProfile, ...] = ()
    missing: tuple[str, ...] = ()

    def record(self) -> dict[str, object]:
        return {
            "branch": self.name,
            "reason": self.reason,
            "confidence": self.confidence,
            "threshold_cep_m": INACCURATE_CEP_M,
            "threshold_basis": INACCURATE_CEP_BASIS,
            "weapon": self.profile.munition.id if self.profile else None,
        }


def accuracy_branch(facts: IncidentFacts) -> AccuracyBranch:
    """Which branch the weapon puts the incident in (see assess.weapon for the rule)."""
    if facts.munition is not None:
        profile = weapon_profile(facts.munition)
        reason = f"{profile.name} (catalogue entry {facts.munition.id}): {profile.reason}"
        missing: tuple[str, ...] = ()
        if profile.branch == "unknown":
            missing = (f"a credible accuracy figure for {profile.name}",)
        return AccuracyBranch(
            name=profile.branch,
            reason=reason,
            confidence=profile.confidence,
            profile=profile,
            missing=missing,
        )
    conditional = tuple(weapon_profile(m) for m in facts.candidates)
    if facts.munition_name:
        return AccuracyBranch(
            name="unknown",
            reason=f"the recorded munition '{facts.munition_name}' is not in the catalogue",
            confidence="low",
            conditional=conditional,
            missing=(f"a catalogue entry (with citations) for '{facts.munition_name}'",),
        )
    what = (
        f"only the category '{facts.weapon_category}' is recorded"
        if facts.weapon_category
        else "no weapon is identified"
    )
    reason = f"munition unknown: {what}; no accuracy branch applies"
    if conditional:
        reason += (
            f"; conditional figures are given for the {len(conditional)} catalogue entries "
            "of that category"
        )
    return AccuracyBranch(
        name="unknown",
        reason=reason,
        confidence="low",
        conditional=conditional,
        missing=("the munition type (identification from remnants, crater or imagery)",),
    )


@dataclass(frozen=True, kw_only=True)
class PopulatedArea:
    """Whether the incident is in a populated area: True when any basis says so, None
    when nothing establishes it (absence of mapped objects is not evidence of absence),
    False only on an analyst's marking with nothing in the data against it."""

    value: bool | None
    bases: tuple[str, ...]
    facts: tuple[Fact, ...]
    conflict: str | None = None

    def record(self) -> PopulatedAreaRecord:
        return {"value": self.value, "bases": list(self.bases), "conflict": self.conflict}


def populated_area(facts: IncidentFacts, error_radius_m: float | None) -> PopulatedArea:
    """An incident is in a populated area when civilian objects were hit (or are recorded
    near the impact), when context objects of the `population` or `protected` category lie
    within the weapon's error radius (`error_radius_m`, R90; the place's precision radius
    when the weapon is unknown), or when an analyst marks it so."""
    bases: list[str] = []
    used: list[Fact] = []
    civilian_hit = [o for o in facts.objects_hit if o.civilian]
    if civilian_hit:
        names = ", ".join(f"{o.label} [{o.relation}]" for o in civilian_hit)
        bases.append(f"civilian objects recorded in the incident: {names}")
        used.append(Fact("civilian objects hit or near", names, f"incident {facts.incident_id}"))
    radius = error_radius_m if error_radius_m is not None else facts.precision_m
    if radius is not None:
        civil = [
            o
            for o in facts.nearby
            if o.category in ("population", "protected") and o.distance_m <= radius
        ]
        if civil:
            names = ", ".join(f"{o.label} ({o.distance_m:.0f} m)" for o in civil[:5])
            more = f" and {len(civil) - 5} more" if len(civil) > 5 else ""
            bases.append(
                f"{len(civil)} civilian or protected objects in the context data within "
                f"{radius:.0f} m of the impact point: {names}{more}"
            )
            used.extend(Fact("civilian object nearby", o.label, o.provenance) for o in civil[:5])
    marking = facts.populated_marking
    conflict = None
    if marking is not None:
        used.append(
            Fact("analyst marking: populated area", marking.value, marking.basis or "no basis")
        )
        if marking.value:
            bases.append(f"marked populated by an analyst: {marking.basis or 'no basis given'}")
        elif bases:
            conflict = "an analyst marked the area not populated, but the data above say it is"
    if bases:
        return PopulatedArea(value=True, bases=tuple(bases), facts=tuple(used), conflict=conflict)
    if marking is not None and not marking.value:
        return PopulatedArea(
            value=False,
            bases=(f"marked not populated by an analyst: {marking.basis or 'no basis given'}",),
            facts=tuple(used),
        )
    return PopulatedArea(value=None, bases=(), facts=tuple(used))
