"""The casualty rules for revised, withdrawn, double-filed, conflicting, capped and
unknown-status figures, each on an incident of a small case file (tests/cases/), loaded
through the case-file loader (docs/case-file-format.md, "Casualty figures")."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidencelab.analysis.casualties import (
    IncidentCasualties,
    case_casualties,
    incident_casualties_for_case,
    likely_double_counts,
)
from evidencelab.model import (
    CaseFile,
    CaseFileError,
    dump_case_file,
    load_case_file,
    load_case_text,
)

RULES = Path(__file__).parent / "cases" / "casualty-rules.yaml"


@pytest.fixture(scope="module")
def case() -> CaseFile:
    return load_case_file(RULES)


@pytest.fixture(scope="module")
def figures(case: CaseFile) -> dict[str, IncidentCasualties]:
    return incident_casualties_for_case(case)


def test_a_later_report_of_the_same_source_and_scope_replaces_the_earlier(
    figures: dict[str, IncidentCasualties],
) -> None:
    revised = figures["revised"]
    assert (revised.killed.minimum, revised.killed.best, revised.killed.maximum) == (5, 5, 5)
    assert revised.injured.minimum == 9
    [struck] = revised.struck
    assert (struck.outcome, struck.report.killed and struck.report.killed.count) == ("killed", 7)
    assert struck.reason == "superseded by the report of 2022-03-02T18:00:00+02:00 (hospital)"
    assert not struck.withdrawn
    assert (
        "not used: exactly 7 (hospital), superseded by the report of "
        "2022-03-02T18:00:00+02:00 (hospital)"
    ) in revised.killed.notes


def test_a_report_naming_the_report_it_replaces_is_honoured(
    figures: dict[str, IncidentCasualties],
) -> None:
    injured = figures["replaced"].injured
    assert (injured.minimum, injured.best, injured.maximum) == (14, 14, 14)
    [struck] = figures["replaced"].struck
    assert struck.report.id == "ministry-1"
    assert struck.reason == "superseded by report 'ministry-2' (ministry)"


def test_a_withdrawn_figure_is_shown_with_its_reason_and_never_used(
    figures: dict[str, IncidentCasualties],
) -> None:
    killed = figures["withdrawn"].killed
    assert (killed.minimum, killed.best, killed.maximum) == (3, 3, 3)
    [struck] = figures["withdrawn"].struck
    assert struck.withdrawn
    assert struck.reason == "withdrawn: retracted on 3 March, the figure was for another strike"
    assert killed.notes == (
        "not used: at least 12 (local-news), withdrawn: retracted on 3 March, the figure was "
        "for another strike",
    )


def test_the_same_report_under_two_incidents_is_a_likely_double_count(
    case: CaseFile, figures: dict[str, IncidentCasualties]
) -> None:
    [double] = likely_double_counts(case)
    assert double.incidents == ("market-morning", "market-evening")
    assert double.matched_on == ("text", "reported_at")
    sentence = (
        "likely double count: the same report of channel (killed at least 4; same text and "
        "reported_at) is filed under incidents market-morning and market-evening"
    )
    assert double.sentence == sentence
    assert sentence in figures["market-morning"].killed.notes
    assert sentence in figures["market-evening"].killed.notes


def test_breakdowns_above_an_exact_total_from_a_more_reliable_source_are_a_conflict(
    figures: dict[str, IncidentCasualties],
) -> None:
    killed = figures["breakdowns"].killed
    assert killed.minimum == 4
    assert killed.breakdowns == {"men": 1}  # women 2 and children 3 would add up to 6 > 4
    assert (
        "conflict: breakdowns children 3 (local-news), women 2 (channel) exceed exactly 4 "
        "(hospital, a more reliable source); not used"
    ) in killed.notes


def test_a_single_group_above_the_total_is_a_conflict_and_equal_sources_are_not() -> None:
    text = RULES.read_text(encoding="utf-8").replace(
        "{count: 3, qualifier: at_least, children: 3}",
        "{count: 5, qualifier: at_least, children: 5}",
    )
    killed = incident_casualties_for_case(load_case_text(text, "yaml", origin="x"))
    assert "children" not in killed["breakdowns"].killed.breakdowns
    # A total from a source no more reliable than the groups' leaves them as they are.
    equal = text.replace(
        "{id: hospital, kind: official, reliability: high}", "{id: hospital, kind: official}"
    )
    kept = incident_casualties_for_case(load_case_text(equal, "yaml", origin="x"))["breakdowns"]
    assert kept.killed.breakdowns == {"women": 2, "men": 1, "children": 5}


def test_a_reliable_ceiling_caps_best_and_a_higher_figure_is_a_disagreement(
    figures: dict[str, IncidentCasualties],
) -> None:
    killed = figures["ceiling"].killed
    assert (killed.minimum, killed.best, killed.maximum) == (6, 10, 15)
    assert killed.best_sources == ("ohchr",)
    assert (
        "disagreement: about 15 (local-news) above the ceiling of at most 10 (ohchr)"
        in killed.notes
    )
    assert "best figure capped at 10 by the ceiling of at most 10 (ohchr)" in killed.notes


def test_an_ungraded_ceiling_is_a_figure_like_any_other() -> None:
    text = RULES.read_text(encoding="utf-8").replace(
        "{id: ohchr, kind: official, reliability: high}", "{id: ohchr, kind: official}"
    )
    killed = incident_casualties_for_case(load_case_text(text, "yaml", origin="x"))["ceiling"]
    assert killed.killed.best == 15
    assert not any("ceiling" in note for note in killed.killed.notes)


def test_unknown_civilian_status_is_counted_apart_and_never_added_to_civilians(
    figures: dict[str, IncidentCasualties],
) -> None:
    unknown = figures["status-unknown"]
    assert unknown.killed.minimum == 2
    assert unknown.status_unknown_killed.minimum == 3
    assert unknown.status_unknown_killed.breakdowns == {"men": 3}
    assert "civilian status unknown, counted apart: exactly 3 (ministry)" in unknown.killed.notes
    totals = case_casualties({"status-unknown": unknown})
    assert totals.killed.minimum == 2
    assert totals.status_unknown_killed.minimum == 3
    assert totals.status_unknown_injured.minimum is None


def test_the_rules_case_round_trips(case: CaseFile) -> None:
    text = dump_case_file(case)
    assert load_case_text(text, "yaml", origin="again.yaml") == case
    assert "civilian: unknown" in text and "supersedes: ministry-1" in text
    assert load_case_text(dump_case_file(case, "json"), "json", origin="again.json") == case


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("supersedes: ministry-1", "supersedes: ministry-9"),
            "incidents[1].casualties[1].supersedes: unknown casualty report 'ministry-9'; "
            "it must be the id of a report of this incident",
        ),
        (
            ("supersedes: ministry-1", "supersedes: ministry-2"),
            "incidents[1].casualties[1].supersedes: a report cannot replace itself",
        ),
        (
            (
                "      - id: ministry-2\n        source: ministry",
                "      - id: ministry-2\n        source: ohchr",
            ),
            "incidents[1].casualties[1].supersedes: report 'ministry-1' is from source "
            "'ministry'; a report can only replace one of its own source ('ohchr')",
        ),
        (
            ("id: ministry-2", "id: ministry-1"),
            "incidents[1].casualties[1].id: duplicate casualty report id 'ministry-1' "
            "(also incidents[1].casualties[0])",
        ),
        (
            ("reason: retracted on 3 March, the figure was for another strike\n", ""),
            "incidents[2].casualties[0].withdrawn: missing required field 'reason'",
        ),
        (
            ("civilian: unknown", "civilian: maybe"),
            "incidents[7].casualties[1].civilian: must be one of: true, false, unknown",
        ),
    ],
)
def test_bad_report_fields_are_refused_in_one_line(edit: tuple[str, str], message: str) -> None:
    text = RULES.read_text(encoding="utf-8")
    assert edit[0] in text
    with pytest.raises(CaseFileError) as error:
        load_case_text(text.replace(edit[0], edit[1], 1), "yaml", origin="rules.yaml")
    assert str(error.value) == f"rules.yaml: {message}"


def test_reports_replacing_each_other_in_a_circle_are_refused() -> None:
    text = RULES.read_text(encoding="utf-8").replace(
        "      - id: ministry-1\n", "      - id: ministry-1\n        supersedes: ministry-2\n"
    )
    with pytest.raises(CaseFileError) as error:
        load_case_text(text, "yaml", origin="rules.yaml")
    assert "closes a circle of reports replacing each other" in str(error.value)
