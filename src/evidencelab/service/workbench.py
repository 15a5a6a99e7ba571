"""Read views of a case for the web workbench and its JSON API, as plain records.

Each view reads only what one page shows (the incident page does not export the whole
case), and each takes ``sensitive``: whether the person may see sensitive sources and
evidence. Without it, sensitive evidence items are left out as if absent, and a sensitive
source appears by id only, its description, notes and URL withheld.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NotRequired, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, false, func, select
from sqlalchemy.orm import Session
from typing_extensions import TypedDict

from evidencelab.analysis.casualties import IncidentCasualties, incident_casualties
from evidencelab.locker.case import Case, CaseError
from evidencelab.model.case import CASE_FORMAT
from evidencelab.model.casualty import CasualtyReport
from evidencelab.model.codec import case_file_from_json
from evidencelab.model.sensitivity import warning_text
from evidencelab.service.access.withholding import Withholding, withholding
from evidencelab.service.evidence.items import acquisition_record, visible_evidence
from evidencelab.service.evidence.records import (
    AcquisitionRecord,
    PerceptualHashRecord,
    StatusRecord,
)
from evidencelab.service.evidence.sensitivity import covering_flags
from evidencelab.service.evidence.status import STATES as STATUS_STATES
from evidencelab.service.evidence.status import evidence_status, evidence_statuses
from evidencelab.service.incidents.listing import casualties_record
from evidencelab.service.incidents.records import CasualtiesRecord
from evidencelab.service.integrity.custody import newest_events
from evidencelab.service.integrity.records import CustodyEventRecord
from evidencelab.service.reading import casualty_report_document
from evidencelab.store.tables import (
    CustodyEvent,
    EvidenceItem,
    Incident,
    IncidentEvidence,
    Source,
)
from evidencelab.verify.timezones import timezone_at

WITHHELD = "withheld: sensitive source"
#: Derivatives that show an item's picture: none is served for an item flagged as graphic.
PREVIEW_ROLES = frozenset({"thumbnail", "poster"})
PAGE_SIZE = 50

_Query = TypeVar("_Query", bound=Select[Any])


class SourceRecord(TypedDict):
    """A source as the pages show it; a sensitive one's description, notes and URL withheld
    from a reader without ``read_sensitive``."""

    id: str
    kind: str | None
    sensitive: bool
    reliability: str | None
    description: str | None
    notes: str | None
    url: str | None
    sensitive_terms: list[str] | None  # for readers of sensitive material only
    withheld: bool


class TimeView(TypedDict):
    """One time of an incident in the local zone of its place and in UTC."""

    local: str
    utc: str | None  # None for a time given without UTC offset
    as_given: str


class TimeViews(TypedDict):
    """An incident's start and end in local time and UTC (nothing for an undated one)."""

    zone: NotRequired[str | None]  # IANA time zone at the place
    approximate: NotRequired[bool]
    start: NotRequired[TimeView]
    end: NotRequired[TimeView]


class EvidenceRow(TypedDict):
    """An item as a row of the evidence list, search results and an incident page."""

    id: str
    sha256: str
    kind: str | None
    media_type: str | None
    original_name: str
    size_bytes: int
    source: str | None
    sensitive: bool
    captured_at: str | None  # claimed by the file's metadata
    gps: dict[str, Any] | None  # the metadata's position: lat, lon (degrees, WGS 84)…
    first_ingested_at: str


class EvidenceListRow(EvidenceRow):
    """A row of the evidence list, with the item's verification state."""

    status: str


class EvidencePage(TypedDict):
    """One page of the evidence list, and the choices its filters offer."""

    rows: list[EvidenceListRow]
    total: int
    page: int  # from 1
    pages: int
    kinds: list[str]
    sources: list[str]
    statuses: list[str]


class DerivativeView(TypedDict):
    """A file derived from an item, as its page links it."""

    role: str
    media_type: str


