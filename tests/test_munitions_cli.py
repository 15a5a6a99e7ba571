"""`evidencelab munitions` and `evidencelab accuracy` from the command line."""

from __future__ import annotations

import json

import pytest

from cli_helpers import run_cli


def test_show_finds_an_entry_by_a_cyrillic_name_with_flagged_figures() -> None:
    result = run_cli("munitions", "show", "Точка-У", "--json")
    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stdout)
    assert entry["id"] == "9m79-tochka"
    field = entry["accuracy"]["field"]
    assert field and all(f["flag"] and f["source"] for f in field)


def test_unknown_munition_is_a_one_line_error() -> None:
    result = run_cli("munitions", "show", "Death Star")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: munition 'Death Star': not in the catalogue (see `evidencelab munitions list`)"
    )


def test_list_has_every_entry() -> None:
    entries = json.loads(run_cli("munitions", "list", "--json").stdout)
    assert len(entries) == 22
    assert {"9m79-tochka", "9k720-iskander-m"} <= {e["id"] for e in entries}


def test_accuracy_figures_and_sentence() -> None:
    result = run_cli(
        "accuracy",
        "--cep",
        "150",
        "--aim-name",
        "the air base",
        "--object-name",
        "the residential block",
        "--object-distance",
        "400",
        "--json",
    )
    record = json.loads(result.stdout)
    assert record["r90_m"] == pytest.approx(150 * 1.822616, abs=0.1)  # √(log2 10)·CEP
    assert record["p_within_of_object"] == pytest.approx(0.000643, abs=1e-6)
    assert "the residential block is 400 m away" in record["sentence"].lower()
