"""The records the incidents capability hands to the faces (CLI `--json`, API, pages)."""

from __future__ import annotations

from typing import Any, NotRequired

from typing_extensions import TypedDict


class FigureRecord(TypedDict):
    """One derived casualty figure (killed or injured): bounds, sources and notes."""

    min: int | None
    best: int | None
    max: int | None
    min_sources: list[str]
    breakdowns: dict[str, int]  # breakdown name (children, women, …) -> at least this many
    breakdown_sources: dict[str, list[str]]
    notes: list[str]


class SetAsideReport(TypedDict):
    """A casualty report left out of an incident's figures, and why."""

    source: str | None
    reason: str


class StatusUnknownFigures(TypedDict):
    """Figures from reports that do not say whether the dead and injured were civilians."""

    killed: FigureRecord
    injured: FigureRecord


class StruckFigure(TypedDict):
    """A figure revised or withdrawn by its source, never used."""

    source: str | None
    report: str | None
    outcome: str  # "killed" or "injured"
    figure: str
    withdrawn: bool
    reason: str


class CasualtiesRecord(TypedDict):
    """An incident's derived casualty figures, with what was set aside or struck."""

    killed: FigureRecord
    injured: FigureRecord
    best_policy: str
    context_reports: int
    set_aside: list[SetAsideReport]
    status_unknown: StatusUnknownFigures
    struck: list[StruckFigure]


class IncidentSummary(TypedDict):
    """One incident as a line of the incident list."""

    id: str
    title: str | None
    start: str | None  # ISO 8601 with the UTC offset as recorded
    approximate: bool | None
    place: str | None
    admin1: str | None
    weapon: str | None
    killed_min: int | None
    injured_min: int | None
    status_unknown_killed_min: int | None
    status_unknown_injured_min: int | None
    evidence: int  # linked evidence items


class IncidentDetail(TypedDict):
    """An incident as the case file gives it (docs/case-file-format.md), plus its derived
    casualty figures. Fields a case file gave beyond the format's come along unchanged."""

    id: str
    title: NotRequired[str]
    time: NotRequired[dict[str, Any]]
    place: NotRequired[dict[str, Any]]
    weapon: NotRequired[dict[str, Any]]
    populated_area: NotRequired[dict[str, Any]]
    objects_hit: NotRequired[list[dict[str, Any]]]
    military_objective: NotRequired[dict[str, Any]]
    casualties: NotRequired[list[dict[str, Any]]]
    evidence: NotRequired[list[str]]
    geolocations: NotRequired[list[dict[str, Any]]]
    notes: NotRequired[str]
    casualty_figures: CasualtiesRecord


class CaseCounts(TypedDict):
    """Counts, casualty totals and the finding sentence of a whole case, as every reader
    may see them."""

    title: str
    incidents: int
    civilians_killed_min: int | None
    civilians_injured_min: int | None
    civilians_killed_max: int | None
    civilians_injured_max: int | None
    killed_breakdowns_min: dict[str, int]
    injured_breakdowns_min: dict[str, int]
    status_unknown_killed_min: int | None
    status_unknown_injured_min: int | None
    likely_double_counts: list[str]
    evidence_items: int
    sources: int
    custody_events: int
    finding: str
    per_incident: list[IncidentSummary]
    problems: list[str]  # one line per record of the case that could not be read


class CaseSummary(CaseCounts):
    """The case summary, with the per-source detail of its totals."""

    totals_detail: dict[str, Any]  # the case totals (analysis.casualties) as a plain dump


class TimeFields(TypedDict):
    """A case-file incident time typed into a form."""

    start: str
    approximate: bool
    end: NotRequired[str]


class PlaceFields(TypedDict):
    """A case-file incident place typed into a form."""

    name: str
    admin1: NotRequired[str]
    country: NotRequired[str]
    lat: NotRequired[float]  # WGS 84 degrees
    lon: NotRequired[float]
    precision_m: NotRequired[float]  # metres


class WeaponFields(TypedDict):
    """A case-file weapon identification typed into a form."""

    munition: NotRequired[str]
    basis: NotRequired[str]
    confidence: NotRequired[str]


class IncidentFields(TypedDict):
    """The editable fields of an incident as typed into a form (None: left blank)."""

    title: str | None
    notes: str | None
    time: TimeFields | None
    place: PlaceFields | None
    weapon: WeaponFields | None


class EditedIncident(TypedDict):
    """An incident's editable fields as stored after a create or an edit (unset fields
    left out; time, place and weapon are case-file objects, which may carry more fields)."""

    id: str
    title: str | None
    time: NotRequired[dict[str, Any]]
    place: NotRequired[dict[str, Any]]
    weapon: NotRequired[dict[str, Any]]
    notes: NotRequired[str]


