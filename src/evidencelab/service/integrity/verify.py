"""Verify a whole case: the locker's checks of originals and the custody chain, plus each
layer's comparison of its records with the custody events that logged them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import select

from evidencelab.locker.case import Case
from evidencelab.locker.verify import RecordCheck, VerifyReport, verify_case
from evidencelab.service.evidence.status import status_custody_problems
from evidencelab.service.integrity.figures import figure_problems
from evidencelab.service.integrity.record_checks import logged_record_problems
from evidencelab.service.timestamps.checking import timestamp_problems
from evidencelab.service.verification.geolocation import geolocation_custody_problems
from evidencelab.store.tables import CustodyEvent

RECORD_CHECKS: tuple[RecordCheck, ...] = (
    geolocation_custody_problems,
    status_custody_problems,
    logged_record_problems,
    figure_problems,
)


def verify_whole_case(
    case: Case,
    progress: Callable[[int, int], None] | None = None,
    anchor_files: Sequence[Path] = (),
) -> VerifyReport:
    """Every stored object re-hashed, the custody chain walked and compared with every
    anchor (recorded ones and ``anchor_files``), every record that a custody event
    logged compared with that event, and every trusted timestamp checked offline."""
    report = verify_case(case, progress, RECORD_CHECKS, anchor_files)
    with case.sessions() as session:
        events = list(session.scalars(select(CustodyEvent).order_by(CustodyEvent.seq)))
        report.problems.extend(timestamp_problems(case, session, events, report.altered))
    return report
