"""Tables for the full-text search index and for discussion: derived data and working
notes, neither of them evidence (both are left out of the custody log, see
``locker/records.UNLOGGED``).

`search_entry` holds the text the search finds, one row per searchable record: an
incident, the weapon an incident names, an evidence item, a source, one metadata field of
an item; text that a source's sensitivity withholds (an acquisition's note, a casualty
report's quote) is a row of its own naming that source. The SQLite FTS5 table
`search_fts` (created by migration 0013, outside the ORM because it is a virtual table)
indexes its `body` and `latin` columns as external content, kept equal by triggers.
"""

from typing import Final

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from evidencelab.store.tables.core import Base

#: The FTS5 virtual table over search_entry (see migration 0013).
FTS_TABLE: Final = "search_fts"


class SearchEntry(Base):
    """One searchable text: what it belongs to, who may see it, and its words."""

    __tablename__ = "search_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # "incident:ID", "evidence:ID" or "source:ID": the record re-indexed when it changes.
    owner: Mapped[str] = mapped_column(String, index=True)
    kind: Mapped[str] = mapped_column(String)  # incident | weapon | evidence | source | metadata
    ref: Mapped[str] = mapped_column(String)  # the incident, item or source id
    field: Mapped[str | None] = mapped_column(String)  # a metadata field's name
    item: Mapped[str | None] = mapped_column(String)  # withheld with this evidence item
    source: Mapped[str | None] = mapped_column(String)  # withheld with this source
    day: Mapped[str | None] = mapped_column(String)  # YYYY-MM-DD, for the date filter
    body: Mapped[str] = mapped_column(Text)
    latin: Mapped[str] = mapped_column(Text)  # the body's Cyrillic in Latin spellings


class Comment(Base):
    """A comment on an incident or an evidence item; a deleted one keeps its place."""

    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject_kind: Mapped[str] = mapped_column(String)  # incident | evidence
    subject_id: Mapped[str] = mapped_column(String, index=True)
    author: Mapped[str] = mapped_column(String)  # a web user's name
    body: Mapped[str | None] = mapped_column(Text)  # None once deleted
    created_at: Mapped[str] = mapped_column(String)
    edited_at: Mapped[str | None] = mapped_column(String)
    deleted_at: Mapped[str | None] = mapped_column(String)


class CommentMention(Base):
    """A user named in a comment by @name."""

    __tablename__ = "comment_mention"

    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), primary_key=True)
    user_name: Mapped[str] = mapped_column(String, primary_key=True, index=True)


class ActivitySeen(Base):
    """How far a user has read the activity feed: the last custody event and comment."""

    __tablename__ = "activity_seen"

    user_name: Mapped[str] = mapped_column(String, primary_key=True)
    event_seq: Mapped[int] = mapped_column(Integer)
    comment_id: Mapped[int] = mapped_column(Integer)
    seen_at: Mapped[str] = mapped_column(String)
