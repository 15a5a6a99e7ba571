"""The claims register: predicates over crafted incidents, and the service over a case
(stored with custody events, evaluated over the case's incidents, bad input refused)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from evidencelab.analysis.munitions import find_munition
from evidencelab.assess.claims import PREDICATES, evaluate_claim
from evidencelab.assess.facts import CasualtyFacts, HitObject, IncidentFacts, Objective
from evidencelab.locker.case import Case, CaseError
from evidencelab.service.assessment.indicators import evaluate_claims
from evidencelab.service.claims import add_claim, list_claims
from evidencelab.service.exchange.casefile import import_case_file
from evidencelab.store.tables import CustodyEvent

TOCHKA = find_munition("Tochka")
ISKANDER = find_munition("Iskander")

CASE_YAML = """\
format: evidencelab/case@1
title: Claims test
sources:
  - id: ngo
    kind: researcher
    description: NGO report
    reliability: high
incidents:
  - id: strike-a
    title: Missile near a hospital
    time: {start: 2022-02-24T10:30:00+02:00}
    place: {name: Town A, lat: 47.78, lon: 37.25, precision_m: 500}
    weapon: {munition: 9M79 Tochka, confidence: high}
    objects_hit: [{kind: residential_building, name: block}]
    casualties:
      - {source: ngo, scope: incident, civilian: true, killed: {count: 2, qualifier: at_least}}
  - id: strike-b
    title: Missile on a depot
    time: {start: 2022-02-25T10:30:00+02:00}
    place: {name: Town B, lat: 48.0, lon: 36.0, precision_m: 50}
    weapon: {munition: Iskander-M, confidence: medium}
    military_objective: {name: Depot, lat: 48.0005, lon: 36.0, basis: imagery}
