"""Casualty figures per incident and across a case: minimum, best and maximum, with the
sources behind each number, never double-counted.

Rules (docs/case-file-format.md, "Casualty figures", explains them and lists the sources
with their URLs):

* A withdrawn report is never used; it is shown struck through with its reason. A report
  named by another's `supersedes` is replaced by it; of a source's reports of one scope,
  each figure (killed, injured) given in a later report (`reported_at`) replaces the one
  given in an earlier report (Every Casualty Worldwide, Standards for Casualty Recording,
  2016: records are revised as sources revise them, and the revision history is kept).
* Only civilian reports of `incident` scope from sources not graded `low` are counted.
  Reports whose civilian status is `unknown` are counted apart, under the same rules, and
  never added to civilians (as OHCHR and the Every Casualty Standards record them).
* An incident's minimum is the largest lower bound among them (an `exact` or `at_least`
  count, or an explicit `min`). Two sources on the same event are never added. Each
  counted source asserts "at least N", so the largest such N is itself supported; this
  keeps ACLED's "most conservative estimate" spirit (nothing vague or summed raises it)
  without discarding a credible higher count.
* `approx` and `at_most` figures inform best and maximum only.
* The maximum is the highest figure a counted source reported (its count, `min` or `max`;
  an `at_least` count is a floor), as in Iraq Body Count's minimum/maximum and the ranges
  of the Every Casualty Worldwide Standards for Casualty Recording (2016). It is not a
  ceiling on the true number.
* Best follows `BEST_POLICY`, a choice recorded with every result. An `at_most` figure
  from a source graded `high` or `medium` is a ceiling: it caps best (never below the
  minimum), and any figure above it is named as a disagreement.
* Breakdowns (women, men, children, healthcare workers, …) are "at least" figures too:
  per group, the largest stated within an `exact` or `at_least` count. A group larger
  than an `exact` total from a more reliable source, or women, men and children together
  above it, is flagged as a conflict and not used.
* Reports of wider scope (`site`, `city_day`, `region_period`) are context, shown beside
  the figures and never added: a site figure may cover more than one strike on the site.
* Across a case, minima are summed over distinct incidents (Amnesty International,
  24 Feb 2022: 4 + 1 + 1 = "at least six civilians" killed, 10 + 2 = "at least 12"
  injured); maxima are summed only when every incident has one. The same report filed
  under two incidents (same source and figures, same text or `reported_at`) is flagged as a
  likely double count (Iraq Body Count's cross-checks against double counting).

Killed and injured are derived independently, so each may rest on a different source.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from evidencelab.model import KNOWN_BREAKDOWNS, CaseFile, CasualtyReport, Count
from evidencelab.model.codec import format_datetime

BEST_POLICY = (
    "highest exact figure, else highest approximate figure, else the minimum; "
    "capped by an at-most figure from a source graded high or medium; "
    "kept between the minimum and the maximum"
)

Outcome = Literal["killed", "injured"]
OUTCOMES: tuple[Outcome, ...] = ("killed", "injured")

# Grades whose `at_most` figure is a ceiling on best; an ungraded source's "up to N" is a
# figure like any other.
CEILING_GRADES = frozenset({"high", "medium"})
# Reliability order for breakdown conflicts (`low` is never counted; ungraded is 1).
_RANK = {"high": 3, "medium": 2}
# Groups that never overlap, so that together they cannot exceed the total: OHCHR counts
# the civilians killed and injured as men, women and children (boys and girls).
DISJOINT_GROUPS: tuple[str, ...] = ("women", "men", "children")

_QUALIFIER_WORDS = {
    "exact": "exactly",
    "at_least": "at least",
    "approx": "about",
    "at_most": "at most",
}


@dataclass(frozen=True, kw_only=True)
class CasualtyFigure:
    """People killed (or injured) in one incident, as minimum / best / maximum.

    A figure is None when no counted report supports it. `*_sources` name the sources whose
    report gives that figure. `breakdowns` (women, men, children, healthcare_workers, …) are
    "at least" figures: for each group, the largest figure stated within an `exact` or
    `at_least` count, with its sources in `breakdown_sources`. `notes` explain differing
    figures, conflicts, disagreements with a ceiling, and reports not counted.
    """

    minimum: int | None = None
    best: int | None = None
    maximum: int | None = None
    minimum_sources: tuple[str, ...] = ()
    best_sources: tuple[str, ...] = ()
    maximum_sources: tuple[str, ...] = ()
    breakdowns: Mapping[str, int] = field(default_factory=dict)
    breakdown_sources: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def breakdowns_source(self) -> str | None:
        """The one source behind every breakdown; None if there are none or several."""
        sources = {s for group in self.breakdown_sources.values() for s in group}
        return sources.pop() if len(sources) == 1 else None


@dataclass(frozen=True, kw_only=True)
class SetAsideReport:
    """A report of incident scope not counted, and why."""

    report: CasualtyReport
    reason: str


@dataclass(frozen=True, kw_only=True)
class StruckFigure:
    """A figure (killed or injured) a report gave that is never used, shown struck through
    with `reason`: withdrawn, or superseded by a later report of the same source."""

    report: CasualtyReport
    outcome: Outcome
    reason: str
    withdrawn: bool


@dataclass(frozen=True, kw_only=True)
class IncidentCasualties:
    """Casualty figures for one incident.

    `killed` and `injured` are civilians; `status_unknown_killed` and
    `status_unknown_injured` are people whose civilian status is unknown, derived by the
    same rules and never added to civilians. `context` holds reports of wider scope (site,
    city_day, region_period), shown beside the figures and never added. `set_aside` holds
    reports not counted: non-civilian figures, and reports from sources graded `low`.
    `struck` holds figures withdrawn or superseded.
    """

    killed: CasualtyFigure
    injured: CasualtyFigure
    status_unknown_killed: CasualtyFigure = field(default_factory=CasualtyFigure)
    status_unknown_injured: CasualtyFigure = field(default_factory=CasualtyFigure)
    best_policy: str = BEST_POLICY
    context: tuple[CasualtyReport, ...] = ()
    set_aside: tuple[SetAsideReport, ...] = ()
    struck: tuple[StruckFigure, ...] = ()


@dataclass(frozen=True, kw_only=True)
class CaseTotal:
    """People killed (or injured) across distinct incidents.

    `minimum` is the sum of the incidents' minima, None when no incident has one; incidents
    without one are listed in `incidents_without_minimum` and add nothing. `maximum` is the
    sum of the maxima, None unless every incident has one. `breakdowns` are sums of the
    incidents' "at least" breakdowns.
    """

    minimum: int | None
    maximum: int | None
    incidents_without_minimum: tuple[str, ...] = ()
    breakdowns: Mapping[str, int] = field(default_factory=dict)


def _no_total() -> CaseTotal:
    return CaseTotal(minimum=None, maximum=None)


@dataclass(frozen=True, kw_only=True)
class CaseCasualties:
    """Casualty totals over a case's incidents: civilians, and apart from them, people
    whose civilian status is unknown."""

    killed: CaseTotal
    injured: CaseTotal
    status_unknown_killed: CaseTotal = field(default_factory=_no_total)
    status_unknown_injured: CaseTotal = field(default_factory=_no_total)


@dataclass(frozen=True, kw_only=True)
class LikelyDoubleCount:
    """One report filed under several incidents: the same source and figures, and the same
    text (`notes`) or `reported_at`. Each incident counts it, so a case total may count the
    same people twice until the team files it under one incident (Iraq Body Count's
    cross-checks against double counting). `matched_on` names what matched."""

    source: str
    incidents: tuple[str, ...]
    outcomes: tuple[Outcome, ...]
    figures: str
    matched_on: tuple[str, ...]

    @property
    def sentence(self) -> str:
        """E.g. "likely double count: the same report of ngo (killed at least 4; same text)
        is filed under incidents a and b"."""
        incidents = ", ".join(self.incidents[:-1]) + f" and {self.incidents[-1]}"
        return (
            f"likely double count: the same report of {self.source} ({self.figures}; same "
            f"{' and '.join(self.matched_on)}) is filed under incidents {incidents}"
        )


