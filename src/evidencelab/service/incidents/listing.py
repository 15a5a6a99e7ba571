"""Incidents and the case summary, with casualty figures derived from their reports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import func, select

from evidencelab.analysis.casualties import (
    CasualtyFigure,
    IncidentCasualties,
    case_casualties,
    describe_count,
    finding_sentence,
    incident_casualties_for_case,
    likely_double_counts,
)
from evidencelab.locker.case import Case, CaseError
from evidencelab.model.case import CaseFile
from evidencelab.model.casefile import case_file_to_dict
from evidencelab.model.incident import Incident
from evidencelab.service.incidents.records import (
    CaseSummary,
    CasualtiesRecord,
    FigureRecord,
    IncidentDetail,
    IncidentSummary,
)
from evidencelab.service.reading import CaseAsRead, load_case
from evidencelab.store.tables import CustodyEvent, EvidenceItem


def figure_record(figure: CasualtyFigure) -> FigureRecord:
    return {
        "min": figure.minimum,
        "best": figure.best,
        "max": figure.maximum,
        "min_sources": list(figure.minimum_sources),
        "breakdowns": dict(figure.breakdowns),
        "breakdown_sources": {k: list(v) for k, v in figure.breakdown_sources.items()},
        "notes": list(figure.notes),
    }


def casualties_record(figures: IncidentCasualties) -> CasualtiesRecord:
    return {
        "killed": figure_record(figures.killed),
        "injured": figure_record(figures.injured),
        "best_policy": figures.best_policy,
        "context_reports": len(figures.context),
        "set_aside": [{"source": s.report.source, "reason": s.reason} for s in figures.set_aside],
        "status_unknown": {
            "killed": figure_record(figures.status_unknown_killed),
            "injured": figure_record(figures.status_unknown_injured),
        },
        "struck": [
            {
                "source": f.report.source,
                "report": f.report.id,
                "outcome": f.outcome,
                "figure": describe_count(count),
                "withdrawn": f.withdrawn,
                "reason": f.reason,
            }
            for f in figures.struck
            if (count := getattr(f.report, f.outcome)) is not None
        ],
    }


def _incident_record(incident: Incident, figures: IncidentCasualties) -> IncidentSummary:
    place = incident.place
    return {
        "id": incident.id,
        "title": incident.title,
        "start": incident.time.start.isoformat() if incident.time else None,
        "approximate": incident.time.approximate if incident.time else None,
        "place": place.name if place else None,
        "admin1": place.admin1 if place else None,
        "weapon": incident.weapon.munition if incident.weapon else None,
        "killed_min": figures.killed.minimum,
        "injured_min": figures.injured.minimum,
        "status_unknown_killed_min": figures.status_unknown_killed.minimum,
        "status_unknown_injured_min": figures.status_unknown_injured.minimum,
        "evidence": len(incident.evidence),
    }


def chronological(incidents: Iterable[Incident]) -> list[Incident]:
    """Incidents by start time in UTC; those without a time (or offset) last, by id."""

    def key(incident: Incident) -> tuple[int, datetime, str]:
        start = incident.time.start if incident.time else None
        if start is None or start.tzinfo is None:
            return (1, datetime.min.replace(tzinfo=UTC), incident.id)
        return (0, start, incident.id)

    return sorted(incidents, key=key)


def list_incidents(case: Case) -> list[IncidentSummary]:
    case_file = load_case(case).case_file
    figures = incident_casualties_for_case(case_file)
    return [_incident_record(i, figures[i.id]) for i in chronological(case_file.incidents)]


def show_incident(case: Case, incident_id: str) -> IncidentDetail:
    """The incident as in the case file, plus its derived casualty figures."""
    case_file = load_case(case).case_file
    for incident in case_file.incidents:
        if incident.id == incident_id:
            document = case_file_to_dict(_only(case_file, incident))
            # The codec's JSON of a schema-valid incident: the keys IncidentDetail declares
            # (and any further ones the case file gave); the figures are added here.
            record = cast(IncidentDetail, document["incidents"][0])
            figures = incident_casualties_for_case(case_file)[incident.id]
            record["casualty_figures"] = casualties_record(figures)
            return record
    raise CaseError(f"incident {incident_id}: no such incident")


def _only(case_file: CaseFile, incident: Incident) -> CaseFile:
    return replace(case_file, incidents=(incident,))


def case_summary(case: Case, reading: CaseAsRead | None = None) -> CaseSummary:
    """Counts and the finding sentence, e.g. "3 incidents, at least 6 civilians killed…",
    and a line per part of the case that could not be read (``problems``).

    ``reading`` is the case as already read, when the caller has it.
    """
    reading = reading or load_case(case)
    case_file = reading.case_file
    figures = incident_casualties_for_case(case_file)
    totals = case_casualties(figures)
    with case.sessions() as session:
        evidence_items = session.scalar(select(func.count()).select_from(EvidenceItem)) or 0
        events = session.scalar(select(func.count()).select_from(CustodyEvent)) or 0
    return {
        "title": case_file.title,
        "incidents": len(case_file.incidents),
        "civilians_killed_min": totals.killed.minimum,
        "civilians_injured_min": totals.injured.minimum,
        "civilians_killed_max": totals.killed.maximum,
        "civilians_injured_max": totals.injured.maximum,
        "killed_breakdowns_min": dict(totals.killed.breakdowns),
        "injured_breakdowns_min": dict(totals.injured.breakdowns),
        "status_unknown_killed_min": totals.status_unknown_killed.minimum,
        "status_unknown_injured_min": totals.status_unknown_injured.minimum,
        "likely_double_counts": [d.sentence for d in likely_double_counts(case_file)],
        "evidence_items": evidence_items,
        "sources": len(case_file.sources),
        "custody_events": events,
        "finding": finding_sentence(len(case_file.incidents), totals),
        "per_incident": [
            _incident_record(i, figures[i.id]) for i in chronological(case_file.incidents)
        ],
        "totals_detail": asdict(totals),
        "problems": list(reading.problems),
    }
