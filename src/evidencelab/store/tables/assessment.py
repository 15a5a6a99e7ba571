"""Tables for the claims register and indicator sign-offs (assess layer).

`claim` holds public claims (who said what, when) with the named predicate that tests
them against the case. `indicator_signoff` holds every sign-off decision on an incident's
indicator, newest last: the current review of an indicator is its newest row, and a row
is *stale* when the fingerprint of the indicator's facts and numbers no longer matches
the one signed. Each row is written with its own custody event (`custody_seq`).
"""

from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from evidencelab.store.tables.core import Base


class Claim(Base):
    """A public claim about the attacks, testable by a named predicate."""

    __tablename__ = "claim"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)  # order of entry, kept on export
    claimant: Mapped[str] = mapped_column(Text)
    made_at: Mapped[str | None] = mapped_column(String)  # a date or an ISO 8601 time, as given
    text: Mapped[str] = mapped_column(Text)
    predicate: Mapped[str | None] = mapped_column(String)
    source_id: Mapped[str | None] = mapped_column(ForeignKey("source.id"))
    author: Mapped[str] = mapped_column(String)
    created_at: Mapped[str] = mapped_column(String)
    custody_seq: Mapped[int] = mapped_column(Integer, unique=True)
    # Fields the case file gave beyond the known ones, kept for export.
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class IndicatorSignoff(Base):
    """A person's decision on one indicator of one incident, with the SHA-256 of the
    indicator's facts and numbers at the time (canonical JSON)."""

    __tablename__ = "indicator_signoff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incident.id"), index=True)
    code: Mapped[str] = mapped_column(String)
    decision: Mapped[str] = mapped_column(String)  # accepted | rejected
    comment: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String)
    created_at: Mapped[str] = mapped_column(String)
    fingerprint: Mapped[str] = mapped_column(String(64))
    custody_seq: Mapped[int] = mapped_column(Integer, unique=True)
