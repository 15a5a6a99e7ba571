"""Casualty figures: minimum / best / maximum per incident, totals over incidents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from evidencelab.analysis.casualties import (
    BEST_POLICY,
    CaseCasualties,
    CaseTotal,
    IncidentCasualties,
    case_casualties,
    finding_sentence,
    incident_casualties,
    incident_casualties_for_case,
)
from evidencelab.model import CasualtyReport, Count, Withdrawal, load_case_text

DOC = Path(__file__).resolve().parents[1] / "docs" / "case-file-format.md"
NO_GRADES: dict[str, str | None] = {}


def count(n: int, qualifier: Any = "at_least", **groups: Any) -> Count:
    low, high = groups.pop("min", None), groups.pop("max", None)
    return Count(count=n, qualifier=qualifier, min=low, max=high, breakdowns=groups)


def report(
    source: str,
    killed: Count | None = None,
    injured: Count | None = None,
    *,
    scope: Any = "incident",
    civilian: bool = True,
) -> CasualtyReport:
    return CasualtyReport(
        source=source, scope=scope, civilian=civilian, killed=killed, injured=injured
    )


# The three incidents of 24 February 2022, as in Amnesty International's press release of
# that day and the demo case (docs/case-file-format.md, "Full example").
VUHLEDAR = [
    report(
        "local-source-vuhledar",
        killed=count(4, women=2, men=2),
        injured=count(10, healthcare_workers=6),
    )
]
CHUHUIV = [report("amnesty", killed=count(1, men=1), injured=count(2, women=2))]
UMAN = [report("amnesty", killed=count(1, men=1))]


def demo_totals() -> tuple[dict[str, IncidentCasualties], CaseCasualties]:
    grades = {"local-source-vuhledar": "medium", "amnesty": None}
    per_incident = {
        "vuhledar": incident_casualties(VUHLEDAR, grades),
        "chuhuiv": incident_casualties(CHUHUIV, grades),
        "uman": incident_casualties(UMAN, grades),
    }
    return per_incident, case_casualties(per_incident)


def test_demo_incidents_sum_to_at_least_6_killed_and_12_injured() -> None:
    per_incident, totals = demo_totals()
    vuhledar = per_incident["vuhledar"]
    assert (vuhledar.killed.minimum, vuhledar.killed.best, vuhledar.killed.maximum) == (4, 4, 4)
    assert vuhledar.killed.minimum_sources == ("local-source-vuhledar",)
    assert vuhledar.killed.breakdowns == {"women": 2, "men": 2}
    assert vuhledar.injured.minimum == 10
    assert vuhledar.injured.breakdowns == {"healthcare_workers": 6}
    assert per_incident["chuhuiv"].injured.breakdowns == {"women": 2}
    assert per_incident["uman"].injured.minimum is None
    assert totals.killed == CaseTotal(minimum=6, maximum=6, breakdowns={"women": 2, "men": 4})
    assert totals.injured == CaseTotal(
        minimum=12,
        maximum=None,  # Uman: no injury figure, so no upper bound for the case
        incidents_without_minimum=("uman",),
        breakdowns={"women": 2, "healthcare_workers": 6},
    )
    assert finding_sentence(3, totals) == (
        "3 incidents, at least 6 civilians killed and at least 12 injured"
    )


def test_documented_demo_case_gives_the_published_finding() -> None:
    section = DOC.read_text(encoding="utf-8").split("## Full example", 1)[1]
    case = load_case_text(
        section.split("```yaml\n", 1)[1].split("```", 1)[0], "yaml", origin="demo"
    )
    per_incident = incident_casualties_for_case(case)
    assert finding_sentence(len(case.incidents), case_casualties(per_incident)) == (
        "3 incidents, at least 6 civilians killed and at least 12 injured"
    )


def test_two_sources_on_one_incident_are_never_added() -> None:
    result = incident_casualties(
        [report("ngo", killed=count(3, "at_least")), report("hospital", killed=count(4, "exact"))],
        NO_GRADES,
    )
    killed = result.killed
    assert (killed.minimum, killed.best, killed.maximum) == (4, 4, 4)
    assert killed.minimum_sources == ("hospital",)
    assert killed.notes == (
        "2 sources give different figures: at least 3 (ngo) vs exactly 4 (hospital)",
    )


def test_contradicting_figures_are_called_a_disagreement() -> None:
    result = incident_casualties(
        [
            report("morgue", killed=count(3, "exact")),
            report("hospital", killed=count(4, "exact")),
            report("morgue", killed=count(5, "approx")),
        ],
        NO_GRADES,
    )
    killed = result.killed
    assert (killed.minimum, killed.best, killed.maximum) == (4, 4, 5)
    assert killed.notes == (
        "3 reports disagree: exactly 3 (morgue) vs exactly 4 (hospital) vs about 5 (morgue)",
    )


def test_low_reliability_source_is_shown_but_not_counted() -> None:
    rumour = report("channel", killed=count(20, "exact"))
    result = incident_casualties(
        [report("witness", killed=count(2)), rumour], {"channel": "low", "witness": "high"}
    )
    assert (result.killed.minimum, result.killed.best, result.killed.maximum) == (2, 2, 2)
    assert [(a.report, a.reason) for a in result.set_aside] == [
        (rumour, "source graded low reliability")
    ]
    assert result.killed.notes == (
        "not counted: exactly 20 (channel), source graded low reliability",
    )


def test_approximate_and_at_most_figures_inform_best_and_maximum_only() -> None:
    alone = incident_casualties([report("a", killed=count(10, "approx"))], NO_GRADES).killed
    assert (alone.minimum, alone.best, alone.maximum) == (None, 10, 10)
    mixed = incident_casualties(
        [
            report("a", killed=count(4, "at_least")),
            report("b", killed=count(10, "approx")),
            report("c", killed=count(12, "at_most")),
        ],
        NO_GRADES,
    ).killed
    assert (mixed.minimum, mixed.best, mixed.maximum) == (4, 10, 12)
    assert (mixed.minimum_sources, mixed.best_sources, mixed.maximum_sources) == (
        ("a",),
        ("b",),
        ("c",),
    )
    ceiling = incident_casualties(
        [report("a", killed=count(2, "at_least")), report("b", killed=count(3, "at_most"))],
        NO_GRADES,
    ).killed
    assert (ceiling.minimum, ceiling.best, ceiling.maximum) == (2, 2, 3)


def test_explicit_range_bounds_the_figures() -> None:
    killed = incident_casualties(
        [report("ocha", killed=count(10, "approx", min=8, max=15))], NO_GRADES
    ).killed
    assert (killed.minimum, killed.best, killed.maximum) == (8, 10, 15)


def test_best_is_raised_to_a_higher_supported_minimum() -> None:
    killed = incident_casualties(
        [report("early", killed=count(3, "exact")), report("later", killed=count(5, "at_least"))],
        NO_GRADES,
    ).killed
    assert (killed.minimum, killed.best, killed.maximum) == (5, 5, 5)
    assert killed.best_sources == ("later",)
    assert "best figure raised to the minimum: stated figures are below it" in killed.notes


def test_wider_scope_figures_are_context_never_added() -> None:
    city = report("mayor", killed=count(9), scope="city_day")
    site = report("hospital", killed=count(5, "exact"), scope="site")
    result = incident_casualties([report("witness", killed=count(2)), city, site], NO_GRADES)
    assert result.killed.minimum == 2
    assert result.context == (city, site)
    assert result.killed.notes == (
        "wider scope (city_day), shown beside and never added: at least 9 (mayor)",
        "wider scope (site), shown beside and never added: exactly 5 (hospital)",
    )
    totals = case_casualties({"strike": result})
    assert totals.killed.minimum == 2


def test_non_civilian_figures_are_set_aside() -> None:
    soldiers = report("ministry", killed=count(7), civilian=False)
    result = incident_casualties([soldiers], NO_GRADES)
    assert result.killed.minimum is None
    assert result.set_aside[0].reason == "not a civilian figure"


def test_killed_and_injured_each_name_their_own_sources() -> None:
    result = incident_casualties(
        [
            report("morgue", killed=count(3, "exact")),
            report("hospital", killed=count(2), injured=count(14, "exact")),
        ],
        NO_GRADES,
    )
    assert result.killed.minimum_sources == ("morgue",)
    assert result.injured.minimum_sources == ("hospital",)
    assert result.best_policy == BEST_POLICY


def test_breakdowns_are_the_largest_firm_figure_per_group() -> None:
    result = incident_casualties(
        [
            report("a", killed=count(3, children=3)),
            report("b", killed=count(4, "exact", women=1, children=2)),
            report("c", killed=count(9, "approx", min=4, children=6)),
        ],
        NO_GRADES,
    )
    assert result.killed.breakdowns == {"women": 1, "children": 3}
    assert result.killed.breakdown_sources == {"women": ("b",), "children": ("a",)}
    assert result.killed.breakdowns_source is None
    vague = incident_casualties(
        [report("c", killed=count(9, "approx", min=4, children=6))], NO_GRADES
    ).killed
    assert (vague.minimum, vague.breakdowns, vague.breakdowns_source) == (4, {}, None)


def test_total_from_one_source_and_groups_from_another() -> None:
    # As the demo case records Vuhledar: the release gives "wounding ten more", the local
    # source that six healthcare workers were among the injured.
    injured = incident_casualties(
        [
            report("release", injured=count(10)),
            report("local", injured=count(6, healthcare_workers=6)),
        ],
        NO_GRADES,
    ).injured
    assert (injured.minimum, injured.minimum_sources) == (10, ("release",))
    assert injured.breakdowns == {"healthcare_workers": 6}
    assert injured.breakdowns_source == "local"


def sentence(killed: int | None, injured: int | None, incidents: int = 1) -> str:
    return finding_sentence(
        incidents,
        CaseCasualties(
            killed=CaseTotal(minimum=killed, maximum=None),
            injured=CaseTotal(minimum=injured, maximum=None),
        ),
    )


def test_finding_sentence_wording() -> None:
    assert sentence(1, 1) == "1 incident, at least 1 civilian killed and at least 1 injured"
    assert sentence(0, 2, 2) == (
        "2 incidents, no civilians reported killed and at least 2 civilians injured"
    )
    assert (
        sentence(3, 0)
        == "1 incident, at least 3 civilians killed and no civilians reported injured"
    )
    assert sentence(None, 5) == (
        "1 incident, no supported figure for civilians killed and at least 5 civilians injured"
    )
    assert sentence(None, None, 0) == (
        "0 incidents, no supported figure for civilians killed "
        "and no supported figure for civilians injured"
    )


# Properties ---------------------------------------------------------------------------------

SOURCES = ["a", "b", "c", "d"]
GRADES = {"a": "high", "b": None, "c": "medium", "d": "low"}


@st.composite
def counts(draw: st.DrawFn) -> Count:
    n = draw(st.integers(0, 50))
    return Count(
        count=n,
        qualifier=draw(st.sampled_from(["exact", "at_least", "approx", "at_most"])),
        min=draw(st.none() | st.integers(0, n)),
        max=draw(st.none() | st.integers(n, n + 50)),
        breakdowns=draw(st.dictionaries(st.sampled_from(["women", "children"]), st.integers(0, n))),
    )


reports = st.builds(
    CasualtyReport,
    source=st.sampled_from(SOURCES),
    scope=st.sampled_from(["incident", "incident", "site", "city_day", "region_period"]),
    civilian=st.booleans() | st.just(True) | st.just("unknown"),
    killed=st.none() | counts(),
    injured=st.none() | counts(),
)
report_lists = st.lists(reports, max_size=6)


def numbers(result: IncidentCasualties) -> tuple[tuple[int | None, ...], ...]:
    return tuple((f.minimum, f.best, f.maximum) for f in (result.killed, result.injured))


def at_most(a: int | None, b: int | None) -> bool:
    """a <= b, where None (no figure) is below every figure."""
    return a is None or (b is not None and a <= b)


@settings(max_examples=300)
@given(report_lists)
def test_minimum_best_maximum_are_ordered(rs: list[CasualtyReport]) -> None:
    result = incident_casualties(rs, GRADES)
    for figure in (result.killed, result.injured):
        if figure.minimum is not None:
            assert figure.best is not None and figure.maximum is not None
            assert figure.minimum <= figure.best <= figure.maximum
        if figure.best is not None:
            assert figure.maximum is not None and figure.best <= figure.maximum


@settings(max_examples=300)
@given(report_lists, reports)
def test_adding_a_report_never_lowers_minimum_or_maximum(
    rs: list[CasualtyReport], extra: CasualtyReport
) -> None:
    before = incident_casualties(rs, GRADES)
    after = incident_casualties([*rs, extra], GRADES)
    for old, new in ((before.killed, after.killed), (before.injured, after.injured)):
        assert at_most(old.minimum, new.minimum)
        assert at_most(old.maximum, new.maximum)


@given(report_lists)
def test_minimum_is_a_figure_some_counted_source_supports(rs: list[CasualtyReport]) -> None:
    killed = incident_casualties(rs, GRADES).killed
    supported = [
        r.killed.lower_bound
        for r in rs
        if r.killed is not None
        and r.civilian is True
        and r.scope == "incident"
        and GRADES[r.source] != "low"
    ]
    assert killed.minimum == max((b for b in supported if b is not None), default=None)


@given(report_lists, reports)
def test_breakdowns_are_stated_by_a_counted_firm_report_and_never_drop(
    rs: list[CasualtyReport], extra: CasualtyReport
) -> None:
    before = incident_casualties(rs, GRADES).killed
    after = incident_casualties([*rs, extra], GRADES).killed
    for group, n in before.breakdowns.items():
        if group not in after.breakdowns:  # only a conflict with a more reliable total drops it
            assert any(note.startswith("conflict:") and group in note for note in after.notes)
            continue
        assert after.breakdowns[group] >= n
        assert any(
            r.killed is not None
            and r.killed.qualifier in ("exact", "at_least")
            and r.killed.breakdowns.get(group) == n
            and r.source in before.breakdown_sources[group]
            for r in rs
        )


@given(report_lists, st.randoms(use_true_random=False))
def test_figures_do_not_depend_on_report_order_or_repetition(
    rs: list[CasualtyReport], random: Any
) -> None:
    shuffled = list(rs)
    random.shuffle(shuffled)
    expected = numbers(incident_casualties(rs, GRADES))
    assert numbers(incident_casualties(shuffled, GRADES)) == expected
    assert numbers(incident_casualties(rs + rs, GRADES)) == expected


@given(report_lists, reports)
def test_uncounted_reports_change_no_figure(
    rs: list[CasualtyReport], other: CasualtyReport
) -> None:
    expected = numbers(incident_casualties(rs, GRADES))
    for uncounted in (
        CasualtyReport(source="d", scope="incident", civilian=True, killed=other.killed),
        CasualtyReport(source="a", scope="city_day", civilian=True, killed=other.killed),
        CasualtyReport(source="a", scope="incident", civilian=False, killed=other.killed),
        CasualtyReport(source="a", scope="incident", civilian="unknown", killed=other.killed),
        CasualtyReport(
            source="a",
            scope="incident",
            civilian=True,
            killed=other.killed,
            withdrawn=Withdrawal(reason="retracted"),
        ),
    ):
        assert numbers(incident_casualties([*rs, uncounted], GRADES)) == expected


def plus(a: int | None, b: int | None) -> int | None:
    return None if a is None and b is None else (a or 0) + (b or 0)


@given(st.lists(report_lists, max_size=4), st.lists(report_lists, max_size=4))
def test_case_totals_add_over_distinct_incidents(
    left: list[list[CasualtyReport]], right: list[list[CasualtyReport]]
) -> None:
    first = {f"x{i}": incident_casualties(rs, GRADES) for i, rs in enumerate(left)}
    second = {f"y{i}": incident_casualties(rs, GRADES) for i, rs in enumerate(right)}
    a, b, both = case_casualties(first), case_casualties(second), case_casualties(first | second)
    for part in ("killed", "injured"):
        x, y, total = getattr(a, part), getattr(b, part), getattr(both, part)
        assert total.minimum == plus(x.minimum, y.minimum)
        maxima_known = x.maximum is not None and y.maximum is not None
        assert total.maximum == (x.maximum + y.maximum if maxima_known else None)
        if total.minimum is not None and total.maximum is not None:
            assert total.minimum <= total.maximum
