"""Sensitivity flags on evidence items, their clearance for publication, and "reviewed by"
notes: the safeguards around graphic content (docs/safety.md).

Every change is one transaction with one custody event per item changed, naming who and
why; the rows are logged field by field (locker/records.py), so `verify` names a flag set
or removed outside the software. A review note is logged too: it records who watched the
media, which is part of the item's history.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidencelab.locker.case import Case, CaseError
from evidencelab.locker.custody import utc_now
from evidencelab.locker.errors import InputError
from evidencelab.model.sensitivity import (
    FLAG_LABELS,
    FLAGS,
    covering,
    ordered,
    publishable,
    unknown_flags,
    warning_text,
)
from evidencelab.service.evidence.items import find_evidence, visible_evidence
from evidencelab.service.evidence.records import (
    ClearanceRecord,
    FlagChange,
    FlagRecord,
    ReviewNoteRecord,
    SensitivityBrief,
    SensitivityRecord,
)
from evidencelab.store.tables import EvidenceItem
from evidencelab.store.tables.safety import EvidenceClearance, EvidenceFlag, EvidenceReview

FLAG_ACTION: Final = "evidence_flag"
CLEARANCE_ACTION: Final = "evidence_clearance"
REVIEWED_ACTION: Final = "evidence_reviewed"
#: Longest reason or note kept (characters): a sentence or two, not a report.
MAX_TEXT = 2000


def _text(field: str, value: str | None, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InputError(field, None, "required: say why")
    if len(text) > MAX_TEXT:
        raise InputError(field, None, f"longer than {MAX_TEXT} characters")
    return text


def _flags(field: str, values: Iterable[str]) -> list[str]:
    given = [value.strip() for value in values if value.strip()]
    unknown = unknown_flags(given)
    if unknown:
        raise InputError(field, unknown[0], f"not a sensitivity flag (one of: {', '.join(FLAGS)})")
    return ordered(given)


def _item(session: Session, evidence_id: str, sensitive: bool) -> EvidenceItem:
    return visible_evidence(session, evidence_id, sensitive=sensitive, by_prefix=True)


def current_flags(session: Session, evidence_id: str) -> dict[str, EvidenceFlag]:
    """The item's flag rows, by flag."""
    rows = session.scalars(select(EvidenceFlag).where(EvidenceFlag.evidence_id == evidence_id))
    return {row.flag: row for row in rows}


def covering_flags(session: Session, evidence_id: str) -> list[str]:
    """The item's flags that cover its media (a warning before reveal, no preview), in
    vocabulary order."""
    return covering(current_flags(session, evidence_id))


def set_sensitivity(
    case: Case,
    evidence_ids: Sequence[str],
    *,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    reason: str | None,
    sensitive: bool = True,
) -> list[FlagChange]:
    """Add and remove flags on every item named, as ``case.actor``, in one transaction:
    one custody event per item whose flags change (an item that already has them is left
    as it is and not listed). ``sensitive``: whether the caller may act on sensitive items.
    Raises InputError (nothing written) on an unknown item or flag, a flag both added and
    removed, no flag at all, or no reason."""
    added, removed = _flags("add", add), _flags("remove", remove)
    both = sorted(set(added) & set(removed))
    if both:
        raise InputError("remove", both[0], "is also among the flags to add")
    if not added and not removed:
        raise InputError("add", None, "name at least one flag to add or remove")
    if not evidence_ids:
        raise InputError("evidence", None, "name at least one evidence item")
    why = _text("reason", reason, required=True)
    with case.transaction() as session:
        items = [_item(session, ref, sensitive) for ref in dict.fromkeys(evidence_ids)]
        changes = [change_flags(case, session, item.id, added, removed, why) for item in items]
    return [change for change in changes if change is not None]


