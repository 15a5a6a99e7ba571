"""Captures as a reader may see them (the one rule of ``service.access.withholding``):
without ``read_sensitive``, a capture whose WACZ is a sensitive item or whose source is
sensitive is absent, as if it did not exist (its URL, text and screenshot would name what
the sensitive record hides), and a sensitive item is left out of a capture's items.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidencelab.locker.case import Case
from evidencelab.locker.errors import InputError
from evidencelab.service.capture.reading import capture_record, list_captures
from evidencelab.service.capture.records import CaptureLink, CaptureRecord, CaptureSummary
from evidencelab.store.tables import EvidenceItem, Source
from evidencelab.store.tables.capture import WebCapture, WebCaptureItem


def capture_view(case: Case, capture_id: str, *, sensitive: bool) -> CaptureRecord:
    """The capture ``capture_id`` as the reader may see it; InputError (field ``capture``)
    when the case holds no such capture or the reader may not see it."""
    with case.sessions() as session:
        if not sensitive and capture_id in _hidden(session):
            raise InputError("capture", capture_id, "no such capture in this case")
        record = capture_record(session, capture_id)
        if not sensitive:
            hidden = _sensitive_items(session)
            record["items"] = [i for i in record["items"] if i["evidence_id"] not in hidden]
        return record


def capture_list(case: Case, *, sensitive: bool) -> list[CaptureSummary]:
    """Every capture the reader may see, newest first."""
    captures = list_captures(case)
    if sensitive:
        return captures
    with case.sessions() as session:
        hidden = _hidden(session)
    return [c for c in captures if c["id"] not in hidden]


def captures_of_item(case: Case, evidence_id: str, *, sensitive: bool) -> list[CaptureLink]:
    """The captures the item ``evidence_id`` came from (the same bytes served again are
    one item of several captures), oldest first; none the reader may not see."""
    with case.sessions() as session:
        rows = session.execute(
            select(WebCaptureItem.role, WebCapture)
            .join(WebCapture, WebCapture.id == WebCaptureItem.capture_id)
            .where(WebCaptureItem.evidence_id == evidence_id)
            .order_by(WebCapture.finished_at)
        ).all()
        hidden = set() if sensitive else _hidden(session)
    return [
        CaptureLink(
            capture_id=capture.id,
            role=role,
            url_final=capture.url_final,
            title=capture.title,
            finished_at=capture.finished_at,
        )
        for role, capture in rows
        if capture.id not in hidden
    ]


def _sensitive_items(session: Session) -> set[str]:
    return set(session.scalars(select(EvidenceItem.id).where(EvidenceItem.sensitive.is_(True))))


def _hidden(session: Session) -> set[str]:
    """Ids of the captures a reader without ``read_sensitive`` may not see."""
    wacz = select(EvidenceItem.id).where(EvidenceItem.sensitive.is_(True))
    sources = select(Source.id).where(Source.sensitive.is_(True))
    query = select(WebCapture.id).where(
        WebCapture.wacz_evidence_id.in_(wacz) | WebCapture.source_id.in_(sources)
    )
    return set(session.scalars(query))
