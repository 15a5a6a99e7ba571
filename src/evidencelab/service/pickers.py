"""What a form offers in place of a typed id: the case's sources, incidents and evidence
items, and the IANA time zones, for pickers with search.

A picker only offers; the service that takes the value still refuses an id the case does
not hold (:func:`evidencelab.locker.references.require_declared`).
"""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from sqlalchemy import select
from typing_extensions import TypedDict

from evidencelab.locker.case import Case
from evidencelab.store.tables import EvidenceItem, Incident, Source
from evidencelab.verify.timezones import timezone_at

# More items than a picker can usefully list; beyond this, the id is typed and checked.
MAX_EVIDENCE_OPTIONS = 2000


class PickerOption(TypedDict):
    """One choice: the id the form sends, and the words shown beside it."""

    value: str
    label: str


class IncidentOption(PickerOption):
    """An incident, with the IANA time zone of its place (None: no coordinates)."""

    zone: str | None


class Pickers(TypedDict):
    """Every choice the forms offer; an item or source the reader may not see is not
    offered."""

    sources: list[PickerOption]
    incidents: list[IncidentOption]
    evidence: list[PickerOption]
    zones: list[str]


def pickers(case: Case, *, sensitive: bool) -> Pickers:
    """The case's sources, incidents and evidence items (newest first, at most
    ``MAX_EVIDENCE_OPTIONS``) and the time zones, as picker options. Without
    ``sensitive``, sensitive sources and items are left out."""
    with case.sessions() as session:
        sources: list[PickerOption] = [
            {"value": s.id, "label": _source_label(s)}
            for s in session.scalars(select(Source).order_by(Source.position))
            if sensitive or not s.sensitive
        ]
        incidents = [
            _incident_option(i) for i in session.scalars(select(Incident).order_by(Incident.id))
        ]
        query = select(EvidenceItem.id, EvidenceItem.original_name, EvidenceItem.kind)
        if not sensitive:
            query = query.where(EvidenceItem.sensitive.is_(False))
        rows = session.execute(
            query.order_by(EvidenceItem.first_ingested_at.desc()).limit(MAX_EVIDENCE_OPTIONS)
        )
        evidence: list[PickerOption] = [
            {"value": i, "label": f"{name} ({kind or 'unknown kind'})"} for i, name, kind in rows
        ]
    return {
        "sources": sources,
        "incidents": incidents,
        "evidence": evidence,
        "zones": time_zones(),
    }


@cache
def time_zones() -> list[str]:
    """The IANA time zone names this system knows, sorted (tz database,
    https://www.iana.org/time-zones)."""
    return sorted(available_timezones())


def _source_label(source: Source) -> str:
    description = source.description or ""
    grade = f"reliability {source.reliability}" if source.reliability else "not graded"
    return f"{source.kind or 'source'}, {grade}" + (f": {description[:80]}" if description else "")


def _incident_option(incident: Incident) -> IncidentOption:
    place = incident.place or {}
    lat, lon = place.get("lat"), place.get("lon")
    zone = timezone_at(lat, lon) if lat is not None and lon is not None else None
    label = incident.title or incident.id
    if place.get("name"):
        label += f" — {place['name']}"
    return {"value": incident.id, "label": label, "zone": zone}