def incident_casualties(
    reports: Iterable[CasualtyReport], source_reliability: Mapping[str, str | None]
) -> IncidentCasualties:
    """Minimum, best and maximum killed and injured for one incident (rules: module doc).

    `reports` are all casualty reports filed under the incident. `source_reliability`
    maps source id to its grade (`high`, `medium`, `low`, or None: not graded); a source
    missing from it counts as not graded.
    """
    reports = list(reports)
    struck = struck_figures(reports)
    counted: list[CasualtyReport] = []
    unknown: list[CasualtyReport] = []
    context: list[CasualtyReport] = []
    set_aside: list[SetAsideReport] = []
    for report in _live(reports, struck):
        if report.civilian is False:
            set_aside.append(SetAsideReport(report=report, reason="not a civilian figure"))
        elif report.scope != "incident":
            context.append(report)
        elif source_reliability.get(report.source) == "low":
            set_aside.append(SetAsideReport(report=report, reason="source graded low reliability"))
        elif report.civilian == "unknown":
            unknown.append(report)
        else:
            counted.append(report)

    def figures(outcome: Outcome) -> tuple[CasualtyFigure, CasualtyFigure]:
        notes = _uncounted_notes(outcome, set_aside, context, unknown, struck)
        return (
            _figure(_claims(counted, outcome), notes, source_reliability),
            _figure(_claims(unknown, outcome), [], source_reliability),
        )

    (killed, unknown_killed), (injured, unknown_injured) = map(figures, OUTCOMES)
    return IncidentCasualties(
        killed=killed,
        injured=injured,
        status_unknown_killed=unknown_killed,
        status_unknown_injured=unknown_injured,
        context=tuple(context),
        set_aside=tuple(set_aside),
        struck=tuple(struck),
    )