def change_flags(
    case: Case,
    session: Session,
    evidence_id: str,
    add: list[str],
    remove: list[str],
    why: str,
    *,
    by: str | None = None,
    at: str | None = None,
) -> FlagChange | None:
    """Write the change and its custody event; ``by`` and ``at`` (who set the flags and
    when) default to ``case.actor`` and now: an imported case file keeps its own."""
    current = current_flags(session, evidence_id)
    new = [flag for flag in add if flag not in current]
    gone = [flag for flag in remove if flag in current]
    if not new and not gone:
        return None
    after = ordered((set(current) | set(new)) - set(gone))
    payload = {"added": new, "removed": gone, "flags": after, "reason": why}
    event = case.record(session, FLAG_ACTION, evidence_id, payload)
    now = at or utc_now()
    for flag in gone:
        session.delete(current[flag])
    for flag in new:
        session.add(
            EvidenceFlag(
                evidence_id=evidence_id,
                flag=flag,
                reason=why,
                set_by=by or case.actor,
                set_at=now,
                custody_seq=event.seq,
            )
        )
    session.flush()
    return {
        "evidence": evidence_id,
        "added": new,
        "removed": gone,
        "flags": after,
        "custody_event": event.seq,
    }


def clear_for_publication(
    case: Case, evidence_id: str, *, reason: str | None, sensitive: bool = True
) -> SensitivityRecord:
    """A reviewer's decision that the item's media may appear in public outputs despite
    its covering flags (with their warning), as ``case.actor``; replaces an earlier
    clearance. A covering flag added later needs a new clearance."""
    why = _text("reason", reason, required=True)
    with case.transaction() as session:
        item = _item(session, evidence_id, sensitive)
        flags = covering_flags(session, item.id)
        if not flags:
            raise CaseError(
                f"evidence {item.id}: no flag keeps it from publication, nothing to clear"
            )
        write_clearance(case, session, item.id, flags, why)
    return item_sensitivity(case, item.id)


def write_clearance(
    case: Case,
    session: Session,
    evidence_id: str,
    flags: list[str],
    why: str,
    *,
    by: str | None = None,
    at: str | None = None,
) -> None:
    """Clear the item for publication for ``flags``, with its custody event (no commit);
    ``by`` and ``at`` default to ``case.actor`` and now."""
    event = case.record(
        session, CLEARANCE_ACTION, evidence_id, {"cleared": True, "flags": flags, "reason": why}
    )
    row = session.get(EvidenceClearance, evidence_id) or EvidenceClearance(evidence_id=evidence_id)
    row.flags, row.reason, row.cleared_by = flags, why, by or case.actor
    row.cleared_at, row.custody_seq = at or utc_now(), event.seq
    session.add(row)


def withdraw_clearance(
    case: Case, evidence_id: str, *, reason: str | None, sensitive: bool = True
) -> SensitivityRecord:
    """Withdraw an item's clearance for publication, as ``case.actor``."""
    why = _text("reason", reason, required=True)
    with case.transaction() as session:
        item = _item(session, evidence_id, sensitive)
        row = session.get(EvidenceClearance, item.id)
        if row is None:
            raise CaseError(f"evidence {item.id}: not cleared for publication")
        case.record(
            session, CLEARANCE_ACTION, item.id, {"cleared": False, "flags": [], "reason": why}
        )
        session.delete(row)
    return item_sensitivity(case, item.id)


def record_review(
    case: Case, evidence_id: str, *, note: str | None, sensitive: bool = True
) -> ReviewNoteRecord:
    """Note that ``case.actor`` watched the item in full, now, with a short note."""
    text = _text("note", note, required=False)
    with case.transaction() as session:
        item = _item(session, evidence_id, sensitive)
        return _review(write_review_note(case, session, item.id, text))


def write_review_note(
    case: Case,
    session: Session,
    evidence_id: str,
    text: str,
    *,
    by: str | None = None,
    at: str | None = None,
) -> EvidenceReview:
    """Record that ``by`` (default ``case.actor``) watched the item in full at ``at``
    (default now), with its custody event (no commit)."""
    event = case.record(session, REVIEWED_ACTION, evidence_id, {"note": text})
    row = EvidenceReview(
        evidence_id=evidence_id,
        reviewer=by or case.actor,
        reviewed_at=at or utc_now(),
        note=text,
        custody_seq=event.seq,
    )
    session.add(row)
    session.flush()
    return row


