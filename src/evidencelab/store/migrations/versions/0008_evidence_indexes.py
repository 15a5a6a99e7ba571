"""evidence indexes

Indexes for the evidence list: it filters on kind and source, hides sensitive items from
roles that may not see them, and pages in order of first ingest (ties broken by id). Each
index holds every column its query reads, so SQLite answers from the index alone (a plain
index on kind or source made the list's "distinct kinds and sources" slower, one table
lookup per row, than scanning the table).

Revision ID: 0008
Revises: 0007

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(
            "ix_evidence_order", ["first_ingested_at", "id", "sensitive"], unique=False
        )
        batch_op.create_index(
            "ix_evidence_kind", ["kind", "sensitive", "first_ingested_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_evidence_source",
            ["source_id", "sensitive", "first_ingested_at", "id"],
            unique=False,
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_source")
        batch_op.drop_index("ix_evidence_kind")
        batch_op.drop_index("ix_evidence_order")
