"""Case folders built once and copied for each test that needs one.

A case folder is an SQLite database in WAL mode plus the object store. A template is
checkpointed once it is built, so its copies hold every committed write in the database
file itself and no ``-wal`` file is left behind or half-copied.
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from evidencelab.locker.case import DATABASE_NAME


@dataclass(frozen=True)
class DemoTemplate:
    """The demo case built once per session by ``evidencelab demo --out demo-case``.

    ``root`` is never opened by a test (copy it with ``copy_case``); ``output`` is what the
    command printed."""

    root: Path
    output: str


def checkpoint(root: Path) -> None:
    """Fold the case's write-ahead log into its database file and remove the log."""
    connection = sqlite3.connect(root / DATABASE_NAME)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    wal = root / (DATABASE_NAME + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0, f"{wal}: not checkpointed"


def copy_case(template: Path, folder: Path) -> Path:
    """A copy of the (closed, checkpointed) case folder ``template`` at ``folder``."""
    shutil.copytree(template, folder)
    return folder
