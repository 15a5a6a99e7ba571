"""Changing incidents by hand: create, edit, link and unlink evidence, add casualty reports.

Every change is checked against the case file format's schema before anything is written
and is recorded as one custody event whose actor is ``case.actor``. The event names the
facts it set (``location``, ``time``, ``weapon``, ``casualties``) so the review of a fact
can tell who last set it (``evidencelab.service.incidents.review``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidencelab.case import Case, CaseError
from evidencelab.inputs import check_place, parse_time
from evidencelab.locker.references import require_declared
from evidencelab.model.case import CASE_FORMAT
from evidencelab.model.limits import MAX_COUNT, MAX_DISTANCE_M
from evidencelab.model.schema import schema_problems
from evidencelab.service.evidence.items import find_evidence
from evidencelab.service.incidents.records import (
    CasualtyReportAdded,
    CasualtyReportFields,
    CountFields,
    EditedIncident,
    EvidenceLink,
    IncidentFields,
    PlaceFields,
    TimeFields,
    WeaponFields,
)
from evidencelab.store.tables import CasualtyReportRow, Incident, IncidentEvidence, Source

# Incident fields a person edits, and the reviewable fact each one carries.
EDITABLE = ("title", "time", "place", "weapon", "notes")
FACT_OF_FIELD = {"place": "location", "time": "time", "weapon": "weapon"}
ACTIONS = ("incident_create", "incident_edit", "casualty_add")
# Counts typed into the forms: digits only, at most MAX_COUNT (beyond it, a typing error).
COUNT_PATTERN = re.compile(r"[0-9]{1,8}")


def _check_incident(record: dict[str, Any]) -> None:
    """Raise CaseError with the first schema problem of an incident record."""
    document = {"format": CASE_FORMAT, "title": "check", "incidents": [record]}
    problems = sorted(schema_problems(document), key=lambda p: p.sort_key())
    if problems:
        problem = problems[0]
        where = ".".join(str(p) for p in problem.location[2:]) or "incident"
        raise CaseError(f"{where}: {problem.message}")


def _utc_sort_key(start: str | None) -> str | None:
    """The start time in UTC, so incidents in different time zones order correctly."""
    if start is None:
        return None
    moment = datetime.fromisoformat(start)
    return (moment.astimezone(UTC) if moment.tzinfo else moment).isoformat()


def incident_fields_from_form(form: Mapping[str, str]) -> IncidentFields:
    """The case-file incident fields a person typed into a form (blank fields are unset).

    Times must carry a UTC offset (``2022-02-24T10:30+02:00``); the place needs a name,
    and its coordinates (WGS 84 degrees) and precision (metres) go together.
    """
    return {
        "title": _text(form, "title"),
        "notes": _text(form, "notes"),
        "time": _time_from_form(form),
        "place": _place_from_form(form),
        "weapon": _weapon_from_form(form),
    }


def _text(form: Mapping[str, str], key: str) -> str | None:
    """A form field's text, stripped; None when blank."""
    value = (form.get(key) or "").strip()
    return value or None


def _time_from_form(form: Mapping[str, str]) -> TimeFields | None:
    start_text = _text(form, "time_start")
    if start_text is None:
        return None
    start = parse_time(start_text, what="time start")
    time: TimeFields = {"start": start.isoformat(), "approximate": bool(_text(form, "approximate"))}
    end_text = _text(form, "time_end")
    if end_text is not None:
        end = parse_time(end_text, what="time end")
        if end < start:
            raise CaseError("time end: is before the start")
        time["end"] = end.isoformat()
    return time


def _place_from_form(form: Mapping[str, str]) -> PlaceFields | None:
    name = _text(form, "place_name")
    if name is None:
        return None
    place: PlaceFields = {"name": name}
    if (admin1 := _text(form, "admin1")) is not None:
        place["admin1"] = admin1
    if (country := _text(form, "country")) is not None:
        place["country"] = country
    if _text(form, "lat") or _text(form, "lon"):
        lat, lon = _number(_text(form, "lat"), "lat"), _number(_text(form, "lon"), "lon")
        check_place(lat, lon)
        place["lat"], place["lon"] = lat, lon
    if _text(form, "precision_m"):
        place["precision_m"] = _precision(_text(form, "precision_m"))
    return place


