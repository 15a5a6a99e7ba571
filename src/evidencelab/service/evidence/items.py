"""Evidence items as plain records for listing, display and export."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidencelab.locker.case import Case, CaseError
from evidencelab.service.evidence.credentials_record import credentials_record
from evidencelab.service.evidence.records import (
    AcquisitionRecord,
    EvidenceDetail,
    EvidenceSummary,
)
from evidencelab.store.tables import Acquisition, EvidenceItem, Finding, IncidentEvidence
from evidencelab.store.tables.credentials import ContentCredentials

# Six to 64 hex digits: anything else is no prefix of a SHA-256 (and never reaches LIKE,
# where '%' and '_' are wildcards and a long pattern is refused by SQLite).
SHA256_PREFIX = re.compile(r"[0-9a-fA-F]{6,64}")


def find_evidence(session: Session, ref: str) -> EvidenceItem:
    """An evidence item by id, or by a SHA-256 prefix of at least six hex digits."""
    item = session.get(EvidenceItem, ref)
    if item is not None:
        return item
    if SHA256_PREFIX.fullmatch(ref):
        matches = list(
            session.scalars(select(EvidenceItem).where(EvidenceItem.sha256.startswith(ref.lower())))
        )
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise CaseError(f"evidence {ref}: SHA-256 prefix matches {len(matches)} items")
    raise CaseError(f"evidence {ref}: no such evidence item")


def visible_evidence(
    session: Session, ref: str, *, sensitive: bool, by_prefix: bool = False
) -> EvidenceItem:
    """The evidence item ``ref`` (its id, or also a SHA-256 prefix with ``by_prefix``) as a
    reader sees it: the one visibility rule. An item marked sensitive is no such item to a
    reader without ``sensitive`` (the read_sensitive permission), in the very words of an
    unknown id, so that the refusal does not tell that it exists."""
    try:
        item = find_evidence(session, ref) if by_prefix else session.get(EvidenceItem, ref)
    except CaseError:
        item = None
    if item is None or (item.sensitive and not sensitive):
        raise CaseError(f"evidence {ref}: no such evidence item")
    return item


def evidence_summary(item: EvidenceItem) -> EvidenceSummary:
    """An item as the command line lists it."""
    meta = item.metadata_normalised
    return {
        "id": item.id,
        "sha256": item.sha256,
        "kind": item.kind,
        "media_type": item.media_type,
        "original_name": item.original_name,
        "size_bytes": item.size_bytes,
        "captured_at": meta.get("captured_at"),
        "gps": meta.get("gps"),
        "acquisitions": len(item.acquisitions),
        "extraction_errors": len(item.extraction_errors),
    }


def list_evidence(case: Case) -> list[EvidenceSummary]:
    """Every item, in order of first ingest."""
    with case.sessions() as session:
        items = session.scalars(select(EvidenceItem).order_by(EvidenceItem.first_ingested_at))
        return [evidence_summary(item) for item in items]


def show_evidence(case: Case, ref: str) -> EvidenceDetail:
    """Everything stored about one item."""
    with case.sessions() as session:
        item = find_evidence(session, ref)
        links = session.scalars(
            select(IncidentEvidence.incident_id).where(IncidentEvidence.evidence_id == item.id)
        )
        return {
            "id": item.id,
            "sha256": item.sha256,
            "object_path": str(case.objects.path(item.sha256).relative_to(case.root)),
            "size_bytes": item.size_bytes,
            "original_name": item.original_name,
            "kind": item.kind,
            "media_type": item.media_type,
            "source": item.source_id,
            "sensitive": item.sensitive,
            "first_ingested_at": item.first_ingested_at,
            "acquisitions": [
                {
                    "source": a.source_id,
                    "url": a.url,
                    "collector": a.collector,
                    "collected_at": a.collected_at,
                    "note": a.note,
                    "original_path": a.original_path,
                    "ingested_at": a.ingested_at,
                    "ingested_by": a.ingested_by,
                }
                for a in item.acquisitions
            ],
            "metadata": item.metadata_normalised,
            "perceptual_hashes": [
                {
                    "algorithm": h.algorithm,
                    "hash": h.hash_hex,
                    "quality": h.quality,
                    "frame_time_s": h.frame_time_s,
                }
                for h in item.perceptual_hashes
            ],
            "derivatives": [
                {"role": d.role, "sha256": d.sha256, "media_type": d.media_type}
                for d in item.derivatives
            ],
            "incidents": list(links),
            "extraction_errors": item.extraction_errors,
            "findings": [
                {
                    "id": f.id,
                    "kind": f.kind,
                    "author": f.author,
                    "created_at": f.created_at,
                    "inputs": f.inputs,
                    "result": f.result,
                    "method": f.method,
                }
                for f in session.scalars(
                    select(Finding).where(Finding.evidence_id == item.id).order_by(Finding.id)
                )
            ],
            "extra": item.extra,
            "metadata_raw": item.metadata_raw,
            "content_credentials": credentials_record(
                item.id, session.get(ContentCredentials, item.id)
            ),
        }


def acquisition_record(a: Acquisition) -> AcquisitionRecord:
    """One acquisition of an item as the report and the workbench show it, with the custody
    event that recorded it."""
    return {
        "source": a.source_id,
        "url": a.url,
        "collector": a.collector,
        "collected_at": a.collected_at,
        "note": a.note,
        "ingested_at": a.ingested_at,
        "ingested_by": a.ingested_by,
        "custody_seq": a.custody_seq,
    }
