"""The one way a file becomes evidence, whoever brings it (command line, upload page, API,
case-file import).

The pipeline, in order:

1. ids are checked: a source or incident the case does not hold is refused before a byte
   is stored;
2. the locker preserves each file (copied, hashed, extracted) and records the item, its
   acquisition and their custody events;
3. each stored item is linked to the incident named, if any;
4. georeferenced rasters become satellite scenes (`scenes_step`);
5. the consistency checks run on every item stored, against the incidents it is now
   linked to (`checks_step`).

`take_in` runs all five for files named one by one. A case-file import runs steps 1–4 in
its one transaction (its incidents name their evidence themselves) and then step 5, with
the same step functions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from evidencelab.case import Case
from evidencelab.locker.ingest import IngestOutcome, IngestRequest, ingest
from evidencelab.locker.references import require_declared
from evidencelab.service.imagery import register_scenes_in
from evidencelab.service.incidents.incident_edit import link_evidence, linked_evidence_ids
from evidencelab.service.verification.checks import checks_for_new_evidence
from evidencelab.service.verification.records import CheckRecord
from evidencelab.store.tables import Incident


@dataclass(frozen=True)
class Intake:
    """What one intake did: each file's outcome, the items linked, the scenes recorded and
    the checks' results."""

    outcomes: list[IngestOutcome]
    linked: list[str] = field(default_factory=list)
    scenes: list[str] = field(default_factory=list)
    checks: list[CheckRecord] = field(default_factory=list)

    @property
    def stored_ids(self) -> list[str]:
        """Items stored or acquired again by this intake, in order, once each."""
        return stored_ids(self.outcomes)


def stored_ids(outcomes: Sequence[IngestOutcome]) -> list[str]:
    """The items these outcomes stored or acquired again, in order, once each."""
    stored = (o.evidence_id for o in outcomes if o.status in ("new", "acquired"))
    return list(dict.fromkeys(i for i in stored if i is not None))


def take_in(
    case: Case,
    requests: Sequence[IngestRequest],
    *,
    incident_id: str | None = None,
    workers: int | None = None,
    progress: Callable[[IngestOutcome], None] | None = None,
) -> Intake:
    """Check ids, preserve and record, link, record scenes and check: see the module."""
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
    for evidence_id in intake.stored_ids:
        with case.transaction() as session:
            intake.scenes.extend(scenes_step(case, session, [evidence_id]))
    intake.checks.extend(checks_step(case, intake.stored_ids))
    return intake


def scenes_step(case: Case, session: Session, evidence_ids: Sequence[str]) -> list[str]:
    """Step 4: the georeferenced rasters among ``evidence_ids`` recorded as scenes (and
    linked to the incidents they cover), in the caller's transaction."""
    return register_scenes_in(case, session, evidence_ids)


def checks_step(case: Case, evidence_ids: Sequence[str]) -> list[CheckRecord]:
    """Step 5: the consistency checks of the items stored, read-only, after they are
    committed."""
    return checks_for_new_evidence(case, evidence_ids)
