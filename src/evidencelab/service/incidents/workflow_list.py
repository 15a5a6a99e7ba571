"""The incident list: filtered, sorted and paginated in SQL, one page of rows read.

Filters: workflow status, assignee (or the reader's own incidents), overdue (a due date
before today and not at the case's last status), review status (``review_states``),
weapon, the local start date (from, to) and words of the title. Sorts: start time (UTC),
title, status (in the case's order), due date and casualties; incidents without the value
sorted on come last either way. Only the page's incidents have their casualty figures
derived (``analysis.casualties``, the rules every figure follows) and their reviews read.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Text, case, func, select, type_coerce
from sqlalchemy.orm import Session, aliased

from evidencelab.analysis.casualties import incident_casualties
from evidencelab.locker.case import Case
from evidencelab.locker.errors import InputError, each_input_checked
from evidencelab.model.codec import casualty_report_from_json
from evidencelab.service.incidents import review, workflow
from evidencelab.service.incidents.records import IncidentPage, IncidentQuery, WorkflowRow
from evidencelab.service.reading import casualty_report_document
from evidencelab.store.tables import CasualtyReportRow, Incident, IncidentEvidence, Source

SORTS = ("date", "title", "status", "due", "casualties")
REVIEW_STATES = ("awaiting review", "reviewed", "disputed", "nothing to review")
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_PAGE = 1_000_000


def parse_query(raw: Mapping[str, str]) -> IncidentQuery:
    """The list's query from text values (a form's, the command line's); every bad value
    named at once (InputErrors). Empty values are left out."""
    text = {k: v.strip() for k, v in raw.items() if isinstance(v, str) and v.strip()}
    query: IncidentQuery = {}
    for name in ("status", "assignee", "weapon", "text", "review"):
        if name in text:
            query[name] = text[name][:200]
    for name in ("mine", "overdue", "descending"):
        if text.get(name) in ("on", "yes", "true", "1"):
            query[name] = True  # type: ignore[literal-required]
    page, size, sort, date_from, date_to, review_state = each_input_checked(
        lambda: _whole("page", text.get("page"), MAX_PAGE),
        lambda: _whole("page_size", text.get("page_size"), MAX_PAGE_SIZE),
        lambda: _choice("sort", text.get("sort"), SORTS),
        lambda: _date("date_from", text.get("date_from")),
        lambda: _date("date_to", text.get("date_to")),
        lambda: _choice("review", text.get("review"), REVIEW_STATES),
    )
    parsed = {
        "page": page,
        "page_size": size,
        "sort": sort,
        "date_from": date_from,
        "date_to": date_to,
        "review": review_state,
    }
    query.update({k: v for k, v in parsed.items() if v is not None})  # type: ignore[typeddict-item]
    return query


def _whole(name: str, raw: str | None, high: int) -> int | None:
    if raw is None:
        return None
    if raw.isdigit() and len(raw) <= 7 and 1 <= int(raw) <= high:
        return int(raw)
    raise InputError(name, repr(raw[:40]), f"not a whole number from 1 to {high:,}")


def _choice(name: str, raw: str | None, choices: tuple[str, ...]) -> str | None:
    if raw is None or raw in choices:
        return raw
    raise InputError(name, repr(raw[:40]), "must be one of " + ", ".join(choices))


def _date(name: str, raw: str | None) -> str | None:
    try:
        return workflow.check_due(raw)
    except InputError as error:
        raise InputError(name, error.value, error.problem) from None


def incident_page(
    case: Case, query: IncidentQuery, *, me: str | None = None, today: date | None = None
) -> IncidentPage:
    """One page of the incident list for ``query``; ``me`` is the reader (for ``mine``),
    ``today`` the date overdue is judged on (default: the local date)."""
    today = today or date.today()
    reviewed = review_by_incident(case) if "review" in query else {}
    with case.sessions() as session:
        names = workflow.statuses_in(session)
        users = workflow.active_users(session)
        each_input_checked(
            lambda: workflow.check_status(session, query.get("status") or names[0]),
            lambda: workflow.check_assignee(session, query.get("assignee")),
        )
        status = func.coalesce(Incident.status, names[0])
        conditions = _conditions(query, status, names, me, today, reviewed)
        total = session.scalar(select(func.count()).select_from(Incident).where(*conditions)) or 0
        size = query.get("page_size", PAGE_SIZE)
        pages = max(1, -(-total // size))
        number = min(query.get("page", 1), pages)
        columns = (Incident.id, Incident.title, Incident.time, Incident.place, Incident.weapon)
        selected = select(*columns, status, Incident.assignee, Incident.due_on)
        ordered = selected.where(*conditions).order_by(*_order(query, status, names))
        found = session.execute(ordered.limit(size).offset((number - 1) * size)).all()
        ids = [r.id for r in found]
        figures = _casualty_minima(session, ids)
        evidence = _evidence_counts(session, ids)
        weapons = _weapons(session)
    states = review_by_incident(case, ids)
    closing = names[-1]
    rows: list[WorkflowRow] = [
        {
            "id": r.id,
            "title": r.title,
            "start": (r.time or {}).get("start"),
            "approximate": bool((r.time or {}).get("approximate")),
            "place": (r.place or {}).get("name"),
            "weapon": (r.weapon or {}).get("munition"),
            "status": r[5],
            "assignee": r.assignee,
            "due": r.due_on,
            "overdue": r.due_on is not None and r.due_on < today.isoformat() and r[5] != closing,
            "review": states.get(r.id, "nothing to review"),
            "killed_min": figures.get(r.id, (None, None))[0],
            "injured_min": figures.get(r.id, (None, None))[1],
            "evidence": evidence.get(r.id, 0),
        }
        for r in found
    ]
    return {
        "rows": rows,
        "total": total,
        "page": number,
        "page_size": size,
        "pages": pages,
        "query": query,
        "statuses": names,
        "assignees": users,
        "weapons": weapons,
    }


def _conditions(
    query: IncidentQuery,
    status: ColumnElement[Any],
    names: list[str],
    me: str | None,
    today: date,
    reviewed: dict[str, str],
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    start_date = func.substr(func.json_extract(Incident.time, "$.start"), 1, 10)
    if "status" in query:
        conditions.append(status == query["status"])
    if "assignee" in query:
        conditions.append(Incident.assignee == query["assignee"])
    if query.get("mine"):
        conditions.append(Incident.assignee == (me or ""))
    if query.get("overdue"):
        conditions += [Incident.due_on < today.isoformat(), status != names[-1]]
    if "weapon" in query:
        conditions.append(func.json_extract(Incident.weapon, "$.munition") == query["weapon"])
    if "date_from" in query:
        conditions.append(start_date >= query["date_from"])
    if "date_to" in query:
        conditions.append(start_date <= query["date_to"])
    if "text" in query:
        words = query["text"].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        title = func.coalesce(Incident.title, Incident.id)
        conditions.append(title.ilike(f"%{words}%", escape="\\"))
    if "review" in query:
        wanted = query["review"]
        if wanted == "nothing to review":
            conditions.append(Incident.id.not_in(list(reviewed)))
        else:
            conditions.append(Incident.id.in_([i for i, s in reviewed.items() if s == wanted]))
    return conditions


def _order(query: IncidentQuery, status: ColumnElement[Any], names: list[str]) -> list[Any]:
    """ORDER BY terms: the sort key (missing values last), then start time and id."""
    keys: dict[str, Any] = {
        "date": Incident.time_start,
        "title": func.lower(func.coalesce(Incident.title, Incident.id)),
        "status": case({n: i for i, n in enumerate(names)}, value=status, else_=len(names)),
        "due": Incident.due_on,
        "casualties": _killed_key(),
    }
    key = keys[query.get("sort", "date")]
    direction = key.desc() if query.get("descending") else key.asc()
    return [
        key.is_(None),
        direction,
        Incident.time_start.is_(None),
        Incident.time_start,
        Incident.id,
    ]


def _killed_key() -> ColumnElement[Any]:
    """The casualties sort key in SQL: the largest lower bound of killed (an ``exact`` or
    ``at_least`` count, or a ``min``) among the incident's standing civilian reports of
    incident scope from sources not graded low and not superseded by another report — the
    derived minimum's rule (analysis.casualties), except that a figure a source revised by
    a later report without naming it in ``supersedes`` still counts here."""
    report, newer = CasualtyReportRow, aliased(CasualtyReportRow)
    killed = report.killed
    lower = case(
        (
            func.json_extract(killed, "$.qualifier").in_(("exact", "at_least")),
            func.json_extract(killed, "$.count"),
        ),
        else_=func.json_extract(killed, "$.min"),
    )
    superseded = (
        select(newer.id)
        .where(
            newer.incident_id == report.incident_id,
            func.json_extract(newer.extra, "$.supersedes")
            == func.json_extract(report.extra, "$.id"),
        )
        .exists()
    )
    return (
        select(func.max(lower))
        .select_from(report)
        .outerjoin(Source, Source.id == report.source_id)
        .where(
            report.incident_id == Incident.id,
            report.scope == "incident",
            type_coerce(report.civilian, Text) == "true",
            func.json_extract(report.extra, "$.withdrawn").is_(None),
            ~superseded,
            func.coalesce(Source.reliability, "") != "low",
        )
        .scalar_subquery()
    )


def _casualty_minima(session: Session, ids: list[str]) -> dict[str, tuple[int | None, int | None]]:
    """Derived minimum killed and injured of the incidents ``ids`` (the case's rules); an
    incident whose reports cannot be read (written outside the software) gets none."""
    reports = session.scalars(
        select(CasualtyReportRow)
        .where(CasualtyReportRow.incident_id.in_(ids))
        .order_by(CasualtyReportRow.incident_id, CasualtyReportRow.position)
    )
    grades = {i: g for i, g in session.execute(select(Source.id, Source.reliability))}
    by_incident: dict[str, list[Any]] = {i: [] for i in ids}
    unreadable: set[str] = set()
    for row in reports:
        try:
            document = dict(casualty_report_document(row))
            by_incident[row.incident_id].append(casualty_report_from_json(document))
        except (KeyError, TypeError, ValueError):
            unreadable.add(row.incident_id)
    figures: dict[str, tuple[int | None, int | None]] = {}
    for incident_id, found in by_incident.items():
        if incident_id not in unreadable:
            derived = incident_casualties(found, grades)
            figures[incident_id] = (derived.killed.minimum, derived.injured.minimum)
    return figures


def _evidence_counts(session: Session, ids: list[str]) -> dict[str, int]:
    query = (
        select(IncidentEvidence.incident_id, func.count())
        .where(IncidentEvidence.incident_id.in_(ids))
        .group_by(IncidentEvidence.incident_id)
    )
    return {i: n for i, n in session.execute(query)}


def _weapons(session: Session) -> list[str]:
    munition = func.json_extract(Incident.weapon, "$.munition")
    query = select(munition).where(munition.is_not(None)).distinct().order_by(munition)
    return [str(w) for w in session.scalars(query)]


def review_by_incident(case: Case, ids: list[str] | None = None) -> dict[str, str]:
    """Each incident's review status from its facts' (``review.fact_states``): disputed
    if a fact is, reviewed if every fact is, else awaiting review. Incidents with no fact
    to review are left out."""
    states: dict[str, list[str]] = {}
    for fact in review.fact_states(case, ids):
        states.setdefault(fact["incident"], []).append(fact["state"])
    return {incident: _overall(found) for incident, found in states.items()}


def _overall(states: list[str]) -> str:
    if "disputed" in states:
        return "disputed"
    return "reviewed" if all(s == "reviewed" for s in states) else "awaiting review"
