"""evidence indexes

Indexes for the evidence list: it filters on kind and source and pages in order of first
ingest (ties broken by id).

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
        batch_op.create_index("ix_evidence_kind", ["kind"], unique=False)
        batch_op.create_index("ix_evidence_source_id", ["source_id"], unique=False)
        batch_op.create_index(
            "ix_evidence_first_ingested_at_id", ["first_ingested_at", "id"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_first_ingested_at_id")
        batch_op.drop_index("ix_evidence_source_id")
        batch_op.drop_index("ix_evidence_kind")
