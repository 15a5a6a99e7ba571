"""Database engine, sessions and schema migrations (Alembic) for a case."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = "evidencelab.store:migrations"
# The newest migration. Opening a case compares against this instead of importing
# Alembic, which would add a third of a second to every command; a test keeps the two equal.
SCHEMA_REVISION = "0018"
# Execution option marking a connection whose transactions will write.
WRITER_OPTION = "evidencelab_writer"


def sqlite_url(path: str) -> str:
    return f"sqlite:///{path}"


def make_engine(url: str) -> Engine:
    """An engine for a case database.

    SQLite runs in WAL mode with full fsync on commit (evidence must survive a power cut)
    and foreign keys on. A :func:`transaction` takes the write lock at BEGIN (``BEGIN
    IMMEDIATE``), so two processes appending to the custody log serialise instead of
    failing on lock upgrade; any other session only reads and begins deferred, so it
    neither waits for a writer nor holds one up.
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
        def _begin(conn: Any) -> None:
            writer = conn.get_execution_options().get(WRITER_OPTION, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

    return engine


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration."""
    _migrate(engine, "upgrade", "head")


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision`` (for tests of migrations and for recovery)."""
    _migrate(engine, "downgrade", revision)


def _migrate(engine: Engine, direction: str, revision: str) -> None:
    """Run Alembic in one transaction.

    On SQLite, foreign keys are off while migrations run: a migration that rebuilds a table
    (SQLite's way to add or drop a constraint) copies its rows and drops the old table, and
    rows written before a key existed must be kept as they are for `verify` to name, not
    make the migration fail. The pragma has no effect inside a transaction, so it is set
    before the migration's begins.
    """
    from alembic import command
    from alembic.config import Config

    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        raw: Any = connection.connection.dbapi_connection
        if sqlite:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config = Config()
                config.set_main_option("script_location", MIGRATIONS)
                config.attributes["connection"] = connection
                getattr(command, direction)(config, revision)
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys=ON")


def schema_revision(engine: Engine) -> str | None:
    """The migration the database is at (None for an empty database)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def schema_is_current(engine: Engine) -> bool:
    return schema_revision(engine) == SCHEMA_REVISION


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions; used directly they read (a deferred BEGIN: a snapshot, no lock held)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed whole, or rolled back whole, under the write lock."""
    with factory() as session, session.begin():
        session.connection(execution_options={WRITER_OPTION: True})
        yield session
