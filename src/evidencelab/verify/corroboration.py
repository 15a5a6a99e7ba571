"""Corroboration: how many independent sources support or contradict an incident fact.

A statement is one evidence item (or one source, written ``source:<id>``) taking a stance
on one fact (time, place, weapon, casualties). Statements are not independent when they
come from the same source or from copies of one picture: items that share a source id,
and items in one near-duplicate cluster, are joined with a union-find (the joins are
transitive, also through items that state nothing themselves), and each resulting group
counts once. Every group lists why its members were joined, so a reader
can see why ten videos may count as one source. The rule follows the content-analysis
strand of verification in the Berkeley Protocol on Digital Open Source Investigations
(OHCHR and UC Berkeley HRC, 2020, HR/PUB/20/2: consistency with other evidence), applied
mechanically; it cannot see dependence the case does not record (two outlets quoting
one wire report, two items with no source recorded that came from one person).

Casualty figures are compared as ranges of whole people (see ``count_range``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, NotRequired

from typing_extensions import TypedDict

from evidencelab.analysis.casualties import Outcome, struck_figures
from evidencelab.analysis.context.distance import geodesic_distance_m
from evidencelab.model.casualty import CasualtyReport, Count
from evidencelab.verify.checks import CheckResult, EvidenceFacts, IncidentFacts


class ExcludedItem(TypedDict):
    """An item left out of a fact's corroboration, and why."""

    member: str
    reason: str


class FigureConflict(TypedDict):
    """Two sources whose ranges for one casualty figure do not overlap."""

    figure: str  # killed or injured
    sources: list[str | None]
    ranges: list[str]


class CorroborationGroup(TypedDict):
    """One independent group: its supporting and contradicting members, and why joined."""

    supporting: list[str]
    contradicting: list[str]
    joined_because: list[str]


class StatementRecord(TypedDict):
    """One item's or source's stance on a fact, and why."""

    member: str
    stance: str  # supports or contradicts
    reason: str


class CorroboratedFact(TypedDict):
    """One fact's corroboration: independent supporting and contradicting groups, every
    statement with its reason, what was left out and why."""

    fact: str
    claim: str | None
    supporting: int  # independent groups
    contradicting: int
    independent_groups: list[list[str]]
    contradicting_groups: list[list[str]]
    groups: list[CorroborationGroup]
    statements: list[StatementRecord]
    excluded: list[ExcludedItem]
    notes: list[str]
    conflicts: NotRequired[list[FigureConflict]]  # casualties only


Stance = Literal["supports", "contradicts"]
SOURCE_PREFIX = "source:"
# An "about N" figure without explicit bounds is read as N ± 50 %: loose early reporting.
APPROX_RELATIVE = 0.5


@dataclass(frozen=True)
class Statement:
    """One item's (or source's) stance on a fact, and why."""

    member: str
    stance: Stance
    reason: str


@dataclass(frozen=True)
class Group:
    """Statement that counts once: its members, their stances and why they were joined."""

    supporting: tuple[str, ...]
    contradicting: tuple[str, ...]
    joined_because: tuple[str, ...]

    @property
    def members(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.supporting + self.contradicting))


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:  # path compression
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)


def source_member(source_id: str) -> str:
    """How a source's own statement is named among statements."""
    return SOURCE_PREFIX + source_id


