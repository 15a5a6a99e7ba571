"""An item's content credentials (C2PA) as a row of the case: written at ingest and when
``extract c2pa`` reads an item again; the records listener logs it field by field."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from evidencelab.store.tables.credentials import ContentCredentials

if TYPE_CHECKING:  # the extraction package (numpy, Pillow, c2pa) loads where files are read
    from evidencelab.extract.types import CredentialsReading


def store_reading(
    session: Session, evidence_id: str, reading: CredentialsReading, now: str
) -> ContentCredentials:
    """Record ``reading`` as the item's content credentials, replacing an earlier one."""
    row = session.get(ContentCredentials, evidence_id)
    if row is None:
        row = ContentCredentials(evidence_id=evidence_id)
        session.add(row)
    for name, value in asdict(reading).items():
        setattr(row, name, value)
    row.read_at = now
    return row
