"""Rows of context objects: the kind bit masks and the batched writer shared by imports
and by objects added by hand.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, func, insert, select
from sqlalchemy.orm import Session

from evidencelab.analysis.context.kinds import primary_category
from evidencelab.locker.case import Case, CaseError
from evidencelab.locker.custody import utc_now
from evidencelab.store.tables.context import RTREE_TABLE, ContextKind, ContextObjectRow

#: Objects inserted per batch while a file streams in: bounds memory, amortises SQL calls.
BATCH_SIZE: Final = 5000
#: The R*Tree's kind mask is a 64-bit signed integer; bit 63 is the sign.
MAX_KIND_BITS: Final = 63


@dataclass(frozen=True)
class _Feature:
    """One object on its way into the case."""

    origin: str
    ref: str | None
    osm_type: str | None
    osm_id: int | None
    kinds: frozenset[str]
    tags: Mapping[str, str]
    geometry: BaseGeometry


# --- Writing rows ----------------------------------------------------------------------


def _kind_bits(connection: Connection) -> dict[str, int]:
    rows = connection.execute(select(ContextKind.name, ContextKind.bit))
    return {name: bit for name, bit in rows}


def _mask_for(connection: Connection, bits: dict[str, int], kinds: Iterable[str]) -> int:
    """The R*Tree mask for `kinds`, giving new kinds the next free bits (stored)."""
    mask = 0
    for kind in sorted(set(kinds)):
        if kind not in bits:
            if len(bits) >= MAX_KIND_BITS:
                raise CaseError(f"kind {kind!r}: the case already uses {MAX_KIND_BITS} kinds")
            bits[kind] = len(bits)
            connection.execute(insert(ContextKind), {"name": kind, "bit": bits[kind]})
        mask |= 1 << bits[kind]
    return mask


_INSERT_OBJECT = (
    "INSERT INTO context_object (id, origin, user_id, ref, kinds, category, name, osm_type,"
    " osm_id, tags, geometry_wkb, point_lat, point_lon, basis, source_id, import_id,"
    " added_at, added_by, custody_seq) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
_INSERT_BOX = f"INSERT INTO {RTREE_TABLE} VALUES (?,?,?,?,?,?)"


@dataclass
class _Writer:
    """Inserts objects in batches into the table and the R*Tree, inside one transaction."""

    connection: Connection
    import_id: int | None
    added_at: str
    added_by: str
    next_id: int
    bits: dict[str, int]
    stored: int = 0
    already_in_case: int = 0

    def write(
        self,
        features: Sequence[_Feature],
        *,
        user_id: str | None = None,
        basis: str | None = None,
        source_id: str | None = None,
        custody_seq: int | None = None,
    ) -> list[tuple[int, _Feature]]:
        """Insert `features`, skipping OSM objects already in the case; the rows stored,
        with their ids."""
        features = self._new_only(features)
        if not features:
            return []
        geometries = np.array([f.geometry for f in features], dtype=object)
        wkb = shapely.to_wkb(geometries)
        bounds = shapely.bounds(geometries)
        inner = shapely.point_on_surface(geometries)
        inner_lon, inner_lat = shapely.get_x(inner), shapely.get_y(inner)
        ids = list(range(self.next_id, self.next_id + len(features)))
        self.next_id += len(features)
        rows = []
        boxes = []
        for i, (row_id, feature) in enumerate(zip(ids, features, strict=True)):
            rows.append(
                (
                    row_id,
                    feature.origin,
                    user_id,
                    feature.ref,
                    json.dumps(sorted(feature.kinds)),
                    primary_category(feature.kinds),
                    feature.tags.get("name"),
                    feature.osm_type,
                    feature.osm_id,
                    json.dumps(dict(feature.tags), ensure_ascii=False),
                    wkb[i],
                    float(inner_lat[i]),
                    float(inner_lon[i]),
                    basis,
                    source_id,
                    self.import_id,
                    self.added_at,
                    self.added_by,
                    custody_seq,
                )
            )
            min_lon, min_lat, max_lon, max_lat = (float(v) for v in bounds[i])
            mask = _mask_for(self.connection, self.bits, feature.kinds)
            boxes.append((row_id, min_lon, max_lon, min_lat, max_lat, mask))
        self.connection.exec_driver_sql(_INSERT_OBJECT, rows)
        self.connection.exec_driver_sql(_INSERT_BOX, boxes)
        self.stored += len(features)
        return list(zip(ids, features, strict=True))

    def _new_only(self, features: Sequence[_Feature]) -> list[_Feature]:
        keyed = {(f.osm_type, f.osm_id) for f in features if f.osm_id is not None}
        present: set[tuple[str | None, int | None]] = set()
        osm_ids = sorted({osm_id for _, osm_id in keyed})
        for start in range(0, len(osm_ids), 10_000):
            chunk = osm_ids[start : start + 10_000]
            rows = self.connection.execute(
                select(ContextObjectRow.osm_type, ContextObjectRow.osm_id).where(
                    ContextObjectRow.osm_id.in_(chunk)
                )
            )
            present.update((t, i) for t, i in rows)
        kept: list[_Feature] = []
        for feature in features:
            key = (feature.osm_type, feature.osm_id)
            if feature.osm_id is not None:
                if key in present:
                    self.already_in_case += 1
                    continue
                present.add(key)  # a file that repeats an object keeps the first
            kept.append(feature)
        return kept


def _writer(session: Session, case: Case, import_id: int | None) -> _Writer:
    connection = session.connection()
    last = connection.execute(select(func.max(ContextObjectRow.id))).scalar()
    return _Writer(
        connection=connection,
        import_id=import_id,
        added_at=utc_now(),
        added_by=case.actor,
        next_id=(last or 0) + 1,
        bits=_kind_bits(connection),
    )
