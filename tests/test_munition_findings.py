"""Issue 14's catalogue findings, each reproduced on a case file of our own
(tests/munition_cases/weapons.yaml) through the real import and assessment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from evidencelab.locker.case import init_case
from evidencelab.service.assessment.indicators import assess_case, launch_area_geojson
from evidencelab.service.exchange.casefile import import_case_file

CASE_FILE = Path(__file__).parent / "munition_cases" / "weapons.yaml"


@pytest.fixture(scope="module")
def assessed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    case = init_case(tmp_path_factory.mktemp("weapons") / "case", actor="analyst")
    import_case_file(case, CASE_FILE)
    return {result["incident"]: result for result in assess_case(case)}


def _indicator(result: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for i in result["indicators"] if i["code"] == code)


def _facts(result: dict[str, Any], code: str) -> dict[str, Any]:
    return {f["fact"]: f for f in _indicator(result, code)["facts"]}


def test_designation_with_variant_resolves_and_the_cluster_factor_fires(
    assessed: dict[str, dict[str, Any]],
) -> None:
    wide = _indicator(assessed["tochka-cluster"], "WIDE_AREA_EFFECTS")
    assert wide["fires"]
    assert any("cluster variant" in f for f in wide["numbers"]["factors"])
    variant = _facts(assessed["tochka-cluster"], "WIDE_AREA_EFFECTS")["warhead variant"]
    assert "9N123K" in variant["provenance"]


def test_tochka_miss_distance_quotes_the_release_exactly(
    assessed: dict[str, dict[str, Any]],
) -> None:
    facts = _indicator(assessed["tochka-cluster"], "WIDE_AREA_EFFECTS")["facts"]
    figures = [f["value"] for f in facts if f["fact"] == "accuracy figure (field)"]
    assert "field miss distance 805 m [A]" in figures
    assert "805 m [A]" in assessed["tochka-cluster"]["branch_reason"]


def test_cluster_variant_stands_at_the_identification_confidence(
    assessed: dict[str, dict[str, Any]],
) -> None:
    result = assessed["iskander-cluster"]
    assert (result["branch"], result["branch_confidence"]) == ("precise", "low")
    wide = _indicator(result, "WIDE_AREA_EFFECTS")
    assert wide["fires"] and wide["confidence"] == "high"  # the record's identification


def test_guided_bomb_is_not_precise_for_being_guided_and_its_blast_counts(
    assessed: dict[str, dict[str, Any]],
) -> None:
    result = assessed["umpk"]
    assert "fab-500-umpk" in result["branch_reason"]
    assert result["branch"] == "unknown"
    wide = _indicator(result, "WIDE_AREA_EFFECTS")
    assert "large blast: warhead of at least 500 kg" in wide["numbers"]["factors"]


def test_a_spokesmans_claim_does_not_make_kalibr_precise(
    assessed: dict[str, dict[str, Any]],
) -> None:
    result = assessed["kalibr"]
    assert "3m-14-kalibr" in result["branch_reason"] and result["branch"] == "unknown"
    assert "a party's claim" in result["branch_reason"]


def test_unguided_cluster_rocket_is_inaccurate_on_the_class_prior(
    assessed: dict[str, dict[str, Any]],
) -> None:
    result = assessed["smerch"]
    assert "9k58-smerch" in result["branch_reason"] and result["branch"] == "inaccurate"
    assert "class-level prior for unguided rocket artillery" in result["branch_reason"]


@pytest.mark.parametrize(
    ("munition", "low_m", "high_m"),
    [("9K79-1 Tochka-U", 15_000.0, 120_000.0), ("9K720 Iskander", 0.0, 500_000.0)],
)
def test_launch_area_takes_the_corrected_range_window(
    tmp_path: Path, munition: str, low_m: float, high_m: float
) -> None:
    summary = launch_area_geojson(
        lat=48.73, lon=37.57, bearing_deg=60.0, uncertainty_deg=5.0, range_min_m=None,
        range_max_m=None, munition=munition, control_path=None, out=tmp_path / "area.geojson",
    )  # fmt: skip
    found = summary["summary"]
    assert (found["range_min_m"], found["range_max_m"]) == (low_m, high_m)