def incident_casualties_for_case(case: CaseFile) -> dict[str, IncidentCasualties]:
    """`incident_casualties` for every incident of `case`, keyed by incident id, using the
    reliability grades of the case's sources; a likely double count is noted on the
    figures of each incident it touches."""
    reliability = {s.id: s.reliability for s in case.sources}
    per_incident = {i.id: incident_casualties(i.casualties, reliability) for i in case.incidents}
    for double in likely_double_counts(case):
        for incident_id in double.incidents:
            per_incident[incident_id] = _noted(per_incident[incident_id], double)
    return per_incident


def likely_double_counts(case: CaseFile) -> tuple[LikelyDoubleCount, ...]:
    """Reports filed under more than one incident of `case` with the same source and
    figures (killed and injured: count, qualifier, range and breakdowns) and the same text
    (`notes`, compared without regard to case and spacing) or the same `reported_at`.
    Withdrawn reports and reports without figures are left out."""
    incidents_by_match: dict[tuple[Any, ...], list[str]] = {}
    reports: dict[tuple[Any, ...], CasualtyReport] = {}
    for incident in case.incidents:
        for r in incident.casualties:
            if r.withdrawn is not None or (r.killed is None and r.injured is None):
                continue
            same = (r.source, _count_key(r.killed), _count_key(r.injured))
            reports.setdefault(same, r)
            text = " ".join((r.notes or "").split()).casefold()
            for kind, value in (("text", text or None), ("reported_at", r.reported_at)):
                if value is not None:
                    incidents_by_match.setdefault((same, kind, value), []).append(incident.id)
    matched: dict[tuple[Any, ...], list[str]] = {}
    for (same, kind, _value), ids in incidents_by_match.items():
        incidents = _unique(ids)
        if len(incidents) > 1 and kind not in matched.get((same, incidents), []):
            matched.setdefault((same, incidents), []).append(kind)
    return tuple(
        LikelyDoubleCount(
            source=same[0],
            incidents=incidents,
            outcomes=tuple(o for o in OUTCOMES if _count_of(reports[same], o) is not None),
            figures=_figures_text(reports[same]),
            matched_on=tuple(kinds),
        )
        for (same, incidents), kinds in matched.items()
    )


