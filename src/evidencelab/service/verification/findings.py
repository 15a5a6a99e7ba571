"""Findings: verification steps stored with the evidence they concern, so anyone can re-run them."""

from __future__ import annotations

from sqlalchemy import select

from evidencelab.locker.case import Case
from evidencelab.locker.custody import canonical_digest
from evidencelab.service.evidence.items import find_evidence
from evidencelab.service.evidence.records import FindingRecord
from evidencelab.service.verification.records import ChronolocationRun, RecordedFinding
from evidencelab.store.tables import Finding


def record_finding(case: Case, evidence_ref: str, run: ChronolocationRun) -> RecordedFinding:
    """Store a run (``kind``, ``method``, ``inputs``, ``result``) as a finding on an item.

    The custody event carries the SHA-256 of the canonical JSON of the run, so a later
    change to a stored finding is visible against the log.
    """
    with case.transaction() as session:
        item = find_evidence(session, evidence_ref)
        event = case.record(
            session,
            "finding",
            item.id,
            {"kind": run["kind"], "sha256": canonical_digest(run)},
        )
        finding = Finding(
            evidence_id=item.id,
            kind=run["kind"],
            method=run["method"],
            inputs=dict(run["inputs"]),
            result=dict(run["result"]),
            author=case.actor,
            created_at=event.recorded_at,
            custody_seq=event.seq,
        )
        session.add(finding)
        session.flush()
        return {"finding": finding.id, "evidence": item.id, "custody_event": event.seq}


def findings_for(case: Case, evidence_ref: str) -> list[FindingRecord]:
    """The findings stored on an item, oldest first."""
    with case.sessions() as session:
        item = find_evidence(session, evidence_ref)
        rows = session.scalars(
            select(Finding).where(Finding.evidence_id == item.id).order_by(Finding.id)
        )
        return [
            {
                "id": f.id,
                "kind": f.kind,
                "author": f.author,
                "created_at": f.created_at,
                "inputs": f.inputs,
                "result": f.result,
                "method": f.method,
            }
            for f in rows
        ]
