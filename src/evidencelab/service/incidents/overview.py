"""The overview page's summary without reading the whole case on every request.

The summary (`listing.case_summary`) shows counts, the incidents with their casualty
figures, and the records that could not be read. Only the last needs every record of the
case validated; that check is kept between requests (`service.case_cache`). Each request
reads the incidents, their casualty reports and the sources, and counts the rest in SQL;
while some record is left out, the figures come from the checked reading, so that a record
left out never counts.
"""

from __future__ import annotations

from evidencelab.locker.case import Case
from evidencelab.service.incidents.listing import case_summary
from evidencelab.service.incidents.records import CaseSummary
from evidencelab.service.reading import CaseAsRead, incidents_as_stored


def overview_summary(case: Case, salvaged: CaseAsRead | None) -> CaseSummary:
    """The case summary as `case_summary` gives it; ``salvaged`` is the case as read when
    some record could not be read (``CaseReadings.salvaged``), None when all could: then
    no evidence item is read."""
    return case_summary(case, salvaged or CaseAsRead(incidents_as_stored(case), ()))
