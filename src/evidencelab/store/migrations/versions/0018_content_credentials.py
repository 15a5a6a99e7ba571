"""content credentials

The C2PA manifest read from each evidence item (state, active manifest, validation
results, the library and the trust anchors used). Items stored before have no row: not
read until ``evidencelab extract c2pa``.

Revision ID: 0018
Revises: 0017

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "content_credentials",
        sa.Column("evidence_id", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=True),
        sa.Column("validation_results", sa.JSON(), nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("library", sa.String(), nullable=False),
        sa.Column("anchors_sha256", sa.String(length=64), nullable=False),
        sa.Column("read_at", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"]),
        sa.PrimaryKeyConstraint("evidence_id"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("content_credentials")
