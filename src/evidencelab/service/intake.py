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
   linked to (`checks_step`);
6. if time-stamping authorities are configured, the new items are timestamped
   (`timestamps_step`; a failing authority is reported, never fails the intake).

`take_in` runs all six for files named one by one, each recorded in a transaction of its
own. `take_in_whole` runs them for files that belong together (an upload of several files):
steps 2–4 in one transaction, so that a file that fails records none. A case-file import
runs steps 1–4 in its one transaction (its incidents name their evidence themselves) and
then step 5, with the same step functions.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from evidencelab.locker.case import Case
from evidencelab.locker.ingest import (
    IngestError,
    IngestOutcome,
    IngestRequest,
    discard_unreferenced,
    ingest,
    preserve,
    register,
)
from evidencelab.locker.references import require_declared
from evidencelab.service.imagery.scenes import register_scenes_in
from evidencelab.service.incidents.incident_edit import (
    link_evidence,
    link_evidence_in,
    linked_evidence_ids,
)
from evidencelab.service.timestamps.records import TimestampRun
from evidencelab.service.timestamps.stamping import timestamp_new_items
from evidencelab.service.verification.checks import checks_for_new_evidence
from evidencelab.service.verification.records import CheckRecord
from evidencelab.store.tables import Incident, Source


@dataclass(frozen=True)
class Intake:
    """What one intake did: each file's outcome, the items linked, the scenes recorded and
    the checks' results."""

    outcomes: list[IngestOutcome]
    linked: list[str] = field(default_factory=list)
    scenes: list[str] = field(default_factory=list)
    checks: list[CheckRecord] = field(default_factory=list)
    # The new items timestamped by the configured authorities (None: none configured);
    # an authority that failed is listed in it, never failing the intake.
    timestamps: TimestampRun | None = None

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
    return timestamps_step(case, intake)


def take_in_whole(
    case: Case,
    requests: Sequence[IngestRequest],
    *,
    incident_id: str | None = None,
    also: Callable[[Session, Intake], None] | None = None,
) -> Intake:
    """:func:`take_in` for files that belong together: every file is recorded, linked and
    made a scene in one transaction, or none is. IngestError naming the first file that
    failed (and the objects copied that nothing references are removed again). ``also``
    records what the files belong to (a web capture) in that same transaction."""
    with case.sessions() as session:
        require_declared(session, Incident, [incident_id], "incident")
        require_declared(session, Source, (r.source_id for r in requests), "source")
    already = linked_evidence_ids(case, incident_id) if incident_id is not None else set()
    preserved = preserve(case, requests, workers=1)
    try:
        with case.transaction() as session:
            intake = Intake(register(case, session, preserved))
            failed = [o for o in intake.outcomes if o.status == "failed"]
            if failed:
                raise IngestError(f"{failed[0].path.name}: {failed[0].message}; nothing recorded")
            if incident_id is not None:
                for evidence_id in intake.stored_ids:
                    if evidence_id not in already:
                        link_evidence_in(case, session, incident_id, evidence_id)
                        intake.linked.append(evidence_id)
            intake.scenes.extend(scenes_step(case, session, intake.stored_ids))
            if also is not None:
                also(session, intake)
    except BaseException:
        with contextlib.suppress(OSError, SQLAlchemyError):
            discard_unreferenced(case, preserved)
        raise
    intake.checks.extend(checks_step(case, intake.stored_ids))
    return timestamps_step(case, intake)


def scenes_step(case: Case, session: Session, evidence_ids: Sequence[str]) -> list[str]:
    """Step 4: the georeferenced rasters among ``evidence_ids`` recorded as scenes (and
    linked to the incidents they cover), in the caller's transaction."""
    return register_scenes_in(case, session, evidence_ids)


def checks_step(case: Case, evidence_ids: Sequence[str]) -> list[CheckRecord]:
    """Step 5: the consistency checks of the items stored, read-only, after they are
    committed."""
    return checks_for_new_evidence(case, evidence_ids)


def timestamps_step(case: Case, intake: Intake) -> Intake:
    """Step 6: the items stored timestamped by every configured authority (RFC 3161),
    after they are committed; a failing authority is reported in the intake, not raised."""
    if not intake.stored_ids:
        return intake
    return replace(intake, timestamps=timestamp_new_items(case))
