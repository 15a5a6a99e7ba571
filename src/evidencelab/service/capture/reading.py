"""Captures as recorded: one in full, or all of them newest first."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidencelab.collect.bounds import bounds_in
from evidencelab.locker.case import Case
from evidencelab.locker.errors import InputError
from evidencelab.service.capture.records import CaptureItem, CaptureRecord, CaptureSummary
from evidencelab.store.tables import EvidenceItem
from evidencelab.store.tables.capture import WebCapture, WebCaptureItem


def capture_record(session: Session, capture_id: str) -> CaptureRecord:
    """The capture ``capture_id`` with its items; InputError (field ``capture``) if the
    case holds no such capture."""
    row = session.get(WebCapture, capture_id)
    if row is None:
        raise InputError("capture", capture_id, "no such capture in this case")
    facts = row.facts
    return CaptureRecord(
        id=row.id,
        url_entered=row.url_entered,
        url_final=row.url_final,
        redirects=row.redirects,
        http_status=row.http_status,
        title=row.title,
        page_text=row.page_text,
        platform=facts.get("platform"),
        post_id=facts.get("post_id"),
        author=facts.get("author"),
        posted_at=facts.get("posted_at"),
        facts=facts,
        source=row.source_id,
        incident=row.incident_id,
        collector=row.collector,
        note=row.note,
        user_agent=row.user_agent,
        viewport=row.viewport,
        versions=row.versions,
        clock=row.clock,
        transformations=row.transformations,
        bounds_reached=bounds_in(row.transformations),
        requests=row.requests,
        started_at=row.started_at,
        finished_at=row.finished_at,
        captured_by=row.captured_by,
        custody_seq=row.custody_seq,
        items=_items(session, capture_id),
    )


def _items(session: Session, capture_id: str) -> list[CaptureItem]:
    rows = session.execute(
        select(WebCaptureItem, EvidenceItem)
        .join(EvidenceItem, EvidenceItem.id == WebCaptureItem.evidence_id)
        .where(WebCaptureItem.capture_id == capture_id)
        .order_by(WebCaptureItem.id)
    )
    return [
        CaptureItem(
            role=link.role,
            evidence_id=item.id,
            sha256=item.sha256,
            url=link.url,
            name=item.original_name,
            media_type=item.media_type,
            kind=item.kind,
        )
        for link, item in rows
    ]


def get_capture(case: Case, capture_id: str) -> CaptureRecord:
    """:func:`capture_record` in a session of its own."""
    with case.sessions() as session:
        return capture_record(session, capture_id)


def list_captures(case: Case) -> list[CaptureSummary]:
    """Every capture, newest first."""
    counts = (
        select(WebCaptureItem.capture_id, func.count().label("n"))
        .group_by(WebCaptureItem.capture_id)
        .subquery()
    )
    with case.sessions() as session:
        rows = session.execute(
            select(WebCapture, counts.c.n)
            .join(counts, counts.c.capture_id == WebCapture.id)
            .order_by(WebCapture.finished_at.desc())
        )
        return [
            CaptureSummary(
                id=row.id,
                url_final=row.url_final,
                title=row.title,
                http_status=row.http_status,
                finished_at=row.finished_at,
                captured_by=row.captured_by,
                items=n,
            )
            for row, n in rows
        ]