def _weapon_from_form(form: Mapping[str, str]) -> WeaponFields | None:
    munition, basis = _text(form, "munition"), _text(form, "weapon_basis")
    if munition is None and basis is None:
        return None
    weapon: WeaponFields = {}
    if munition is not None:
        weapon["munition"] = munition
    if basis is not None:
        weapon["basis"] = basis
    if (confidence := _text(form, "weapon_confidence")) is not None:
        weapon["confidence"] = confidence
    return weapon


def _precision(value: str | None) -> float:
    number = _number(value, "precision_m")
    if not 0 < number <= MAX_DISTANCE_M:
        raise CaseError(f"precision_m: {number:g} is not within (0, {MAX_DISTANCE_M:,.0f}] metres")
    return number


def _number(value: str | None, what: str) -> float:
    if value is None:
        raise CaseError(f"{what}: missing (latitude and longitude go together)")
    try:
        number = float(value)
    except ValueError:
        raise CaseError(f"{what}: {value[:40]!r} is not a number") from None
    if not math.isfinite(number):
        raise CaseError(f"{what}: {value[:40]!r} is not a finite number")
    return number


def _record_json(row: Incident) -> EditedIncident:
    record: EditedIncident = {"id": row.id, "title": row.title}
    if row.time is not None:
        record["time"] = row.time
    if row.place is not None:
        record["place"] = row.place
    if row.weapon is not None:
        record["weapon"] = row.weapon
    if row.notes is not None:
        record["notes"] = row.notes
    return record


def create_incident(case: Case, incident_id: str, fields: Mapping[str, Any]) -> EditedIncident:
    """A new incident with the given case-file fields (``title`` required)."""
    record = {"id": incident_id, **{k: v for k, v in fields.items() if v is not None}}
    _check_incident(record)
    with case.transaction() as session:
        if session.get(Incident, incident_id) is not None:
            raise CaseError(f"incident {incident_id}: already exists")
        position = int(session.scalar(select(func.count()).select_from(Incident)) or 0)
        row = Incident(id=incident_id, position=position, objects_hit=[], extra={})
        _apply(row, record)
        session.add(row)
        facts = sorted(FACT_OF_FIELD[k] for k in record if k in FACT_OF_FIELD)
        case.record(session, "incident_create", incident_id, {"set": record, "facts": facts})
        return _record_json(row)


def edit_incident(case: Case, incident_id: str, fields: Mapping[str, Any]) -> EditedIncident:
    """Change an incident's editable fields; the custody event holds old and new values of
    each field that changed. Nothing changed: no event."""
    with case.transaction() as session:
        row = _incident(session, incident_id)
        before = _record_json(row)
        record: dict[str, Any] = {**before, **{k: v for k, v in fields.items() if k in EDITABLE}}
        record = {k: v for k, v in record.items() if v is not None}
        _check_incident(record)
        changed = sorted(k for k in EDITABLE if before.get(k) != record.get(k))
        if not changed:
            return before
        _apply(row, record)
        case.record(
            session,
            "incident_edit",
            incident_id,
            {
                "changed": {k: {"from": before.get(k), "to": record.get(k)} for k in changed},
                "facts": sorted(FACT_OF_FIELD[k] for k in changed if k in FACT_OF_FIELD),
            },
        )
        return _record_json(row)


def _apply(row: Incident, record: Mapping[str, Any]) -> None:
    row.title = record.get("title")
    row.time = record.get("time")
    row.time_start = _utc_sort_key((record.get("time") or {}).get("start"))
    row.place = record.get("place")
    row.weapon = record.get("weapon")
    row.notes = record.get("notes")


def _incident(session: Session, incident_id: str) -> Incident:
    row = session.get(Incident, incident_id)
    if row is None:
        raise CaseError(f"incident {incident_id}: no such incident")
    return row


