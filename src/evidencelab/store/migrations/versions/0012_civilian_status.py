"""civilian status

A casualty report's `civilian` may be `unknown` as well as true or false: a status the
source does not give and the team cannot establish, reported apart and never added to
civilians (Every Casualty Worldwide, Standards for Casualty Recording, 2016; OHCHR's
casualty recording). The boolean column becomes a JSON one holding true, false or
"unknown", the values the case file gives, so that records the custody log holds as true
or false still equal the stored ones.

Revision ID: 0012
Revises: 0011

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema: 1 and 0 become the JSON text true and false."""
    with op.batch_alter_table("casualty_report", schema=None) as batch_op:
        batch_op.alter_column(
            "civilian", existing_type=sa.Boolean(), type_=sa.JSON(), existing_nullable=False
        )
    op.execute(
        "UPDATE casualty_report SET civilian = CASE civilian "
        "WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE civilian END"
    )


def downgrade() -> None:
    """Downgrade schema; refused while a report's civilian status is unknown, which a
    boolean cannot hold."""
    connection = op.get_bind()
    unknown = connection.execute(
        sa.text("SELECT count(*) FROM casualty_report WHERE civilian NOT IN ('true', 'false')")
    ).scalar_one()
    if unknown:
        raise RuntimeError(
            f"cannot downgrade below 0012: {unknown} casualty report(s) have civilian status "
            "other than true or false (unknown), which revision 0011 cannot hold"
        )
    op.execute("UPDATE casualty_report SET civilian = CASE civilian WHEN 'true' THEN 1 ELSE 0 END")
    with op.batch_alter_table("casualty_report", schema=None) as batch_op:
        batch_op.alter_column(
            "civilian", existing_type=sa.JSON(), type_=sa.Boolean(), existing_nullable=False
        )
