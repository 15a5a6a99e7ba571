"""Verify a whole case: the locker's checks of originals and the custody chain, plus each
layer's comparison of its records with the custody events that logged them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from evidencelab.locker.case import Case
from evidencelab.locker.verify import RecordCheck, VerifyReport, verify_case
from evidencelab.service.evidence.status import status_custody_problems
from evidencelab.service.integrity.figures import figure_problems
from evidencelab.service.integrity.record_checks import logged_record_problems
from evidencelab.service.verification.geolocation import geolocation_custody_problems

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
    anchor (recorded ones and ``anchor_files``), and every record that a custody event
    logged compared with that event."""
    return verify_case(case, progress, RECORD_CHECKS, anchor_files)
