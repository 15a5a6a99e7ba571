"""verification: geolocation records, their reviews, evidence verification status

Revision ID: 0004
Revises: 0003

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "geolocation",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("evidence_id", sa.String(), nullable=True),
        sa.Column("incident_id", sa.String(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("precision_m", sa.Float(), nullable=False),
        sa.Column("method", sa.String(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=True),
        sa.Column("reasoning", sa.Text(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("created_at", sa.String(), nullable=False),
        sa.Column("custody_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"]),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("custody_seq"),
    )
    with op.batch_alter_table("geolocation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_geolocation_evidence_id"), ["evidence_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_geolocation_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "geolocation_review",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("geolocation_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("reviewer", sa.String(), nullable=False),
        sa.Column("reviewed_at", sa.String(), nullable=False),
        sa.Column("custody_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["geolocation_id"], ["geolocation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("custody_seq"),
    )
    with op.batch_alter_table("geolocation_review", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_geolocation_review_geolocation_id"), ["geolocation_id"], unique=False
        )

    op.create_table(
        "evidence_status",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("evidence_id", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("set_by", sa.String(), nullable=False),
        sa.Column("set_at", sa.String(), nullable=False),
        sa.Column("custody_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("custody_seq"),
    )
    with op.batch_alter_table("evidence_status", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_status_evidence_id"), ["evidence_id"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("evidence_status", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_status_evidence_id"))
    op.drop_table("evidence_status")
    with op.batch_alter_table("geolocation_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_geolocation_review_geolocation_id"))
    op.drop_table("geolocation_review")
    with op.batch_alter_table("geolocation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_geolocation_incident_id"))
        batch_op.drop_index(batch_op.f("ix_geolocation_evidence_id"))
    op.drop_table("geolocation")
