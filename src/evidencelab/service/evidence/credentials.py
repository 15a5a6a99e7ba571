"""Content credentials (C2PA) of evidence items: the stored reading as a record, and
reading stored items again (those stored before readings existed read as not read)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidencelab.locker.case import Case, CaseError
from evidencelab.locker.credentials import store_reading
from evidencelab.locker.custody import utc_now
from evidencelab.service.evidence.credentials_record import NOT_READ, credentials_record
from evidencelab.service.evidence.items import visible_evidence
from evidencelab.service.evidence.records import CredentialsReadOutcome, CredentialsRecord
from evidencelab.store.tables import EvidenceItem
from evidencelab.store.tables.credentials import ContentCredentials

if TYPE_CHECKING:  # the extraction package (numpy, Pillow, c2pa) loads when files are read
    from evidencelab.extract.credentials import CredentialsReader
    from evidencelab.extract.types import CredentialsReading


def content_credentials(case: Case, ref: str, *, sensitive: bool) -> CredentialsRecord:
    """One item's content credentials (by id or SHA-256 prefix); a sensitive item is no
    such item to a reader without ``sensitive`` (the one visibility rule)."""
    with case.sessions() as session:
        item = visible_evidence(session, ref, sensitive=sensitive, by_prefix=True)
        return credentials_record(item.id, session.get(ContentCredentials, item.id))


def read_credentials_again(
    case: Case,
    refs: Sequence[str] = (),
    *,
    sensitive: bool,
    progress: Callable[[int, int], None] | None = None,
) -> list[CredentialsReadOutcome]:
    """Read the content credentials of the items named (default: every item not read yet)
    from their stored copies, against the pinned trust anchors, and record each reading
    with a ``content_credentials_read`` event, all in one transaction. A sensitive item is
    neither read nor named to a reader without ``sensitive`` (refused as unknown when
    named). ``progress`` is called with (items done, items to read) after each."""
    from evidencelab.extract.credentials import CredentialsReader

    with case.sessions() as session:
        named = [visible_evidence(session, r, sensitive=sensitive, by_prefix=True) for r in refs]
        ids = [item.id for item in named] or _unread(session, sensitive=sensitive)
    outcomes: list[CredentialsReadOutcome] = []
    reader = CredentialsReader()
    try:
        with case.transaction() as session:
            wanted = list(dict.fromkeys(ids))
            for evidence_id in wanted:
                item = session.get(EvidenceItem, evidence_id)
                assert item is not None
                before = session.get(ContentCredentials, evidence_id)
                outcome: CredentialsReadOutcome = {
                    "evidence_id": evidence_id,
                    "before": before.state if before is not None else NOT_READ,
                    "after": "",
                }
                reading = _read_stored(case, reader, item)
                store_reading(session, evidence_id, reading, utc_now())
                case.record(
                    session,
                    "content_credentials_read",
                    evidence_id,
                    {
                        "state": reading.state,
                        "library": reading.library,
                        "anchors_sha256": reading.anchors_sha256,
                    },
                )
                outcome["after"] = reading.state
                outcomes.append(outcome)
                if progress is not None:
                    progress(len(outcomes), len(wanted))
    finally:
        reader.close()
    return outcomes


def _unread(session: Session, *, sensitive: bool) -> list[str]:
    read = select(ContentCredentials.evidence_id)
    query = select(EvidenceItem.id).where(EvidenceItem.id.not_in(read))
    if not sensitive:
        query = query.where(EvidenceItem.sensitive.is_(False))
    return list(session.scalars(query.order_by(EvidenceItem.first_ingested_at, EvidenceItem.id)))


def _read_stored(case: Case, reader: CredentialsReader, item: EvidenceItem) -> CredentialsReading:
    """The reading of an item's stored copy; a missing or unreadable copy is named."""
    try:
        with case.objects.path(item.sha256).open("rb") as stream:
            return reader.read(stream)
    except OSError as error:
        raise CaseError(
            f"evidence {item.id}: stored copy cannot be read ({error.strerror or error}); "
            "run verify"
        ) from error
