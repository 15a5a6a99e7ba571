"""Casualty figures re-derived from the custody log, for `verify`.

The figures a case prints (each incident's "at least" killed and injured, and the case's
totals) are derived from its casualty reports and its sources' reliability grades. Here
they are derived twice: from those records as stored now, and from the same records as
the custody log says the software wrote them. The two must agree; and each report
written records the figures it printed, which must agree with the log as it stood then.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from evidencelab.analysis.casualties import (
    IncidentCasualties,
    case_casualties,
    incident_casualties,
)
from evidencelab.locker.custody import event_payload
from evidencelab.locker.records import logged_rows, logged_states, stored_rows
from evidencelab.model.casualty import CasualtyReport
from evidencelab.model.codec import casualty_report_from_json
from evidencelab.store.tables import CustodyEvent

REPORT_ACTION = "report"
# The figures a report prints, as its custody event records them: killed and injured
# minima per incident and for the case ([killed, injured], None where there is none).
Printed = dict[str, Any]


def printed_figures(per_incident: Mapping[str, IncidentCasualties]) -> Printed:
    """The figures a summary or report prints, in the form a report's event records."""
    totals = case_casualties(per_incident)
    return {
        "incidents": {
            incident_id: [figures.killed.minimum, figures.injured.minimum]
            for incident_id, figures in sorted(per_incident.items())
        },
        "case": [totals.killed.minimum, totals.injured.minimum],
    }


def _figures(
    sources: list[dict[str, Any]], incidents: list[dict[str, Any]], reports: list[dict[str, Any]]
) -> dict[str, IncidentCasualties]:
    reliability = {s["id"]: s.get("reliability") for s in sources}
    by_incident: dict[str, list[dict[str, Any]]] = {i["id"]: [] for i in incidents}
    for report in sorted(reports, key=lambda r: (r["incident_id"], r["position"])):
        by_incident.setdefault(report["incident_id"], []).append(report)
    return {
        incident_id: incident_casualties(
            [report for report in map(_report, rows) if report is not None], reliability
        )
        for incident_id, rows in by_incident.items()
    }


def _report(row: dict[str, Any]) -> CasualtyReport | None:
    """The report a row holds; None when the row was edited into something that is not a
    report (the field-by-field comparison names the edit)."""
    try:
        return _decoded(row)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _decoded(row: dict[str, Any]) -> CasualtyReport:
    return casualty_report_from_json(
        {
            "source": row["source_id"],
            "scope": row["scope"],
            "civilian": row["civilian"],
            "killed": row["killed"],
            "injured": row["injured"],
        }
        | (row.get("extra") or {})
    )


def _differences(label: str, now: Printed, then: Printed, what: str) -> list[str]:
    problems = []
    for incident_id in sorted(set(now["incidents"]) | set(then["incidents"])):
        shown = now["incidents"].get(incident_id, [None, None])
        logged = then["incidents"].get(incident_id, [None, None])
        if shown != logged:
            problems.append(
                f"{label}: incident {incident_id}: killed ≥ {shown[0]}, injured ≥ {shown[1]}; "
                f"{what} killed ≥ {logged[0]}, injured ≥ {logged[1]}"
            )
    if now["case"] != then["case"]:
        problems.append(
            f"{label}: case total: killed ≥ {now['case'][0]}, injured ≥ {now['case'][1]}; "
            f"{what} killed ≥ {then['case'][0]}, injured ≥ {then['case'][1]}"
        )
    return problems


def figure_problems(session: Session, events: Sequence[CustodyEvent]) -> list[str]:
    """The casualty figures as the case stands compared with those derived from the log,
    and every report's printed figures with the log as it stood when it was written."""
    problems: list[str] = []
    state: dict[Any, Any] = {}
    for event, _ in logged_states(events, state):
        if event.action != REPORT_ACTION:
            continue
        printed = (event_payload(event) or {}).get("figures")
        if printed is None:
            continue  # a report written before reports recorded their figures
        logged = printed_figures(_logged_figures(state))
        problems.extend(
            _differences(
                f"report of custody event {event.seq}", printed, logged, "the logged records gave"
            )
        )
    stored = printed_figures(
        _figures(
            stored_rows(session, "source"),
            stored_rows(session, "incident"),
            stored_rows(session, "casualty_report"),
        )
    )
    logged = printed_figures(_logged_figures(state))
    problems.extend(_differences("casualty figures", stored, logged, "from the logged records,"))
    return problems


def _logged_figures(state: dict[Any, Any]) -> dict[str, IncidentCasualties]:
    return _figures(
        logged_rows(state, "source"),
        logged_rows(state, "incident"),
        logged_rows(state, "casualty_report"),
    )
