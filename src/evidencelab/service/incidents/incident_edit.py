"""Changing incidents by hand: create, edit, link and unlink evidence, add, correct and
withdraw casualty reports.

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

from evidencelab.locker.case import Case, CaseError
from evidencelab.locker.custody import utc_now
from evidencelab.locker.errors import InputError
from evidencelab.locker.inputs import check_place, local_time_in_zone, parse_time
from evidencelab.locker.references import require_declared
from evidencelab.model.case import CASE_FORMAT
from evidencelab.model.limits import MAX_COUNT, MAX_DISTANCE_M
from evidencelab.model.schema import schema_problems
from evidencelab.service.evidence.items import find_evidence
from evidencelab.service.incidents.records import (
    CasualtyReportAdded,
    CasualtyReportCorrected,
    CasualtyReportFields,
    CasualtyReportWithdrawn,
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
CASUALTY_CORRECT = "casualty_correct"
CASUALTY_WITHDRAW = "casualty_withdraw"
ACTIONS = ("incident_create", "incident_edit", "casualty_add", CASUALTY_CORRECT, CASUALTY_WITHDRAW)
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

    Times must carry a UTC offset (``2022-02-24T10:30+02:00``), or be wall-clock times
    (a date-time control's ``2022-02-24T10:30``) in the IANA zone ``time_zone`` names; the
    place needs a name, and its coordinates (WGS 84 degrees) and precision (metres) go
    together.
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


def _moment(form: Mapping[str, str], key: str, what: str) -> datetime:
    """A form's time: a wall-clock time (a date-time control's value) in the IANA zone of
    ``time_zone`` when one is given, else ISO 8601 with its UTC offset."""
    text = _text(form, key) or ""
    zone = _text(form, "time_zone")
    return local_time_in_zone(text, zone, what=what) if zone else parse_time(text, what=what)


def _time_from_form(form: Mapping[str, str]) -> TimeFields | None:
    if _text(form, "time_start") is None:
        return None
    start = _moment(form, "time_start", "time start")
    time: TimeFields = {"start": start.isoformat(), "approximate": bool(_text(form, "approximate"))}
    if _text(form, "time_end") is not None:
        end = _moment(form, "time_end", "time end")
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
        return link_evidence_in(case, session, incident_id, evidence_ref)


def link_evidence_in(
    case: Case, session: Session, incident_id: str, evidence_ref: str
) -> EvidenceLink:
    """:func:`link_evidence` in the caller's transaction."""
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
        raise InputError("killed_count", None, "give a killed or an injured count")
    if (reported_at := _reported_at(form)) is not None:
        report["reported_at"] = reported_at
    if (notes := _text(form, "notes")) is not None:
        report["notes"] = notes
    return report


def _reported_at(form: Mapping[str, str]) -> str | None:
    """When the source gave the figures: a date-time control's wall-clock time in the zone
    named (kept without an offset, a local time of unstated zone, when none is named)."""
    text, zone = _text(form, "reported_at"), _text(form, "reported_zone")
    if text is None:
        return None
    if zone is None:
        try:
            return parse_time(text, naive_ok=True).isoformat()
        except CaseError:
            raise InputError("reported_at", repr(text[:60]), "not a date and time") from None
    return local_time_in_zone(text, zone, what="reported_at").isoformat()


