"""Numbers in a case file have sane ranges: a count above ten million, or a number too long
for Python to read, is refused in one line naming the file, the place and the limit."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from cli_helpers import run_cli
from evidencelab.locker.case import init_case
from evidencelab.model import CaseFileError, load_case_text
from evidencelab.model.casefile import TextFormat
from evidencelab.model.limits import MAX_COUNT, MAX_DISTANCE_M
from evidencelab.model.schema import case_schema

COUNT_AT = "incidents[0].casualties[0].killed.count"
TOO_LARGE = {
    "ten million and one": str(MAX_COUNT + 1),
    "2^63": str(2**63),
    "10^30": str(10**30),
}
DIGITS_5000 = "9" * 5000


def case_text(fmt: str, count: str, *, precision_m: str = "50") -> str:
    """A small case file whose one killed count is the literal ``count``, as written."""
    document = {
        "format": "evidencelab/case@1",
        "title": "Numbers",
        "sources": [{"id": "press", "kind": "media", "description": "A press report"}],
        "incidents": [
            {
                "id": "strike-1",
                "title": "Strike",
                "place": {"name": "Town", "lat": 47.78, "lon": 37.25, "precision_m": "P"},
                "casualties": [
                    {
                        "source": "press",
                        "scope": "incident",
                        "civilian": True,
                        "killed": {"count": "N", "qualifier": "at_least"},
                    }
                ],
            }
        ],
    }
    if fmt == "json":
        text = json.dumps(document, indent=2)
        return text.replace('"N"', count).replace('"P"', precision_m)
    text = yaml.safe_dump(document, sort_keys=False)
    assert "count: N\n" in text and "precision_m: P\n" in text
    return text.replace("count: N\n", f"count: {count}\n").replace(
        "precision_m: P\n", f"precision_m: {precision_m}\n"
    )


def case_state(case_dir: Path) -> dict[str, str]:
    """SHA-256 of every file of the case folder outside the object store."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(case_dir.iterdir())
        if path.is_file()
    }


def refused_by_import(tmp_path: Path, fmt: str, text: str) -> str:
    """Import ``text`` through the CLI, check the refusal leaves the case as it was, and
    return the one line it printed."""
    case_dir = tmp_path / "case"
    init_case(case_dir).close()
    case_file = tmp_path / f"case.{fmt}"
    case_file.write_text(text, encoding="utf-8")
    before = case_state(case_dir)
    result = run_cli("import", str(case_file), "--case", str(case_dir))
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    assert case_state(case_dir) == before
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("count", TOO_LARGE.values(), ids=TOO_LARGE.keys())
def test_count_over_ten_million_is_refused(fmt: str, count: str, tmp_path: Path) -> None:
    line = refused_by_import(tmp_path, fmt, case_text(fmt, count))
    assert line == f"error: {tmp_path / f'case.{fmt}'}: {COUNT_AT}: must be between 0 and 10000000"


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_5000_digit_count_is_refused_in_words(fmt: str, tmp_path: Path) -> None:
    line = refused_by_import(tmp_path, fmt, case_text(fmt, DIGITS_5000))
    assert line == (
        f"error: {tmp_path / f'case.{fmt}'}: {COUNT_AT}: "
        "a number of 5000 digits is too large (counts: at most 10000000)"
    )


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_ten_million_itself_is_accepted(fmt: TextFormat) -> None:
    case = load_case_text(case_text(fmt, str(MAX_COUNT)), fmt, origin=f"case.{fmt}")
    killed = case.incidents[0].casualties[0].killed
    assert killed is not None and killed.count == MAX_COUNT


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_5000_digit_number_anywhere_is_refused_where_it_is(fmt: TextFormat) -> None:
    """Also outside the known fields: it could not even be written back out."""
    text = case_text(fmt, "3")
    text = (
        text.replace('"title": "Numbers"', f'"title": "Numbers", "extra": -{DIGITS_5000}')
        if fmt == "json"
        else text.replace("title: Numbers\n", f"title: Numbers\nextra: -{DIGITS_5000}\n")
    )
    with pytest.raises(CaseFileError) as caught:
        load_case_text(text, fmt, origin=f"case.{fmt}")
    assert str(caught.value) == (
        f"case.{fmt}: extra: a number of 5000 digits is too large (counts: at most 10000000)"
    )


def test_yaml_octal_and_hex_keep_their_yaml_meaning() -> None:
    text = case_text("yaml", "012")  # YAML 1.1 octal: 10
    case = load_case_text(text, "yaml", origin="case.yaml")
    killed = case.incidents[0].casualties[0].killed
    assert killed is not None and killed.count == 10
    huge_hex = "0x" + "f" * 4000  # about 4,816 decimal digits
    with pytest.raises(CaseFileError) as caught:
        load_case_text(case_text("yaml", huge_hex), "yaml", origin="case.yaml")
    assert str(caught.value) == (
        f"case.yaml: {COUNT_AT}: a number of over 4300 digits is too large "
        "(counts: at most 10000000)"
    )


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_precision_over_1000_km_is_refused(fmt: TextFormat) -> None:
    text = case_text(fmt, "3", precision_m=str(10**30))
    with pytest.raises(CaseFileError) as caught:
        load_case_text(text, fmt, origin=f"case.{fmt}")
    assert str(caught.value) == (
        f"case.{fmt}: incidents[0].place.precision_m: must be between 0 and 1000000"
    )


def test_schema_states_the_limits() -> None:
    """The published schema carries the same limits the code names."""
    defs: dict[str, Any] = case_schema()["$defs"]
    count = defs["count"]
    for name in ("count", "min", "max", "women", "men", "children", "healthcare_workers"):
        assert count["properties"][name]["maximum"] == MAX_COUNT
    assert count["additionalProperties"]["then"]["maximum"] == MAX_COUNT
    assert defs["place"]["properties"]["precision_m"]["maximum"] == MAX_DISTANCE_M
    assert defs["geolocation"]["properties"]["precision_m"]["maximum"] == MAX_DISTANCE_M
