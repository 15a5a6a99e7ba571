"""What a role without ``read_sensitive`` may see: one rule for every page and API answer.

Without that permission:

- a sensitive evidence item (a sensitive satellite scene included) is absent, as if it did
  not exist (the read views leave it out of their queries);
- a sensitive source keeps its kind and reliability grade, which explain the casualty
  figures; its id reads "withheld", its description, notes and URL are withheld;
- a casualty report from a sensitive source keeps its scope and figures; its quote, notes
  and every other field are withheld;
- an acquisition from a sensitive source keeps its times; its source, URL, collector and
  note are withheld;
- a custody event keeps its seq, time, actor, action and hash, so the chain stays visibly
  continuous; a subject naming a sensitive item or source reads "withheld", and a payload
  naming one anywhere is withheld whole;
- any other text naming a sensitive item (by id or SHA-256) or a sensitive source (by id)
  has that name replaced by "withheld".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidencelab.service.evidence.records import AcquisitionRecord
from evidencelab.store.tables import EvidenceItem, Source

WITHHELD = "withheld"
WITHHELD_SOURCE = "withheld: sensitive source"
WITHHELD_EVENT = "names a sensitive item or source"
# Characters that continue an id: a name is matched only as a whole word of them, so a
# short id does not match inside longer ids or words.
_ID_CHARACTERS = r"A-Za-z0-9_\-"
# Fields of a casualty report that carry its figures, kept from any source.
REPORT_FIGURES = ("scope", "civilian", "killed", "injured")

# A record shown with some of its values withheld: the same keys, so the same type.
_Record = TypeVar("_Record", bound=Mapping[str, Any])
_Json = TypeVar("_Json")


@dataclass(frozen=True)
class Withholding:
    """The names a role may not see in one case: ids and SHA-256 of sensitive items, ids
    of sensitive sources (all empty for a role with ``read_sensitive``)."""

    names: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()
    _pattern: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        words = "|".join(re.escape(n) for n in sorted(self.names, key=len, reverse=True))
        pattern = (
            re.compile(f"(?<![{_ID_CHARACTERS}])(?:{words})(?![{_ID_CHARACTERS}])")
            if words
            else None
        )
        object.__setattr__(self, "_pattern", pattern)

    def names_any(self, value: Any) -> bool:
        """Whether ``value`` (text, or JSON-like data at any depth) names a withheld item
        or source."""
        pattern = self._pattern
        if pattern is None:
            return False
        if isinstance(value, str):
            return pattern.search(value) is not None
        if isinstance(value, dict):
            return any(self.names_any(k) or self.names_any(v) for k, v in value.items())
        if isinstance(value, list | tuple):
            return any(self.names_any(v) for v in value)
        return False

    def scrub(self, value: _Json) -> _Json:
        """``value`` (JSON data: objects, arrays, text, numbers) with every name of a
        withheld item or source replaced by "withheld", at any depth: the same shape (a
        tuple comes back as a list, as JSON would write it)."""
        pattern = self._pattern
        if pattern is None:
            return value
        if isinstance(value, str):
            return cast(_Json, pattern.sub(WITHHELD, value))
        if isinstance(value, dict):
            return cast(_Json, {self.scrub(k): self.scrub(v) for k, v in value.items()})
        if isinstance(value, list | tuple):
            return cast(_Json, [self.scrub(v) for v in value])
        return value

    def source(self, record: _Record) -> _Record:
        """A source record (id, kind, reliability, description, notes, url…, withheld)
        with the same keys: from a sensitive source, its kind, sensitivity and reliability
        only, every other value None (the record type must allow it)."""
        if record["id"] not in self.sources:
            return cast(_Record, {**record, "withheld": False})
        kept = {k: record[k] for k in ("kind", "sensitive", "reliability") if k in record}
        hidden = {k: None for k in record if k not in kept}
        shown = hidden | kept | {"id": WITHHELD, "description": WITHHELD_SOURCE, "withheld": True}
        return cast(_Record, shown)

    def casualty_report(self, report: Mapping[str, Any]) -> dict[str, Any]:
        """A casualty report (case-file fields): from a sensitive source, its figures only,
        with the names of the fields withheld."""
        if report.get("source") not in self.sources:
            return dict(report)
        kept = {k: report[k] for k in REPORT_FIGURES if k in report}
        others = sorted(k for k in report if k not in kept and k not in ("source", "source_record"))
        record = kept | {"source": WITHHELD, "withheld_fields": others}
        if "source_record" in report:
            record["source_record"] = report["source_record"]
        return record

    def acquisition(self, record: AcquisitionRecord) -> AcquisitionRecord:
        """An acquisition record (source, url, collector, note, times…)."""
        if record["source"] not in self.sources:
            return record
        return {**record, "source": WITHHELD, "url": None, "collector": None, "note": None}

    def event(self, event: _Record) -> _Record:
        """A custody event: seq, time, actor, action and hash always; subject and payload
        unless they name a withheld item or source."""
        if not self.names_any(event.get("subject")) and not self.names_any(event.get("payload")):
            return event
        shown = dict(event)
        if self.names_any(event.get("subject")):
            shown["subject"] = WITHHELD
        shown["payload"] = {"withheld": WITHHELD_EVENT}
        return cast(_Record, shown)


def withholding(session: Session, *, sensitive: bool) -> Withholding:
    """What to withhold from someone with (``sensitive``) or without ``read_sensitive``."""
    if sensitive:
        return Withholding()
    items = session.execute(
        select(EvidenceItem.id, EvidenceItem.sha256).where(EvidenceItem.sensitive.is_(True))
    ).all()
    sources = frozenset(session.scalars(select(Source.id).where(Source.sensitive.is_(True))))
    names = {name for item in items for name in item if name} | sources
    return Withholding(names=frozenset(names), sources=sources)
