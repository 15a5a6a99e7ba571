"""Tables for the safeguards around graphic content: an item's sensitivity flags, its
clearance for publication, who reviewed (watched) it, and each user's viewing preferences.

Flags and clearances are current state (a cleared flag's row is deleted); their history is
the custody log, whose events name who set or cleared each and why.
"""

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from evidencelab.store.tables.core import Base


class EvidenceFlag(Base):
    """One sensitivity flag on an evidence item (model.sensitivity.FLAGS)."""

    __tablename__ = "evidence_flag"

    evidence_id: Mapped[str] = mapped_column(ForeignKey("evidence.id"), primary_key=True)
    flag: Mapped[str] = mapped_column(String, primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(String)
    set_at: Mapped[str] = mapped_column(String)
    custody_seq: Mapped[int] = mapped_column(Integer)


class EvidenceClearance(Base):
    """A reviewer's decision that an item's media may appear in public outputs, for the
    covering flags it had then (``flags``, a JSON list)."""

    __tablename__ = "evidence_clearance"

    evidence_id: Mapped[str] = mapped_column(ForeignKey("evidence.id"), primary_key=True)
    flags: Mapped[list[str]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    cleared_by: Mapped[str] = mapped_column(String)
    cleared_at: Mapped[str] = mapped_column(String)
    custody_seq: Mapped[int] = mapped_column(Integer)


class EvidenceReview(Base):
    """Someone watched an item in full and says so, so that others need not."""

    __tablename__ = "evidence_review_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    evidence_id: Mapped[str] = mapped_column(ForeignKey("evidence.id"), index=True)
    reviewer: Mapped[str] = mapped_column(String)
    reviewed_at: Mapped[str] = mapped_column(String)
    note: Mapped[str] = mapped_column(Text)
    custody_seq: Mapped[int] = mapped_column(Integer, unique=True)


class ViewingPreference(Base):
    """How a user wants media shown before reveal; no row means both safeguards on."""

    __tablename__ = "viewing_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("web_user.id"), primary_key=True)
    greyscale: Mapped[bool] = mapped_column(Boolean, default=True)
    blur: Mapped[bool] = mapped_column(Boolean, default=True)