def _count_from_form(form: Mapping[str, str], outcome: str) -> CountFields | None:
    """The count and qualifier typed for ``outcome`` (killed or injured); None when blank."""
    raw = (form.get(f"{outcome}_count") or "").strip()
    if not raw:
        return None
    # isdigit() alone accepts "²" and any length, which int() then refuses.
    if not COUNT_PATTERN.fullmatch(raw) or int(raw) > MAX_COUNT:
        raise InputError(
            f"{outcome}_count", repr(raw[:40]), f"not a whole number from 0 to {MAX_COUNT:,}"
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
        require_declared(session, Source, [report.get("source")], "source")
        position = _next_report_position(session, incident_id)
        _append_report(session, incident_id, position, report)
        event = case.record(
            session, "casualty_add", incident_id, {"report": dict(report), "facts": ["casualties"]}
        )
        return {"incident": incident_id, "position": position, "custody_event": event.seq}


def correct_casualty_report(
    case: Case, incident_id: str, position: int, report: Mapping[str, Any], reason: str
) -> CasualtyReportCorrected:
    """Correct the incident's casualty report at ``position``: ``report`` (its figures,
    scope, status, ``reported_at``, ``notes``) becomes a new report of the same source that
    names the old one in ``supersedes``, with ``reason`` kept as its ``correction_reason``.
    The old report is never changed but for an id, ``<incident>.<position>``, when it has
    none (``supersedes`` needs one); the figures then strike it through as superseded
    (docs/case-file-format.md, "Casualty figures"). InputError for a blank ``reason`` or a
    report already withdrawn or superseded."""
    if not reason.strip():
        raise InputError("reason", None, "required: say why the figures are corrected")
    with case.transaction() as session:
        old = _report_row(session, incident_id, position)
        _refuse_closed(session, old)
        old_id = old.extra.get("id") or _free_report_id(session, f"{incident_id}.{position}")
        old.extra = {**old.extra, "id": old_id}
        new_position = _next_report_position(session, incident_id)
        new_id = _free_report_id(session, f"{incident_id}.{new_position}")
        record = {
            **{k: v for k, v in report.items() if k not in ("id", "supersedes", "withdrawn")},
            "source": old.source_id,
            "id": new_id,
            "supersedes": old_id,
            "correction_reason": reason.strip(),
        }
        record = {k: v for k, v in record.items() if v is not None}
        _check_incident({"id": incident_id, "title": "check", "casualties": [record]})
        _append_report(session, incident_id, new_position, record)
        event = case.record(
            session,
            CASUALTY_CORRECT,
            incident_id,
            {"report": record, "supersedes": old_id, "facts": ["casualties"]},
        )
        return {
            "incident": incident_id,
            "position": new_position,
            "report": new_id,
            "supersedes": old_id,
            "custody_event": event.seq,
        }


def withdraw_casualty_report(
    case: Case, incident_id: str, position: int, reason: str
) -> CasualtyReportWithdrawn:
    """Withdraw the incident's casualty report at ``position``: its figures stay as given,
    marked ``withdrawn`` with ``reason`` and the time (UTC), and are never used again;
    pages and reports show them struck through. InputError for a blank ``reason`` or a
    report already withdrawn."""
    if not reason.strip():
        raise InputError("reason", None, "required: say why the figures are withdrawn")
    with case.transaction() as session:
        row = _report_row(session, incident_id, position)
        if row.extra.get("withdrawn") is not None:
            raise InputError("report", position, "already withdrawn")
        at = utc_now()
        row.extra = {**row.extra, "withdrawn": {"reason": reason.strip(), "at": at}}
        event = case.record(
            session,
            CASUALTY_WITHDRAW,
            incident_id,
            {
                "position": position,
                "report": row.extra.get("id"),
                "reason": reason.strip(),
                "facts": ["casualties"],
            },
        )
        return {
            "incident": incident_id,
            "position": position,
            "reason": reason.strip(),
            "at": at,
            "custody_event": event.seq,
        }


def _append_report(
    session: Session, incident_id: str, position: int, report: Mapping[str, Any]
) -> None:
    known = {"source", "scope", "civilian", "killed", "injured"}
    incident = _incident(session, incident_id)  # held: the session keeps rows weakly
    incident.casualty_reports.append(
        CasualtyReportRow(
            position=position,
            source_id=report.get("source"),
            scope=report["scope"],
            civilian=report.get("civilian", True),
            killed=report.get("killed"),
            injured=report.get("injured"),
            extra={k: v for k, v in report.items() if k not in known},
        )
    )


def _report_row(session: Session, incident_id: str, position: int) -> CasualtyReportRow:
    row = session.scalars(
        select(CasualtyReportRow).where(
            CasualtyReportRow.incident_id == _incident(session, incident_id).id,
            CasualtyReportRow.position == position,
        )
    ).first()
    if row is None:
        raise CaseError(f"casualty report {position} of incident {incident_id}: no such report")
    return row


def _refuse_closed(session: Session, row: CasualtyReportRow) -> None:
    """Refuse to correct a withdrawn report, or one a later report already supersedes."""
    if row.extra.get("withdrawn") is not None:
        raise InputError("report", row.position, "withdrawn; its figures are no longer used")
    report_id = row.extra.get("id")
    if report_id is None:
        return
    for other in session.scalars(
        select(CasualtyReportRow).where(CasualtyReportRow.incident_id == row.incident_id)
    ):
        if other.extra.get("supersedes") == report_id:
            raise InputError(
                "report",
                row.position,
                f"already superseded by report {other.extra.get('id') or other.position}; "
                "correct that one",
            )


def _free_report_id(session: Session, wanted: str) -> str:
    """``wanted``, or ``wanted`` with a suffix, so that no casualty report of the case
    already has it (report ids are unique across the case)."""
    taken = {r.extra.get("id") for r in session.scalars(select(CasualtyReportRow))}
    candidate, n = wanted, 1
    while candidate in taken:
        n += 1
        candidate = f"{wanted}-{n}"
    return candidate


def _next_report_position(session: Session, incident_id: str) -> int:
    rows = _incident(session, incident_id).casualty_reports
    return max((r.position for r in rows), default=-1) + 1