"""


def claim(predicate: str) -> dict[str, str]:
    return {"id": "c", "claimant": "Ministry", "made_at": "2022-02-24", "text": "…",
            "predicate": predicate}  # fmt: skip


def incident(incident_id: str, **changes: object) -> IncidentFacts:
    return replace(IncidentFacts(incident_id=incident_id, lat=48.0, lon=37.0), **changes)  # type: ignore[arg-type]


def test_the_predicate_set_is_closed_and_named() -> None:
    assert set(PREDICATES) == {
        "only_precision_guided_weapons",
        "no_civilian_casualties",
        "no_strikes_on_civilian_objects",
        "military_objectives_only",
        "no_cluster_munitions",
    }


def test_only_precision_guided_is_contradicted_by_an_inaccurate_weapon() -> None:
    incidents = [incident("a", munition=TOCHKA), incident("b", munition=ISKANDER)]
    result = evaluate_claim(claim("only_precision_guided_weapons"), incidents)
    assert result["result"] == "contradicted"
    assert result["deciding_incidents"] == ["a"]
    assert "805 m [A]" in result["explanation"]


def test_only_precision_guided_is_supported_only_when_every_weapon_is_identified() -> None:
    precise = [incident("b", munition=ISKANDER)]
    assert evaluate_claim(claim("only_precision_guided_weapons"), precise)["result"] == "supported"
    open_ = [*precise, incident("c")]
    result = evaluate_claim(claim("only_precision_guided_weapons"), open_)
    assert result["result"] == "undetermined"
    assert result["deciding_incidents"] == ["c"]


def test_casualty_and_civilian_object_predicates() -> None:
    harmed = incident("a", casualties=CasualtyFacts(killed_min=1, injured_min=None))
    none = incident("b", casualties=CasualtyFacts(killed_min=0, injured_min=0))
    assert (
        evaluate_claim(claim("no_civilian_casualties"), [harmed, none])["result"] == "contradicted"
    )
    assert evaluate_claim(claim("no_civilian_casualties"), [none])["result"] == "supported"
    assert (
        evaluate_claim(claim("no_civilian_casualties"), [incident("c")])["result"] == "undetermined"
    )
    near = incident("d", objects_hit=(HitObject(kind="hospital", relation="near"),))
    hit = incident("e", objects_hit=(HitObject(kind="school"),))
    check = claim("no_strikes_on_civilian_objects")
    assert evaluate_claim(check, [near])["result"] == "undetermined"  # near is not hit
    result = evaluate_claim(check, [near, hit])
    assert (result["result"], result["deciding_incidents"]) == ("contradicted", ["e"])
    military = incident("f", objects_hit=(HitObject(kind="barracks"),))
    assert evaluate_claim(check, [military])["result"] == "supported"


def test_military_objectives_only_and_cluster_predicates() -> None:
    civilian_hit = (HitObject(kind="residential_building"),)
    against = incident("a", objects_hit=civilian_hit)
    aimed = incident("b", objects_hit=civilian_hit, objective=Objective(name="x", origin="t"))
    result = evaluate_claim(claim("military_objectives_only"), [against, aimed])
    assert (result["result"], result["deciding_incidents"]) == ("contradicted", ["a"])
    assert evaluate_claim(claim("military_objectives_only"), [aimed])["result"] == "supported"
    cluster = incident("c", warhead="cluster (9N123K)")
    assert evaluate_claim(claim("no_cluster_munitions"), [cluster])["result"] == "contradicted"
    assert evaluate_claim(claim("no_cluster_munitions"), [aimed])["result"] == "undetermined"


def test_a_claim_without_predicate_is_undetermined() -> None:
    result = evaluate_claim({"id": "x", "claimant": "y", "text": "z", "predicate": None}, [])
    assert result["result"] == "undetermined"


# --- service -----------------------------------------------------------------------------


@pytest.fixture
def filled(case: Case, tmp_path: Path) -> Case:
    path = tmp_path / "case.yaml"
    path.write_text(CASE_YAML, encoding="utf-8")
    import_case_file(case, path)
    return case


def _events(case: Case, action: str) -> int:
    with case.sessions() as session:
        return (
            session.scalar(
                select(func.count()).select_from(CustodyEvent).where(CustodyEvent.action == action)
            )
            or 0
        )


def test_add_list_and_evaluate_over_the_case(filled: Case) -> None:
    added = add_claim(
        filled,
        claimant="Ministry of Defence",
        made_at="2022-02-24",
        text="Only high-precision weapons are used.",
        predicate="only_precision_guided_weapons",
        claim_id="mod-precision",
    )
    assert added["id"] == "mod-precision"
    add_claim(filled, claimant="Ministry of Defence", text="No civilians were harmed.",
              predicate="no_civilian_casualties", made_at="2022-02-25T12:00:00+03:00")  # fmt: skip
    assert [c["id"] for c in list_claims(filled)] == ["mod-precision", "ministry-of-defence"]
    assert _events(filled, "claim_add") == 2
    results = {r["id"]: r for r in evaluate_claims(filled)}
    assert results["mod-precision"]["result"] == "contradicted"
    assert results["mod-precision"]["deciding_incidents"] == ["strike-a"]
    assert results["ministry-of-defence"]["result"] == "contradicted"
    assert results["ministry-of-defence"]["deciding_incidents"] == ["strike-a"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"predicate": "everything_fine"}, "predicate 'everything_fine': unknown"),
        ({"made_at": "yesterday"}, "made_at 'yesterday'"),
        ({"made_at": "2022-02-24T10:00:00"}, "needs a UTC offset"),
        ({"claimant": " "}, "claimant: must not be empty"),
    ],
)
def test_bad_claims_are_refused_and_nothing_is_written(
    filled: Case, changes: dict[str, str], message: str
) -> None:
    arguments = {"claimant": "MoD", "text": "t", "predicate": "no_civilian_casualties"}
    with pytest.raises(CaseError, match=message):
        add_claim(filled, **{**arguments, **changes})  # type: ignore[arg-type]
    assert list_claims(filled) == []
    assert _events(filled, "claim_add") == 0


def test_duplicate_id_is_refused(filled: Case) -> None:
    add_claim(filled, claimant="A", text="t", predicate=None, claim_id="same")
    with pytest.raises(CaseError, match="id same: already in the case"):
        add_claim(filled, claimant="B", text="u", predicate=None, claim_id="same")
    assert len(list_claims(filled)) == 1
