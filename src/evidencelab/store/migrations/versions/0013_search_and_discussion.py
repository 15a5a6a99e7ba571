"""search index and discussion

The full-text search index: `search_entry` (one row per searchable text, with its Latin
transliteration) and the SQLite FTS5 table `search_fts` over it (unicode61 tokenizer,
diacritics removed), kept equal to it by the triggers SQLite's documentation gives for an
external content table (https://www.sqlite.org/fts5.html#external_content_tables). An
existing case's index is built here from its records.

Discussion: comments on incidents and evidence items, the users they mention, and how far
each user has read the activity feed.

Revision ID: 0013
Revises: 0012

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from evidencelab.store.search_index import rebuild

# revision identifiers, used by Alembic.
revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FTS = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(body, latin, content='search_entry', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
)
_TRIGGERS = (
    "CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry BEGIN "
    "INSERT INTO search_fts(rowid, body, latin) VALUES (new.id, new.body, new.latin); END",
    "CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, body, latin) "
    "VALUES ('delete', old.id, old.body, old.latin); END",
    "CREATE TRIGGER search_entry_au AFTER UPDATE ON search_entry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, body, latin) "
    "VALUES ('delete', old.id, old.body, old.latin); "
    "INSERT INTO search_fts(rowid, body, latin) VALUES (new.id, new.body, new.latin); END",
)


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "search_entry",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("owner", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("ref", sa.String(), nullable=False),
        sa.Column("field", sa.String(), nullable=True),
        sa.Column("item", sa.String(), nullable=True),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("day", sa.String(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("latin", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_search_entry_owner", "search_entry", ["owner"])
    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject_kind", sa.String(), nullable=False),
        sa.Column("subject_id", sa.String(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(), nullable=False),
        sa.Column("edited_at", sa.String(), nullable=True),
        sa.Column("deleted_at", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_comment_subject_id", "comment", ["subject_id"])
    op.create_table(
        "comment_mention",
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("user_name", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comment.id"]),
        sa.PrimaryKeyConstraint("comment_id", "user_name"),
    )
    op.create_index("ix_comment_mention_user_name", "comment_mention", ["user_name"])
    op.create_table(
        "activity_seen",
        sa.Column("user_name", sa.String(), nullable=False),
        sa.Column("event_seq", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("user_name"),
    )
    op.execute(_FTS)
    for trigger in _TRIGGERS:
        op.execute(trigger)
    rebuild(op.get_bind())


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("activity_seen")
    op.drop_index("ix_comment_mention_user_name", table_name="comment_mention")
    op.drop_table("comment_mention")
    op.drop_index("ix_comment_subject_id", table_name="comment")
    op.drop_table("comment")
    for trigger in ("search_entry_ai", "search_entry_ad", "search_entry_au"):
        op.execute(f"DROP TRIGGER {trigger}")
    op.execute("DROP TABLE search_fts")
    op.drop_index("ix_search_entry_owner", table_name="search_entry")
    op.drop_table("search_entry")