class EvidenceLink(TypedDict):
    """An evidence item linked to or unlinked from an incident."""

    incident: str
    evidence: str
    linked: bool


class CountFields(TypedDict):
    """A casualty count as a source gave it."""

    count: int
    qualifier: str  # exact, at_least, at_most, approximately, …


class CasualtyReportFields(TypedDict):
    """A case-file casualty report typed into a form."""

    scope: str
    civilian: bool | str  # True, False or "unknown"
    source: NotRequired[str]
    killed: NotRequired[CountFields]
    injured: NotRequired[CountFields]
    reported_at: NotRequired[str]  # ISO 8601, with its UTC offset when the zone was given
    notes: NotRequired[str]


class CasualtyReportAdded(TypedDict):
    """Where a casualty report was added, and its custody event."""

    incident: str
    position: int
    custody_event: int


class CasualtyReportCorrected(TypedDict):
    """A casualty report corrected: the new report's place and id, the id of the one it
    supersedes (kept as it was), and the custody event."""

    incident: str
    position: int
    report: str
    supersedes: str
    custody_event: int


class CasualtyReportWithdrawn(TypedDict):
    """A casualty report withdrawn: which, why, when (UTC), and the custody event."""

    incident: str
    position: int
    reason: str
    at: str
    custody_event: int


class FactReviewed(TypedDict):
    """A review mark just recorded on one fact of an incident."""

    incident: str
    fact: str
    state: str
    reviewer: str
    author: str | None  # who last set the fact
    custody_event: int


class ReviewMark(TypedDict):
    """One reviewer's mark on a fact."""

    state: str
    reviewer: str
    at: str  # UTC, ISO 8601
    comment: str | None
    stale: bool  # the fact was set again since
    by_author: bool


class FactState(TypedDict):
    """One fact of an incident: its review state, who set it, and its marks."""

    incident: str
    fact: str
    state: str  # reviewed, disputed or awaiting review
    author: str | None
    set_by_event: int | None
    marks: list[ReviewMark]


# -- workflow (service/incidents/workflow.py) ----------------------------------------------


class WorkflowUpdate(TypedDict, total=False):
    """Workflow fields to set; a key left out is left as it is. ``assignee`` and ``due``
    None (or empty) clear them; ``due`` is an ISO 8601 date (YYYY-MM-DD)."""

    status: str
    assignee: str | None
    due: str | None


class WorkflowChange(TypedDict):
    """One workflow field changed on one incident, and its custody event."""

    incident: str
    field: str  # status | assignee | due
    before: str | None
    after: str | None
    custody_event: int


class WorkflowResult(TypedDict):
    """What a (bulk) workflow change did: the incidents named, each field that changed."""

    incidents: list[str]
    changes: list[WorkflowChange]


class StatusChoice(TypedDict):
    """One status of the case's list, with the number of incidents at it."""

    name: str
    incidents: int


class StatusList(TypedDict):
    """The case's incident statuses in order (the first is where incidents start, the last
    closes them); ``custom`` when the case defined its own list."""

    statuses: list[StatusChoice]
    custom: bool


class IncidentQuery(TypedDict, total=False):
    """Filters, sort and page of the incident list (each optional; see workflow_list)."""

    status: str
    assignee: str
    mine: bool
    overdue: bool
    review: str
    weapon: str
    date_from: str  # YYYY-MM-DD, the incident's local start date
    date_to: str
    text: str  # in the title
    sort: str  # date | title | status | due | casualties
    descending: bool
    page: int
    page_size: int


class WorkflowRow(TypedDict):
    """One incident as a line of the filtered incident list."""

    id: str
    title: str | None
    start: str | None  # ISO 8601 with the UTC offset as recorded
    approximate: bool
    place: str | None
    weapon: str | None
    status: str
    assignee: str | None
    due: str | None
    overdue: bool
    review: str  # awaiting review | reviewed | disputed | nothing to review
    killed_min: int | None
    injured_min: int | None
    evidence: int


class IncidentPage(TypedDict):
    """One page of the filtered, sorted incident list and the choices its filters offer."""

    rows: list[WorkflowRow]
    total: int  # incidents matching the filters
    page: int
    page_size: int
    pages: int
    query: IncidentQuery
    statuses: list[str]
    assignees: list[str]  # active users who can be assigned
    weapons: list[str]


class IncidentWorkflow(TypedDict):
    """One incident's workflow fields and the choices its form offers."""

    incident: str
    status: str
    assignee: str | None
    due: str | None
    statuses: list[str]
    assignees: list[str]  # active users who can be assigned
