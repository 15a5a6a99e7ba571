"""Tables of web captures: the capture record (what was asked, what answered, with what,
by whom and when) and the evidence items a capture produced (its WACZ, screenshot and
media, each derived from the capture).

Times are ISO 8601 UTC text. Each row names the custody event that recorded it; rows are
never updated.
"""

from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from evidencelab.store.tables.core import Base


class WebCapture(Base):
    __tablename__ = "web_capture"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    wacz_evidence_id: Mapped[str] = mapped_column(ForeignKey("evidence.id"), index=True)
    url_entered: Mapped[str] = mapped_column(Text)
    url_final: Mapped[str] = mapped_column(Text)
    redirects: Mapped[list[Any]] = mapped_column(JSON)
    http_status: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(Text)
    page_text: Mapped[str] = mapped_column(Text)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_id: Mapped[str | None] = mapped_column(ForeignKey("source.id"))
    incident_id: Mapped[str | None] = mapped_column(ForeignKey("incident.id"))
    collector: Mapped[str | None] = mapped_column(String)
    note: Mapped[str | None] = mapped_column(Text)
    user_agent: Mapped[str] = mapped_column(Text)
    viewport: Mapped[dict[str, Any]] = mapped_column(JSON)
    versions: Mapped[dict[str, Any]] = mapped_column(JSON)
    clock: Mapped[dict[str, Any]] = mapped_column(JSON)
    transformations: Mapped[list[Any]] = mapped_column(JSON)
    requests: Mapped[list[Any]] = mapped_column(JSON)
    started_at: Mapped[str] = mapped_column(String)
    finished_at: Mapped[str] = mapped_column(String)
    captured_by: Mapped[str] = mapped_column(String)
    custody_seq: Mapped[int] = mapped_column(Integer)


class WebCaptureItem(Base):
    """An evidence item a capture produced; ``role`` is ``wacz``, ``screenshot``, ``media``
    or ``platform`` (yt-dlp), ``url`` where a media file was served from."""

    __tablename__ = "web_capture_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    capture_id: Mapped[str] = mapped_column(ForeignKey("web_capture.id"), index=True)
    evidence_id: Mapped[str] = mapped_column(ForeignKey("evidence.id"), index=True)
    role: Mapped[str] = mapped_column(String)
    url: Mapped[str | None] = mapped_column(Text)
