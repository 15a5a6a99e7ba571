"""incident workflow: status, assignee, due date; the case's own status list

Every incident gets a workflow status, an assignee (a web user's name) and a due date
(ISO 8601). The new columns start empty: an incident without a status of its own is at the
first status of the case's list ("to do" by default), so existing incidents are "to do"
without a row being rewritten (a value written here would be one no custody event logged).
``workflow_status`` holds a case's own list; empty, the default list applies.

Revision ID: 0015
Revises: 0014

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("status", "assignee", "due_on")


def upgrade() -> None:
    """Upgrade schema: three nullable columns on incident, each indexed (the incident list
    filters and sorts by them), and the status list table."""
    with op.batch_alter_table("incident", schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(), nullable=True))
            batch_op.create_index(f"ix_incident_{name}", [name], unique=False)
    op.create_table(
        "workflow_status",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    """Downgrade schema: the workflow fields and the case's status list are dropped."""
    op.drop_table("workflow_status")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.drop_index(f"ix_incident_{name}")
            batch_op.drop_column(name)
