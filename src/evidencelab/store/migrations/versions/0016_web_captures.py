"""web captures: the capture record and the items each capture produced

Revision ID: 0016
Revises: 0015

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "web_capture",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("wacz_evidence_id", sa.String(), nullable=False),
        sa.Column("url_entered", sa.Text(), nullable=False),
        sa.Column("url_final", sa.Text(), nullable=False),
        sa.Column("redirects", sa.JSON(), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("page_text", sa.Text(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("source_id", sa.String(), nullable=True),
        sa.Column("incident_id", sa.String(), nullable=True),
        sa.Column("collector", sa.String(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("user_agent", sa.Text(), nullable=False),
        sa.Column("viewport", sa.JSON(), nullable=False),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.Column("clock", sa.JSON(), nullable=False),
        sa.Column("transformations", sa.JSON(), nullable=False),
        sa.Column("requests", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.String(), nullable=False),
        sa.Column("finished_at", sa.String(), nullable=False),
        sa.Column("captured_by", sa.String(), nullable=False),
        sa.Column("custody_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["wacz_evidence_id"], ["evidence.id"]),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"]),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("web_capture", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_web_capture_wacz_evidence_id"), ["wacz_evidence_id"], unique=False
        )
    op.create_table(
        "web_capture_item",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("capture_id", sa.String(), nullable=False),
        sa.Column("evidence_id", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["capture_id"], ["web_capture.id"]),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("web_capture_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_web_capture_item_capture_id"), ["capture_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_web_capture_item_evidence_id"), ["evidence_id"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("web_capture_item")
    op.drop_table("web_capture")
