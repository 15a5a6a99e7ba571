"""evidence sensitivity flags, publication clearance, review notes, viewing preferences

Flags on an evidence item (graphic violence, dead or injured people, …) put a cover over
its media and keep it out of public outputs until a reviewer clears it; a review note says
who watched an item in full; each user chooses whether media is shown greyscale and
blurred before reveal.

Revision ID: 0014
Revises: 0013

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "evidence_flag",
        sa.Column("evidence_id", sa.String(), nullable=False),
        sa.Column("flag", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_by", sa.String(), nullable=False),
        sa.Column("set_at", sa.String(), nullable=False),
        sa.Column("custody_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"]),
        sa.PrimaryKeyConstraint("evidence_id", "flag"),
    )
    op.create_table(
        "evidence_clearance",
        sa.Column("evidence_id", sa.String(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("cleared_by", sa.String(), nullable=False),
        sa.Column("cleared_at", sa.String(), nullable=False),
        sa.Column("custody_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"]),
        sa.PrimaryKeyConstraint("evidence_id"),
    )
    op.create_table(
        "evidence_review_note",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("evidence_id", sa.String(), nullable=False),
        sa.Column("reviewer", sa.String(), nullable=False),
        sa.Column("reviewed_at", sa.String(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("custody_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("custody_seq"),
    )
    with op.batch_alter_table("evidence_review_note", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_review_note_evidence_id"), ["evidence_id"], unique=False
        )
    op.create_table(
        "viewing_preference",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("greyscale", sa.Boolean(), nullable=False),
        sa.Column("blur", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["web_user.id"]),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("viewing_preference")
    with op.batch_alter_table("evidence_review_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_review_note_evidence_id"))
    op.drop_table("evidence_review_note")
    op.drop_table("evidence_clearance")
    op.drop_table("evidence_flag")
