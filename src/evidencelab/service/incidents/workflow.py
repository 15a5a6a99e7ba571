"""Incident workflow: status, assignee and due date, one incident or many at once.

A status is one of the case's list (``statuses``): by default "to do", "in progress",
"ready for review" and "done"; a case may define its own. The first status is where every
incident starts (an incident never given a status is at it), the last one closes it (an
incident at it is never overdue). The assignee is a web user of the case who is not
disabled; the due date is a calendar date (ISO 8601, YYYY-MM-DD).

A change of many incidents is one transaction: all or none. Each field that changes on
each incident is its own custody event (``incident_status``, ``incident_assign``,
``incident_due``, subject the incident), and the rows themselves are logged field by field
(``locker/records.py``), so ``verify`` names a value changed outside the software.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidencelab.locker.case import Case
from evidencelab.locker.errors import InputError, each_input_checked
from evidencelab.service.incidents.records import (
    IncidentWorkflow,
    StatusList,
    WorkflowChange,
    WorkflowResult,
    WorkflowUpdate,
)
from evidencelab.store.tables import Incident
from evidencelab.store.tables.users import WebUser
from evidencelab.store.tables.workflow import WorkflowStatus

DEFAULT_STATUSES: tuple[str, ...] = ("to do", "in progress", "ready for review", "done")
MAX_STATUSES = 20
MAX_STATUS_LENGTH = 40
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def statuses_in(session: Session) -> list[str]:
    """The case's statuses in order (the default list when the case defined none)."""
    names = session.scalars(select(WorkflowStatus.name).order_by(WorkflowStatus.position))
    return list(names) or list(DEFAULT_STATUSES)


def status_list(case: Case) -> StatusList:
    """The case's statuses with how many incidents are at each."""
    with case.sessions() as session:
        return _status_list(session)


def _status_list(session: Session) -> StatusList:
    names = statuses_in(session)
    held = func.coalesce(Incident.status, names[0])
    counts = {n: c for n, c in session.execute(select(held, func.count()).group_by(held))}
    custom = session.scalar(select(func.count()).select_from(WorkflowStatus)) or 0
    return {
        "statuses": [{"name": n, "incidents": counts.get(n, 0)} for n in names],
        "custom": custom > 0,
    }


def set_status_list(case: Case, names: Sequence[str]) -> StatusList:
    """Replace the case's statuses by ``names`` (in order). A status that incidents are at
    cannot be removed; incidents never given a status keep the one they were at (the old
    first) when the first changes. One ``workflow_statuses`` event, before and after."""
    wanted = _checked_names(names)
    with case.transaction() as session:
        before = statuses_in(session)
        if wanted == before:
            return _status_list(session)
        if wanted[0] != before[0]:
            for row in session.scalars(select(Incident).where(Incident.status.is_(None))):
                row.status = before[0]
            session.flush()
        in_use = _status_list(session)["statuses"]
        for choice in in_use:
            if choice["name"] not in wanted and choice["incidents"]:
                raise InputError(
                    "statuses",
                    choice["name"],
                    f"in use by {choice['incidents']} incident(s); give them another status first",
                )
        for old in session.scalars(select(WorkflowStatus)):
            session.delete(old)
        session.flush()
        session.add_all(WorkflowStatus(name=n, position=i) for i, n in enumerate(wanted))
        case.record(session, "workflow_statuses", None, {"from": before, "to": wanted})
        session.flush()
        return _status_list(session)


def _checked_names(names: Sequence[str]) -> list[str]:
    wanted = [" ".join(n.split()) for n in names if n.strip()]
    if len(wanted) < 2 or len(wanted) > MAX_STATUSES:
        raise InputError(
            "statuses", len(wanted), f"give from 2 to {MAX_STATUSES} statuses, one a line"
        )
    seen: set[str] = set()
    for name in wanted:
        if len(name) > MAX_STATUS_LENGTH:
            raise InputError("statuses", name[:40], f"longer than {MAX_STATUS_LENGTH} characters")
        if name.casefold() in seen:
            raise InputError("statuses", name, "given twice")
        seen.add(name.casefold())
    return wanted


def incident_workflow(case: Case, incident_id: str) -> IncidentWorkflow:
    """An incident's status, assignee and due date, with the statuses and users to offer."""
    with case.sessions() as session:
        _check_ids(session, [incident_id])
        row = session.get_one(Incident, incident_id)
        names = statuses_in(session)
        return {
            "incident": incident_id,
            "status": row.status or names[0],
            "assignee": row.assignee,
            "due": row.due_on,
            "statuses": names,
            "assignees": active_users(session),
        }


