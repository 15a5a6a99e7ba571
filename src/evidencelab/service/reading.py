"""The one way to read a case: the case as the case file format describes it, built from
the database, for everything that shows the case (summary, pages, API, report,
assessment, corroboration, exports).

A record that is not valid (written outside the software) is left out and named in the
reading's ``problems`` instead of making the case unreadable for everyone; `verify` names
it too. Exports and published reports refuse such a case (`require_whole`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidencelab.case import Case
from evidencelab.model.case import CASE_FORMAT, CaseFile
from evidencelab.model.casefile import case_file_from_dict, salvage_case_file
from evidencelab.service.claims import list_claims
from evidencelab.service.context import manual_objects
from evidencelab.service.evidence.status import status_file_record
from evidencelab.service.imagery import annotation_file_records, scene_file_record
from evidencelab.service.verification.geolocation import geolocation_file_records
from evidencelab.store.tables import CaseInfo, EvidenceItem, Incident, Source

JsonObject = dict[str, Any]


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


def _case_document(case: Case) -> JsonObject:
    objects, claims = manual_objects(case), list_claims(case)
    with case.sessions() as session:
        info = session.get(CaseInfo, 1)
        document: JsonObject = {
            "format": CASE_FORMAT,
            "title": (info.title if info else None) or case.root.name,
            **(info.extra if info else {}),
            "sources": [
                _source_json(s) for s in session.scalars(select(Source).order_by(Source.position))
            ],
            "evidence": [
                _evidence_json(e) | _verification_json(session, evidence_id=e.id)
                for e in session.scalars(
                    select(EvidenceItem).order_by(EvidenceItem.first_ingested_at)
                )
            ],
            "incidents": [
                _incident_json(i) | _verification_json(session, incident_id=i.id)
                for i in session.scalars(select(Incident).order_by(Incident.position))
            ],
            "objects": objects,
            "claims": claims,
            "annotations": annotation_file_records(session),
        }
    return document


def _source_json(s: Source) -> JsonObject:
    return (
        _defined(
            id=s.id,
            kind=s.kind,
            description=s.description,
            sensitive=s.sensitive,
            reliability=s.reliability,
            notes=s.notes,
            url=s.url,
            sensitive_terms=s.sensitive_terms or None,
        )
        | s.extra
    )


def _evidence_json(e: EvidenceItem) -> JsonObject:
    first = e.acquisitions[0] if e.acquisitions else None
    return (
        _defined(
            id=e.id,
            path=e.case_path or f"files/{e.original_name}",
            kind=e.kind or "document",
            source=e.source_id,
            url=first.url if first else None,
            collected_at=first.collected_at if first else None,
            collector=first.collector if first else None,
            note=first.note if first else None,
            sensitive=e.sensitive,
            sha256=e.sha256,
        )
        | e.extra
    )


def _incident_json(i: Incident) -> JsonObject:
    return (
        _defined(
            id=i.id,
            title=i.title,
            time=i.time,
            place=i.place,
            weapon=i.weapon,
            objects_hit=i.objects_hit,
            military_objective=i.military_objective,
            casualties=[
                _defined(
                    source=r.source_id,
                    scope=r.scope,
                    civilian=r.civilian,
                    killed=r.killed,
                    injured=r.injured,
                )
                | r.extra
                for r in i.casualty_reports
            ],
            evidence=[link.evidence_id for link in i.evidence_links],
            notes=i.notes,
        )
        | i.extra
    )


def _verification_json(
    session: Session, *, evidence_id: str | None = None, incident_id: str | None = None
) -> JsonObject:
    status = status_file_record(session, evidence_id) if evidence_id is not None else None
    return _defined(
        status=status,
        geolocations=geolocation_file_records(
            session, evidence_id=evidence_id, incident_id=incident_id
        )
        or None,
        scene=scene_file_record(session, evidence_id) if evidence_id is not None else None,
    )


def _defined(**fields: Any) -> JsonObject:
    """The format's fields that are set (its writer leaves unset fields out)."""
    return {k: v for k, v in fields.items() if v is not None}


def require_whole(case: Case) -> CaseFile:
    """The case as a case file, every record included. Raises CaseFileError when a record
    in the database is not valid (written outside the software): what leaves the team
    (an export, a published report) must be whole."""
    return case_file_from_dict(_case_document(case), origin=f"case {case.root.name}")
