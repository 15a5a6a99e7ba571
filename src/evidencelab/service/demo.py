"""The built-in demo: the three incidents of 24 February 2022, end to end."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from typing_extensions import TypedDict

from evidencelab.demo_media import write_demo_case
from evidencelab.locker.case import DATABASE_NAME, Case, init_case, open_case
from evidencelab.locker.ingest import IngestOutcome
from evidencelab.service.exchange.casefile import import_case_file
from evidencelab.service.exchange.records import CaseFileImport
from evidencelab.service.incidents.listing import case_summary
from evidencelab.service.incidents.records import CaseSummary
from evidencelab.service.outputs.report import write_report
from evidencelab.service.verification.chronolocation import sun_position_run
from evidencelab.service.verification.findings import record_finding
from evidencelab.store.tables import Finding, Incident

INPUTS = "inputs"
REPORT = "report.html"
# The sun as it stood at the Vuhledar strike's stated time and place, recorded on the
# photograph of the remnants: what shadows in genuine footage of the strike should show.
SUN_FINDING = ("vuhledar-remnant-1", "vuhledar-2022-02-24")


class DemoBuilt(TypedDict):
    """The demo case built: its folder, the import, its summary and the report written."""

    case: str  # the case folder
    imported: CaseFileImport
    summary: CaseSummary
    report: str  # the report file


def build_demo(
    out: Path,
    *,
    actor: str | None = None,
    progress: Callable[[IngestOutcome], None] | None = None,
) -> DemoBuilt:
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
        _record_sun_finding(case)
        report = write_report(case, out / REPORT)
        summary = case_summary(case)
    return {"case": str(out), "imported": imported, "summary": summary, "report": str(report)}


def _record_sun_finding(case: Case) -> None:
    evidence_id, incident_id = SUN_FINDING
    with case.sessions() as session:
        done = session.scalar(
            select(Finding.id).where(
                Finding.evidence_id == evidence_id, Finding.kind == "chronolocation.sun_position"
            )
        )
        incident = session.get(Incident, incident_id)
    if done is not None or incident is None or not incident.place or not incident.time:
        return
    place, time = incident.place, incident.time
    run = sun_position_run(place["lat"], place["lon"], time["start"])
    record_finding(case, evidence_id, run)
