"""The built-in demo: the three incidents of 24 February 2022, end to end."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from evidencelab.case import DATABASE_NAME, init_case, open_case
from evidencelab.demo_media import write_demo_case
from evidencelab.locker.ingest import IngestOutcome
from evidencelab.service.casefile import import_case_file
from evidencelab.service.incidents import case_summary
from evidencelab.service.report import write_report

INPUTS = "inputs"
REPORT = "report.html"


def build_demo(
    out: Path,
    *,
    actor: str | None = None,
    progress: Callable[[IngestOutcome], None] | None = None,
) -> dict[str, Any]:
    """Build (or bring up to date) the demo case in ``out``.

    Writes the packaged case file and its generated, illustrative media to
    ``out/inputs``, creates the case, imports the case file (ingesting the media), and
    writes ``out/report.html``. Running it again on the same folder changes nothing in
    the case: the media are byte-identical and re-import is a no-op.
    """
    case_file = write_demo_case(out / INPUTS)
    exists = (out / DATABASE_NAME).exists()
    with open_case(out, actor=actor) if exists else init_case(out, actor=actor) as case:
        imported = import_case_file(case, case_file, progress=progress)
        report = write_report(case, out / REPORT)
        summary = case_summary(case)
    return {"case": str(out), "imported": imported, "summary": summary, "report": str(report)}
