"""Objects hit and military objectives, assessed through the real assessment over small
case files (tests/assess_cases/) loaded through the case-file loader: kinds outside the
vocabulary are unclassified, military objects and military casualties identify an
objective, context data is judged per incident, each object's protection is named, and
salvos, cluster munitions and hedged casualty wording count for what the record says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from evidencelab.analysis.context.kinds import object_class
from evidencelab.assess.claims import evaluate_claim
from evidencelab.locker.case import Case
from evidencelab.service.assessment.indicators import assess_case, incident_facts
from evidencelab.service.exchange.casefile import import_case_file

CASES = Path(__file__).parent / "assess_cases"


def assessed(case: Case, name: str) -> dict[str, dict[str, Any]]:
    """Every incident of the case file `name`, assessed, by incident id."""
    import_case_file(case, CASES / name)
    return {result["incident"]: result for result in assess_case(case)}


def indicator(result: dict[str, Any], code: str) -> dict[str, Any]:
    (found,) = [i for i in result["indicators"] if i["code"] == code]
    return found


def rule_codes(found: dict[str, Any]) -> list[str]:
    return [rule["code"] for rule in found["rules"]]


def test_the_vocabulary_classifies_kinds_and_leaves_unknown_ones_unclassified() -> None:
    assert [object_class(k) for k in ("apartments", "residential_building", "restaurant")] == [
        "civilian"
    ] * 3
    assert [object_class(k) for k in ("barracks", "military_base", "military")] == ["military"] * 3
    # a plain `office` or `base` is not a military=* tag
    assert object_class("office") == "civilian"
    assert [object_class(k) for k in ("tank", "base", "thing")] == ["unclassified"] * 3


# --- kinds outside the vocabulary ----------------------------------------------------------


def test_a_tank_column_is_unclassified_and_never_a_civilian_target(case: Case) -> None:
    result = assessed(case, "objects-hit.yaml")["tank-column"]
    assert result["branch"] == "precise"
    precise = indicator(result, "PRECISE_WEAPON_CIVILIAN_TARGET")
    assert not precise["fires"]
    assert precise["numbers"]["unclassified_objects"] == ["tank column (tank)"]
    assert "unclassified" in precise["statement"]
    assert any("objects recorded as tank" in w for w in precise["would_change"])
    assert any("objects recorded as tank" in m for m in result["missing"])


def test_an_unclassified_object_never_overrides_a_not_populated_marking(case: Case) -> None:
    result = assessed(case, "objects-hit.yaml")["tank-column"]
    assert result["populated_area"] == {
        "value": False,
        "bases": ["marked not populated by an analyst: open fields, no buildings within 2 km "
                  "on imagery"],
        "conflict": None,
    }  # fmt: skip


# --- military objects and military casualties ----------------------------------------------


def test_barracks_hit_identify_a_military_objective(case: Case) -> None:
    result = assessed(case, "objects-hit.yaml")["barracks"]
    no_objective = indicator(result, "NO_MILITARY_OBJECTIVE_IDENTIFIED")
    assert not no_objective["fires"]
    assert "garrison barracks (barracks)" in no_objective["statement"]
    assert {"fact": "military object hit", "value": "garrison barracks (barracks)",
            "provenance": "incident barracks objects_hit"} in no_objective["facts"]  # fmt: skip
    # the passer-by's injury stays a proportionality question, not a direct-attack one
    assert not indicator(result, "PRECISE_WEAPON_CIVILIAN_TARGET")["fires"]
    assert indicator(result, "CIVILIAN_HARM")["fires"]


def test_military_casualties_identify_a_military_objective(case: Case) -> None:
    result = assessed(case, "objects-hit.yaml")["soldiers-killed"]
    no_objective = indicator(result, "NO_MILITARY_OBJECTIVE_IDENTIFIED")
    assert not no_objective["fires"]
    assert "military casualties: monitor: 3 killed" in no_objective["statement"]
    assert not indicator(result, "PRECISE_WEAPON_CIVILIAN_TARGET")["fires"]


# --- context data per incident -------------------------------------------------------------


def test_context_data_far_away_does_not_count_for_another_incident(case: Case) -> None:
    results = assessed(case, "context-distance.yaml")
    mapped = indicator(results["mapped-town"], "NO_MILITARY_OBJECTIVE_IDENTIFIED")
    unmapped = indicator(results["unmapped-town"], "NO_MILITARY_OBJECTIVE_IDENTIFIED")
    assert mapped["numbers"]["context_searched_m"] is not None
    assert mapped["confidence"] == "medium"
    assert unmapped["numbers"]["context_searched_m"] is None
    assert unmapped["confidence"] == "low"
    missing = "context data (protected objects, possible military objectives)"
    assert missing not in results["mapped-town"]["missing"]
    assert missing in results["unmapped-town"]["missing"]


# --- protection of the objects hit ---------------------------------------------------------


def test_a_market_has_the_general_protection_and_a_school_nearby_no_rome_statute_ix(
    case: Case,
) -> None:
    found = indicator(assessed(case, "protection.yaml")["market"], "PROTECTED_OBJECT_NEARBY")
    assert found["fires"]
    objects = {o["name"]: o for o in found["numbers"]["objects"]}
    assert objects["central market (marketplace)"]["protection"].startswith(
        "the general protection of civilian objects (API 52), no special protection"
    )
    assert objects["School 1 in Town A"]["relation"] == "mapped"
    assert "special protection these objects enjoy" not in found["statement"]
    # the school lies within the weapon's error radius but was not hit
    assert "RS 8(2)(b)(ix)" not in rule_codes(found)
    assert "CIHL 38" in rule_codes(found)


def test_a_school_hit_cites_rome_statute_ix(case: Case) -> None:
    found = indicator(assessed(case, "protection.yaml")["school"], "PROTECTED_OBJECT_NEARBY")
    assert rule_codes(found) == ["API 52", "CIHL 7", "CIHL 38", "RS 8(2)(b)(ix)"]


def test_water_dams_and_medical_units_cite_their_own_rules(case: Case) -> None:
    found = indicator(assessed(case, "protection.yaml")["utilities"], "PROTECTED_OBJECT_NEARBY")
    codes = rule_codes(found)
    for code in ("API 54", "CIHL 54", "API 56", "CIHL 42", "GC IV 18", "API 12", "CIHL 28"):
        assert code in codes, code
    assert "RS 8(2)(b)(ix)" not in codes  # the hospital was near, not hit
    texts = {rule["code"]: rule["text"] for rule in found["rules"]}
    assert "drinking water installations and supplies" in texts["API 54"]
    assert texts["API 12"].startswith("Medical units shall be respected and protected")


# --- cluster munitions ---------------------------------------------------------------------


def test_a_cluster_warhead_in_a_populated_area_points_to_rule_71(case: Case) -> None:
    results = assessed(case, "protection.yaml")
    cluster = indicator(results["cluster"], "CLUSTER_MUNITIONS_IN_POPULATED_AREA")
    assert cluster["fires"]
    assert rule_codes(cluster)[0] == "CIHL 71"
    assert "may constitute an indiscriminate attack" in cluster["statement"]
    assert indicator(results["submunition"], "CLUSTER_MUNITIONS_IN_POPULATED_AREA")["fires"]
    unitary = indicator(results["unitary"], "CLUSTER_MUNITIONS_IN_POPULATED_AREA")
    assert not unitary["fires"]  # the catalogue's cluster variant is only possible
    assert unitary["numbers"]["cluster_possible"]


def test_the_recorded_warhead_variant_decides_cluster_munitions(case: Case) -> None:
    results = assessed(case, "protection.yaml")
    cluster = indicator(results["variant-cluster"], "CLUSTER_MUNITIONS_IN_POPULATED_AREA")
    assert cluster["fires"]
    assert cluster["numbers"]["cluster_established"] == ["cluster"]
    unitary = indicator(results["variant-unitary"], "CLUSTER_MUNITIONS_IN_POPULATED_AREA")
    assert not unitary["fires"]
    assert unitary["numbers"]["cluster_possible"] == []  # the record settles the warhead


def test_an_unclassified_hit_leaves_the_no_civilian_objects_claim_open(case: Case) -> None:
    import_case_file(case, CASES / "objects-hit.yaml")
    (tank,) = [f for f in incident_facts(case) if f.incident_id == "tank-column"]
    claim = {"id": "c", "claimant": "Ministry", "made_at": "2022-03-01", "text": "…",
             "predicate": "no_strikes_on_civilian_objects"}  # fmt: skip
    result = evaluate_claim(claim, [tank])
    assert result["result"] == "undetermined"
    assert result["deciding_incidents"] == ["tank-column"]


# --- salvos and hedged wording --------------------------------------------------------------


def test_a_salvo_is_a_factor_only_when_several_rockets_are_recorded(case: Case) -> None:
    results = assessed(case, "salvo-and-hedging.yaml")
    one = indicator(results["one-rocket"], "WIDE_AREA_EFFECTS")["numbers"]
    assert not any("salvo" in f for f in one["factors"])
    assert any("salvo" in f for f in one["possible_factors"])
    many = indicator(results["salvo"], "WIDE_AREA_EFFECTS")["numbers"]
    assert "multiple munitions: 12 recorded in the incident" in many["factors"]
    assert not many["possible_factors"]


@pytest.mark.parametrize(("incident", "confidence"), [("one-rocket", "medium"), ("salvo", "high")])
def test_civilian_harm_confidence_follows_the_sources_hedging(
    case: Case, incident: str, confidence: str
) -> None:
    harm = indicator(assessed(case, "salvo-and-hedging.yaml")[incident], "CIVILIAN_HARM")
    assert harm["fires"]
    assert harm["confidence"] == confidence
    hedged = "appears to have been killed" in harm["statement"]
    assert hedged is (incident == "one-rocket")