def independent_groups(
    statements: Sequence[Statement],
    sources: Mapping[str, str | None],
    clusters: Iterable[Sequence[str]],
    joins: Iterable[tuple[str, Sequence[str]]] = (),
) -> list[Group]:
    """Statements joined into groups that count once, in order of first statement.

    ``sources`` maps each evidence id of the case to its source id (None: not recorded —
    such an item is joined only with its near-duplicates). ``clusters`` are the case's
    near-duplicate clusters. A ``source:<id>`` member is joined with that source's items.
    ``joins`` are further ``(why, members)`` to count once.
    """
    union = _UnionFind()
    joined: list[tuple[str, list[str]]] = []  # (why, the members joined)
    by_source: dict[str, list[str]] = {}
    for evidence_id, source_id in sources.items():
        union.find(evidence_id)
        if source_id is not None:
            by_source.setdefault(source_id, []).append(evidence_id)
    for entry in statements:
        if entry.member.startswith(SOURCE_PREFIX):
            same = by_source.setdefault(entry.member[len(SOURCE_PREFIX) :], [])
            if entry.member not in same:
                same.insert(0, entry.member)
    for source_id, members in by_source.items():
        joined.append((f"same source {source_id}", members))
    joined += [("near-duplicates", list(cluster)) for cluster in clusters]
    joined += [(label, list(members)) for label, members in joins]
    for _, members in joined:
        for other in members[1:]:
            union.union(members[0], other)
    stating = {entry.member for entry in statements}

    order: dict[str, list[Statement]] = {}
    for entry in statements:
        order.setdefault(union.find(entry.member), []).append(entry)
    groups = []
    for root, entries in order.items():
        why = tuple(
            _join_reason(label, members, stating)
            for label, members in joined
            if len(members) > 1 and union.find(members[0]) == root
        )
        groups.append(
            Group(
                supporting=_unique(e.member for e in entries if e.stance == "supports"),
                contradicting=_unique(e.member for e in entries if e.stance == "contradicts"),
                joined_because=why,
            )
        )
    return groups


def _join_reason(label: str, members: Sequence[str], stating: set[str]) -> str:
    """Why members were joined, naming those that state something and counting the rest."""
    named = [m for m in members if m in stating]
    others = len(members) - len(named)
    tail = f" (and {others} other item{'s' if others > 1 else ''})" if others else ""
    return f"{label}: {', '.join(named) or 'none stating anything'}{tail}"


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def fact_record(
    fact: str,
    claim: str | None,
    statements: Sequence[Statement],
    sources: Mapping[str, str | None],
    clusters: Iterable[Sequence[str]],
    *,
    excluded: Sequence[ExcludedItem] = (),
    notes: Sequence[str] = (),
    joins: Iterable[tuple[str, Sequence[str]]] = (),
) -> CorroboratedFact:
    """One fact's corroboration as a plain record: counts of independent supporting and
    contradicting groups, the groups themselves with why each counts once, every statement
    with its reason, what was left out and why."""
    groups = independent_groups(statements, sources, clusters, joins)
    mixed = [g for g in groups if g.supporting and g.contradicting]
    all_notes = list(notes)
    all_notes += [f"one group both supports and contradicts: {', '.join(g.members)}" for g in mixed]
    return {
        "fact": fact,
        "claim": claim,
        "supporting": sum(bool(g.supporting) for g in groups),
        "contradicting": sum(bool(g.contradicting) for g in groups),
        "independent_groups": [list(g.supporting) for g in groups if g.supporting],
        "contradicting_groups": [list(g.contradicting) for g in groups if g.contradicting],
        "groups": [
            {
                "supporting": list(g.supporting),
                "contradicting": list(g.contradicting),
                "joined_because": list(g.joined_because),
            }
            for g in groups
        ],
        "statements": [
            {"member": t.member, "stance": t.stance, "reason": t.reason} for t in statements
        ],
        "excluded": list(excluded),
        "notes": all_notes,
    }


# --- stances from checks, geolocations and reports ------------------------------------------

TIME_CONTRADICTIONS = frozenset(
    {"CAPTURE_OUTSIDE_INCIDENT_TIME", "SUN_INCONSISTENT_WITH_CLAIMED_TIME", "RECYCLED_FOOTAGE"}
)


def time_statement(item: EvidenceFacts, results: Sequence[CheckResult]) -> Statement | None:
    """An item's stance on the incident time, from its checks against the incident.

    Contradicts: a capture before (or long after) the incident, a shadow finding that does
    not fit the incident time, or an earlier copy. Supports: a capture time within the
    incident time or its aftermath window, or a shadow finding that fits. A capture time
    found later than the file's own collection is not used. Otherwise: no stance.
    """
    against = [
        r
        for r in results
        if r.check in TIME_CONTRADICTIONS and r.incident is not None and r.severity != "info"
    ]
    if against:
        return Statement(
            item.id, "contradicts", "; ".join(f"{r.check}: {r.message}" for r in against)
        )
    unreliable = any(r.check == "CAPTURE_AFTER_COLLECTION" for r in results)
    reasons = []
    if item.captured_at and not unreliable:
        aftermath = [r for r in results if r.check == "CAPTURE_OUTSIDE_INCIDENT_TIME"]
        reasons.append(
            aftermath[0].message
            if aftermath
            else f"captured {item.captured_at} (claimed by its metadata), within the incident time"
        )
    if item.shadows:
        ids = ", ".join(str(f.finding_id) for f in item.shadows)
        reasons.append(f"shadow finding {ids} fits the incident time")
    if not reasons:
        return None
    return Statement(item.id, "supports", "; ".join(reasons))


