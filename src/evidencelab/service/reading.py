"""The one way to read a case: the case as the case file format describes it, built from
the database, for everything that shows the case (summary, pages, API, report,
assessment, corroboration, exports).

A record that is not valid (written outside the software) is left out and named in the
reading's ``problems`` instead of making the case unreadable for everyone; `verify` names
it too. Exports and published reports refuse such a case (`require_whole`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NotRequired, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from typing_extensions import TypedDict

from evidencelab.locker.case import Case
from evidencelab.model.case import CASE_FORMAT, CaseFile
from evidencelab.model.casefile import case_file_from_dict, salvage_case_file
from evidencelab.model.codec import case_file_from_json
from evidencelab.service.claims import ClaimRecord, list_claims
from evidencelab.service.context.manual_records import manual_objects
from evidencelab.service.context.records import ManualObject
from evidencelab.service.evidence.records import SensitivityFileRecord, StatusFileRecord
from evidencelab.service.evidence.sensitivity_file import sensitivity_file_records
from evidencelab.service.evidence.status import status_file_record
from evidencelab.service.imagery.case_file import annotation_file_records, scene_file_record
from evidencelab.service.imagery.records import AnnotationFileEntry, SceneFileFacts
from evidencelab.service.verification.geolocation import geolocation_file_records
from evidencelab.service.verification.records import GeolocationFileRecord
from evidencelab.store.tables import (
    CaseInfo,
    CasualtyReportRow,
    EvidenceItem,
    Incident,
    IncidentEvidence,
    Source,
)
from evidencelab.store.tables.imagery import Scene
from evidencelab.store.tables.verification import EvidenceStatusEvent, Geolocation

# The case-file documents below hold the format's fields (docs/case-file-format.md) that
# are set: its writer leaves unset fields out. The case file's other fields for a record
# follow these keys unchanged (kept for export); a TypedDict cannot declare them.


class SourceDocument(TypedDict):
    """A source in the case-file format."""

    id: str
    kind: NotRequired[str]
    description: NotRequired[str]
    sensitive: bool
    reliability: NotRequired[str]
    notes: NotRequired[str]
    url: NotRequired[str]
    sensitive_terms: NotRequired[list[str]]


class VerificationDocument(TypedDict):
    """What the verification services recorded on an evidence item or incident."""

    status: NotRequired[StatusFileRecord]
    geolocations: NotRequired[list[GeolocationFileRecord]]
    scene: NotRequired[SceneFileFacts]


class EvidenceDocument(VerificationDocument, SensitivityFileRecord):
    """An evidence item in the case-file format; acquisition fields are its first one's,
    flags, clearance and review notes those of docs/safety.md."""

    id: str
    path: str  # relative to the case file's folder
    kind: str
    source: NotRequired[str]
    url: NotRequired[str]
    collected_at: NotRequired[str]  # ISO 8601 with its UTC offset
    collector: NotRequired[str]
    note: NotRequired[str]
    sensitive: bool
    sha256: str


class CasualtyReportDocument(TypedDict):
    """A casualty report in the case-file format."""

    source: NotRequired[str]
    scope: str
    civilian: bool | str  # True, False or "unknown"
    killed: NotRequired[dict[str, Any]]  # a count as the case file gives it
    injured: NotRequired[dict[str, Any]]


class IncidentDocument(VerificationDocument):
    """An incident in the case-file format (its time, place, weapon, objects hit and
    objective as the case file gave them, validated on import)."""

    id: str
    title: NotRequired[str]
    time: NotRequired[dict[str, Any]]
    place: NotRequired[dict[str, Any]]
    weapon: NotRequired[dict[str, Any]]
    objects_hit: NotRequired[list[dict[str, Any]]]
    military_objective: NotRequired[dict[str, Any]]
    casualties: list[CasualtyReportDocument]
    evidence: list[str]  # evidence ids
    notes: NotRequired[str]


class CaseDocument(TypedDict):
    """A whole case in the case-file format."""

    format: str
    title: str
    sources: list[SourceDocument]
    evidence: list[EvidenceDocument]
    incidents: list[IncidentDocument]
    objects: list[ManualObject]
    claims: list[ClaimRecord]
    annotations: list[AnnotationFileEntry]


_Document = TypeVar("_Document", bound=Mapping[str, Any])


@dataclass(frozen=True)
class _Recorded:
    """Ids of the records that have verification rows: the others need no query of their
    own (one query per item made reading a 10,000-item case take 40,000 queries)."""

    statuses: frozenset[str]
    scenes: frozenset[str]
    evidence_geolocations: frozenset[str]
    incident_geolocations: frozenset[str]

    @classmethod
    def of(cls, session: Session) -> _Recorded:
        return cls(
            _ids(session, EvidenceStatusEvent.evidence_id),
            _ids(session, Scene.evidence_id),
            _ids(session, Geolocation.evidence_id),
            _ids(session, Geolocation.incident_id),
        )


def _ids(session: Session, column: Any) -> frozenset[str]:
    return frozenset(session.scalars(select(column).where(column.is_not(None)).distinct()))


@dataclass(frozen=True)
class CaseAsRead:
    """The case as read for showing it: what is valid, and one line per part left out."""

    case_file: CaseFile
    problems: tuple[str, ...]


def load_case(case: Case) -> CaseAsRead:
    """The case for reading (summary, pages, reports): a record written outside the
    software that is not valid is left out and named in ``problems`` (and by `verify`),
    instead of making the case unreadable for everyone."""
    origin = f"case {case.root.name}"
    case_file, left_out = salvage_case_file(_case_document(case), origin=origin)
    problems = tuple(
        f"{problem.render(origin)} (left out of what is shown; run `verify`)"
        for problem in left_out
    )
    return CaseAsRead(case_file, problems)


def incidents_as_stored(case: Case) -> CaseFile:
    """The case's title, sources and incidents (each naming its evidence), as stored and
    not validated: for a view of the incidents and their figures (the overview) once
    ``load_case`` has found every record valid. Reads no evidence item."""
    with case.sessions() as session:
        info = session.get(CaseInfo, 1)
        none: frozenset[str] = frozenset()
        recorded = _Recorded(none, none, none, _ids(session, Geolocation.incident_id))
        document: CaseDocument = {
            "format": CASE_FORMAT,
            "title": _title(case, info),
            "sources": _sources(session),
            "evidence": [],
            "incidents": _incidents(session, recorded),
            "objects": [],
            "claims": [],
            "annotations": [],
        }
    return case_file_from_json(
        cast(dict[str, Any], _with_extra(document, info.extra if info else {}))
    )


def _title(case: Case, info: CaseInfo | None) -> str:
    return (info.title if info else None) or case.root.name


def _sources(session: Session) -> list[SourceDocument]:
    return [_source_json(s) for s in session.scalars(select(Source).order_by(Source.position))]


def _incidents(session: Session, recorded: _Recorded) -> list[IncidentDocument]:
    # The links as plain rows: loading 10,000 of them as objects takes a second.
    links: dict[str, list[str]] = {}
    for incident_id, evidence_id in session.execute(
        select(IncidentEvidence.incident_id, IncidentEvidence.evidence_id).order_by(
            IncidentEvidence.incident_id, IncidentEvidence.position
        )
    ):
        links.setdefault(incident_id, []).append(evidence_id)
    query = (
        select(Incident)
        .options(selectinload(Incident.casualty_reports))
        .order_by(Incident.position)
    )
    return [
        _incident_json(session, i, recorded, links.get(i.id, [])) for i in session.scalars(query)
    ]


def _case_document(case: Case) -> CaseDocument:
    objects, claims = manual_objects(case), list_claims(case)
    with case.sessions() as session:
        info = session.get(CaseInfo, 1)
        recorded = _Recorded.of(session)
        document: CaseDocument = {
            "format": CASE_FORMAT,
            "title": _title(case, info),
            "sources": _sources(session),
            "evidence": [
                _evidence_json(session, e, recorded)
                for e in session.scalars(
                    select(EvidenceItem)
                    .options(selectinload(EvidenceItem.acquisitions))
                    .order_by(EvidenceItem.first_ingested_at)
                )
            ],
            "incidents": _incidents(session, recorded),
            "objects": objects,
            "claims": claims,
            "annotations": annotation_file_records(session),
        }
        safeguards = sensitivity_file_records(session)
        for entry in document["evidence"]:
            _add_safeguards(entry, safeguards.get(entry["id"], {}))
    return _with_extra(document, info.extra if info else {})


def _add_safeguards(entry: EvidenceDocument, found: SensitivityFileRecord) -> None:
    if "flags" in found:
        entry["flags"] = found["flags"]
    if "clearance" in found:
        entry["clearance"] = found["clearance"]
    if "reviewed_by" in found:
        entry["reviewed_by"] = found["reviewed_by"]


def _source_json(s: Source) -> SourceDocument:
    record: SourceDocument = {"id": s.id, "sensitive": s.sensitive}
    if s.kind is not None:
        record["kind"] = s.kind
    if s.description is not None:
        record["description"] = s.description
    if s.reliability is not None:
        record["reliability"] = s.reliability
    if s.notes is not None:
        record["notes"] = s.notes
    if s.url is not None:
        record["url"] = s.url
    if s.sensitive_terms:
        record["sensitive_terms"] = list(s.sensitive_terms)
    return _with_extra(record, s.extra)


def _evidence_json(session: Session, e: EvidenceItem, recorded: _Recorded) -> EvidenceDocument:
    record: EvidenceDocument = {
        "id": e.id,
        "path": e.case_path or f"files/{e.original_name}",
        "kind": e.kind or "document",
        "sensitive": e.sensitive,
        "sha256": e.sha256,
    }
    if e.source_id is not None:
        record["source"] = e.source_id
    first = e.acquisitions[0] if e.acquisitions else None
    if first is not None and first.url is not None:
        record["url"] = first.url
    if first is not None and first.collected_at is not None:
        record["collected_at"] = first.collected_at
    if first is not None and first.collector is not None:
        record["collector"] = first.collector
    if first is not None and first.note is not None:
        record["note"] = first.note
    status = status_file_record(session, e.id) if e.id in recorded.statuses else None
    if status is not None:
        record["status"] = status
    if e.id in recorded.evidence_geolocations:
        record["geolocations"] = geolocation_file_records(session, evidence_id=e.id)
    scene = scene_file_record(session, e.id) if e.id in recorded.scenes else None
    if scene is not None:
        record["scene"] = scene
    return _with_extra(record, e.extra)


def _incident_json(
    session: Session, i: Incident, recorded: _Recorded, evidence: list[str]
) -> IncidentDocument:
    record: IncidentDocument = {
        "id": i.id,
        "casualties": [casualty_report_document(r) for r in i.casualty_reports],
        "evidence": evidence,
    }
    if i.title is not None:
        record["title"] = i.title
    if i.time is not None:
        record["time"] = i.time
    if i.place is not None:
        record["place"] = i.place
    if i.weapon is not None:
        record["weapon"] = i.weapon
    record["objects_hit"] = i.objects_hit
    if i.military_objective is not None:
        record["military_objective"] = i.military_objective
    if i.notes is not None:
        record["notes"] = i.notes
    if i.id in recorded.incident_geolocations:
        record["geolocations"] = geolocation_file_records(session, incident_id=i.id)
    return _with_extra(record, i.extra)


def casualty_report_document(r: CasualtyReportRow) -> CasualtyReportDocument:
    """A stored casualty report in the case file's form, its other fields included."""
    record: CasualtyReportDocument = {"scope": r.scope, "civilian": r.civilian}
    if r.source_id is not None:
        record["source"] = r.source_id
    if r.killed is not None:
        record["killed"] = r.killed
    if r.injured is not None:
        record["injured"] = r.injured
    return _with_extra(record, r.extra)


def _with_extra(record: _Document, extra: Mapping[str, Any]) -> _Document:
    """The record, then the case file's other fields for it (see above)."""
    return cast(_Document, {**record, **extra})


def require_whole(case: Case) -> CaseFile:
    """The case as a case file, every record included. Raises CaseFileError when a record
    in the database is not valid (written outside the software): what leaves the team
    (an export, a published report) must be whole."""
    return case_file_from_dict(_case_document(case), origin=f"case {case.root.name}")
