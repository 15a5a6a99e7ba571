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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from evidencelab.model import KNOWN_BREAKDOWNS, CaseFile, CasualtyReport, Count

BEST_POLICY = (
    "highest exact figure, else highest approximate figure, else the minimum; "
    "kept between the minimum and the maximum"
)

Outcome = Literal["killed", "injured"]

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
    figures and reports not counted.
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
class IncidentCasualties:
    """Casualty figures for one incident.

    `context` holds civilian reports of wider scope (site, city_day, region_period), shown
    beside the figures and never added. `set_aside` holds reports not counted: non-civilian
    figures, and reports from sources graded `low`.
    """

    killed: CasualtyFigure
    injured: CasualtyFigure
    best_policy: str = BEST_POLICY
    context: tuple[CasualtyReport, ...] = ()
    set_aside: tuple[SetAsideReport, ...] = ()


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


@dataclass(frozen=True, kw_only=True)
class CaseCasualties:
    """Casualty totals over a case's incidents."""

    killed: CaseTotal
    injured: CaseTotal


def incident_casualties(
    reports: Iterable[CasualtyReport], source_reliability: Mapping[str, str | None]
) -> IncidentCasualties:
    """Minimum, best and maximum killed and injured for one incident (rules: module doc).

    `reports` are all casualty reports filed under the incident. `source_reliability`
    maps source id to its grade (`high`, `medium`, `low`, or None: not graded); a source
    missing from it counts as not graded.
    """
    counted: list[CasualtyReport] = []
    context: list[CasualtyReport] = []
    set_aside: list[SetAsideReport] = []
    for report in reports:
        if not report.civilian:
            set_aside.append(SetAsideReport(report=report, reason="not a civilian figure"))
        elif report.scope != "incident":
            context.append(report)
        elif source_reliability.get(report.source) == "low":
            set_aside.append(SetAsideReport(report=report, reason="source graded low reliability"))
        else:
            counted.append(report)

    return IncidentCasualties(
        killed=_figure(_claims(counted, "killed"), _uncounted_notes("killed", set_aside, context)),
        injured=_figure(
            _claims(counted, "injured"), _uncounted_notes("injured", set_aside, context)
        ),
        context=tuple(context),
        set_aside=tuple(set_aside),
    )


def incident_casualties_for_case(case: CaseFile) -> dict[str, IncidentCasualties]:
    """`incident_casualties` for every incident of `case`, keyed by incident id, using the
    reliability grades of the case's sources."""
    reliability = {s.id: s.reliability for s in case.sources}
    return {i.id: incident_casualties(i.casualties, reliability) for i in case.incidents}


def case_casualties(per_incident: Mapping[str, IncidentCasualties]) -> CaseCasualties:
    """Totals over distinct incidents: the sum of minima ("at least N"), and the sum of
    maxima when every incident has one (docs/case-file-format.md, "Casualty figures"; after
    Amnesty International's 4 + 1 + 1 = "at least six" and Iraq Body Count's ranges).
    Callers pass each incident once; wider-scope reports are never part of these sums."""
    ordered = sorted(per_incident.items())
    return CaseCasualties(
        killed=_case_total([(i, c.killed) for i, c in ordered]),
        injured=_case_total([(i, c.injured) for i, c in ordered]),
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


def _claims(reports: Iterable[CasualtyReport], outcome: Outcome) -> list[tuple[str, Count]]:
    """(source id, count) of each report that gives a figure for `outcome`."""
    pairs = [(r.source, r.killed if outcome == "killed" else r.injured) for r in reports]
    return [(source, c) for source, c in pairs if c is not None]


def _uncounted_notes(
    outcome: Outcome, set_aside: Sequence[SetAsideReport], context: Sequence[CasualtyReport]
) -> list[str]:
    notes = [
        f"not counted: {_describe(source, c)}, {aside.reason}"
        for aside in set_aside
        for source, c in _claims([aside.report], outcome)
    ]
    notes += [
        f"wider scope ({r.scope}), shown beside and never added: {_describe(source, c)}"
        for r in context
        for source, c in _claims([r], outcome)
    ]
    return notes


def _figure(claims: Sequence[tuple[str, Count]], notes: list[str]) -> CasualtyFigure:
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
    breakdowns, breakdown_sources = _breakdowns(claims)
    return CasualtyFigure(
        minimum=minimum,
        best=best,
        maximum=maximum,
        minimum_sources=minimum_sources,
        best_sources=best_sources or minimum_sources,
        maximum_sources=_unique(s for s, c in claims if c.upper_figure == maximum),
        breakdowns=breakdowns,
        breakdown_sources=breakdown_sources,
        notes=tuple(notes),
    )


def _contradict(claims: Sequence[tuple[str, Count]]) -> bool:
    """True when one report's ceiling (an `exact` or `at_most` count, or a `max`) is below
    another's lower bound: "exactly 3" against "at least 4" cannot both hold, whereas
    "at least 3" and "exactly 4" can."""
    ceilings = [c.count for _, c in claims if c.qualifier in ("exact", "at_most")]
    ceilings += [c.max for _, c in claims if c.max is not None]
    floors = [b for _, c in claims if (b := c.lower_bound) is not None]
    return bool(ceilings and floors) and min(ceilings) < max(floors)


def _best(claims: Sequence[tuple[str, Count]], minimum: int | None) -> tuple[int | None, bool]:
    """The best figure under `BEST_POLICY`, and whether it was raised to the minimum. It
    never exceeds the maximum, which is at least every stated count."""
    for qualifier in ("exact", "approx"):
        stated = [c.count for _, c in claims if c.qualifier == qualifier]
        if stated:
            if minimum is not None and max(stated) < minimum:
                return minimum, True
            return max(stated), False
    return minimum, False


def _breakdowns(
    claims: Sequence[tuple[str, Count]],
) -> tuple[dict[str, int], dict[str, tuple[str, ...]]]:
    """Per group, the largest figure stated within an `exact` or `at_least` count, and its
    sources. Like the minimum, each is a supported lower bound for the same event, so they
    are never added; groups within a vague (`approx`, `at_most`) figure are not used. One
    source may give the total and another the groups ("wounding ten", "six healthcare
    workers among the injured"), so groups are not tied to the report giving the minimum.
    """
    firm = [(s, c) for s, c in claims if c.qualifier in ("exact", "at_least")]
    largest: dict[str, int] = {}
    for _, count in firm:
        for group, n in count.breakdowns.items():
            largest[group] = max(n, largest.get(group, n))
    ordered = _known_first(largest)
    sources = {
        group: _unique(s for s, c in firm if c.breakdowns.get(group) == n)
        for group, n in ordered.items()
    }
    return ordered, sources


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


def _clause(minimum: int | None, outcome: str, *, name_civilians: bool) -> str:
    if minimum is None:
        return f"no supported figure for civilians {outcome}"
    if minimum == 0:
        return f"no civilians reported {outcome}"
    who = (" civilian" if minimum == 1 else " civilians") if name_civilians else ""
    return f"at least {minimum}{who} {outcome}"


def _describe(source: str, count: Count) -> str:
    """E.g. `at least 4 (local-source-vuhledar)`, `about 10, min 8, max 15 (ocha)`."""
    parts = [f"{_QUALIFIER_WORDS[count.qualifier]} {count.count}"]
    parts += [
        f"{name} {n}" for name, n in (("min", count.min), ("max", count.max)) if n is not None
    ]
    return f"{', '.join(parts)} ({source})"


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
