"""An item's sensitivity flags, clearance for publication and "reviewed by" notes in the
case file format (docs/case-file-format.md): read for the case file, written by an import.

An import writes as the services do (service/evidence/sensitivity.py): one custody event per
change, every row logged field by field. It keeps from the file who set each record and
when, and it only adds: a flag, clearance or note the case already holds is left as it is,
and a file that lacks one removes nothing (an import never lifts a cover).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidencelab.locker.case import Case
from evidencelab.model.errors import Location, Problem
from evidencelab.model.sensitivity import FLAGS, covering, ordered
from evidencelab.service.evidence.records import FlagFileRecord, SensitivityFileRecord
from evidencelab.service.evidence.sensitivity import (
    MAX_TEXT,
    change_flags,
    current_flags,
    write_clearance,
    write_review_note,
)
from evidencelab.store.tables.safety import EvidenceClearance, EvidenceFlag, EvidenceReview

_RANK: dict[str, int] = {flag: index for index, flag in enumerate(FLAGS)}


def sensitivity_file_records(session: Session) -> dict[str, SensitivityFileRecord]:
    """Every item's flags (in vocabulary order), clearance and notes (oldest first), by
    evidence id; an item with none is absent. Three queries, whatever the case's size."""
    records: dict[str, SensitivityFileRecord] = {}
    for flag in session.scalars(select(EvidenceFlag)):
        entry: FlagFileRecord = {
            "flag": flag.flag,
            "reason": flag.reason,
            "by": flag.set_by,
            "at": flag.set_at,
        }
        records.setdefault(flag.evidence_id, {}).setdefault("flags", []).append(entry)
    for record in records.values():
        # A flag written outside the software sorts last; the reading names it.
        record.get("flags", []).sort(key=lambda f: _RANK.get(f["flag"], len(_RANK)))
    for row in session.scalars(select(EvidenceClearance)):
        records.setdefault(row.evidence_id, {})["clearance"] = {
            "flags": list(row.flags),
            "reason": row.reason,
            "by": row.cleared_by,
            "at": row.cleared_at,
        }
    for review in session.scalars(select(EvidenceReview).order_by(EvidenceReview.id)):
        notes = records.setdefault(review.evidence_id, {}).setdefault("reviewed_by", [])
        notes.append({"by": review.reviewer, "at": review.reviewed_at})
        if review.note:
            notes[-1]["note"] = review.note
    return records


def sensitivity_problems(entry: Mapping[str, Any], at: Location) -> list[Problem]:
    """What the services would refuse in an evidence entry's safeguards (``at``: where the
    entry is), found before an import writes anything: overlong reasons and notes, and a
    clearance with no covering flag to clear."""
    texts: list[tuple[Location, str | None]] = [
        ((*at, "flags", k, "reason"), f.get("reason"))
        for k, f in enumerate(entry.get("flags") or [])
    ]
    texts += [
        ((*at, "reviewed_by", k, "note"), n.get("note"))
        for k, n in enumerate(entry.get("reviewed_by") or [])
    ]
    clearance = entry.get("clearance")
    if clearance is not None:
        texts.append(((*at, "clearance", "reason"), clearance.get("reason")))
    problems = [
        Problem(where, f"longer than {MAX_TEXT} characters")
        for where, text in texts
        if len(text or "") > MAX_TEXT
    ]
    if clearance is not None and not _cleared_flags(entry, clearance):
        problems.append(
            Problem((*at, "clearance"), "the item has no covering flag to clear; name its flags")
        )
    return problems


def _cleared_flags(entry: Mapping[str, Any], clearance: Mapping[str, Any]) -> list[str]:
    """The flags a clearance covers: those it names, else the entry's covering flags."""
    named = clearance.get("flags") or covering(f["flag"] for f in entry.get("flags") or [])
    return ordered(named)


def import_sensitivity(
    case: Case, session: Session, evidence_id: str, entry: Mapping[str, Any]
) -> None:
    """Record an evidence entry's flags, clearance and notes on the item (no commit): what
    the item lacks, each change a custody event as the services write it."""
    _import_flags(case, session, evidence_id, entry.get("flags") or [])
    clearance = entry.get("clearance")
    if clearance is not None:
        _import_clearance(case, session, evidence_id, clearance, _cleared_flags(entry, clearance))
    for note in entry.get("reviewed_by") or []:
        _import_note(case, session, evidence_id, note)


def _import_flags(
    case: Case, session: Session, evidence_id: str, flags: list[Mapping[str, Any]]
) -> None:
    """Flags the item lacks, one change (and custody event) per reason, author and time."""
    current = current_flags(session, evidence_id)
    changes: dict[tuple[str, str | None, str | None], list[str]] = {}
    for flag in flags:
        if flag["flag"] not in current:
            key = (flag["reason"].strip(), flag.get("by"), flag.get("at"))
            changes.setdefault(key, []).append(flag["flag"])
    for (why, by, at), new in changes.items():
        change_flags(case, session, evidence_id, ordered(new), [], why, by=by, at=at)


def _import_clearance(
    case: Case,
    session: Session,
    evidence_id: str,
    clearance: Mapping[str, Any],
    flags: list[str],
) -> None:
    why, by, at = clearance["reason"].strip(), clearance.get("by"), clearance.get("at")
    row = session.get(EvidenceClearance, evidence_id)
    if (
        row is not None
        and (list(row.flags), row.reason) == (flags, why)
        and by in (None, row.cleared_by)
        and at in (None, row.cleared_at)
    ):
        return
    write_clearance(case, session, evidence_id, flags, why, by=by, at=at)


def _import_note(case: Case, session: Session, evidence_id: str, note: Mapping[str, Any]) -> None:
    text, by, at = (note.get("note") or "").strip(), note["by"], note.get("at")
    same = session.scalars(
        select(EvidenceReview.reviewed_at).where(
            EvidenceReview.evidence_id == evidence_id,
            EvidenceReview.reviewer == by,
            EvidenceReview.note == text,
        )
    )
    if any(at is None or known == at for known in same):
        return
    write_review_note(case, session, evidence_id, text, by=by, at=at)