class EvidenceView(EvidenceRow):
    """One evidence item as its page shows it."""

    status: StatusRecord | None
    source_record: SourceRecord | None
    metadata: dict[str, Any]  # normalised metadata, as extracted
    metadata_raw: dict[str, Any]  # ExifTool and ffprobe tags as read
    extraction_errors: list[Any]  # as the extractors reported them
    extra: dict[str, Any]  # the case file's other fields of the item
    perceptual_hashes: list[PerceptualHashRecord]
    derivatives: list[DerivativeView]
    acquisitions: list[AcquisitionRecord]
    incidents: list[str]
    history: list[CustodyEventRecord]  # newest first


class IncidentRow(TypedDict):
    """An incident as a row of the incident list, the map and the timeline."""

    id: str
    title: str | None
    start: str | None  # as given
    end: str | None
    approximate: bool
    place: str | None  # the place's name
    lat: float | None
    lon: float | None
    precision_m: float | None
    weapon: str | None  # the munition named
    evidence: int  # linked items


class IncidentView(TypedDict):
    """One incident as its page shows it."""

    id: str
    title: str | None
    # The case file's time, place, weapon, objects hit and military objective, as recorded
    # (they may carry fields of their own).
    time: dict[str, Any] | None
    time_views: TimeViews
    place: dict[str, Any] | None
    weapon: dict[str, Any] | None
    objects_hit: list[Any]
    military_objective: dict[str, Any] | None
    notes: str | None
    extra: dict[str, Any]
    # The case file's casualty reports (with their own fields), each with its source.
    casualty_reports: list[dict[str, Any]]
    casualty_figures: CasualtiesRecord
    evidence: list[EvidenceRow]
    evidence_withheld: int  # linked items the reader may not see
    history: list[CustodyEventRecord]  # newest first


class CustodyPage(TypedDict):
    """Custody events newest first, one page of them."""

    events: list[CustodyEventRecord]
    total: int
    older: int | None  # seq to ask for the next page with; None on the last


def source_record(source: Source, *, sensitive: bool) -> SourceRecord:
    """A source as the pages show it (see :class:`SourceRecord`)."""
    hidden = source.sensitive and not sensitive
    return {
        "id": source.id,
        "kind": source.kind,
        "sensitive": source.sensitive,
        "reliability": source.reliability,
        "description": WITHHELD if hidden else source.description,
        "notes": None if hidden else source.notes,
        "url": None if hidden else source.url,
        # Names and numbers that identify the source: for readers of sensitive material only.
        "sensitive_terms": list(source.sensitive_terms) if sensitive else None,
        "withheld": hidden,
    }


def source_records(case: Case, *, sensitive: bool) -> list[SourceRecord]:
    """The declared sources as the pages show them, in the order they were declared; a
    sensitive one, unless ``sensitive``, by its kind and grade only (``withholding``)."""
    with case.sessions() as session:
        withheld = withholding(session, sensitive=sensitive)
        rows = session.scalars(select(Source).order_by(Source.position))
        return [withheld.source(source_record(row, sensitive=sensitive)) for row in rows]


def source_record_of(case: Case, source_id: str, *, sensitive: bool) -> SourceRecord:
    """One source as the pages show it; a sensitive one is no such source to a reader
    without ``sensitive`` (its id is withheld everywhere else)."""
    with case.sessions() as session:
        row = session.get(Source, source_id)
        if row is None or (row.sensitive and not sensitive):
            raise CaseError(f"source {source_id}: no such source")
        return source_record(row, sensitive=sensitive)


def _visible(query: _Query, sensitive: bool) -> _Query:
    return query if sensitive else query.where(EvidenceItem.sensitive.is_(False))


def time_views(time: dict[str, Any] | None, place: dict[str, Any] | None) -> TimeViews:
    """An incident's start and end in the local zone of its place and in UTC."""
    if not time:
        return {}
    lat = (place or {}).get("lat")
    lon = (place or {}).get("lon")
    zone_name = timezone_at(lat, lon) if lat is not None and lon is not None else None
    views: TimeViews = {"zone": zone_name, "approximate": bool(time.get("approximate"))}
    if time.get("start") is not None:
        views["start"] = _time_view(time["start"], zone_name)
    if time.get("end") is not None:
        views["end"] = _time_view(time["end"], zone_name)
    return views


