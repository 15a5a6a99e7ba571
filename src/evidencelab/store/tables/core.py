"""Database tables of a case.

Times are stored as ISO 8601 text: UTC (``Z``) for times the system records, and the
offset as given for times that come from sources (incident times keep their local offset).
Value objects of the case file format (place, weapon, counts) are JSON columns.
"""

from typing import Any, ClassVar

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class CaseInfo(Base):
    """The case's own fields from the case file (one row)."""

    __tablename__ = "case_info"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)


class EvidenceItem(Base):
    """One original, stored once by SHA-256; acquired one or more times."""

    __tablename__ = "evidence"
    # The evidence list pages in order of first ingest, filters on kind and source, and
    # hides sensitive items; each index covers its query (migration 0008 says why).
    __table_args__ = (
        Index("ix_evidence_order", "first_ingested_at", "id", "sensitive"),
        Index("ix_evidence_kind", "kind", "sensitive", "first_ingested_at", "id"),
        Index("ix_evidence_source", "source_id", "sensitive", "first_ingested_at", "id"),
    )

    id: Mapped[str] = mapped_column(String, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    original_name: Mapped[str] = mapped_column(String)
    # The case file format's `path` (relative to the case file) when the item was imported.
    case_path: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String)
    media_type: Mapped[str | None] = mapped_column(String)
    source_id: Mapped[str | None] = mapped_column(ForeignKey("source.id"))
    sensitive: Mapped[bool] = mapped_column(default=False)
    first_ingested_at: Mapped[str] = mapped_column(String)
    metadata_raw: Mapped[dict[str, Any]] = mapped_column(default=dict)
    metadata_normalised: Mapped[dict[str, Any]] = mapped_column(default=dict)
    extraction_errors: Mapped[list[Any]] = mapped_column(default=list)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)

    acquisitions: Mapped[list["Acquisition"]] = relationship(
        back_populates="evidence", order_by="Acquisition.id"
    )
    perceptual_hashes: Mapped[list["PerceptualHashRow"]] = relationship(
        order_by="PerceptualHashRow.id"
    )
    derivatives: Mapped[list["Derivative"]] = relationship(order_by="Derivative.id")


class Acquisition(Base):
    """Who collected an original, when and from where. Same bytes again: a new acquisition."""

    __tablename__ = "acquisition"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    evidence_id: Mapped[str] = mapped_column(ForeignKey("evidence.id"), index=True)
    source_id: Mapped[str | None] = mapped_column(ForeignKey("source.id"))
    url: Mapped[str | None] = mapped_column(Text)
    collector: Mapped[str | None] = mapped_column(String)
    collected_at: Mapped[str | None] = mapped_column(String)
    note: Mapped[str | None] = mapped_column(Text)
    original_path: Mapped[str] = mapped_column(Text)
    ingested_at: Mapped[str] = mapped_column(String)
    ingested_by: Mapped[str] = mapped_column(String)
    # The custody event that recorded this acquisition; verify compares the two.
    custody_seq: Mapped[int] = mapped_column(Integer, unique=True)

    evidence: Mapped["EvidenceItem"] = relationship(back_populates="acquisitions")


class PerceptualHashRow(Base):
    __tablename__ = "perceptual_hash"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    evidence_id: Mapped[str] = mapped_column(ForeignKey("evidence.id"), index=True)
    algorithm: Mapped[str] = mapped_column(String)
    hash_hex: Mapped[str] = mapped_column(String(64), index=True)
    quality: Mapped[int] = mapped_column(Integer)
    frame_time_s: Mapped[float | None] = mapped_column()


class Derivative(Base):
    """A file derived from an original (thumbnail, poster frame), stored as an object too."""

    __tablename__ = "derivative"
    __table_args__ = (UniqueConstraint("evidence_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    evidence_id: Mapped[str] = mapped_column(ForeignKey("evidence.id"), index=True)
    role: Mapped[str] = mapped_column(String)
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String)


class Source(Base):
    __tablename__ = "source"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)  # order of first appearance, kept on export
    kind: Mapped[str | None] = mapped_column(String)
    description: Mapped[str | None] = mapped_column(Text)
    sensitive: Mapped[bool] = mapped_column(default=False)
    reliability: Mapped[str | None] = mapped_column(String)
    notes: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    # Strings that identify the source, withheld wherever they appear in public outputs.
    sensitive_terms: Mapped[list[Any]] = mapped_column(default=list)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Incident(Base):
    __tablename__ = "incident"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)  # order of first appearance, kept on export
    title: Mapped[str | None] = mapped_column(Text)
    time: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    time_start: Mapped[str | None] = mapped_column(String, index=True)  # for ordering
    place: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    weapon: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    objects_hit: Mapped[list[Any]] = mapped_column(default=list)
    military_objective: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    notes: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Workflow (migration 0015): a status of the case's list (None: the list's first, where
    # every incident starts), a web user's name, an ISO 8601 date.
    status: Mapped[str | None] = mapped_column(String, index=True)
    assignee: Mapped[str | None] = mapped_column(String, index=True)
    due_on: Mapped[str | None] = mapped_column(String, index=True)

    casualty_reports: Mapped[list["CasualtyReportRow"]] = relationship(
        order_by="CasualtyReportRow.position", cascade="all, delete-orphan"
    )
    evidence_links: Mapped[list["IncidentEvidence"]] = relationship(
        order_by="IncidentEvidence.position", cascade="all, delete-orphan"
    )


class CasualtyReportRow(Base):
    __tablename__ = "casualty_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incident.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    source_id: Mapped[str | None] = mapped_column(ForeignKey("source.id"))
    scope: Mapped[str] = mapped_column(String)
    # true, false or "unknown", as the case file gives it (migration 0012)
    civilian: Mapped[bool | str] = mapped_column(JSON, default=True)
    killed: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    injured: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)


class IncidentEvidence(Base):
    __tablename__ = "incident_evidence"

    incident_id: Mapped[str] = mapped_column(ForeignKey("incident.id"), primary_key=True)
    evidence_id: Mapped[str] = mapped_column(ForeignKey("evidence.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class CustodyEvent(Base):
    """Append-only, hash-chained record of every action on the case."""

    __tablename__ = "custody_event"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    recorded_at: Mapped[str] = mapped_column(String)
    actor: Mapped[str] = mapped_column(String)
    action: Mapped[str] = mapped_column(String, index=True)
    subject: Mapped[str | None] = mapped_column(String, index=True)
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Finding(Base):
    """A re-runnable verification step attached to evidence: inputs, method, result, author."""

    __tablename__ = "finding"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    evidence_id: Mapped[str] = mapped_column(ForeignKey("evidence.id"), index=True)
    kind: Mapped[str] = mapped_column(String)
    method: Mapped[str] = mapped_column(Text)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    author: Mapped[str] = mapped_column(String)
    created_at: Mapped[str] = mapped_column(String)
    custody_seq: Mapped[int] = mapped_column(Integer, unique=True)
