"""source sensitive terms

A source's ``sensitive_terms`` (a witness's name and its spellings, a phone number, an
address) get a column of their own: public outputs withhold them wherever they appear.
Case files imported before this revision kept such a list among the source's unknown
fields (``extra``); it moves into the column, so that it takes effect and export gives it
back once.

Revision ID: 0010
Revises: 0009

"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = "sensitive_terms"
SOURCE = sa.table(
    "source", sa.column("id", sa.String()), sa.column("extra", sa.JSON()), sa.column(KEY, sa.JSON())
)


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(KEY, sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    connection = op.get_bind()
    for source_id, extra in connection.execute(sa.select(SOURCE.c.id, SOURCE.c.extra)).all():
        terms = _terms(extra)
        if terms is not None:
            rest = {k: v for k, v in extra.items() if k != KEY}
            connection.execute(
                SOURCE.update().where(SOURCE.c.id == source_id).values(extra=rest, **{KEY: terms})
            )


def downgrade() -> None:
    """Downgrade schema: the terms go back among the source's unknown fields."""
    connection = op.get_bind()
    rows = connection.execute(sa.select(SOURCE.c.id, SOURCE.c.extra, SOURCE.c[KEY])).all()
    for source_id, extra, terms in rows:
        if terms:
            connection.execute(
                SOURCE.update()
                .where(SOURCE.c.id == source_id)
                .values(extra={**(extra or {}), KEY: terms})
            )
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_column(KEY)


def _terms(extra: Any) -> list[str] | None:
    """The list a case file gave under ``sensitive_terms``, if it is one of strings."""
    if isinstance(extra, str):  # a JSON column read without its type
        extra = json.loads(extra)
    value = extra.get(KEY) if isinstance(extra, dict) else None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None
