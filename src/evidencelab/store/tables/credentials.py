"""The content credentials (C2PA) read from each evidence item: one row per item read.

No row means the item has not been read (it was stored before the reading existed); a
reading again replaces the row, and the custody log keeps every earlier one.
"""

from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from evidencelab.store.tables.core import Base


class ContentCredentials(Base):
    """What an item's C2PA manifest says and whether it validates (extract.credentials)."""

    __tablename__ = "content_credentials"

    evidence_id: Mapped[str] = mapped_column(ForeignKey("evidence.id"), primary_key=True)
    state: Mapped[str] = mapped_column(String)  # none | unsupported | invalid | valid | trusted
    manifest: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    validation_results: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    problem: Mapped[str | None] = mapped_column(Text, nullable=True)
    library: Mapped[str] = mapped_column(String)
    anchors_sha256: Mapped[str] = mapped_column(String(64))
    read_at: Mapped[str] = mapped_column(String)