def _review(row: EvidenceReview) -> ReviewNoteRecord:
    return {
        "by": row.reviewer,
        "at": row.reviewed_at,
        "note": row.note,
        "custody_event": row.custody_seq,
    }


def brief(flags: Iterable[str]) -> SensitivityBrief:
    """Flags in vocabulary order, those that cover the media, and the warning to show."""
    shown, cover = ordered(flags), covering(flags)
    return {"flags": shown, "covering": cover, "warning": warning_text(cover) if cover else ""}


def item_sensitivity(case: Case, evidence_id: str, *, sensitive: bool = True) -> SensitivityRecord:
    """An item's flags with who set them and why, its clearance and review notes.
    ``sensitive``: whether the caller may see sensitive items."""
    with case.sessions() as session:
        item = _item(session, evidence_id, sensitive)
        rows = sorted(current_flags(session, item.id).values(), key=lambda r: FLAGS.index(r.flag))
        clearance = session.get(EvidenceClearance, item.id)
        reviews = session.scalars(
            select(EvidenceReview)
            .where(EvidenceReview.evidence_id == item.id)
            .order_by(EvidenceReview.id)
        )
        flags = [row.flag for row in rows]
        return {
            **brief(flags),
            "evidence": item.id,
            "flag_records": [_flag_record(row) for row in rows],
            "clearance": None if clearance is None else _clearance(clearance),
            "publishable": publishable(flags, None if clearance is None else clearance.flags),
            "reviews": [_review(row) for row in reviews],
        }


def _flag_record(row: EvidenceFlag) -> FlagRecord:
    return {
        "flag": row.flag,
        "label": FLAG_LABELS[row.flag],
        "reason": row.reason,
        "by": row.set_by,
        "at": row.set_at,
        "custody_event": row.custody_seq,
    }


def _clearance(row: EvidenceClearance) -> ClearanceRecord:
    return {
        "flags": list(row.flags),
        "reason": row.reason,
        "by": row.cleared_by,
        "at": row.cleared_at,
        "custody_event": row.custody_seq,
    }


def case_flags(case: Case) -> dict[str, SensitivityBrief]:
    """Every flagged item's brief, by evidence id (items without flags are absent)."""
    with case.sessions() as session:
        flags: dict[str, list[str]] = {}
        for row in session.scalars(select(EvidenceFlag)):
            flags.setdefault(row.evidence_id, []).append(row.flag)
    return {evidence_id: brief(found) for evidence_id, found in flags.items()}


def publication_clearances(case: Case) -> dict[str, list[str]]:
    """The flags each cleared item's clearance covers, by evidence id."""
    with case.sessions() as session:
        return {
            row.evidence_id: list(row.flags) for row in session.scalars(select(EvidenceClearance))
        }


class AutoFlagger(Protocol):
    """A classifier that looks at an item's file and proposes flags. It may only add a
    cover, never remove one (:func:`auto_flag`). None ships with evidencelab: docs/safety.md
    says why."""

    name: str  # named in the custody event's reason

    def flags(self, path: str, media_type: str | None) -> set[str]:
        """The flags the classifier sees in the file at ``path``."""
        ...


def auto_flag(case: Case, evidence_ids: Sequence[str], flagger: AutoFlagger) -> list[FlagChange]:
    """Add the flags ``flagger`` proposes for each item, never removing any: each item's
    change a custody event whose reason names the classifier."""
    proposals: dict[str, list[str]] = {}
    with case.sessions() as session:
        for ref in evidence_ids:
            item = find_evidence(session, ref)
            path = str(case.objects.path(item.sha256))
            proposals[item.id] = _flags("add", flagger.flags(path, item.media_type))
    changes: list[FlagChange] = []
    for flags in sorted({tuple(found) for found in proposals.values() if found}):
        ids = [evidence_id for evidence_id, found in proposals.items() if tuple(found) == flags]
        changes += set_sensitivity(
            case, ids, add=flags, reason=f"proposed by the automatic classifier {flagger.name}"
        )
    return changes
