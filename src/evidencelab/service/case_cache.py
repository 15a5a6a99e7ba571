"""Whole-case reads of the web workbench, kept between requests and made again only when
the case's database has changed.

Some of what the pages show needs the whole case: the records that could not be read
(every record validated, `reading.load_case`: about 10 s for 10,000 evidence items),
corroboration and the checks (every item's facts, `corroboration.read_case`) and the
near-duplicate groups (every perceptual hash compared). Each is computed once per state of
the database, told by SQLite's data version (`store.changes`), which changes with a commit
by any program: a stale answer is never served, even after a change made outside the
software. The first page after a change pays for the read; the next ones do not.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from evidencelab.locker.case import Case
from evidencelab.service.assessment.corroboration import CaseReading, read_case
from evidencelab.service.incidents import review
from evidencelab.service.incidents.overview import overview_summary
from evidencelab.service.incidents.records import CaseSummary, FactState
from evidencelab.service.reading import CaseAsRead, load_case
from evidencelab.service.verification.duplicates import find_near_duplicates
from evidencelab.service.verification.records import DuplicateCluster
from evidencelab.store.changes import CommitCounter

_Value = TypeVar("_Value")


class CaseReadings:
    """Whole-case reads of one case, each kept until the database changes. ``readings``
    counts the computations of each ("case", "summary", "corroboration"…)."""

    def __init__(self, case: Case) -> None:
        self._commits = CommitCounter(str(case.engine.url.database))
        self._guard = threading.Lock()
        self._locks: dict[Hashable, threading.Lock] = {}
        self._values: dict[Hashable, tuple[int, Any]] = {}
        self.readings: dict[str, int] = {}

    def salvaged(self, case: Case) -> CaseAsRead | None:
        """The case as read when some record could not be read; None when all could."""
        reading = self._value(("case",), lambda: load_case(case))
        return reading if reading.problems else None

    def summary(self, case: Case) -> CaseSummary:
        """The overview's case summary (`overview.overview_summary`)."""
        return self._value(("summary",), lambda: overview_summary(case, self.salvaged(case)))

    def fact_states(self, case: Case) -> list[FactState]:
        """The review state of every incident fact (`review.fact_states`)."""
        return self._value(("fact_states",), lambda: review.fact_states(case))

    def corroboration(self, case: Case) -> CaseReading:
        """What corroboration and the checks read from the whole case."""
        return self._value(("corroboration",), lambda: read_case(case))

    def duplicates(self, case: Case, *, sensitive: bool) -> list[DuplicateCluster]:
        """The near-duplicate groups as a reader with or without ``sensitive`` sees them."""
        return self._value(
            ("duplicates", sensitive), lambda: find_near_duplicates(case, sensitive=sensitive)
        )

    def _value(
        self, key: tuple[str, *tuple[Hashable, ...]], compute: Callable[[], _Value]
    ) -> _Value:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        # One computation of a value at a time: concurrent requests wait for it.
        with lock:
            version = self._commits.version()
            held = self._values.get(key)
            if held is None or held[0] != version:
                held = (version, compute())
                self._values[key] = held
                self.readings[str(key[0])] = self.readings.get(str(key[0]), 0) + 1
            value: _Value = held[1]
            return value

    def close(self) -> None:
        self._commits.close()