def link_evidence(case: Case, incident_id: str, evidence_ref: str) -> EvidenceLink:
    """Link an evidence item (id or SHA-256 prefix) to an incident."""
    with case.transaction() as session:
        row = _incident(session, incident_id)
        item = find_evidence(session, evidence_ref)
        if any(link.evidence_id == item.id for link in row.evidence_links):
            raise CaseError(f"evidence {item.id}: already linked to incident {incident_id}")
        position = max((link.position for link in row.evidence_links), default=-1) + 1
        row.evidence_links.append(IncidentEvidence(evidence_id=item.id, position=position))
        case.record(session, "evidence_link", incident_id, {"evidence": item.id})
        return {"incident": incident_id, "evidence": item.id, "linked": True}


def linked_evidence_ids(case: Case, incident_id: str) -> set[str]:
    """The ids of the evidence items linked to an incident."""
    with case.sessions() as session:
        return {link.evidence_id for link in _incident(session, incident_id).evidence_links}


def unlink_evidence(case: Case, incident_id: str, evidence_id: str) -> EvidenceLink:
    with case.transaction() as session:
        row = _incident(session, incident_id)
        links = [link for link in row.evidence_links if link.evidence_id == evidence_id]
        if not links:
            raise CaseError(f"evidence {evidence_id}: not linked to incident {incident_id}")
        row.evidence_links.remove(links[0])
        case.record(session, "evidence_unlink", incident_id, {"evidence": evidence_id})
        return {"incident": incident_id, "evidence": evidence_id, "linked": False}


def casualty_report_from_form(form: Mapping[str, str]) -> CasualtyReportFields:
    """A case-file casualty report from form fields (killed/injured count and qualifier)."""
    report: CasualtyReportFields = {
        "scope": (form.get("scope") or "incident").strip(),
        "civilian": _civilian_status(form.get("civilian")),
    }
    if (form.get("source") or "").strip():
        report["source"] = form["source"].strip()
    killed, injured = _count_from_form(form, "killed"), _count_from_form(form, "injured")
    if killed is not None:
        report["killed"] = killed
    if injured is not None:
        report["injured"] = injured
    if killed is None and injured is None:
        raise CaseError("casualty report: give a killed or an injured count")
    return report


def _count_from_form(form: Mapping[str, str], outcome: str) -> CountFields | None:
    """The count and qualifier typed for ``outcome`` (killed or injured); None when blank."""
    raw = (form.get(f"{outcome}_count") or "").strip()
    if not raw:
        return None
    # isdigit() alone accepts "²" and any length, which int() then refuses.
    if not COUNT_PATTERN.fullmatch(raw) or int(raw) > MAX_COUNT:
        raise CaseError(
            f"{outcome} count: {raw[:40]!r} is not a whole number from 0 to {MAX_COUNT:,}"
        )
    return {"count": int(raw), "qualifier": (form.get(f"{outcome}_qualifier") or "exact").strip()}


def _civilian_status(value: str | None) -> bool | str:
    """A form's civilian choice: "unknown" as it is, else yes (the default) or no."""
    if value == "unknown":
        return value
    return (value or "true") in ("true", "on", "1", "yes")


def add_casualty_report(
    case: Case, incident_id: str, report: Mapping[str, Any]
) -> CasualtyReportAdded:
    """Append a casualty report, as its source gave it, to an incident."""
    _check_incident({"id": incident_id, "title": "check", "casualties": [dict(report)]})
    with case.transaction() as session:
        row = _incident(session, incident_id)
        source = report.get("source")
        require_declared(session, Source, [source], "source")
        position = max((r.position for r in row.casualty_reports), default=-1) + 1
        known = {"source", "scope", "civilian", "killed", "injured"}
        row.casualty_reports.append(
            CasualtyReportRow(
                position=position,
                source_id=source,
                scope=report["scope"],
                civilian=report.get("civilian", True),
                killed=report.get("killed"),
                injured=report.get("injured"),
                extra={k: v for k, v in report.items() if k not in known},
            )
        )
        event = case.record(
            session, "casualty_add", incident_id, {"report": dict(report), "facts": ["casualties"]}
        )
        return {"incident": incident_id, "position": position, "custody_event": event.seq}