def place_statement(
    item: EvidenceFacts,
    incident: IncidentFacts,
    results: Sequence[CheckResult],
    geolocations: Sequence[Mapping[str, Any]],
) -> Statement | None:
    """An item's stance on the incident place from its GPS check and its geolocations.

    A geolocation agrees when its distance to the place is within its precision plus the
    place's (geodesic, metres); disputed geolocations are not used.
    """
    against = [r.message for r in results if r.check == "GPS_FAR_FROM_INCIDENT"]
    support = []
    if item.gps is not None and not against and incident.lat is not None:
        assert incident.lon is not None
        distance = geodesic_distance_m(item.gps[0], item.gps[1], incident.lat, incident.lon)
        support.append(
            f"GPS {item.gps[0]:.5f}, {item.gps[1]:.5f} is {distance:.0f} m from the place, "
            "within its precision plus the GPS error"
        )
    if incident.lat is not None and incident.lon is not None:
        for geo in geolocations:
            if (geo.get("review") or {}).get("state") == "disputed":
                continue
            distance = geodesic_distance_m(
                float(geo["lat"]), float(geo["lon"]), incident.lat, incident.lon
            )
            allowed = float(geo.get("precision_m") or 0) + float(incident.precision_m or 0)
            text = (
                f"geolocation {geo.get('id')} ({geo.get('method')}) {distance:.0f} m from the "
                f"place; {allowed:.0f} m allowed"
            )
            (support if distance <= allowed else against).append(text)
    if against:
        return Statement(item.id, "contradicts", "; ".join(against))
    if support:
        return Statement(item.id, "supports", "; ".join(support))
    return None


GEOLOCATION_PREFIX = "geolocation:"


def incident_geolocation_statements(
    incident: IncidentFacts, geolocations: Sequence[Mapping[str, Any]]
) -> tuple[list[Statement], list[str]]:
    """The incident's own geolocation records (``geolocation:<id>``) that contradict its
    place (farther than their precision plus the place's), and notes on those that agree.

    Agreeing records are not counted as support: the incident place is usually set from
    them, so counting them would confirm the place with itself. Disputed records are not
    used. Callers count all of them as one group: they are analysts' readings of the
    evidence, not sources of their own.
    """
    if incident.lat is None or incident.lon is None:
        return [], []
    statements, notes = [], []
    for geo in geolocations:
        review = (geo.get("review") or {}).get("state", "unreviewed")
        if review == "disputed":
            continue
        distance = geodesic_distance_m(
            float(geo["lat"]), float(geo["lon"]), incident.lat, incident.lon
        )
        allowed = float(geo.get("precision_m") or 0) + float(incident.precision_m or 0)
        text = (
            f"incident geolocation {geo.get('id')} ({geo.get('method')}, {review}) "
            f"{distance:.0f} m from the place; {allowed:.0f} m allowed"
        )
        if distance > allowed:
            statements.append(
                Statement(f"{GEOLOCATION_PREFIX}{geo.get('id')}", "contradicts", text)
            )
        else:
            notes.append(f"{text}: agrees, not counted (the place is set from such records)")
    return statements, notes


