"""The case database: migrations, WAL mode, and the schema revision the code expects."""

from __future__ import annotations

import sqlite3

from alembic.config import Config
from alembic.script import ScriptDirectory

from evidencelab.case import Case
from evidencelab.store import db


def test_schema_revision_constant_is_the_newest_migration() -> None:
    config = Config()
    config.set_main_option("script_location", db.MIGRATIONS)
    assert ScriptDirectory.from_config(config).get_current_head() == db.SCHEMA_REVISION


def test_new_case_is_migrated_and_in_wal_mode(case: Case) -> None:
    assert db.schema_revision(case.engine) == db.SCHEMA_REVISION
    with sqlite3.connect(case.root / "case.sqlite") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