def _time_view(given: str, zone_name: str | None) -> TimeView:
    moment = datetime.fromisoformat(given)
    if moment.utcoffset() is None:
        return {"local": moment.isoformat(), "utc": None, "as_given": given}
    local = moment.astimezone(ZoneInfo(zone_name)) if zone_name else moment
    return {
        "local": local.isoformat(),
        "utc": moment.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "as_given": given,
    }


def incident_view(case: Case, incident_id: str, *, sensitive: bool) -> IncidentView:
    """One incident as the incident page shows it."""
    with case.sessions() as session:
        row = session.get(Incident, incident_id)
        if row is None:
            raise CaseError(f"incident {incident_id}: no such incident")
        withheld = withholding(session, sensitive=sensitive)
        report_sources = {r.source_id for r in row.casualty_reports if r.source_id}
        sources = {
            s.id: s for s in session.scalars(select(Source).where(Source.id.in_(report_sources)))
        }
        document = {
            "format": CASE_FORMAT,
            "title": "",
            "incidents": [
                {
                    "id": row.id,
                    "title": row.title or row.id,
                    "casualties": [casualty_report_document(r) for r in row.casualty_reports],
                }
            ],
        }
        parsed = case_file_from_json(document).incidents[0]
        figures = incident_casualties(
            parsed.casualties, {s.id: s.reliability for s in sources.values()}
        )
        linked = [link.evidence_id for link in row.evidence_links]
        items = {
            e.id: e
            for e in session.scalars(
                _visible(select(EvidenceItem).where(EvidenceItem.id.in_(linked)), sensitive)
            )
        }
        view: IncidentView = {
            "id": row.id,
            "title": row.title,
            "time": row.time,
            "time_views": time_views(row.time, row.place),
            "place": row.place,
            "weapon": row.weapon,
            "objects_hit": row.objects_hit,
            "military_objective": row.military_objective,
            "notes": row.notes,
            "extra": row.extra,
            "casualty_reports": [
                withheld.casualty_report(
                    {
                        **casualty_report_document(r),
                        "source_record": withheld.source(
                            source_record(sources[r.source_id], sensitive=sensitive)
                        )
                        if r.source_id in sources
                        else None,
                    }
                )
                | {
                    "position": r.position,  # names the report in the correction forms
                    "struck": _struck_outcomes(figures, parsed.casualties[n]),
                }
                for n, r in enumerate(row.casualty_reports)
            ],
            "casualty_figures": casualties_record(figures),
            "evidence": [evidence_row(items[i]) for i in linked if i in items],
            "evidence_withheld": sum(1 for i in linked if i not in items),
            "history": _events(session, withheld, subject=row.id, limit=50),
        }
        return withheld.scrub(view)


def _struck_outcomes(figures: IncidentCasualties, report: CasualtyReport) -> dict[str, str]:
    """The figures of ``report`` never used (killed, injured), each "withdrawn" or
    "superseded" (the reasons, which name sources, are in the figures' ``struck``)."""
    return {
        f.outcome: "withdrawn" if f.withdrawn else "superseded"
        for f in figures.struck
        if f.report is report
    }


def evidence_row(item: Any) -> EvidenceRow:
    """An item as a list row (``item``: an EvidenceItem, or a row of its _ROW_COLUMNS)."""
    meta = item.metadata_normalised or {}
    return {
        "id": item.id,
        "sha256": item.sha256,
        "kind": item.kind,
        "media_type": item.media_type,
        "original_name": item.original_name,
        "size_bytes": item.size_bytes,
        "source": item.source_id,
        "sensitive": item.sensitive,
        "captured_at": meta.get("captured_at"),
        "gps": meta.get("gps"),
        "first_ingested_at": item.first_ingested_at,
    }


