"""Verification as the workbench shows it: an item's or an incident's consistency checks
(problems first, with the facts each compared in words), an item's status history and its
near-duplicate group with the group's earliest appearance.

Read-only. For a role without ``read_sensitive`` (``sensitive=False``) what is shown follows
``evidencelab.service.access.withholding``: results about a sensitive item are left out,
near-duplicate groups are found as if sensitive items were not in the case, and any other
text naming a sensitive item or source reads "withheld".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from typing_extensions import TypedDict

from evidencelab.locker.case import Case
from evidencelab.service.access.withholding import Withholding, withholding
from evidencelab.service.evidence.records import StatusEntry
from evidencelab.service.evidence.status import evidence_status_history
from evidencelab.service.verification.checks import CaseFacts, run_checks, summarise_checks
from evidencelab.service.verification.duplicates import find_near_duplicates
from evidencelab.service.verification.records import (
    CheckRecord,
    ClusterMember,
    DuplicateCluster,
)
from evidencelab.verify.checks import SEVERITIES
from evidencelab.verify.compared import compared_facts

# Most serious first: a problem must be the first thing a reader meets.
_ORDER = {severity: rank for rank, severity in enumerate(reversed(SEVERITIES))}


class ComparedFact(TypedDict):
    """One value a check compared, in words (units written out)."""

    label: str
    value: str


class CheckShown(CheckRecord):
    """A check result with the facts it compared in words."""

    compared: list[ComparedFact]


class ChecksView(TypedDict):
    """Check results, problems first, and how many of each severity."""

    checks: list[CheckShown]
    counts: dict[str, int]  # problem, warning, info


class EvidenceVerification(TypedDict):
    """An item's checks, its status history (oldest first) and its near-duplicate group."""

    checks: ChecksView
    status_history: list[StatusEntry]
    duplicates: list[DuplicateCluster]  # the one group holding the item, or none


def checks_view(checks: Iterable[Mapping[str, Any]]) -> ChecksView:
    """Check records ordered problems, warnings, info (stable within a severity), each with
    its compared facts in words, and the count of each severity."""
    ordered = sorted(checks, key=lambda c: _ORDER[c["severity"]])
    shown: list[CheckShown] = [
        {
            "check": c["check"],
            "severity": c["severity"],
            "evidence": c["evidence"],
            "incident": c["incident"],
            "message": c["message"],
            "details": c["details"],
            "compared": [
                {"label": label, "value": value} for label, value in compared_facts(c["details"])
            ],
        }
        for c in ordered
    ]
    return {"checks": shown, "counts": summarise_checks(shown)}


def _withholding(case: Case, sensitive: bool) -> Withholding:
    with case.sessions() as session:
        return withholding(session, sensitive=sensitive)


def _visible(checks: list[CheckRecord], withheld: Withholding) -> list[CheckRecord]:
    """Results about a withheld item left out; names of withheld items in the rest scrubbed."""
    return [
        withheld.scrub(c)
        for c in checks
        if c["evidence"] is None or c["evidence"] not in withheld.names
    ]


def evidence_verification(
    case: Case,
    evidence_id: str,
    *,
    sensitive: bool,
    facts: CaseFacts | None = None,
    groups: list[DuplicateCluster] | None = None,
) -> EvidenceVerification:
    """What the evidence page shows of an item's verification (``evidence_id`` as stored).

    Raises CaseError for an item that does not exist (the page refuses a sensitive item to
    a role without ``read_sensitive`` before it asks). ``facts`` (``load_facts``) and
    ``groups`` (``find_near_duplicates`` for this reader) when the caller already has them:
    each reads the whole case."""
    withheld = _withholding(case, sensitive)
    if groups is None:
        groups = find_near_duplicates(case, sensitive=sensitive)
    results = run_checks(case, evidence_id=evidence_id, facts=facts)
    return {
        "checks": checks_view(_visible(results, withheld)),
        "status_history": withheld.scrub(evidence_status_history(case, evidence_id)),
        "duplicates": [
            _group_shown(g, withheld)
            for g in groups
            if any(m["evidence_id"] == evidence_id for m in g["members"])
        ],
    }


def incident_checks(
    case: Case, incident_id: str, *, sensitive: bool, facts: CaseFacts | None = None
) -> ChecksView:
    """The incident's own checks and those of each linked item, alone and against it.

    ``facts`` is ``load_facts(case)`` when the caller already has it."""
    results = run_checks(case, incident_id=incident_id, facts=facts)
    return checks_view(_visible(results, _withholding(case, sensitive)))


def duplicate_groups(case: Case, *, sensitive: bool) -> list[DuplicateCluster]:
    """Every near-duplicate group of the case with its earliest appearance, largest first."""
    withheld = _withholding(case, sensitive)
    return [_group_shown(g, withheld) for g in find_near_duplicates(case, sensitive=sensitive)]


def _group_shown(group: DuplicateCluster, withheld: Withholding) -> DuplicateCluster:
    """A group whose sightings from a withheld source lose their URL (as an acquisition
    from one does) and whose other names of withheld items and sources read "withheld"."""
    members: list[ClusterMember] = [
        {**m, "collected_url": None} if m["collected_source"] in withheld.sources else m
        for m in group["members"]
    ]
    earliest = group["earliest"].copy()
    for key in ("capture_time", "collected_at", "ingested_at"):
        first = earliest[key]
        if first is not None and first["source"] in withheld.sources:
            earliest[key] = {**first, "url": None}
    shown: DuplicateCluster = {**group, "members": members, "earliest": earliest}
    return withheld.scrub(shown)
