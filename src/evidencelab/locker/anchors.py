"""External anchors of the custody head.

Someone who can write to the case folder can delete or edit a custody event, recompute
every later hash and rewrite ``custody.head``: the rewritten chain is consistent with
itself. An anchor is a copy of the head (sequence number and hash) kept somewhere the
team controls outside the case folder. Any later rewrite of an event at or before the
anchored one changes the hash of the anchored event, so it no longer matches the anchor.

The case records each anchor twice: as a custody event (action ``anchor``) and in
``anchors.json`` beside ``custody.head``, so that verify knows where to look even when
the database was rewritten. The anchor files themselves are what count: records inside
the case are only as trustworthy as the case folder.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidencelab import __version__
from evidencelab.locker.case import Case, CaseError
from evidencelab.locker.custody import (
    Head,
    chain_problems,
    event_payload,
    read_head,
    utc_now,
)
from evidencelab.locker.errors import InputError
from evidencelab.store.atomic import write_text_atomic
from evidencelab.store.tables import CaseInfo, CustodyEvent

ANCHOR_FORMAT = "evidencelab/anchor@1"
ANCHORS_FORMAT = "evidencelab/anchors@1"
ANCHORS_NAME = "anchors.json"
ACTION = "anchor"


@dataclass(frozen=True)
class Anchor:
    """One anchored head: where the anchor was written, when, and what it records."""

    location: str
    seq: int
    hash: str
    written_at: str
    case_title: str | None = None


@dataclass
class AnchorCheck:
    """The outcome of comparing every known anchor with the custody log."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checked: list[dict[str, Any]] = field(default_factory=list)


def anchors_path(root: Path) -> Path:
    """The case's ``anchors.json``, beside ``custody.head``."""
    return root / ANCHORS_NAME


def case_title(session: Session, root: Path) -> str:
    """The case's title as exports name it (the folder name when it has none)."""
    info = session.get(CaseInfo, 1)
    return (info.title if info else None) or root.name


# ---------------------------------------------------------------- reading


def anchor_from_document(data: Any, location: str) -> Anchor:
    """An anchor from the JSON of an anchor file; ValueError naming what is wrong."""
    if not isinstance(data, dict) or data.get("format") != ANCHOR_FORMAT:
        raise ValueError(f"not an evidencelab anchor (no format {ANCHOR_FORMAT!r})")
    return Anchor(
        location=location,
        seq=_seq(data.get("seq")),
        hash=_hex64(data.get("hash")),
        written_at=str(data.get("written_at")),
        case_title=data.get("case") if isinstance(data.get("case"), str) else None,
    )


def read_anchor_file(path: Path) -> Anchor:
    """The anchor stored in the file at ``path``; OSError or ValueError when unreadable."""
    text = path.read_text(encoding="utf-8")
    return anchor_from_document(json.loads(text), str(path))


def recorded_anchors(root: Path) -> list[Anchor]:
    """The anchors listed in the case's ``anchors.json`` (none when it does not exist);
    ValueError when it cannot be read."""
    path = anchors_path(root)
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("format") != ANCHORS_FORMAT:
        raise ValueError(f"not an anchors list (no format {ANCHORS_FORMAT!r})")
    return [_anchor_from_record(entry) for entry in data.get("anchors", [])]


def logged_anchors(events: Sequence[CustodyEvent]) -> list[Anchor]:
    """The anchors recorded by ``anchor`` events of the custody log."""
    anchors = []
    for event in events:
        payload = event_payload(event) if event.action == ACTION else None
        if payload is not None:
            try:
                anchors.append(_anchor_from_record(payload))
            except ValueError:
                continue  # an altered payload: the chain check names the event
    return anchors


def _anchor_from_record(entry: Any) -> Anchor:
    if not isinstance(entry, dict):
        raise ValueError(f"anchor record is not an object: {entry!r}")
    return Anchor(
        location=str(entry.get("location")),
        seq=_seq(entry.get("seq")),
        hash=_hex64(entry.get("hash")),
        written_at=str(entry.get("written_at")),
    )


def _seq(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"seq {value!r} is not a positive whole number")
    return value


def _hex64(value: Any) -> str:
    if not isinstance(value, str) or len(value) != 64 or value.strip("0123456789abcdef"):
        raise ValueError(f"hash {value!r} is not a SHA-256 in hex")
    return value


# ---------------------------------------------------------------- comparing


def anchor_problems(events: Sequence[CustodyEvent], anchor: Anchor, origin: str = "") -> list[str]:
    """How the custody log differs from one anchor, one line each; empty when the log
    holds the anchored event unchanged. ``events`` ordered by sequence number;
    ``origin`` says where the anchor was read when that is not the file itself."""
    named = f"the anchor written to {anchor.location} at {anchor.written_at}{origin}"
    by_seq = {event.seq: event for event in events}
    event = by_seq.get(anchor.seq)
    last_seq = events[-1].seq if events else 0
    if event is None and anchor.seq > last_seq:
        deleted = (
            f"event {anchor.seq} was"
            if anchor.seq == last_seq + 1
            else f"events {last_seq + 1} to {anchor.seq} were"
        )
        return [
            f"custody log: ends at event {last_seq} but {named} records event {anchor.seq}: "
            f"{deleted} deleted from the log"
        ]
    if event is None:
        return [f"custody log: event {anchor.seq}, recorded in {named}, is missing from the log"]
    if event.hash != anchor.hash:
        return [
            f"custody log: event {anchor.seq} differs from {named}: "
            f"the log was rewritten at or before event {anchor.seq}"
        ]
    return []


