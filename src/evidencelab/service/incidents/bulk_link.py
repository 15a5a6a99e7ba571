"""Many evidence items linked to one incident at once (the evidence list's selection)."""

from __future__ import annotations

from collections.abc import Sequence

from evidencelab.locker.case import Case
from evidencelab.locker.errors import InputError
from evidencelab.service.incidents.incident_edit import link_evidence_in, linked_evidence_ids
from evidencelab.service.incidents.records import EvidenceLink


def link_many(case: Case, incident_id: str, evidence_ids: Sequence[str]) -> list[EvidenceLink]:
    """Link every item named to the incident in one transaction, one ``evidence_link``
    event each; items already linked are left as they are (and not listed)."""
    if not incident_id.strip():
        raise InputError("incident", None, "choose an incident")
    if not evidence_ids:
        raise InputError("evidence", None, "select at least one evidence item")
    linked = linked_evidence_ids(case, incident_id)
    wanted = [ref for ref in dict.fromkeys(evidence_ids) if ref not in linked]
    with case.transaction() as session:
        return [link_evidence_in(case, session, incident_id, ref) for ref in wanted]
