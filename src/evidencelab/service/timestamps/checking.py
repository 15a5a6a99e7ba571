"""Every stored timestamp checked offline, for `verify`: each manifest against its own
digest, the items and objects it lists, the custody log and the manifest before it; each
token against its manifest, request and authority's roots."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidencelab.locker.case import Case
from evidencelab.locker.timestamps import read_manifest
from evidencelab.locker.tsp import token_problems
from evidencelab.store.objects import sha256_bytes
from evidencelab.store.tables import CustodyEvent, EvidenceItem
from evidencelab.store.tables.timestamps import TimestampManifest, TimestampToken


def timestamp_problems(
    case: Case, session: Session, events: Sequence[CustodyEvent], altered: Collection[str]
) -> list[str]:
    """One line per problem of every stored timestamp; ``altered`` holds the SHA-256s of
    objects verify found changed or missing."""
    problems: list[str] = []
    manifests = session.scalars(select(TimestampManifest).order_by(TimestampManifest.id)).all()
    previous: str | None = None
    for manifest in manifests:
        problems += _manifest_problems(case, session, manifest, events, previous, altered)
        previous = manifest.sha256
    tokens = session.scalars(select(TimestampToken).order_by(TimestampToken.id)).all()
    for token in tokens:
        label = (
            f"timestamp {token.id} ({token.authority.name}, serial {token.serial}, "
            f"genTime {token.gen_time})"
        )
        problems += [
            f"{label}: {problem}"
            for problem in token_problems(
                token.token_der,
                token.request_der,
                sha256_bytes(token.manifest.content),
                token.authority.roots_pem,
                token.authority.policy_oid,
            )
        ]
    return problems


def _manifest_problems(
    case: Case,
    session: Session,
    manifest: TimestampManifest,
    events: Sequence[CustodyEvent],
    previous: str | None,
    altered: Collection[str],
) -> list[str]:
    label = f"timestamp manifest {manifest.sha256[:16]}…"
    actual = sha256_bytes(manifest.content)
    if actual != manifest.sha256:
        return [f"{label}: content changed (now hashes to {actual})"]
    try:
        content: dict[str, Any] = read_manifest(manifest.content)
    except ValueError as error:
        return [f"{label}: unreadable ({error})"]
    problems = []
    if content.get("previous_manifest") != previous or manifest.previous_sha256 != previous:
        problems.append(f"{label}: does not chain to the manifest timestamped before it")
    head = content["custody_head"]
    event = next((e for e in events if e.seq == head["seq"]), None)
    if event is None or event.hash != head.get("hash"):
        problems.append(
            f"{label}: custody event {head['seq']} is not the one it timestamped "
            "(the log was rewritten at or before it)"
        )
    for item in content["items"]:
        problems += _item_problems(case, session, label, item, altered)
    return problems


def _item_problems(
    case: Case, session: Session, label: str, item: dict[str, str], altered: Collection[str]
) -> list[str]:
    evidence_id, sha256 = item["evidence"], item["sha256"]
    row = session.get(EvidenceItem, evidence_id)
    if row is None:
        return [f"{label}: evidence {evidence_id} is no longer in the case"]
    if row.sha256 != sha256:
        return [
            f"{label}: evidence {evidence_id} now names SHA-256 {row.sha256}, "
            f"timestamped as {sha256}"
        ]
    if sha256 in altered or not case.objects.exists(sha256):
        return [
            f"{label}: evidence {evidence_id}: its object no longer holds the timestamped bytes"
        ]
    return []
