"""Indicators over crafted incidents: each fires where its rule says and not elsewhere,
with the catalogue's figures and the accuracy mathematics behind the numbers."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from evidencelab.analysis.accuracy import p_within_of_point, r90, r95
from evidencelab.analysis.munitions import Munition, default_catalogue, find_munition
from evidencelab.assess.facts import (
    CasualtyFacts,
    ClaimOutcome,
    HitObject,
    IncidentFacts,
    NearbyObject,
    Objective,
    PopulatedMarking,
)
from evidencelab.assess.indicators import CODES, assess_incident
from evidencelab.assess.rules import RULES
from evidencelab.assess.situation import accuracy_branch, catalogue_classes_for
from evidencelab.assess.weapon import weapon_profile


def entry(name: str) -> Munition:
    found = find_munition(name)
    assert found is not None, name
    return found


TOCHKA = entry("9M79 Tochka")
ISKANDER = entry("Iskander-M")
GRAD = entry("BM-21 Grad")
KH22 = entry("Kh-22")
KH101 = entry("Kh-101")
SHAHED = entry("Shahed-136")

POPULATED = PopulatedMarking(True, "residential district per imagery")


def facts(**changes: Any) -> IncidentFacts:
    base = IncidentFacts(
        incident_id="inc-1",
        title="crafted",
        lat=48.0,
        lon=37.0,
        precision_m=100.0,
        context_searched_m=5000.0,
    )
    return replace(base, **changes)


def nearby(name: str, kinds: tuple[str, ...], category: str, distance: float) -> NearbyObject:
    return NearbyObject(
        id=name.lower().replace(" ", "-"),
        name=name,
        kinds=kinds,
        category=category,
        distance_m=distance,
        basis="crafted for the test",
    )


def indicator(result: dict[str, Any], code: str) -> dict[str, Any]:
    (found,) = [i for i in result["indicators"] if i["code"] == code]
    return found


def fires(incident: IncidentFacts, code: str) -> bool:
    return bool(indicator(assess_incident(incident), code)["fires"])


# --- branches ----------------------------------------------------------------------------


def test_tochka_is_inaccurate_on_the_field_figure_with_the_published_one_kept_apart() -> None:
    profile = weapon_profile(TOCHKA)
    assert profile.branch == "inaccurate"
    assert profile.confidence == "high"  # decided by the A-graded Amnesty observation
    assert [(r.kept_as, r.cep_low_m, r.flag) for r in profile.deciding] == [("field", 805, "A")]
    assert "published stated radius 70–90 m [C]" in profile.reason
    assert "not deciding" in profile.reason
    assert profile.error_radius_m == pytest.approx(float(r90(805)))


def test_branches_of_other_entries_follow_figures_then_guidance() -> None:
    assert weapon_profile(ISKANDER).branch == "precise"
    assert weapon_profile(KH22).branch == "inaccurate"
    grad = weapon_profile(GRAD)
    assert (grad.branch, grad.readings) == ("inaccurate", ())
    assert "unguided" in grad.reason
    shahed = weapon_profile(SHAHED)
    assert (shahed.branch, shahed.confidence) == ("unknown", "low")  # guided alone
    assert weapon_profile(KH101).branch == "unknown"


def test_unknown_munition_gives_no_branch_and_says_what_is_missing() -> None:
    result = assess_incident(facts(populated_marking=POPULATED))
    assert result["branch"] == "unknown"
    assert any("munition type" in m for m in result["missing"])
    for code in ("INACCURATE_WEAPON_IN_POPULATED_AREA", "PRECISE_WEAPON_CIVILIAN_TARGET"):
        assert not indicator(result, code)["fires"]


def test_category_only_gives_conditional_figures_per_catalogue_entry() -> None:
    classes = catalogue_classes_for("missile_or_rocket")
    candidates = tuple(m for m in default_catalogue() if m.weapon_class in classes)
    objective = Objective(name="air base", origin="test", separation_m=400.0, separation_to="block")
    incident = facts(
        weapon_category="missile_or_rocket",
        candidates=candidates,
        objective=objective,
        populated_marking=POPULATED,
    )
    result = assess_incident(incident)
    assert result["branch"] == "unknown"
    assert not indicator(result, "INACCURATE_WEAPON_IN_POPULATED_AREA")["fires"]
    by_id = {c["catalogue_id"]: c for c in result["conditional"]}
    assert "9m79-tochka" in by_id and "9k720-iskander-m" in by_id
    assert "tube-artillery-122-152" not in by_id  # not a missile or rocket
    field = next(r for r in by_id["9m79-tochka"]["readings"] if r["figure"].startswith("field"))
    assert field["p_within_of_object"] == [pytest.approx(float(p_within_of_point(50, 400, 805)))]
    assert by_id["9m79-tochka"]["if_the_weapon_were"] == "Tochka"


def test_named_munition_missing_from_the_catalogue_is_reported() -> None:
    branch = accuracy_branch(facts(munition_name="Unknown-9000"))
    assert branch.name == "unknown"
    assert "Unknown-9000" in branch.missing[0]


# --- PROTECTED_OBJECT_NEARBY ---------------------------------------------------------------


def test_protected_object_hit_counts_at_distance_zero() -> None:
    hit = HitObject(kind="hospital", name="city hospital", relation="hit")
    result = assess_incident(facts(objects_hit=(hit,)))
    found = indicator(result, "PROTECTED_OBJECT_NEARBY")
    assert found["fires"] and found["confidence"] == "high"
    assert found["numbers"]["objects"] == [
        {
            "name": "city hospital (hospital)",
            "relation": "hit",
            "distance_m": 0.0,
            "protection": "a medical unit: respected and protected, never the object of attack",
        }
    ]
    codes = [r["code"] for r in found["rules"]]
    assert {"GC IV 18", "API 12", "CIHL 28", "RS 8(2)(b)(ix)"} <= set(codes)


def test_mapped_school_within_the_weapon_r90_fires_and_beyond_it_does_not() -> None:
    school = nearby("School 5", ("school",), "protected", 700.0)
    with_tochka = facts(munition=TOCHKA, munition_name="Tochka", nearby=(school,))
    found = indicator(assess_incident(with_tochka), "PROTECTED_OBJECT_NEARBY")
    assert found["fires"]
    assert found["numbers"]["radius_m"] == pytest.approx(round(float(r90(805)), 1))
    with_iskander = replace(with_tochka, munition=ISKANDER, munition_name="Iskander")
    assert not fires(with_iskander, "PROTECTED_OBJECT_NEARBY")  # R90 ≤ 55 m, precision 100 m


def test_no_protected_object_does_not_fire() -> None:
    home = nearby("House", ("residential",), "population", 10.0)
    assert not fires(facts(munition=TOCHKA, nearby=(home,)), "PROTECTED_OBJECT_NEARBY")


# --- NO_MILITARY_OBJECTIVE_IDENTIFIED -------------------------------------------------------


def test_no_objective_fires_when_none_is_recorded_or_mapped_in_the_aim_area() -> None:
    far_base = nearby("Far base", ("military_base",), "military", 4000.0)
    incident = facts(munition=TOCHKA, nearby=(far_base,))
    found = indicator(assess_incident(incident), "NO_MILITARY_OBJECTIVE_IDENTIFIED")
    assert found["fires"]
    assert found["numbers"]["aim_area_radius_m"] == pytest.approx(float(r95(805)) + 100, abs=0.1)
    assert "API 51(4)(a)" in [r["code"] for r in found["rules"]]


def test_mapped_military_object_in_the_aim_area_or_a_recorded_objective_stops_it() -> None:
    barracks = nearby("Barracks", ("barracks",), "military", 600.0)
    assert not fires(facts(munition=TOCHKA, nearby=(barracks,)), "NO_MILITARY_OBJECTIVE_IDENTIFIED")
    objective = Objective(name="depot", origin="test", basis="reporting")
    assert not fires(facts(objective=objective), "NO_MILITARY_OBJECTIVE_IDENTIFIED")


# --- INACCURATE_WEAPON_IN_POPULATED_AREA ----------------------------------------------------


def test_inaccurate_weapon_in_a_marked_populated_area_fires_with_the_catalogue_figures() -> None:
    incident = facts(munition=TOCHKA, munition_name="9M79 Tochka", populated_marking=POPULATED)
    found = indicator(assess_incident(incident), "INACCURATE_WEAPON_IN_POPULATED_AREA")
    assert found["fires"] and found["confidence"] == "high"
    assert "may constitute" in found["statement"]
    field = [
        r for r in found["numbers"]["readings"] if r["figure"] == "field miss distance 805 m [A]"
    ]
    assert field[0]["r90_m"] == [round(float(r90(805)), 1)]
    assert any(f["fact"] == "accuracy figure (published)" for f in found["facts"])
    assert "API 51(4)(b)" in [r["code"] for r in found["rules"]]


def test_separation_within_r90_fires_with_the_offset_probability() -> None:
    objective = Objective(name="air base", origin="test", separation_m=400.0, separation_to="block")
    block = HitObject(kind="residential_building", name="block")
    incident = facts(munition=TOCHKA, objective=objective, objects_hit=(block,))
    found = indicator(assess_incident(incident), "INACCURATE_WEAPON_IN_POPULATED_AREA")
    assert found["fires"]  # populated because a civilian object was hit
    field = [
        r for r in found["numbers"]["readings"] if r["figure"].startswith("field miss distance 805")
    ]
    assert field[0]["p_within_of_object"][0] == pytest.approx(
        float(p_within_of_point(50, 400, 805))
    )


def test_separation_beyond_r90_does_not_fire() -> None:
    objective = Objective(
        name="air base", origin="test", separation_m=3000.0, separation_to="block"
    )
    block = HitObject(kind="residential_building", name="block")
    incident = facts(munition=TOCHKA, objective=objective, objects_hit=(block,))
    found = indicator(assess_incident(incident), "INACCURATE_WEAPON_IN_POPULATED_AREA")
    assert not found["fires"]
    assert "beyond the weapon's R90" in found["statement"]


def test_inaccurate_weapon_without_populated_area_or_precise_weapon_does_not_fire() -> None:
    assert not fires(facts(munition=TOCHKA), "INACCURATE_WEAPON_IN_POPULATED_AREA")
    precise = facts(munition=ISKANDER, populated_marking=POPULATED)
    assert not fires(precise, "INACCURATE_WEAPON_IN_POPULATED_AREA")


def test_populated_area_from_context_within_the_error_radius() -> None:
    homes = nearby("Housing estate", ("residential",), "population", 800.0)
    result = assess_incident(facts(munition=TOCHKA, nearby=(homes,)))
    assert result["populated_area"]["value"] is True
    assert "within 1467 m" in result["populated_area"]["bases"][0]
    assert indicator(result, "INACCURATE_WEAPON_IN_POPULATED_AREA")["fires"]
    far = replace(homes, distance_m=2000.0)
    assert assess_incident(facts(munition=TOCHKA, nearby=(far,)))["populated_area"]["value"] is None


def test_analyst_marking_not_populated_is_overridden_by_data_and_says_so() -> None:
    block = HitObject(kind="residential_building", name="block")
    result = assess_incident(
        facts(objects_hit=(block,), populated_marking=PopulatedMarking(False, "fields"))
    )
    assert result["populated_area"]["value"] is True
    assert result["populated_area"]["conflict"]


# --- WIDE_AREA_EFFECTS ---------------------------------------------------------------------


def test_rocket_salvo_is_a_factor_only_when_several_rockets_are_recorded() -> None:
    found = indicator(
        assess_incident(facts(munition=GRAD, populated_marking=POPULATED)), "WIDE_AREA_EFFECTS"
    )
    assert found["fires"]  # inaccurate delivery
    assert found["numbers"]["salvo"] == 40
    assert not any("salvo" in f for f in found["numbers"]["factors"])
    assert any("rocket salvo" in f for f in found["numbers"]["possible_factors"])
    salvo = facts(munition=GRAD, populated_marking=POPULATED, munition_count=12)
    factors = indicator(assess_incident(salvo), "WIDE_AREA_EFFECTS")["numbers"]["factors"]
    assert "multiple munitions: 12 recorded in the incident" in factors


def test_large_warhead_is_a_factor_and_a_recorded_cluster_warhead_too() -> None:
    kh22 = indicator(
        assess_incident(facts(munition=KH22, populated_marking=POPULATED)), "WIDE_AREA_EFFECTS"
    )
    assert any("large blast" in f for f in kh22["numbers"]["factors"])
    iskander = facts(munition=ISKANDER, populated_marking=POPULATED)
    assert not fires(iskander, "WIDE_AREA_EFFECTS")  # 480 kg lower bound, precise
    assert fires(replace(iskander, warhead="cluster"), "WIDE_AREA_EFFECTS")


def test_possible_cluster_variant_is_reported_but_does_not_fire_on_its_own() -> None:
    found = indicator(assess_incident(facts(munition=TOCHKA)), "WIDE_AREA_EFFECTS")
    assert not found["fires"]  # area not established as populated
    assert "50 [A]" in found["numbers"]["possible_factors"][0]


# --- PRECISE_WEAPON_CIVILIAN_TARGET -----------------------------------------------------------


def test_precise_weapon_with_no_objective_and_civilians_hit_fires() -> None:
    block = HitObject(kind="residential_building", name="block")
    incident = facts(munition=ISKANDER, objects_hit=(block,))
    found = indicator(assess_incident(incident), "PRECISE_WEAPON_CIVILIAN_TARGET")
    assert found["fires"]
    assert {"API 51(2)", "CIHL 16"} <= {r["code"] for r in found["rules"]}
    assert "consistent" in found["statement"]


def test_precise_weapon_with_objective_or_inaccurate_weapon_does_not_fire() -> None:
    block = HitObject(kind="residential_building", name="block")
    objective = Objective(name="depot", origin="test")
    assert not fires(
        facts(munition=ISKANDER, objects_hit=(block,), objective=objective),
        "PRECISE_WEAPON_CIVILIAN_TARGET",
    )
    assert not fires(facts(munition=TOCHKA, objects_hit=(block,)), "PRECISE_WEAPON_CIVILIAN_TARGET")
    assert not fires(facts(munition=ISKANDER), "PRECISE_WEAPON_CIVILIAN_TARGET")


# --- CIVILIAN_HARM ------------------------------------------------------------------------


def test_civilian_harm_fires_and_never_guesses_the_military_advantage() -> None:
    harmed = facts(casualties=CasualtyFacts(killed_min=4, injured_min=10, sources=("s",)))
    found = indicator(assess_incident(harmed), "CIVILIAN_HARM")
    assert found["fires"]
    assert found["numbers"]["anticipated_military_advantage"] is None
    assert "does not estimate" in found["statement"]
    assert "API 51(5)(b)" in [r["code"] for r in found["rules"]]
    assert not fires(facts(), "CIVILIAN_HARM")


# --- CLAIM_CONTRADICTED -------------------------------------------------------------------


def test_claim_contradicted_fires_only_for_deciding_incidents() -> None:
    claim = ClaimOutcome(
        id="c1",
        claimant="Ministry",
        text="only precision weapons",
        predicate="only_precision_guided_weapons",
        result="contradicted",
        deciding_incidents=("inc-1",),
        explanation="Tochka",
    )
    assert fires(facts(claims=(claim,)), "CLAIM_CONTRADICTED")
    assert not fires(facts(incident_id="other", claims=(claim,)), "CLAIM_CONTRADICTED")
    supported = replace(claim, result="supported")
    assert not fires(facts(claims=(supported,)), "CLAIM_CONTRADICTED")


# --- every indicator, every time -----------------------------------------------------------

FORBIDDEN = ("is a war crime", "was a war crime", "violated", "is guilty", "unlawful attack")


@pytest.mark.parametrize(
    "incident",
    [
        facts(),
        facts(munition=TOCHKA, populated_marking=POPULATED),
        facts(munition=ISKANDER, objects_hit=(HitObject(kind="school"),)),
        facts(munition=GRAD, populated_marking=POPULATED),
    ],
)
def test_every_indicator_is_returned_complete_and_worded_as_an_indicator(
    incident: IncidentFacts,
) -> None:
    result = assess_incident(incident)
    assert [i["code"] for i in result["indicators"]] == list(CODES)
    for found in result["indicators"]:
        assert set(found) >= {"code", "title", "fires", "statement", "rules", "facts", "numbers"}
        assert found["confidence"] in ("high", "medium", "low")
        assert isinstance(found["would_change"], list)
        assert all(rule["code"] in RULES for rule in found["rules"])
        assert all(rule["source"] and rule["text"] for rule in found["rules"])
        lowered = found["statement"].lower()
        assert not any(word in lowered for word in FORBIDDEN), found["statement"]