def count_range(count: Count) -> tuple[float, float]:
    """The numbers of people a stated count allows, as ``(low, high)`` (high may be inf).

    ``exact`` N: N; ``at_least`` N: N and up; ``at_most`` N: 0 to N; ``approx`` N:
    N ± ``APPROX_RELATIVE`` (rounded outwards). Explicit ``min``/``max`` narrow these.
    """
    c = count.count
    if count.qualifier == "exact":
        low, high = float(c), float(c)
    elif count.qualifier == "at_least":
        low, high = float(c), math.inf
    elif count.qualifier == "at_most":
        low, high = 0.0, float(c)
    else:
        low = float(math.floor(c * (1 - APPROX_RELATIVE)))
        high = float(math.ceil(c * (1 + APPROX_RELATIVE)))
    if count.min is not None:
        low = max(low, float(count.min)) if count.qualifier != "exact" else float(count.min)
    if count.max is not None:
        high = min(high, float(count.max)) if count.qualifier != "exact" else float(count.max)
    return low, high


def _not_compared(report: CasualtyReport) -> str | None:
    """Why a report takes no stance: withdrawn, not (or not known to be) a civilian
    figure, or of wider scope; None when it is compared."""
    if report.withdrawn is not None:
        return "withdrawn"
    if report.civilian == "unknown":
        return "civilian status unknown"
    if not report.is_civilian:
        return "not a civilian figure"
    return None if report.scope == "incident" else f"{report.scope} scope"


def casualty_statements(
    reports: Sequence[CasualtyReport], minima: Mapping[str, int | None]
) -> tuple[list[Statement], list[FigureConflict], list[str]]:
    """Each source's stance on the incident's casualty figures, pairwise conflicts between
    sources, and notes on reports not compared.

    Only civilian reports of ``incident`` scope are compared. ``minima`` maps ``killed``
    and ``injured`` to the incident's supported minimum ("at least N"; None when none).
    A report contradicts when the most it allows is below that minimum; otherwise it
    supports. A conflict is two sources whose ranges for one figure do not overlap.
    """
    notes = [
        f"{r.source}: {reason}; not compared"
        for r in reports
        if (reason := _not_compared(r)) is not None
    ]
    # A figure its source revised is history, not a stance: only the standing one counts.
    revised = [f for f in struck_figures(reports) if not f.withdrawn]
    notes += [f"{f.report.source}: {f.outcome} {f.reason}; not compared" for f in revised]
    superseded = {(id(f.report), f.outcome) for f in revised}
    compared = [_standing(r, superseded) for r in reports if _not_compared(r) is None]
    statements: list[Statement] = []
    for report in compared:
        against, stated = [], []
        for outcome in ("killed", "injured"):
            count = getattr(report, outcome)
            if count is None:
                continue
            low, high = count_range(count)
            stated.append(f"{outcome} {_range_text(low, high)}")
            minimum = minima.get(outcome)
            if minimum is not None and high < minimum:
                against.append(
                    f"{outcome} {_range_text(low, high)}, fewer than the supported minimum "
                    f"of {minimum}"
                )
        if not stated:
            continue
        member = source_member(report.source)
        if against:
            statements.append(Statement(member, "contradicts", "; ".join(against)))
        else:
            statements.append(Statement(member, "supports", "; ".join(stated)))
    return statements, _conflicts(compared), notes


def _standing(report: CasualtyReport, superseded: set[tuple[int, Outcome]]) -> CasualtyReport:
    """The report with its superseded figures left out."""
    return replace(
        report,
        killed=None if (id(report), "killed") in superseded else report.killed,
        injured=None if (id(report), "injured") in superseded else report.injured,
    )


def _conflicts(reports: Sequence[CasualtyReport]) -> list[FigureConflict]:
    found: list[FigureConflict] = []
    for i, a in enumerate(reports):
        for b in reports[i + 1 :]:
            if a.source == b.source:
                continue
            for outcome in ("killed", "injured"):
                count_a, count_b = getattr(a, outcome), getattr(b, outcome)
                if count_a is None or count_b is None:
                    continue
                range_a, range_b = count_range(count_a), count_range(count_b)
                if range_a[1] < range_b[0] or range_b[1] < range_a[0]:
                    found.append(
                        {
                            "figure": outcome,
                            "sources": [a.source, b.source],
                            "ranges": [_range_text(*range_a), _range_text(*range_b)],
                        }
                    )
    return found


def _range_text(low: float, high: float) -> str:
    if high == math.inf:
        return f"at least {low:.0f}"
    if low == high:
        return f"{low:.0f}"
    return f"{low:.0f}–{high:.0f}"
