"""verify compares claims, sign-offs, fact reviews and hand-added context objects with the
custody events that recorded them: an edit made in the database afterwards is named."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from evidencelab.locker.case import Case, open_case
from evidencelab.service.assessment.indicators import sign_off
from evidencelab.service.claims import add_claim
from evidencelab.service.context.manual import add_context_object
from evidencelab.service.exchange.casefile import import_case_file
from evidencelab.service.incidents.review import review_fact
from evidencelab.service.integrity.verify import verify_whole_case

CASE_FILE = """\
format: evidencelab/case@1
title: record checks
incidents:
  - id: strike
    title: Strike on a market
    time: {start: "2022-02-24T07:00:00+02:00", end: "2022-02-24T07:30:00+02:00"}
    place: {name: Market, lat: 48.0, lon: 37.0, precision_m: 100}
"""


@pytest.fixture
def recorded(case: Case, tmp_path: Path) -> Path:
    """A case holding one of each kind of record, each written by its service."""
    (tmp_path / "case.yaml").write_text(CASE_FILE)
    import_case_file(case, tmp_path / "case.yaml")
    add_claim(case, claimant="A ministry", text="Only military targets.", predicate=None)
    add_context_object(
        case, kinds=["hospital"], name="City hospital", basis="In footage", lat=48.001, lon=37.0
    )
    sign_off(case, "strike", "PROTECTED_OBJECT_NEARBY", "accept", "Checked the map.")
    root = case.root
    case.close()
    with open_case(root, actor="reviewer") as other:
        review_fact(other, "strike", "location", "reviewed", "Matches the footage.")
    return root


def _problems(root: Path) -> list[str]:
    with open_case(root) as case:
        return verify_whole_case(case).problems


def _edit(root: Path, sql: str) -> None:
    with sqlite3.connect(root / "case.sqlite", isolation_level=None) as connection:
        assert connection.execute(sql).rowcount == 1


def test_records_written_by_their_services_verify_clean(recorded: Path) -> None:
    assert _problems(recorded) == []


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "UPDATE claim SET text = 'Civilian objects were hit.'",
            "claim a-ministry: changed since custody event",
        ),
        (
            "UPDATE indicator_signoff SET decision = 'rejected'",
            "incident strike: sign-off 1 of PROTECTED_OBJECT_NEARBY: changed since custody event",
        ),
        (
            "UPDATE fact_review SET state = 'disputed'",
            "incident strike: review 1 of location: changed since custody event",
        ),
        (
            # A review made to look as if someone else had made it.
            "UPDATE fact_review SET reviewer = 'someone-else'",
            "incident strike: review 1 of location: its author differs from custody event",
        ),
        (
            "UPDATE context_object SET basis = 'Invented' WHERE origin = 'manual'",
            "object city-hospital: changed since custody event",
        ),
        (
            "DELETE FROM claim",
            "(claim_add a-ministry): its record is missing from the case",
        ),
    ],
)
def test_an_edit_after_the_fact_is_named(recorded: Path, sql: str, expected: str) -> None:
    _edit(recorded, sql)
    problems = _problems(recorded)
    # Named by the record's own check; the field-by-field comparison with the log names
    # the same edit again (tests/test_tamper.py covers that comparison for every column).
    assert any(expected in problem for problem in problems), problems