def case_casualties(per_incident: Mapping[str, IncidentCasualties]) -> CaseCasualties:
    """Totals over distinct incidents: the sum of minima ("at least N"), and the sum of
    maxima when every incident has one (docs/case-file-format.md, "Casualty figures"; after
    Amnesty International's 4 + 1 + 1 = "at least six" and Iraq Body Count's ranges).
    People of unknown civilian status are totalled apart. Callers pass each incident once;
    wider-scope reports are never part of these sums."""
    ordered = sorted(per_incident.items())
    return CaseCasualties(
        killed=_case_total([(i, c.killed) for i, c in ordered]),
        injured=_case_total([(i, c.injured) for i, c in ordered]),
        status_unknown_killed=_case_total([(i, c.status_unknown_killed) for i, c in ordered]),
        status_unknown_injured=_case_total([(i, c.status_unknown_injured) for i, c in ordered]),
    )


def finding_sentence(n_incidents: int, totals: CaseCasualties) -> str:
    """A one-line finding in "at least" wording, e.g. for the demo case:
    "3 incidents, at least 6 civilians killed and at least 12 injured".

    A total of zero reads "no civilians reported killed"; a total no incident supports
    reads "no supported figure for civilians killed".
    """
    incidents = f"{n_incidents} incident{'' if n_incidents == 1 else 's'}"
    killed = _clause(totals.killed.minimum, "killed", name_civilians=True)
    named = totals.killed.minimum is not None and totals.killed.minimum > 0
    injured = _clause(totals.injured.minimum, "injured", name_civilians=not named)
    return f"{incidents}, {killed} and {injured}"


def describe_count(count: Count) -> str:
    """A count in words, e.g. `at least 4`, `about 10, min 8, max 15`."""
    parts = [f"{_QUALIFIER_WORDS[count.qualifier]} {count.count}"]
    parts += [
        f"{name} {n}" for name, n in (("min", count.min), ("max", count.max)) if n is not None
    ]
    return ", ".join(parts)


def _count_of(report: CasualtyReport, outcome: Outcome) -> Count | None:
    return report.killed if outcome == "killed" else report.injured


def struck_figures(reports: Sequence[CasualtyReport]) -> list[StruckFigure]:
    """Each figure withdrawn or superseded: a withdrawn report's figures; the figures of a
    report another names in `supersedes`; a figure of a report for which a later report
    (`reported_at`) of the same source and scope gives the same outcome. Withdrawn reports
    replace nothing."""
    standing = [r for r in reports if r.withdrawn is None]
    replacing = {r.supersedes: r for r in standing if r.supersedes is not None}
    struck = []
    for report in reports:
        for outcome in OUTCOMES:
            if _count_of(report, outcome) is None:
                continue
            if report.withdrawn is not None:
                reason, withdrawn = f"withdrawn: {report.withdrawn.reason}", True
            else:
                newer = replacing.get(report.id) if report.id is not None else None
                newer = newer or _latest_revision(report, outcome, standing)
                if newer is None:
                    continue
                reason, withdrawn = f"superseded by {_report_name(newer)}", False
            struck.append(
                StruckFigure(report=report, outcome=outcome, reason=reason, withdrawn=withdrawn)
            )
    return struck


