"""A case: a folder holding the case database, the object store and the custody head.

CASE/
  case.sqlite       SQLite database (WAL mode), schema managed by Alembic migrations
  objects/ab/cd…    originals and derivatives, named by SHA-256, read-only
  custody.head      newest custody event (sequence number and hash)
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from evidencelab import __version__
from evidencelab.locker import records
from evidencelab.locker.custody import append_event, write_head
from evidencelab.locker.errors import CaseError as CaseError
from evidencelab.locker.errors import NoCaseHere
from evidencelab.store import db, search_index
from evidencelab.store.objects import ObjectStore
from evidencelab.store.tables import CustodyEvent

DATABASE_NAME = "case.sqlite"
HEAD_NAME = "custody.head"


def default_actor() -> str:
    """Who is acting: ``EVIDENCELAB_ACTOR`` if set, else the login name."""
    try:
        return os.environ.get("EVIDENCELAB_ACTOR") or getpass.getuser()
    except OSError:
        return "unknown"


@dataclass
class Case:
    root: Path
    engine: Engine
    actor: str
    objects: ObjectStore = field(init=False)
    # ``sessions()`` read (deferred BEGIN, no lock); ``transaction()`` writes.
    sessions: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self.objects = ObjectStore(self.root / "objects")
        self.sessions = db.session_factory(self.engine)
        records.watch(self.sessions, lambda: self.actor)
        search_index.keep_in_step(self.sessions)

    @property
    def head_path(self) -> Path:
        return self.root / HEAD_NAME

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work; on commit the custody head file is brought up to date.

        The head file is written under the write lock, so that of two writers committing
        one after the other the later one's head is the one that stays on disk.
        """
        with db.transaction(self.sessions) as session:
            yield session
        with db.transaction(self.sessions) as session:
            write_head(session, self.head_path)

    def record(
        self, session: Session, action: str, subject: str | None, payload: dict[str, Any]
    ) -> CustodyEvent:
        return append_event(
            session, actor=self.actor, action=action, subject=subject, payload=payload
        )

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Case:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def init_case(root: Path, *, actor: str | None = None) -> Case:
    """Create a new, empty case in ``root`` (created if needed; must not hold a case)."""
    if (root / DATABASE_NAME).exists():
        raise CaseError(f"{root}: already holds a case")
    if root.exists() and not root.is_dir():
        raise CaseError(f"{root}: exists and is not a folder")
    root.mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(db.sqlite_url(str(root / DATABASE_NAME)))
    db.upgrade(engine)
    case = Case(root=root, engine=engine, actor=actor or default_actor())
    case.objects.create()
    with case.transaction() as session:
        case.record(session, "create", None, {"evidencelab": __version__})
    return case


def find_case_root(start: Path) -> Path:
    """The case folder at or above ``start``, found the way git finds ``.git``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / DATABASE_NAME).is_file():
            return folder
    raise NoCaseHere(f"{start}: not inside a case (no {DATABASE_NAME} here or above)")


def open_case(path: Path | None = None, *, actor: str | None = None) -> Case:
    """Open the case at ``path`` (or found upward from the current folder)."""
    root = find_case_root(path if path is not None else Path.cwd())
    engine = db.make_engine(db.sqlite_url(str(root / DATABASE_NAME)))
    case = Case(root=root, engine=engine, actor=actor or default_actor())
    before = db.schema_revision(engine)
    if before != db.SCHEMA_REVISION:
        db.upgrade(engine)
        with case.transaction() as session:
            case.record(session, "migrate", None, {"from": before, "to": db.SCHEMA_REVISION})
            if before is not None and before < records.LOGGED_SINCE:
                case.record(session, records.RECORDS_ACTION, None, records.baseline(session))
    return case
