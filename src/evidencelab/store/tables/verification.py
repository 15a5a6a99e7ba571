"""Tables for geolocation records, their reviews and evidence verification status (verify layer).

Reviews and status changes are events, never updates: every row is kept, the latest (by id)
is the current state, and each row names the custody event that recorded it.
"""

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from evidencelab.store.tables.core import Base


class Geolocation(Base):
    """Where an evidence item was taken, or an incident happened, and how that was found.

    The subject is exactly one of ``evidence_id`` and ``incident_id``. ``lat``/``lon`` are
    WGS 84 degrees; ``precision_m`` is the radius in metres within which the point lies.
    """

    __tablename__ = "geolocation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    evidence_id: Mapped[str | None] = mapped_column(ForeignKey("evidence.id"), index=True)
    incident_id: Mapped[str | None] = mapped_column(ForeignKey("incident.id"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    precision_m: Mapped[float] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String)
    reference: Mapped[str | None] = mapped_column(Text)
    reasoning: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String)
    created_at: Mapped[str] = mapped_column(String)
    custody_seq: Mapped[int] = mapped_column(Integer, unique=True)


class GeolocationReview(Base):
    """One review of a geolocation: unreviewed, reviewed or disputed; the latest wins."""

    __tablename__ = "geolocation_review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    geolocation_id: Mapped[int] = mapped_column(ForeignKey("geolocation.id"), index=True)
    state: Mapped[str] = mapped_column(String)
    comment: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String)
    reviewed_at: Mapped[str] = mapped_column(String)
    custody_seq: Mapped[int] = mapped_column(Integer, unique=True)


class EvidenceStatusEvent(Base):
    """One verification status set on an evidence item; the latest wins."""

    __tablename__ = "evidence_status"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    evidence_id: Mapped[str] = mapped_column(ForeignKey("evidence.id"), index=True)
    state: Mapped[str] = mapped_column(String)
    reason: Mapped[str | None] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(String)
    set_at: Mapped[str] = mapped_column(String)
    custody_seq: Mapped[int] = mapped_column(Integer, unique=True)
