"""Verify a case: re-hash every stored object and walk the custody chain."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidencelab.locker.anchors import Anchor, case_title, check_anchors, read_anchor_file
from evidencelab.locker.case import Case
from evidencelab.locker.custody import (
    Head,
    canonical_digest,
    chain_problems,
    event_payload,
    read_head,
)
from evidencelab.locker.errors import InputError
from evidencelab.locker.ingest import ACQUISITION_LOG_FIELDS
from evidencelab.locker.records import record_problems, reference_problems
from evidencelab.store.objects import sha256_file
from evidencelab.store.tables import (
    Acquisition,
    CustodyEvent,
    Derivative,
    EvidenceItem,
    Finding,
)

ACQUIRING = ("ingest", "acquire")

# Compares the records of one kind with the custody events that recorded them; returns one
# line per difference. Layers above the locker supply these for the records they own.
RecordCheck = Callable[[Session, Sequence[CustodyEvent]], list[str]]


@dataclass
class VerifyReport:
    objects_checked: int = 0
    bytes_checked: int = 0
    events_checked: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # The newest event of the log as verified, and every external anchor compared with it.
    head: Head | None = None
    anchors: list[dict[str, object]] = field(default_factory=list)
    # SHA-256s of objects found missing or changed, for checks of what names them.
    altered: set[str] = field(default_factory=set)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_case(
    case: Case,
    progress: Callable[[int, int], None] | None = None,
    record_checks: Sequence[RecordCheck] = (),
    anchor_files: Sequence[Path] = (),
) -> VerifyReport:
    """Check every original and derivative against its SHA-256, and the whole custody log.

    ``progress(done_bytes, total_bytes)`` is called as objects are re-hashed. Each of
    ``record_checks`` compares further records with the custody events that logged them.
    The log is compared with every anchor the case records and with ``anchor_files``
    (CaseError when one of those cannot be read: the user asked for it to be checked).
    """
    report = VerifyReport()
    extra_anchors = [_given_anchor(path) for path in anchor_files]
    with case.sessions() as session:
        items = list(session.scalars(select(EvidenceItem).order_by(EvidenceItem.id)))
        derivatives = list(session.scalars(select(Derivative).order_by(Derivative.id)))
        events = list(session.scalars(select(CustodyEvent).order_by(CustodyEvent.seq)))
        acquisitions = list(session.scalars(select(Acquisition).order_by(Acquisition.id)))
        findings = list(session.scalars(select(Finding).order_by(Finding.id)))
        title = case_title(session, case.root)

    expected: dict[str, str] = {}
    for item in items:
        expected[item.sha256] = f"evidence {item.id} ({item.original_name})"
    for derivative in derivatives:
        expected.setdefault(
            derivative.sha256, f"{derivative.role} of evidence {derivative.evidence_id}"
        )
    sizes = {item.sha256: item.size_bytes for item in items}
    total = sum(sizes.values())
    for sha256, label in expected.items():
        path = case.objects.path(sha256)
        if not path.is_file():
            report.problems.append(f"object {sha256}: missing — {label}")
            report.altered.add(sha256)
            continue
        actual = sha256_file(path)
        report.objects_checked += 1
        report.bytes_checked += path.stat().st_size
        if actual != sha256:
            report.altered.add(sha256)
            report.problems.append(
                f"object {sha256}: content changed (now hashes to {actual}) — {label}"
            )
        if progress is not None:
            progress(min(report.bytes_checked, total), total)

    unreferenced = [sha for sha in case.objects.iter_shas() if sha not in expected]
    if unreferenced:
        report.notes.append(
            f"{len(unreferenced)} stored object(s) not referenced by the case "
            "(left by an interrupted ingest; ingesting the file again adopts them)"
        )

    report.events_checked = len(events)
    report.problems.extend(chain_problems(events, read_head(case.head_path)))
    report.head = Head(seq=events[-1].seq, hash=events[-1].hash) if events else None
    anchors = check_anchors(case.root, events, title, extra_anchors)
    report.problems.extend(anchors.problems)
    report.notes.extend(anchors.notes)
    report.anchors = anchors.checked
    logged = {
        (event_payload(event) or {}).get("sha256") for event in events if event.action == "ingest"
    }
    for item in items:
        if item.sha256 not in logged:
            report.problems.append(
                f"evidence {item.id}: no ingest event in the custody log for {item.sha256}"
            )
    report.problems.extend(_acquisition_problems(items, acquisitions, events))
    report.problems.extend(_finding_problems(findings, events))
    with case.sessions() as session:
        report.problems.extend(record_problems(session, events))
        report.problems.extend(reference_problems(session))
        for check in record_checks:
            report.problems.extend(check(session, events))
    return report


def _given_anchor(path: Path) -> Anchor:
    try:
        return read_anchor_file(path)
    except FileNotFoundError:
        raise InputError("anchor", path, "no such file") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise InputError("anchor", path, f"not a readable anchor file ({exc})") from None


def _finding_problems(findings: list[Finding], events: list[CustodyEvent]) -> list[str]:
    """Findings whose stored run no longer matches the hash logged when it was recorded."""
    by_seq = {event.seq: event for event in events}
    problems = []
    for finding in findings:
        event = by_seq.get(finding.custody_seq)
        run = {
            "kind": finding.kind,
            "method": finding.method,
            "inputs": finding.inputs,
            "result": finding.result,
        }
        digest = canonical_digest(run)
        if event is None or event.action != "finding" or event.subject != finding.evidence_id:
            problems.append(f"finding {finding.id}: not recorded in the custody log")
        elif (event_payload(event) or {}).get("sha256") != digest:
            problems.append(
                f"finding {finding.id} on evidence {finding.evidence_id}: changed since custody "
                f"event {event.seq} recorded it"
            )
    return problems


def _acquisition_problems(
    items: list[EvidenceItem], acquisitions: list[Acquisition], events: list[CustodyEvent]
) -> list[str]:
    """Acquisition records that differ from, or are missing beside, their custody events."""
    problems: list[str] = []
    by_seq = {event.seq: event for event in events}
    sha_of = {item.id: item.sha256 for item in items}
    for acquisition in acquisitions:
        event = by_seq.get(acquisition.custody_seq)
        label = f"evidence {acquisition.evidence_id}: acquisition {acquisition.id}"
        if (
            event is None
            or event.action not in ACQUIRING
            or event.subject != acquisition.evidence_id
        ):
            problems.append(f"{label}: not recorded in the custody log")
            continue
        payload = event_payload(event) or {}
        if payload.get("sha256") != sha_of.get(acquisition.evidence_id):
            problems.append(f"{label}: the custody log records other bytes for it")
        for key, column in ACQUISITION_LOG_FIELDS.items():
            value, logged = getattr(acquisition, column), payload.get(key)
            if value != logged:
                problems.append(
                    f"{label}: {key} is {value!r} in the case but {logged!r} in custody "
                    f"event {event.seq}"
                )
    recorded = {acquisition.custody_seq for acquisition in acquisitions}
    for event in events:
        if event.action in ACQUIRING and event.seq not in recorded:
            problems.append(
                f"custody log: event {event.seq} ({event.action} {event.subject}): "
                "its acquisition record is missing from the case"
            )
    return problems
