"""imagery: satellite scenes and their annotations

Revision ID: 0006
Revises: 0005

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "scene",
        sa.Column("evidence_id", sa.String(), nullable=False),
        sa.Column("georeferenced", sa.Boolean(), nullable=False),
        sa.Column("crs", sa.String(), nullable=True),
        sa.Column("footprint", sa.JSON(), nullable=True),
        sa.Column("west", sa.Float(), nullable=True),
        sa.Column("south", sa.Float(), nullable=True),
        sa.Column("east", sa.Float(), nullable=True),
        sa.Column("north", sa.Float(), nullable=True),
        sa.Column("resolution_m", sa.Float(), nullable=True),
        sa.Column("acquired_at", sa.String(), nullable=True),
        sa.Column("acquired_at_source", sa.String(), nullable=True),
        sa.Column("sensor", sa.Text(), nullable=True),
        sa.Column("provider", sa.Text(), nullable=True),
        sa.Column("licence", sa.Text(), nullable=True),
        sa.Column("attribution", sa.Text(), nullable=True),
        sa.Column("publishable", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.String(), nullable=False),
        sa.Column("custody_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"]),
        sa.PrimaryKeyConstraint("evidence_id"),
    )
    with op.batch_alter_table("scene", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scene_acquired_at"), ["acquired_at"], unique=False)

    op.create_table(
        "scene_annotation",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scene_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("geometry", sa.JSON(), nullable=False),
        sa.Column("measures", sa.JSON(), nullable=False),
        sa.Column("diameter_m", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("created_at", sa.String(), nullable=False),
        sa.Column("custody_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["scene_id"], ["evidence.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("custody_seq"),
    )
    with op.batch_alter_table("scene_annotation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scene_annotation_scene_id"), ["scene_id"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("scene_annotation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scene_annotation_scene_id"))
    op.drop_table("scene_annotation")
    with op.batch_alter_table("scene", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scene_acquired_at"))
    op.drop_table("scene")
