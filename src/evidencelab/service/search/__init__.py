"""Search across incidents, weapons, evidence, sources and metadata (SQLite FTS5).

Several words must all match, the last also as a prefix; a word matches in any Latin
spelling of Cyrillic text and back (``model.transliteration``). A reader without
``read_sensitive`` never finds a sensitive item or source, nor text a sensitive source
gave (an acquisition's note), nor text that names one: the filter runs in the query, so
nothing about them (not even a count) comes back.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from evidencelab.locker.case import Case
from evidencelab.locker.errors import InputError
from evidencelab.service.access.withholding import withholding
from evidencelab.service.search.records import (
    IndexRebuilt,
    SearchGroup,
    SearchHit,
    SearchResults,
    SnippetPart,
)
from evidencelab.store.search_index import KINDS, match_expression, rebuild
from evidencelab.store.tables import EvidenceItem, Incident

LABELS = {
    "incident": "Incidents",
    "weapon": "Weapons",
    "evidence": "Evidence",
    "source": "Sources",
    "metadata": "Metadata fields",
}
LIMIT = 200
# Marks FTS5's snippet() puts around a matched word: control characters no text holds.
_OPEN, _CLOSE = "\x02", "\x03"


def _day(field: str, value: str | None) -> str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise InputError(field, value, "not a date (YYYY-MM-DD)") from None


def _kinds(kinds: list[str] | None) -> list[str]:
    for kind in kinds or []:
        if kind not in KINDS:
            raise InputError("kind", kind, f"unknown kind; one of {', '.join(KINDS)}")
    return [k for k in KINDS if k in kinds] if kinds else list(KINDS)


def search(
    case: Case,
    query: str,
    *,
    sensitive: bool,
    kinds: list[str] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
) -> SearchResults:
    """Records whose text holds every word of ``query``, grouped by kind, best first;
    ``kinds`` limits the kinds, ``date_from``/``date_to`` (YYYY-MM-DD, inclusive) the day
    (a record without one, a source, is left out when a date is given)."""
    chosen = _kinds(kinds)
    start, end = _day("date_from", date_from), _day("date_to", date_to)
    results: SearchResults = {
        "query": query.strip(),
        "kinds": chosen,
        "date_from": start,
        "date_to": end,
        "total": 0,
        "groups": [],
    }
    expression = match_expression(query)
    if expression is None:
        return results
    with case.sessions() as session:
        withheld = withholding(session, sensitive=sensitive)
        rows = _matches(session, expression, chosen, start, end, withheld.names, withheld.sources)
        rows = [r for r in rows if not withheld.names_any(r.body)]
        titles = _titles(session, rows)
    hits: dict[str, list[SearchHit]] = {}
    for row in rows:
        hits.setdefault(row.kind, []).append(
            {
                "kind": row.kind,
                "ref": row.ref,
                "title": titles.get((row.kind, row.ref)) or row.ref,
                "field": row.field,
                "day": row.day,
                "snippet": _parts(row.snippet),
            }
        )
    groups: list[SearchGroup] = [
        {"kind": k, "label": LABELS[k], "hits": hits[k]} for k in KINDS if k in hits
    ]
    return results | {"total": len(rows), "groups": groups}


def _matches(
    session: Session,
    expression: str,
    kinds: list[str],
    start: str | None,
    end: str | None,
    names: frozenset[str],
    sources: frozenset[str],
) -> list[Any]:
    conditions = ["search_fts MATCH :expression"]
    params: dict[str, Any] = {"expression": expression, "limit": LIMIT}
    conditions.append(f"e.kind IN ({_placeholders('kind', kinds, params)})")
    if start:
        conditions.append("e.day >= :start")
        params["start"] = start
    if end:
        conditions.append("e.day <= :end")
        params["end"] = end
    if names:
        conditions.append(f"coalesce(e.item, '') NOT IN ({_placeholders('n', names, params)})")
    if sources:
        conditions.append(f"coalesce(e.source, '') NOT IN ({_placeholders('s', sources, params)})")
    statement = (
        "SELECT e.kind, e.ref, e.field, e.day, e.body, "
        f"snippet(search_fts, -1, '{_OPEN}', '{_CLOSE}', '…', 16) AS snippet "
        "FROM search_fts JOIN search_entry e ON e.id = search_fts.rowid "
        f"WHERE {' AND '.join(conditions)} ORDER BY rank LIMIT :limit"
    )
    return list(session.execute(text(statement), params))


def _placeholders(prefix: str, values: Any, params: dict[str, Any]) -> str:
    names = []
    for number, value in enumerate(sorted(values)):
        params[f"{prefix}{number}"] = value
        names.append(f":{prefix}{number}")
    return ", ".join(names)


def _titles(session: Session, rows: list[Any]) -> dict[tuple[str, str], str]:
    incidents = {r.ref for r in rows if r.kind in ("incident", "weapon")}
    items = {r.ref for r in rows if r.kind in ("evidence", "metadata")}
    titles: dict[tuple[str, str], str] = {}
    for ref, title in session.execute(
        select(Incident.id, Incident.title).where(Incident.id.in_(incidents))
    ):
        titles[("incident", ref)] = titles[("weapon", ref)] = title or ref
    for ref, name in session.execute(
        select(EvidenceItem.id, EvidenceItem.original_name).where(EvidenceItem.id.in_(items))
    ):
        titles[("evidence", ref)] = titles[("metadata", ref)] = name
    return titles


def _parts(snippet: str) -> list[SnippetPart]:
    """FTS5's marked snippet as plain pieces, each matched word apart (so that a face can
    escape the text and mark the hits its own way)."""
    parts: list[SnippetPart] = []
    for number, piece in enumerate(snippet.replace(_CLOSE, _OPEN).split(_OPEN)):
        if piece:
            parts.append({"text": piece, "hit": number % 2 == 1})
    return parts


def rebuild_index(case: Case) -> IndexRebuilt:
    """Build the search index again from the records (after rows were changed outside the
    software, or to check it): derived data, so no custody event."""
    with case.transaction() as session:
        return {"entries": rebuild(session.connection())}
