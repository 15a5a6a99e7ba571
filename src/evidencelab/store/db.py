"""Database engine, sessions and schema migrations (Alembic) for a case."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = "evidencelab.store:migrations"


def sqlite_url(path: str) -> str:
    return f"sqlite:///{path}"


def make_engine(url: str) -> Engine:
    """An engine for a case database.

    SQLite runs in WAL mode with full fsync on commit (evidence must survive a power cut),
    foreign keys on, and writers take the lock at BEGIN so two processes appending to the
    custody log serialise instead of failing on lock upgrade.
    """
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below rule
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _alembic_config(engine_connection: Any) -> Config:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.attributes["connection"] = engine_connection
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration."""
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")


def schema_is_current(engine: Engine) -> bool:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    head = ScriptDirectory.from_config(config).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed whole, or rolled back whole."""
    with factory() as session, session.begin():
        yield session
