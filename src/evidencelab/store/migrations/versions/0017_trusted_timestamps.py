"""trusted timestamps

Time-stamping authorities configured per case, the canonical manifests sent to them and
each RFC 3161 answer (request, response and token as DER, with the token's serial,
genTime, policy and certificates).

Revision ID: 0017
Revises: 0016

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "timestamp_authority",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("roots_pem", sa.Text(), nullable=False),
        sa.Column("policy_oid", sa.String(), nullable=True),
        sa.Column("added_at", sa.String(), nullable=False),
        sa.Column("added_by", sa.String(), nullable=False),
        sa.Column("removed_at", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "timestamp_manifest",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("previous_sha256", sa.String(length=64), nullable=True),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
    )
    op.create_table(
        "timestamp_token",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("manifest_id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("request_der", sa.LargeBinary(), nullable=False),
        sa.Column("response_der", sa.LargeBinary(), nullable=False),
        sa.Column("token_der", sa.LargeBinary(), nullable=False),
        sa.Column("nonce", sa.String(), nullable=False),
        sa.Column("serial", sa.String(), nullable=False),
        sa.Column("gen_time", sa.String(), nullable=False),
        sa.Column("policy", sa.String(), nullable=False),
        sa.Column("certificates_pem", sa.Text(), nullable=False),
        sa.Column("custody_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["authority_id"], ["timestamp_authority.id"]),
        sa.ForeignKeyConstraint(["manifest_id"], ["timestamp_manifest.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("timestamp_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_timestamp_token_authority_id"), ["authority_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_timestamp_token_manifest_id"), ["manifest_id"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("timestamp_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_timestamp_token_manifest_id"))
        batch_op.drop_index(batch_op.f("ix_timestamp_token_authority_id"))
    op.drop_table("timestamp_token")
    op.drop_table("timestamp_manifest")
    op.drop_table("timestamp_authority")
