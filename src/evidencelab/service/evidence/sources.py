"""Sources declared one at a time (the case file declares them in bulk on import).

Every id that names a source must name a declared one, so an investigator working from the
command line declares a source before ingesting what came from it. The record is checked
as the case file format checks a source (kind, reliability grade, sensitive terms), and
written with its own custody event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidencelab.case import Case, CaseError
from evidencelab.model.case import CASE_FORMAT
from evidencelab.model.casefile import case_file_from_dict
from evidencelab.model.errors import CaseFileError
from evidencelab.service.evidence.records import SourceDeclaration, SourceSummary
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


def add_source(case: Case, record: SourceDeclaration) -> SourceDeclaration:
    """Declare a source: ``record`` holds the case file's source fields (``id``, ``kind``,
    and optionally ``description``, ``sensitive``, ``reliability``, ``notes``, ``url``,
    ``sensitive_terms``); those given as None are left out of what is declared and
    returned. CaseError on an invalid record or an id already declared."""
    # The same record with fewer keys, each optional: mypy cannot follow the filter.
    wanted = cast(SourceDeclaration, {k: v for k, v in record.items() if v is not None})
    document = {"format": CASE_FORMAT, "title": "source", "sources": [wanted]}
    try:
        case_file_from_dict(document, origin="source")
    except CaseFileError as error:
        raise CaseError(str(error).replace("source: sources[0].", "source: ")) from None
    with case.transaction() as session:
        if session.get(Source, wanted["id"]) is not None:
            raise CaseError(f"source {wanted['id']!r}: already declared in this case")
        upsert_source(session, wanted)
        case.record(session, SOURCE_ADD, wanted["id"], dict(wanted))
    return wanted


def list_sources(case: Case) -> list[SourceSummary]:
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


def upsert_source(session: Session, d: Mapping[str, Any]) -> str:
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