def incident_rows(case: Case) -> list[IncidentRow]:
    """Every incident, by start time in UTC (those without a time last), for lists and
    maps: id, title, start, place name and point with precision, weapon, evidence count."""
    with case.sessions() as session:
        counts = dict(
            session.execute(
                select(IncidentEvidence.incident_id, func.count()).group_by(
                    IncidentEvidence.incident_id
                )
            ).all()
        )
        rows = session.scalars(
            select(Incident).order_by(
                Incident.time_start.is_(None), Incident.time_start, Incident.id
            )
        )
        return [
            {
                "id": r.id,
                "title": r.title,
                "start": (r.time or {}).get("start"),
                "end": (r.time or {}).get("end"),
                "approximate": bool((r.time or {}).get("approximate")),
                "place": (r.place or {}).get("name"),
                "lat": (r.place or {}).get("lat"),
                "lon": (r.place or {}).get("lon"),
                "precision_m": (r.place or {}).get("precision_m"),
                "weapon": (r.weapon or {}).get("munition"),
                "evidence": counts.get(r.id, 0),
            }
            for r in rows
        ]


def evidence_page(
    case: Case,
    *,
    sensitive: bool,
    kind: str | None = None,
    source: str | None = None,
    has_gps: bool | None = None,
    status: str | None = None,
    only: set[str] | None = None,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> EvidencePage:
    """One page of the evidence list, filtered; ``status`` is a verification state (items
    never given one are unverified); ``only`` restricts to a set of ids (e.g. the members
    of near-duplicate groups). Returns rows with their status, total and the choices."""
    statuses = {i: r["state"] for i, r in evidence_statuses(case).items()}
    gps = func.json_extract(EvidenceItem.metadata_normalised, "$.gps")
    conditions: list[ColumnElement[bool]] = [] if sensitive else [EvidenceItem.sensitive.is_(False)]
    choices = list(conditions)
    if kind:
        conditions.append(EvidenceItem.kind == kind)
    if source:
        conditions.append(EvidenceItem.source_id == source)
    if has_gps is not None:
        conditions.append(gps.is_not(None) if has_gps else gps.is_(None))
    if only is not None:
        conditions.append(EvidenceItem.id.in_(sorted(only)))
    if status == "unverified":
        set_ids = sorted(i for i, state in statuses.items() if state != "unverified")
        conditions.append(EvidenceItem.id.not_in(set_ids))
    elif status:
        conditions.append(
            EvidenceItem.id.in_(sorted(i for i, s in statuses.items() if s == status))
        )
    page = max(1, page)
    with case.sessions() as session:
        withheld = withholding(session, sensitive=sensitive)
        if source in withheld.sources:  # a guessed id is not confirmed by its items
            conditions.append(false())
        total = session.scalar(select(func.count(EvidenceItem.id)).where(*conditions)) or 0
        # Sort and page over narrow rows first, then read only the page's items: sorting
        # whole rows (metadata included) costs several times more on a large case.
        ids = list(
            session.scalars(
                select(EvidenceItem.id)
                .where(*conditions)
                .order_by(EvidenceItem.first_ingested_at, EvidenceItem.id)
                .offset((page - 1) * per_page)
                .limit(per_page)
            )
        )
        items = {
            row.id: row
            for row in session.execute(
                select(*[getattr(EvidenceItem, c) for c in _ROW_COLUMNS]).where(
                    EvidenceItem.id.in_(ids)
                )
            )
        }
        kinds = session.scalars(select(EvidenceItem.kind).where(*choices).distinct())
        sources = session.scalars(select(EvidenceItem.source_id).where(*choices).distinct())
        rows: list[EvidenceListRow] = [
            {**evidence_row(items[i]), "status": statuses.get(i, "unverified")} for i in ids
        ]
        return {
            "rows": withheld.scrub(rows),
            "total": total,
            "page": page,
            "pages": max(1, -(-total // per_page)),
            "kinds": sorted(k for k in kinds if k is not None),
            "sources": sorted(s for s in sources if s is not None and s not in withheld.sources),
            "statuses": list(STATUS_STATES),
        }


# The columns evidence_row reads.
_ROW_COLUMNS = (
    "id",
    "sha256",
    "kind",
    "media_type",
    "original_name",
    "size_bytes",
    "source_id",
    "sensitive",
    "metadata_normalised",
    "first_ingested_at",
)


def evidence_view(case: Case, evidence_id: str, *, sensitive: bool) -> EvidenceView:
    """One evidence item as its page shows it: metadata, hashes, PDQ, acquisitions,
    derivatives, linked incidents and the custody events about it."""
    # Read before this function's session: every session takes the database's write lock.
    status = evidence_status(case, evidence_id) if _exists(case, evidence_id) else None
    with case.sessions() as session:
        item = visible_evidence(session, evidence_id, sensitive=sensitive)
        withheld = withholding(session, sensitive=sensitive)
        source = session.get(Source, item.source_id) if item.source_id else None
        incidents = list(
            session.scalars(
                select(IncidentEvidence.incident_id).where(IncidentEvidence.evidence_id == item.id)
            )
        )
        view: EvidenceView = {
            **evidence_row(item),
            "status": status,
            "source_record": withheld.source(source_record(source, sensitive=sensitive))
            if source
            else None,
            "metadata": item.metadata_normalised,
            "metadata_raw": item.metadata_raw,
            "extraction_errors": item.extraction_errors,
            "extra": item.extra,
            "perceptual_hashes": [
                {
                    "algorithm": h.algorithm,
                    "hash": h.hash_hex,
                    "quality": h.quality,
                    "frame_time_s": h.frame_time_s,
                }
                for h in item.perceptual_hashes
            ],
            "derivatives": [{"role": d.role, "media_type": d.media_type} for d in item.derivatives],
            "acquisitions": [
                withheld.acquisition(acquisition_record(a)) for a in item.acquisitions
            ],
            "incidents": incidents,
            "history": _events(session, withheld, subject=item.id, limit=100),
        }
        return withheld.scrub(view)


def _exists(case: Case, evidence_id: str) -> bool:
    with case.sessions() as session:
        return session.get(EvidenceItem, evidence_id) is not None


def evidence_file(
    case: Case, evidence_id: str, role: str | None, *, sensitive: bool
) -> tuple[str, str]:
    """(path of the stored object, media type) of an item's original (``role`` None) or of
    one of its derivatives (thumbnail, poster). An item flagged as graphic has no preview
    (its thumbnail and poster are refused): only the original, which its page reveals
    deliberately."""
    with case.sessions() as session:
        item = visible_evidence(session, evidence_id, sensitive=sensitive)
        cover = covering_flags(session, item.id) if role in PREVIEW_ROLES else []
        if cover:
            raise CaseError(f"evidence {evidence_id}: {warning_text(cover)}: no preview")
        if role is None:
            return str(
                case.objects.path(item.sha256)
            ), item.media_type or "application/octet-stream"
        for derivative in item.derivatives:
            if derivative.role == role:
                return str(case.objects.path(derivative.sha256)), derivative.media_type
        raise CaseError(f"evidence {evidence_id}: has no {role}")


def _events(
    session: Session,
    withheld: Withholding,
    *,
    subject: str | None,
    limit: int,
    before: int | None = None,
) -> list[CustodyEventRecord]:
    events = newest_events(session, subject=subject, limit=limit, before=before)
    return [withheld.event(e) for e in events]


def custody_page(
    case: Case, *, sensitive: bool, before: int | None = None, limit: int = 100
) -> CustodyPage:
    """Custody events newest first, ``limit`` at a time, older than seq ``before``. Without
    ``sensitive``, events naming sensitive items or sources keep their seq, time, action and
    hash, not what names them (service.withholding)."""
    with case.sessions() as session:
        withheld = withholding(session, sensitive=sensitive)
        events = _events(session, withheld, subject=None, limit=limit, before=before)
        total = session.scalar(select(func.count()).select_from(CustodyEvent)) or 0
    return {"events": events, "total": total, "older": events[-1]["seq"] if events else None}
