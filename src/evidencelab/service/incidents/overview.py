"""The overview page's summary without reading the whole case on every request.

The summary (`listing.case_summary`) shows counts, the incidents with their casualty
figures, and the records that could not be read. Only the last needs every record of the
case validated (`reading.load_case`: about 10 s for 10,000 evidence items), so that check
is kept and made again only when the database has changed since (SQLite's data version,
which sees a commit by any program). Each request then reads the incidents, their casualty
reports and the sources, and counts the rest in SQL; while some record is left out, the
figures come from the checked reading, so that a record left out never counts.
"""

from __future__ import annotations

import threading

from evidencelab.locker.case import Case
from evidencelab.service.incidents.listing import case_summary
from evidencelab.service.incidents.records import CaseSummary
from evidencelab.service.reading import CaseAsRead, incidents_as_stored, load_case
from evidencelab.store.changes import CommitCounter


class CaseCheck:
    """The case's reading with its problems, read again only when the database changed.
    ``readings`` counts the whole-case reads."""

    def __init__(self, case: Case) -> None:
        self._lock = threading.Lock()
        self._commits = CommitCounter(str(case.engine.url.database))
        self._version: int | None = None
        self._salvaged: CaseAsRead | None = None
        self.readings = 0

    def salvaged(self, case: Case) -> CaseAsRead | None:
        """The case as read when some record could not be read; None when all could."""
        # One check at a time: concurrent requests wait for it instead of repeating it.
        with self._lock:
            version = self._commits.version()
            if version != self._version:
                reading = load_case(case)
                self._salvaged = reading if reading.problems else None
                self._version = version
                self.readings += 1
            return self._salvaged

    def close(self) -> None:
        self._commits.close()


def overview_summary(case: Case, check: CaseCheck) -> CaseSummary:
    """The case summary as `case_summary` gives it, reading no evidence item while the
    case's records are all valid."""
    salvaged = check.salvaged(case)
    return case_summary(case, salvaged or CaseAsRead(incidents_as_stored(case), ()))
