"""Sources declared one at a time (the case file declares them in bulk on import), their
grade and sensitivity changed, and what in the case names them.

Every id that names a source must name a declared one, so an investigator working from the
command line declares a source before ingesting what came from it. The record is checked
as the case file format checks a source (kind, reliability grade, sensitive terms), and
written with its own custody event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidencelab.locker.case import Case, CaseError
from evidencelab.locker.errors import InputError
from evidencelab.model.case import CASE_FORMAT, RELIABILITIES
from evidencelab.model.casefile import case_file_from_dict
from evidencelab.model.errors import CaseFileError
from evidencelab.service.evidence.records import (
    SourceChange,
    SourceCitations,
    SourceDeclaration,
    SourceEdit,
    SourceSummary,
)
from evidencelab.store.tables import Acquisition, CasualtyReportRow, EvidenceItem, Source
from evidencelab.store.tables.assessment import Claim
from evidencelab.store.tables.context import ContextObjectRow

SOURCE_ADD = "source_add"
SOURCE_EDIT = "source_edit"
# What a person may change of a declared source; its id and kind stay as declared.
SOURCE_EDITABLE = ("reliability", "sensitive", "description", "notes", "url")

# The case file's source fields; any other field of a source is kept as `extra`.
_SOURCE_KEYS = {
    "id",
    "kind",
    "description",
    "sensitive",
    "reliability",
    "notes",
    "url",
    "sensitive_terms",
}


def add_source(case: Case, record: SourceDeclaration) -> SourceDeclaration:
    """Declare a source: ``record`` holds the case file's source fields (``id``, ``kind``,
    and optionally ``description``, ``sensitive``, ``reliability``, ``notes``, ``url``,
    ``sensitive_terms``); those given as None are left out of what is declared and
    returned. CaseError on an invalid record or an id already declared."""
    # The same record with fewer keys, each optional: mypy cannot follow the filter.
    wanted = cast(SourceDeclaration, {k: v for k, v in record.items() if v is not None})
    document = {"format": CASE_FORMAT, "title": "source", "sources": [wanted]}
    try:
        case_file_from_dict(document, origin="source")
    except CaseFileError as error:
        raise CaseError(str(error).replace("source: sources[0].", "source: ")) from None
    with case.transaction() as session:
        if session.get(Source, wanted["id"]) is not None:
            raise CaseError(f"source {wanted['id']!r}: already declared in this case")
        upsert_source(session, wanted)
        case.record(session, SOURCE_ADD, wanted["id"], dict(wanted))
    return wanted


def list_sources(case: Case) -> list[SourceSummary]:
    """The declared sources, in the order they were declared."""
    with case.sessions() as session:
        rows = session.scalars(select(Source).order_by(Source.position))
        return [
            {
                "id": s.id,
                "kind": s.kind,
                "reliability": s.reliability,
                "sensitive": s.sensitive,
                "description": s.description,
            }
            for s in rows
        ]


def upsert_source(session: Session, d: Mapping[str, Any]) -> str:
    """Write source ``d`` (the case file's fields; others kept as ``extra``) as a new row at
    the end of the list, or over the row of the same id. Returns its id."""
    row = session.get(Source, d["id"]) or Source(id=d["id"], position=_next_position(session))
    row.kind = d.get("kind")
    row.description = d.get("description")
    row.sensitive = bool(d.get("sensitive", False))
    row.reliability = d.get("reliability")
    row.notes = d.get("notes")
    row.url = d.get("url")
    row.sensitive_terms = list(d.get("sensitive_terms", []))
    row.extra = {k: v for k, v in d.items() if k not in _SOURCE_KEYS}
    session.merge(row)
    return str(d["id"])


def _next_position(session: Session) -> int:
    session.flush()
    return int(session.scalar(select(func.count()).select_from(Source)) or 0)


def edit_source(case: Case, source_id: str, changes: Mapping[str, Any]) -> SourceEdit:
    """Change a source's ``reliability`` (high, medium, low or None), ``sensitive`` flag,
    ``description``, ``notes`` (the reason for the grade) or ``url``; other keys are
    ignored. The custody event holds each changed field before and after; nothing
    changed, no event. InputError naming the field of a value that cannot be used."""
    wanted = {k: v for k, v in changes.items() if k in SOURCE_EDITABLE}
    if wanted.get("reliability") not in (*RELIABILITIES, None):
        raise InputError(
            "reliability", wanted["reliability"], f"must be one of {', '.join(RELIABILITIES)}"
        )
    if not isinstance(wanted.get("sensitive", False), bool):
        raise InputError("sensitive", wanted["sensitive"], "must be true or false")
    with case.transaction() as session:
        row = session.get(Source, source_id)
        if row is None:
            raise InputError("source", repr(source_id), "not in this case")
        before = {k: getattr(row, k) for k in SOURCE_EDITABLE}
        changed: dict[str, SourceChange] = {
            k: {"before": before[k], "after": v} for k, v in wanted.items() if v != before[k]
        }
        if not changed:
            return {"source": source_id, "changed": {}, "custody_event": None}
        for key, change in changed.items():
            setattr(row, key, change["after"])
        event = case.record(session, SOURCE_EDIT, source_id, {"changed": changed})
        return {"source": source_id, "changed": changed, "custody_event": event.seq}


def source_citations(case: Case, source_id: str, *, sensitive: bool) -> SourceCitations:
    """What names source ``source_id``: evidence items (as their source or in one of their
    acquisitions), casualty reports, claims and context objects. Unless ``sensitive``, items
    marked sensitive are counted, not named, and a sensitive source is no such source."""
    with case.sessions() as session:
        row = session.get(Source, source_id)
        if row is None or (row.sensitive and not sensitive):
            raise CaseError(f"source {source_id}: no such source")
        own = list(
            session.scalars(
                select(EvidenceItem)
                .where(EvidenceItem.source_id == source_id)
                .order_by(EvidenceItem.id)
            )
        )
        acquired_ids = set(
            session.scalars(
                select(Acquisition.evidence_id).where(Acquisition.source_id == source_id)
            )
        )
        acquired = [
            item
            for item in session.scalars(
                select(EvidenceItem)
                .where(EvidenceItem.id.in_(acquired_ids - {i.id for i in own}))
                .order_by(EvidenceItem.id)
            )
        ]
        shown = [i for i in own + acquired if sensitive or not i.sensitive]
        reports = session.scalars(
            select(CasualtyReportRow)
            .where(CasualtyReportRow.source_id == source_id)
            .order_by(CasualtyReportRow.incident_id, CasualtyReportRow.position)
        )
        claims = session.scalars(
            select(Claim).where(Claim.source_id == source_id).order_by(Claim.position)
        )
        objects = session.scalar(
            select(func.count())
            .select_from(ContextObjectRow)
            .where(ContextObjectRow.source_id == source_id)
        )
        return {
            "source": source_id,
            "evidence": [i.id for i in own if i in shown],
            "acquired": [i.id for i in acquired if i in shown],
            "evidence_withheld": len(own) + len(acquired) - len(shown),
            "casualty_reports": [
                {
                    "incident": r.incident_id,
                    "position": r.position,
                    "report": r.extra.get("id"),
                    "withdrawn": r.extra.get("withdrawn") is not None,
                }
                for r in reports
            ],
            "claims": [{"id": c.id, "claimant": c.claimant, "text": c.text} for c in claims],
            "context_objects": int(objects or 0),
        }
