"""references between records are foreign keys

Every id that names another record is now a foreign key, so that the database itself
refuses a record naming a source or an incident the case does not hold: the source of an
evidence item, an acquisition, a casualty report, a claim and a context object added by
hand, and the incident of an indicator sign-off. Rows written before this revision are
kept as they are (SQLite checks a key when a row is written); `verify` names any that
name a record that does not exist.

Revision ID: 0011
Revises: 0010

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, referenced table)
REFERENCES = (
    ("evidence", "source_id", "source"),
    ("acquisition", "source_id", "source"),
    ("casualty_report", "source_id", "source"),
    ("claim", "source_id", "source"),
    ("context_object", "source_id", "source"),
    ("indicator_signoff", "incident_id", "incident"),
)


def _name(table: str, column: str) -> str:
    return f"fk_{table}_{column}"


def upgrade() -> None:
    """Upgrade schema."""
    for table, column, target in REFERENCES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_foreign_key(_name(table, column), target, [column], ["id"])


def downgrade() -> None:
    """Downgrade schema."""
    for table, column, _target in REFERENCES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(_name(table, column), type_="foreignkey")