def set_status(case: Case, incident_ids: Sequence[str], status: str) -> WorkflowResult:
    """Set the status of each incident named (one transaction)."""
    return set_workflow(case, incident_ids, {"status": status})


def assign(case: Case, incident_ids: Sequence[str], user: str | None) -> WorkflowResult:
    """Assign each incident named to ``user`` (None: unassign)."""
    return set_workflow(case, incident_ids, {"assignee": user})


def set_due(case: Case, incident_ids: Sequence[str], due: str | None) -> WorkflowResult:
    """Set the due date (YYYY-MM-DD; None: clear) of each incident named."""
    return set_workflow(case, incident_ids, {"due": due})


def set_workflow(case: Case, incident_ids: Sequence[str], update: WorkflowUpdate) -> WorkflowResult:
    """Set the workflow fields ``update`` gives on every incident named, in one
    transaction; every bad value is named at once and nothing is written. A field already
    at its value is left alone (no event)."""
    ids = list(dict.fromkeys(i.strip() for i in incident_ids if i.strip()))
    changes: list[WorkflowChange] = []
    with case.transaction() as session:
        values = _checked_update(session, ids, update)
        rows = session.scalars(select(Incident).where(Incident.id.in_(ids)))
        by_id = {row.id: row for row in rows}
        first = statuses_in(session)[0]
        for row in (by_id[i] for i in ids):
            now = {"status": row.status or first, "assignee": row.assignee, "due": row.due_on}
            for field, after in values.items():
                if now[field] != after:
                    changes.append(_change(case, session, row, field, now[field], after))
    return {"incidents": ids, "changes": changes}


def _change(
    case: Case, session: Session, row: Incident, field: str, before: str | None, after: str | None
) -> WorkflowChange:
    event = case.record(
        session,
        "incident_status"
        if field == "status"
        else "incident_assign"
        if field == "assignee"
        else "incident_due",
        row.id,
        {"from": before, "to": after},
    )
    if field == "status":
        row.status = after
    elif field == "assignee":
        row.assignee = after
    else:
        row.due_on = after
    return {
        "incident": row.id,
        "field": field,
        "before": before,
        "after": after,
        "custody_event": event.seq,
    }


def _check_ids(session: Session, ids: list[str]) -> None:
    if not ids:
        raise InputError("incidents", None, "name at least one incident")
    known = set(session.scalars(select(Incident.id).where(Incident.id.in_(ids))))
    missing = [i for i in ids if i not in known]
    if missing:
        raise InputError("incidents", ", ".join(missing[:5]), "no such incident in the case")


def _checked_update(
    session: Session, ids: list[str], update: WorkflowUpdate
) -> dict[str, str | None]:
    """The update's values, checked with the incidents named; every bad one named at once."""
    checks: list[tuple[str, Callable[[], str | None]]] = []
    if "status" in update:
        checks.append(("status", lambda: check_status(session, update["status"])))
    if "assignee" in update:
        checks.append(("assignee", lambda: check_assignee(session, update.get("assignee"))))
    if "due" in update:
        checks.append(("due", lambda: check_due(update.get("due"))))
    values = each_input_checked(lambda: _check_ids(session, ids), *(c for _n, c in checks))
    return {name: value for (name, _check), value in zip(checks, values[1:], strict=True)}


def check_status(session: Session, status: str) -> str:
    """``status`` if it is one of the case's statuses; InputError naming them otherwise."""
    names = statuses_in(session)
    wanted = " ".join(status.split())
    if wanted not in names:
        raise InputError("status", repr(status[:40]), "must be one of " + ", ".join(names))
    return wanted


def check_assignee(session: Session, user: str | None) -> str | None:
    """``user`` if it names an active web user of the case (None or empty: nobody)."""
    name = (user or "").strip()
    if not name:
        return None
    active = active_users(session)
    if name not in active:
        shown = ", ".join(active) or "none yet"
        raise InputError("assignee", repr(name[:40]), f"no such active user (users: {shown})")
    return name


def active_users(session: Session) -> list[str]:
    """The names of the case's web users who are not disabled, by name."""
    query = select(WebUser.name).where(WebUser.disabled.is_(False)).order_by(WebUser.name)
    return list(session.scalars(query))


def check_due(due: str | None) -> str | None:
    """``due`` as an ISO 8601 calendar date YYYY-MM-DD (None or empty: no due date)."""
    text = (due or "").strip()
    if not text:
        return None
    try:
        if not _DATE.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise InputError("due", repr(text[:40]), "not a date (YYYY-MM-DD)") from None
