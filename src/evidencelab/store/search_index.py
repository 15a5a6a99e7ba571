"""The full-text search index (SQLite FTS5): what it holds, how it stays in step, how a
query is written.

The index is derived from the records, so it is rebuilt rather than logged. It is kept in
step in Python, in the transaction that writes: a listener on the case's sessions notes
every incident, casualty report, evidence item, acquisition and source a flush writes or
deletes, and re-indexes their owners on the same connection before the transaction can
commit. SQL triggers alone cannot do it, because the index also holds each text's Latin
transliteration (``model.transliteration``), which SQLite cannot compute without a Python
function registered on every connection — and a trigger calling one would make any write
from outside the software fail. Rows changed outside the software are out of the index
until :func:`rebuild` (``evidencelab reindex``), which ``verify`` names as tampering anyway.

The FTS5 table's own triggers (migration 0013) keep it equal to ``search_entry``, its
external content (https://www.sqlite.org/fts5.html#external_content_tables).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, delete, event, insert, select
from sqlalchemy.orm import Session, sessionmaker

from evidencelab.model.transliteration import latin_forms
from evidencelab.store.tables import Acquisition, CasualtyReportRow, EvidenceItem, Incident, Source
from evidencelab.store.tables.search import SearchEntry

KINDS = ("incident", "weapon", "evidence", "source", "metadata")
_PENDING = "evidencelab_search_owners"
# A word as unicode61 splits text: letters, digits and marks; everything else separates.
_WORD = re.compile(r"[^\W_]+")


def _entry(owner: str, kind: str, ref: str, texts: Iterable[Any], **rest: Any) -> dict[str, Any]:
    body = " · ".join(str(t) for t in texts if t not in (None, "", [], {}))
    return {
        "owner": owner,
        "kind": kind,
        "ref": ref,
        "field": None,
        "item": None,
        "source": None,
        "day": None,
        "body": body,
        "latin": " ".join(latin_forms(body)),
    } | rest


def _strings(value: Any) -> Iterator[str]:
    """Every text inside JSON data (object values, list members), depth first."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)


def _incident_entries(connection: Connection, incident_id: str) -> list[dict[str, Any]]:
    # Named columns, not the entity: the migration that builds the index runs before
    # later migrations add columns of their own.
    row = connection.execute(
        select(
            Incident.id,
            Incident.title,
            Incident.time,
            Incident.place,
            Incident.weapon,
            Incident.objects_hit,
            Incident.military_objective,
            Incident.notes,
        ).where(Incident.id == incident_id)
    ).first()
    if row is None:
        return []
    owner = f"incident:{incident_id}"
    day = (row.time or {}).get("start", "")[:10] or None
    place = row.place or {}
    entries = [
        _entry(
            owner,
            "incident",
            row.id,
            [
                row.id,
                row.title,
                place.get("name"),
                place.get("admin1"),
                row.notes,
                *_strings(row.objects_hit),
                *_strings(row.military_objective),
                # The weapon is one of the incident's facts too, so that "Vuhledar Tochka"
                # finds the incident, not only the weapon entry below.
                *_strings(row.weapon),
            ],
            day=day,
        )
    ]
    if row.weapon:
        entries.append(_entry(owner, "weapon", row.id, _strings(row.weapon), day=day))
    reports = connection.execute(
        select(CasualtyReportRow.source_id, CasualtyReportRow.extra).where(
            CasualtyReportRow.incident_id == incident_id
        )
    )
    for source_id, extra in reports:
        texts = list(_strings(extra))
        if texts:
            entries.append(_entry(owner, "incident", row.id, texts, source=source_id, day=day))
    return entries