def _latest_revision(
    report: CasualtyReport, outcome: Outcome, standing: Sequence[CasualtyReport]
) -> CasualtyReport | None:
    """The latest report of the same source and scope, given after `report`, that states
    `outcome`; None if there is none. Times with and without a UTC offset are not
    compared."""
    later = [
        r
        for r in standing
        if r.source == report.source
        and r.scope == report.scope
        and _count_of(r, outcome) is not None
        and _is_later(r.reported_at, report.reported_at)
    ]
    return max(later, key=lambda r: r.reported_at or datetime.min, default=None)


def _is_later(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None or (a.utcoffset() is None) != (b.utcoffset() is None):
        return False
    return a > b


def _report_name(report: CasualtyReport) -> str:
    if report.id is not None:
        return f"report '{report.id}' ({report.source})"
    if report.reported_at is not None:
        return f"the report of {format_datetime(report.reported_at)} ({report.source})"
    return f"a later report ({report.source})"


def _live(
    reports: Sequence[CasualtyReport], struck: Sequence[StruckFigure]
) -> list[CasualtyReport]:
    """The reports with their struck figures removed; a report left without any is gone."""
    gone: dict[int, set[Outcome]] = {}
    for figure in struck:
        gone.setdefault(id(figure.report), set()).add(figure.outcome)
    live = []
    for report in reports:
        outcomes = gone.get(id(report), set())
        if not outcomes:
            live.append(report)
            continue
        kept = dataclasses.replace(
            report,
            killed=None if "killed" in outcomes else report.killed,
            injured=None if "injured" in outcomes else report.injured,
        )
        if kept.killed is not None or kept.injured is not None:
            live.append(kept)
    return live


def _claims(reports: Iterable[CasualtyReport], outcome: Outcome) -> list[tuple[str, Count]]:
    """(source id, count) of each report that gives a figure for `outcome`."""
    pairs = [(r.source, _count_of(r, outcome)) for r in reports]
    return [(source, c) for source, c in pairs if c is not None]


def _uncounted_notes(
    outcome: Outcome,
    set_aside: Sequence[SetAsideReport],
    context: Sequence[CasualtyReport],
    unknown: Sequence[CasualtyReport],
    struck: Sequence[StruckFigure],
) -> list[str]:
    notes = [
        f"not counted: {_describe(source, c)}, {aside.reason}"
        for aside in set_aside
        for source, c in _claims([aside.report], outcome)
    ]
    notes += [
        f"wider scope ({r.scope}), shown beside and never added: {_describe(source, c)}"
        + (", civilian status unknown" if r.civilian == "unknown" else "")
        for r in context
        for source, c in _claims([r], outcome)
    ]
    notes += [
        f"civilian status unknown, counted apart: {_describe(source, c)}"
        for source, c in _claims(unknown, outcome)
    ]
    notes += [
        f"not used: {_describe(f.report.source, c)}, {f.reason}"
        for f in struck
        if f.outcome == outcome and (c := _count_of(f.report, outcome)) is not None
    ]
    return notes


def _figure(
    claims: Sequence[tuple[str, Count]], notes: list[str], reliability: Mapping[str, str | None]
) -> CasualtyFigure:
    lower = [(s, c.lower_bound) for s, c in claims if c.lower_bound is not None]
    minimum = max((b for _, b in lower), default=None)
    maximum = max((c.upper_figure for _, c in claims), default=None)
    minimum_sources = _unique(s for s, b in lower if b == minimum)
    best, raised = _best(claims, minimum)
    best_sources = _unique(
        s for s, c in claims if c.qualifier in ("exact", "approx") and c.count == best
    )
    if len({c.count for _, c in claims}) > 1:
        described = " vs ".join(_describe(s, c) for s, c in claims)
        who = "sources" if len({s for s, _ in claims}) == len(claims) else "reports"
        verb = "disagree" if _contradict(claims) else "give different figures"
        notes = [f"{len(claims)} {who} {verb}: {described}", *notes]
    if raised:
        notes.append("best figure raised to the minimum: stated figures are below it")
    ceiling = _ceiling(claims, reliability)
    if ceiling is not None:
        cap, cap_sources = ceiling
        notes += _ceiling_notes(claims, cap, cap_sources, best, minimum)
        if best is not None and best > cap:
            best = cap if minimum is None else max(cap, minimum)
            best_sources = cap_sources if best == cap else ()
    breakdowns, breakdown_sources, conflicts = _breakdowns(claims, reliability)
    return CasualtyFigure(
        minimum=minimum,
        best=best,
        maximum=maximum,
        minimum_sources=minimum_sources,
        best_sources=best_sources or minimum_sources,
        maximum_sources=_unique(s for s, c in claims if c.upper_figure == maximum),
        breakdowns=breakdowns,
        breakdown_sources=breakdown_sources,
        notes=(*notes, *conflicts),
    )


def _ceiling(
    claims: Sequence[tuple[str, Count]], reliability: Mapping[str, str | None]
) -> tuple[int, tuple[str, ...]] | None:
    """The lowest `at_most` figure from a source graded high or medium, and its sources."""
    ceilings = [
        (s, c.count)
        for s, c in claims
        if c.qualifier == "at_most" and reliability.get(s) in CEILING_GRADES
    ]
    if not ceilings:
        return None
    cap = min(n for _, n in ceilings)
    return cap, _unique(s for s, n in ceilings if n == cap)


def _ceiling_notes(
    claims: Sequence[tuple[str, Count]],
    cap: int,
    cap_sources: tuple[str, ...],
    best: int | None,
    minimum: int | None,
) -> list[str]:
    ceiling = f"the ceiling of at most {cap} ({', '.join(cap_sources)})"
    over = [_describe(s, c) for s, c in claims if c.count > cap]
    notes = [f"disagreement: {' and '.join(over)} above {ceiling}"] if over else []
    if best is not None and best > cap:
        if minimum is not None and minimum > cap:
            notes.append(f"best figure kept at the minimum {minimum}, above {ceiling}")
        else:
            notes.append(f"best figure capped at {cap} by {ceiling}")
    return notes


def _contradict(claims: Sequence[tuple[str, Count]]) -> bool:
    """True when one report's ceiling (an `exact` or `at_most` count, or a `max`) is below
    another's lower bound: "exactly 3" against "at least 4" cannot both hold, whereas
    "at least 3" and "exactly 4" can."""
    ceilings = [c.count for _, c in claims if c.qualifier in ("exact", "at_most")]
    ceilings += [c.max for _, c in claims if c.max is not None]
    floors = [b for _, c in claims if (b := c.lower_bound) is not None]
    return bool(ceilings and floors) and min(ceilings) < max(floors)


def _best(claims: Sequence[tuple[str, Count]], minimum: int | None) -> tuple[int | None, bool]:
    """The best figure under `BEST_POLICY` before any ceiling, and whether it was raised to
    the minimum. It never exceeds the maximum, which is at least every stated count."""
    for qualifier in ("exact", "approx"):
        stated = [c.count for _, c in claims if c.qualifier == qualifier]
        if stated:
            if minimum is not None and max(stated) < minimum:
                return minimum, True
            return max(stated), False
    return minimum, False


def _rank(reliability: Mapping[str, str | None], source: str) -> int:
    return _RANK.get(reliability.get(source) or "", 1)


def _breakdowns(
    claims: Sequence[tuple[str, Count]], reliability: Mapping[str, str | None]
) -> tuple[dict[str, int], dict[str, tuple[str, ...]], list[str]]:
    """Per group, the largest figure stated within an `exact` or `at_least` count, its
    sources, and the conflicts found. Like the minimum, each is a supported lower bound for
    the same event, so they are never added; groups within a vague (`approx`, `at_most`)
    figure are not used. One source may give the total and another the groups ("wounding
    ten", "six healthcare workers among the injured"), so groups are not tied to the report
    giving the minimum. A group stated by a less reliable source than an `exact` total is
    a conflict, and not used, when it exceeds that total, or when women, men and children
    (which never overlap) together exceed it.
    """
    stated = [
        (s, group, n)
        for s, c in claims
        if c.qualifier in ("exact", "at_least")
        for group, n in c.breakdowns.items()
    ]
    totals = [(s, c.count) for s, c in claims if c.qualifier == "exact"]
    conflicts = []
    for total_source, total in sorted(totals, key=lambda t: (-_rank(reliability, t[0]), t[1])):
        weaker = [x for x in stated if _rank(reliability, x[0]) < _rank(reliability, total_source)]
        over = [x for x in weaker if x[2] > total]
        if sum(_largest(stated, group) for group in DISJOINT_GROUPS) > total:
            over += [x for x in weaker if x[1] in DISJOINT_GROUPS and x not in over]
        if over:
            groups = ", ".join(f"{group} {n} ({s})" for s, group, n in over)
            conflicts.append(
                f"conflict: breakdowns {groups} exceed exactly {total} ({total_source}, "
                "a more reliable source); not used"
            )
            stated = [x for x in stated if x not in over]
    largest = {group: _largest(stated, group) for _, group, _ in stated}
    ordered = _known_first(largest)
    sources = {
        group: _unique(s for s, g, m in stated if g == group and m == n)
        for group, n in ordered.items()
    }
    return ordered, sources, conflicts


def _largest(stated: Sequence[tuple[str, str, int]], group: str) -> int:
    return max((n for _, g, n in stated if g == group), default=0)


def _known_first(breakdowns: Mapping[str, int]) -> dict[str, int]:
    known = {k: breakdowns[k] for k in KNOWN_BREAKDOWNS if k in breakdowns}
    return known | dict(breakdowns)


def _case_total(figures: Sequence[tuple[str, CasualtyFigure]]) -> CaseTotal:
    minima = [f.minimum for _, f in figures if f.minimum is not None]
    maxima = [f.maximum for _, f in figures]
    breakdowns: dict[str, int] = {}
    for _, f in figures:
        for group, n in f.breakdowns.items():
            breakdowns[group] = breakdowns.get(group, 0) + n
    return CaseTotal(
        minimum=sum(minima) if minima else None,
        maximum=None if None in maxima else sum(m for m in maxima if m is not None),
        incidents_without_minimum=tuple(i for i, f in figures if f.minimum is None),
        breakdowns=_known_first(breakdowns),
    )


def _noted(casualties: IncidentCasualties, double: LikelyDoubleCount) -> IncidentCasualties:
    """`casualties` with the double count noted on each figure the report gives."""
    return dataclasses.replace(
        casualties,
        **{
            o: dataclasses.replace(f, notes=(*f.notes, double.sentence))
            for o in double.outcomes
            if (f := getattr(casualties, o)) is not None
        },
    )


def _count_key(count: Count | None) -> tuple[Any, ...] | None:
    if count is None:
        return None
    return (
        count.count,
        count.qualifier,
        count.min,
        count.max,
        tuple(sorted(count.breakdowns.items())),
    )


def _figures_text(report: CasualtyReport) -> str:
    """E.g. `killed at least 4, injured exactly 10`."""
    return ", ".join(
        f"{o} {describe_count(c)}" for o in OUTCOMES if (c := _count_of(report, o)) is not None
    )


def _clause(minimum: int | None, outcome: str, *, name_civilians: bool) -> str:
    if minimum is None:
        return f"no supported figure for civilians {outcome}"
    if minimum == 0:
        return f"no civilians reported {outcome}"
    who = (" civilian" if minimum == 1 else " civilians") if name_civilians else ""
    return f"at least {minimum}{who} {outcome}"


def _describe(source: str, count: Count) -> str:
    """E.g. `at least 4 (local-source-vuhledar)`, `about 10, min 8, max 15 (ocha)`."""
    return f"{describe_count(count)} ({source})"


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
