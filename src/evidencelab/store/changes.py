"""Whether a case's database has changed: SQLite's data version, read on a connection of
its own.

SQLite's ``PRAGMA data_version`` (https://www.sqlite.org/pragma.html#pragma_data_version)
changes on a connection whenever another connection — of this process or of any other
program — has committed to the database since, and only then. A connection that never
writes therefore sees every commit, by the software or made outside it.
"""

from __future__ import annotations

import sqlite3
import threading


class CommitCounter:
    """A number that changes whenever a commit has been made to the SQLite database at
    ``path`` since it was last read (its own connection never writes)."""

    def __init__(self, path: str) -> None:
        self._lock = threading.Lock()  # one connection shared by the server's threads
        self._connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)

    def version(self) -> int:
        with self._lock:
            row = self._connection.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def close(self) -> None:
        with self._lock:
            self._connection.close()
