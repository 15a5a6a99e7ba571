"""The one way a file becomes evidence, whoever brings it (command line, upload page, API).

Ids are checked first (a source or incident the case does not hold is refused before a
byte is stored); then the locker preserves each file, extracts its metadata and records
the acquisition; each stored item is linked to the incident named, if any; georeferenced
rasters become satellite scenes, linked to the incidents they cover; and the consistency
checks run on every item stored, against the incidents it is now linked to.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from evidencelab.case import Case
from evidencelab.locker.ingest import IngestOutcome, IngestRequest, ingest
from evidencelab.locker.references import require_declared
from evidencelab.store.tables import Incident


@dataclass(frozen=True)
class Intake:
    """What one intake did: each file's outcome, the items linked, the checks' results."""

    outcomes: list[IngestOutcome]
    linked: list[str] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def stored_ids(self) -> list[str]:
        """Items stored or acquired again by this intake, in order, once each."""
        stored = (o.evidence_id for o in self.outcomes if o.status in ("new", "acquired"))
        return list(dict.fromkeys(i for i in stored if i is not None))


def take_in(
    case: Case,
    requests: Sequence[IngestRequest],
    *,
    incident_id: str | None = None,
    workers: int | None = None,
    progress: Callable[[IngestOutcome], None] | None = None,
) -> Intake:
    """Preserve, extract, record, link, register scenes and check: see the module."""
    from evidencelab.service.imagery import register_scenes
    from evidencelab.service.incidents.incident_edit import link_evidence, linked_evidence_ids
    from evidencelab.service.verification.checks import checks_for_new_evidence

    with case.sessions() as session:
        require_declared(session, Incident, [incident_id], "incident")
    outcomes = ingest(case, requests, workers=workers, progress=progress)
    intake = Intake(outcomes)
    if incident_id is not None:
        already = linked_evidence_ids(case, incident_id)
        for evidence_id in intake.stored_ids:
            if evidence_id not in already:
                link_evidence(case, incident_id, evidence_id)
                intake.linked.append(evidence_id)
    register_scenes(case, intake.stored_ids)
    intake.checks.extend(checks_for_new_evidence(case, intake.stored_ids))
    return intake