def check_anchors(
    root: Path,
    events: Sequence[CustodyEvent],
    title: str,
    extra: Sequence[Anchor] = (),
) -> AnchorCheck:
    """Compare the custody log with every anchor the case knows of and every anchor in
    ``extra`` (files given by the user, already read).

    Each location recorded in ``anchors.json`` or in an ``anchor`` event is read again:
    the file outside the case is what a rewrite of the case folder cannot reach. A
    location that cannot be read is a note, and the record inside the case is compared
    instead (it catches a rewrite that forgot the record).
    """
    result = AnchorCheck()
    claims = [(anchor, "") for anchor in extra] + _recorded_claims(root, events, result)
    seen: set[tuple[int, str]] = set()
    for anchor, origin in claims:
        if (anchor.seq, anchor.hash) in seen:
            continue
        seen.add((anchor.seq, anchor.hash))
        problems = anchor_problems(events, anchor, origin)
        result.problems += problems
        if anchor.case_title is not None and anchor.case_title != title:
            result.notes.append(
                f"anchor at {anchor.location} is for the case {anchor.case_title!r}, not {title!r}"
            )
        read_from = origin.strip(" ()") or "anchor file"
        result.checked.append({**asdict(anchor), "from": read_from, "matches": not problems})
    return result


def _recorded_claims(
    root: Path, events: Sequence[CustodyEvent], result: AnchorCheck
) -> list[tuple[Anchor, str]]:
    """The anchors the case records, each with where it was read: first every recorded
    location read again, then the records themselves (``anchors.json``, then the log).
    Unreadable places and an unreadable ``anchors.json`` are added to ``result``."""
    try:
        records = recorded_anchors(root)
    except (OSError, ValueError) as exc:
        result.problems.append(f"{ANCHORS_NAME}: unreadable ({exc})")
        records = []
    logged = logged_anchors(events)
    claims: list[tuple[Anchor, str]] = []
    for location in dict.fromkeys(a.location for a in [*records, *logged]):
        try:
            claims.append((read_anchor_file(Path(location)), ""))
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            result.notes.append(f"anchor at {location} not reachable: not checked ({exc})")
    claims += [(a, f" (as recorded in {ANCHORS_NAME})") for a in records]
    claims += [(a, " (as recorded in the custody log)") for a in logged]
    return claims


# ---------------------------------------------------------------- writing


def anchor_head(case: Case, to: Path) -> dict[str, Any]:
    """Write the current custody head to an anchor file at ``to`` (a file, or a folder to
    put it in), atomically, and record the anchor in the case: an ``anchor`` custody
    event and an entry in ``anchors.json``. Refuses a place inside the case folder and
    a custody log that does not verify."""
    target = _anchor_target(case, to)
    list_anchors(case)  # an unreadable anchors.json stops us before anything is written
    with case.sessions() as session:
        events = list(session.scalars(select(CustodyEvent).order_by(CustodyEvent.seq)))
        title = case_title(session, case.root)
    if chain_problems(events, read_head(case.head_path)):
        raise CaseError(
            "anchor: the custody log does not verify (run `evidencelab verify`); no anchor written"
        )
    head = Head(seq=events[-1].seq, hash=events[-1].hash)
    written_at = utc_now()
    document = {
        "format": ANCHOR_FORMAT,
        "case": title,
        "seq": head.seq,
        "hash": head.hash,
        "written_at": written_at,
        "actor": case.actor,
        "evidencelab": __version__,
    }
    write_text_atomic(target, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    record = {"location": str(target), "seq": head.seq, "hash": head.hash, "written_at": written_at}
    with case.transaction() as session:
        event = case.record(session, ACTION, None, record)
        # Written under the write lock, so two anchors at once cannot lose each other.
        _add_record(case.root, {**record, "actor": case.actor, "event": event.seq})
    return {**document, "location": str(target), "event": event.seq}


def list_anchors(case: Case) -> list[dict[str, Any]]:
    """The anchors recorded in ``anchors.json``, oldest first."""
    path = anchors_path(case.root)
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data["anchors"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CaseError(f"{path.name}: unreadable ({exc})") from None
    return [entry for entry in entries if isinstance(entry, dict)]


def _anchor_target(case: Case, to: Path) -> Path:
    """The anchor file's path, checked: outside the case, in an existing folder, and not
    overwriting anything but an earlier anchor."""
    target = to.resolve()
    if target.is_dir():
        target = target / f"{case.root.name}-anchor.json"
    if target.is_relative_to(case.root.resolve()):
        raise InputError("to", to, "inside the case folder; an anchor must be kept outside it")
    if not target.parent.is_dir():
        raise InputError("to", to, f"folder {target.parent} does not exist")
    if target.exists():
        try:
            read_anchor_file(target)
        except (OSError, ValueError, UnicodeDecodeError):
            raise InputError(
                "to", to, f"{target} exists and is not an anchor file; not overwritten"
            ) from None
    return target


def _add_record(root: Path, entry: dict[str, Any]) -> None:
    """Append ``entry`` to ``anchors.json`` (whole-file atomic replace)."""
    path = anchors_path(root)
    entries: list[Any] = []
    if path.exists():
        try:
            entries = list(json.loads(path.read_text(encoding="utf-8"))["anchors"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CaseError(f"{ANCHORS_NAME}: unreadable ({exc}); no anchor recorded") from None
    document = {"format": ANCHORS_FORMAT, "anchors": [*entries, entry]}
    write_text_atomic(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
