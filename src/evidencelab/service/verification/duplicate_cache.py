"""The evidence list's near-duplicate filter, computed once per state of the case's hashes.

Finding near-duplicate groups compares every perceptual hash in the case (about a second
for 1,000 items); the groups change only when hashes are added or removed. Perceptual
hashes are written only by ingest, which also appends a custody event, so the key below
(newest custody event, and the count and newest id of hash rows) changes whenever the
groups can: a stale answer is never served, even when another process changed the case.
"""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from evidencelab.locker.case import Case
from evidencelab.service.verification.duplicates import find_near_duplicates
from evidencelab.store.tables import CustodyEvent, PerceptualHashRow

HashesKey = tuple[int | None, int, int | None]


def hashes_key(case: Case) -> HashesKey:
    """(newest custody seq, number of perceptual hash rows, newest hash row id)."""
    with case.sessions() as session:
        seq = session.scalar(select(func.max(CustodyEvent.seq)))
        count, newest = session.execute(
            select(func.count(PerceptualHashRow.id), func.max(PerceptualHashRow.id))
        ).one()
    return seq, int(count), newest


class DuplicateMembers:
    """Ids of the items in near-duplicate groups, recomputed only when :func:`hashes_key`
    changes. ``computations`` counts the recomputations (one per change of the key)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: HashesKey | None = None
        self._ids: frozenset[str] = frozenset()
        self.computations = 0

    def ids(self, case: Case) -> frozenset[str]:
        # One computation at a time: concurrent requests wait for it instead of repeating it.
        with self._lock:
            key = hashes_key(case)
            if key != self._key:
                groups = find_near_duplicates(case)
                self._ids = frozenset(m["evidence_id"] for g in groups for m in g["members"])
                self._key = key
                self.computations += 1
            return self._ids
