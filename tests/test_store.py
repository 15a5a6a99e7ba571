"""The store: database migrations and WAL mode; the content-addressed object store."""

from __future__ import annotations

import errno
import hashlib
import mmap
import os
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select

from evidencelab.locker.case import DATABASE_NAME, Case, open_case
from evidencelab.locker.verify import verify_case
from evidencelab.service.integrity.custody import custody_log
from evidencelab.store import db, objects
from evidencelab.store.tables import Base, CustodyEvent


def test_schema_revision_constant_is_the_newest_migration() -> None:
    config = Config()
    config.set_main_option("script_location", db.MIGRATIONS)
    assert ScriptDirectory.from_config(config).get_current_head() == db.SCHEMA_REVISION


def test_migrations_build_exactly_the_tables_the_code_declares(case: Case) -> None:
    with case.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    # Virtual tables (SQLite R*Tree, FTS5 and their shadow tables) live outside the ORM on
    # purpose.
    differences = [d for d in differences if not _is_virtual_table(d)]
    assert differences == []


def _is_virtual_table(difference: object) -> bool:
    return (
        isinstance(difference, tuple)
        and difference[0] == "remove_table"
        and ("rtree" in difference[1].name or difference[1].name.startswith("search_fts"))
    )


def test_new_case_is_migrated_and_in_wal_mode(case: Case) -> None:
    assert db.schema_revision(case.engine) == db.SCHEMA_REVISION
    with sqlite3.connect(case.root / "case.sqlite") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_copy_in_slices_hashes_exactly_the_stored_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(objects, "COPY_SLICE_BYTES", 2 * mmap.PAGESIZE)  # many slices
    source = tmp_path / "source.bin"
    source.write_bytes(os.urandom(37 * mmap.PAGESIZE + 123))  # not a whole slice at the end
    store = objects.ObjectStore(tmp_path / "objects")
    stored = store.put_file(source)
    assert stored.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert stored.path.read_bytes() == source.read_bytes()
    assert stored.size_bytes == source.stat().st_size


def test_falls_back_to_a_read_loop_where_the_kernel_cannot_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object) -> int:
        raise OSError(errno.EXDEV, "cross-device")

    monkeypatch.setattr(os, "copy_file_range", refuse)
    source = tmp_path / "source.bin"
    source.write_bytes(os.urandom(100_000))
    stored = objects.ObjectStore(tmp_path / "objects").put_file(source)
    assert stored.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert stored.path.read_bytes() == source.read_bytes()


def test_empty_file_and_existing_object(tmp_path: Path) -> None:
    store = objects.ObjectStore(tmp_path / "objects")
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    first = store.put_file(empty)
    assert first.sha256 == hashlib.sha256(b"").hexdigest() and not first.existed
    assert store.put_file(empty).existed
    assert list(store.tmp.iterdir()) == []


def test_a_cleaner_between_a_writers_create_and_lock_does_not_lose_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another intake's ``remove_stale_tmp`` may run after a temporary file is created and
    before its writer locks it: it takes the file for abandoned and unlinks it."""
    store = objects.ObjectStore(tmp_path / "objects")
    store.create()
    real_flock = objects.fcntl.flock
    cleaned: list[int] = []

    def clean_first(fd: int, operation: int) -> None:
        if not cleaned and operation == objects.fcntl.LOCK_EX:
            cleaned.append(store.remove_stale_tmp())
        real_flock(fd, operation)

    monkeypatch.setattr(objects.fcntl, "flock", clean_first)
    stored = store.put_bytes(b"evidence")
    assert cleaned == [1], "the cleaner removed the writer's first, not yet locked, file"
    assert store.path(stored.sha256).read_bytes() == b"evidence"
    assert list(store.tmp.iterdir()) == []


def test_an_older_case_is_migrated_on_open_and_the_migration_logged(case: Case) -> None:
    from alembic import command

    with case.engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", db.MIGRATIONS)
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    case.close()
    assert db.schema_revision(case.engine) == "0001"
    with open_case(case.root) as reopened:
        assert db.schema_revision(reopened.engine) == db.SCHEMA_REVISION
        [event] = [e for e in custody_log(reopened) if e["action"] == "migrate"]
        assert event["payload"] == {"from": "0001", "to": db.SCHEMA_REVISION}
        assert verify_case(reopened).intact


def _count_events(case: Case) -> int:
    with case.sessions() as session:
        return len(session.scalars(select(CustodyEvent.seq)).all())


def test_a_transaction_holds_the_write_lock_from_its_start(case: Case) -> None:
    """A second writer is refused at BEGIN IMMEDIATE while a transaction is open, even
    before that transaction has written anything."""
    other = sqlite3.connect(case.root / DATABASE_NAME, timeout=0, isolation_level=None)
    try:
        with case.transaction(), pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_reads_during_a_transaction_neither_wait_nor_see_uncommitted_events(case: Case) -> None:
    before = _count_events(case)
    with case.transaction() as session:
        case.record(session, "export", None, {"format": "csv", "sha256": "0" * 64})
        session.flush()
        assert _count_events(case) == before  # would wait on the lock if reads took it
    assert _count_events(case) == before + 1
