"""context objects

Revision ID: 0003
Revises: 0002

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Bounding boxes of context objects (WGS84 degrees) and a bit mask of their kinds, as an
# auxiliary column that queries filter on while walking the tree. SQLite stores R*Tree
# coordinates as 32-bit floats rounded outward, so a stored box always holds the object.
CREATE_RTREE = (
    "CREATE VIRTUAL TABLE context_object_rtree USING rtree("
    "id, min_lon, max_lon, min_lat, max_lat, +kinds_mask)"
)


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "context_import",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(), nullable=False),
        sa.Column("objects", sa.Integer(), nullable=False),
        sa.Column("by_kind", sa.JSON(), nullable=False),
        sa.Column("skipped", sa.JSON(), nullable=False),
        sa.Column("imported_at", sa.String(), nullable=False),
        sa.Column("imported_by", sa.String(), nullable=False),
        sa.Column("custody_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("custody_seq"),
        sa.UniqueConstraint("sha256"),
    )
    op.create_table(
        "context_kind",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("bit", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
        sa.UniqueConstraint("bit"),
    )
    op.create_table(
        "context_object",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("origin", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=True),
        sa.Column("ref", sa.String(), nullable=True),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("category", sa.String(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("osm_type", sa.String(), nullable=True),
        sa.Column("osm_id", sa.Integer(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("geometry_wkb", sa.LargeBinary(), nullable=False),
        sa.Column("point_lat", sa.Float(), nullable=False),
        sa.Column("point_lon", sa.Float(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=True),
        sa.Column("source_id", sa.String(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.String(), nullable=False),
        sa.Column("added_by", sa.String(), nullable=False),
        sa.Column("custody_seq", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["import_id"], ["context_import.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("osm_type", "osm_id"),
        sa.UniqueConstraint("user_id"),
    )
    with op.batch_alter_table("context_object", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_context_object_import_id"), ["import_id"])
        batch_op.create_index(batch_op.f("ix_context_object_ref"), ["ref"])
    op.execute(CREATE_RTREE)


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DROP TABLE context_object_rtree")
    with op.batch_alter_table("context_object", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_context_object_ref"))
        batch_op.drop_index(batch_op.f("ix_context_object_import_id"))
    op.drop_table("context_object")
    op.drop_table("context_kind")
    op.drop_table("context_import")
