"""Sources declared one at a time (the case file declares them in bulk on import).

Every id that names a source must name a declared one, so an investigator working from the
command line declares a source before ingesting what came from it. The record is checked
as the case file format checks a source (kind, reliability grade, sensitive terms), and
written with its own custody event.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidencelab.case import Case, CaseError
from evidencelab.model.case import CASE_FORMAT
from evidencelab.model.casefile import case_file_from_dict
from evidencelab.model.errors import CaseFileError
from evidencelab.store.tables import Source

SOURCE_ADD = "source_add"

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


def add_source(case: Case, record: dict[str, Any]) -> dict[str, Any]:
    """Declare a source: ``record`` holds the case file's source fields (``id``, ``kind``,
    and optionally ``description``, ``sensitive``, ``reliability``, ``notes``, ``url``,
    ``sensitive_terms``). CaseError on an invalid record or an id already declared."""
    wanted = {key: value for key, value in record.items() if value is not None}
    document = {"format": CASE_FORMAT, "title": "source", "sources": [wanted]}
    try:
        case_file_from_dict(document, origin="source")
    except CaseFileError as error:
        raise CaseError(str(error).replace("source: sources[0].", "source: ")) from None
    with case.transaction() as session:
        if session.get(Source, wanted["id"]) is not None:
            raise CaseError(f"source {wanted['id']!r}: already declared in this case")
        upsert_source(session, wanted)
        case.record(session, SOURCE_ADD, wanted["id"], wanted)
    return wanted


def list_sources(case: Case) -> list[dict[str, Any]]:
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


def upsert_source(session: Session, d: dict[str, Any]) -> str:
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