def _evidence_entries(connection: Connection, evidence_id: str) -> list[dict[str, Any]]:
    row = connection.execute(
        select(
            EvidenceItem.id,
            EvidenceItem.original_name,
            EvidenceItem.kind,
            EvidenceItem.metadata_normalised,
            EvidenceItem.first_ingested_at,
        ).where(EvidenceItem.id == evidence_id)
    ).first()
    if row is None:
        return []
    owner = f"evidence:{evidence_id}"
    meta = row.metadata_normalised or {}
    day = str(meta.get("captured_at") or row.first_ingested_at)[:10]
    own = {"item": row.id, "day": day}
    entries = [_entry(owner, "evidence", row.id, [row.id, row.original_name, row.kind], **own)]
    acquisitions = connection.execute(
        select(Acquisition.source_id, Acquisition.note, Acquisition.url, Acquisition.collector)
        .where(Acquisition.evidence_id == evidence_id)
        .order_by(Acquisition.id)
    )
    for source_id, *texts in acquisitions:
        if any(texts):
            entries.append(_entry(owner, "evidence", row.id, texts, source=source_id, **own))
    for name, value in sorted(meta.items()):
        texts = list(_strings(value))
        if texts and not name.endswith("_source"):  # which tag a value came from: not content
            entries.append(_entry(owner, "metadata", row.id, texts, field=name, **own))
    return entries


def _source_entries(connection: Connection, source_id: str) -> list[dict[str, Any]]:
    row = connection.execute(
        select(Source.id, Source.kind, Source.description, Source.notes, Source.url).where(
            Source.id == source_id
        )
    ).first()
    if row is None:
        return []
    texts = [row.id, row.kind, row.description, row.notes, row.url]
    return [_entry(f"source:{source_id}", "source", row.id, texts, source=row.id)]


_READERS = {"incident": _incident_entries, "evidence": _evidence_entries, "source": _source_entries}


def reindex(connection: Connection, owners: Iterable[str]) -> None:
    """Replace the entries of ``owners`` ("incident:ID", "evidence:ID", "source:ID") by
    those their current rows give (none for a row that is gone)."""
    owners = sorted(set(owners))
    if not owners:
        return
    connection.execute(delete(SearchEntry).where(SearchEntry.owner.in_(owners)))
    entries = [
        entry
        for owner in owners
        for entry in _READERS[owner.split(":", 1)[0]](connection, owner.split(":", 1)[1])
    ]
    if entries:
        connection.execute(insert(SearchEntry), entries)


def rebuild(connection: Connection) -> int:
    """Build the whole index again from the records; returns the number of entries."""
    connection.execute(delete(SearchEntry))
    owners = [f"incident:{i}" for i in connection.scalars(select(Incident.id))]
    owners += [f"evidence:{i}" for i in connection.scalars(select(EvidenceItem.id))]
    owners += [f"source:{i}" for i in connection.scalars(select(Source.id))]
    reindex(connection, owners)
    return len(connection.execute(select(SearchEntry.id)).all())


def _owner(target: Any) -> str | None:
    if isinstance(target, Incident):
        return f"incident:{target.id}"
    if isinstance(target, CasualtyReportRow):
        return f"incident:{target.incident_id}"
    if isinstance(target, EvidenceItem):
        return f"evidence:{target.id}"
    if isinstance(target, Acquisition):
        return f"evidence:{target.evidence_id}"
    if isinstance(target, Source):
        return f"source:{target.id}"
    return None


def keep_in_step(factory: sessionmaker[Session]) -> None:
    """Re-index, after each flush of a session of ``factory``, the owners of every indexed
    row the flush wrote or deleted, on the flush's own connection (same transaction)."""

    def after_flush(session: Session, _context: Any) -> None:
        changed = [*session.new, *session.dirty, *session.deleted]
        owners = {owner for owner in map(_owner, changed) if owner is not None}
        if owners:
            reindex(session.connection(), owners)

    event.listen(factory, "after_flush", after_flush)


def match_expression(text: str) -> str | None:
    """An FTS5 query for ``text`` that can never be a syntax error: every word becomes a
    quoted phrase token, each word must match (AND), a word matches as written or in any
    of its Latin spellings (OR), and the last word also as a prefix. None when ``text``
    has no word. (FTS5 query syntax: https://www.sqlite.org/fts5.html#full_text_query_syntax)"""
    words = _WORD.findall(text)
    if not words:
        return None
    terms = []
    for number, word in enumerate(words, start=1):
        prefix = "*" if number == len(words) else ""
        spellings = dict.fromkeys([word.lower(), *(f.lower() for f in latin_forms(word))])
        alternatives = [f'"{spelling}"{prefix}' for spelling in spellings]
        terms.append("(" + " OR ".join(alternatives) + ")")
    return " AND ".join(terms)
