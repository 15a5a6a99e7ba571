"""Context objects added by hand, with the reason they are recorded."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import shapely
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from evidencelab.analysis.context.kinds import KIND_CATEGORY
from evidencelab.locker.case import Case, CaseError
from evidencelab.locker.inputs import check_place
from evidencelab.locker.references import require_declared
from evidencelab.service.context.manual_records import KNOWN_FIELDS, manual_record, object_place
from evidencelab.service.context.records import AddedObject
from evidencelab.service.context.writing import _Feature, _writer
from evidencelab.store.tables import Source
from evidencelab.store.tables.context import ContextObjectRow

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")


# --- Objects added by hand ---------------------------------------------------------------


def _check_kinds(kinds: Iterable[str], what: str = "kinds") -> list[str]:
    names = sorted(set(kinds))
    unknown = [k for k in names if k not in KIND_CATEGORY]
    if unknown:
        raise CaseError(f"{what}: unknown {', '.join(unknown)} (known: {', '.join(KIND_CATEGORY)})")
    return names


def _manual_geometry(
    label: str, lat: float | None, lon: float | None, geometry: Mapping[str, Any] | None
) -> BaseGeometry:
    if geometry is not None:
        if lat is not None or lon is not None:
            raise CaseError(f"object {label}: give a point (lat, lon) or a geometry, not both")
        if not isinstance(geometry, Mapping) or geometry.get("type") not in (
            "Point",
            "Polygon",
            "MultiPolygon",
        ):
            kind = geometry.get("type") if isinstance(geometry, Mapping) else None
            raise CaseError(
                f"object {label}: geometry must be a GeoJSON Point, Polygon or MultiPolygon,"
                f" not {kind}"
            )
        try:
            geom = shape(geometry)
        except (ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:
            raise CaseError(f"object {label}: invalid geometry ({exc})") from None
        if geom.is_empty:
            raise CaseError(f"object {label}: empty geometry")
        if not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            raise CaseError(f"object {label}: invalid geometry ({reason})")
        min_lon, min_lat, max_lon, max_lat = geom.bounds
        if not (-90 <= min_lat <= max_lat <= 90 and -180 <= min_lon <= max_lon <= 180):
            raise CaseError(
                f"object {label}: geometry outside ±90° latitude / ±180° longitude"
                " (GeoJSON order is [longitude, latitude])"
            )
        return geom
    if lat is None or lon is None:
        raise CaseError(f"object {label}: needs a point (lat and lon) or a geometry")
    check_place(lat, lon)
    return Point(lon, lat)


def _free_user_id(session: Session, wanted: str) -> str:
    taken = set(
        session.scalars(
            select(ContextObjectRow.user_id).where(ContextObjectRow.user_id.like(f"{wanted}%"))
        )
    )
    if wanted not in taken:
        return wanted
    number = 2
    while f"{wanted}-{number}" in taken:
        number += 1
    return f"{wanted}-{number}"


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "object"


def insert_context_object(
    case: Case,
    session: Session,
    *,
    kinds: Sequence[str],
    name: str | None,
    basis: str,
    lat: float | None = None,
    lon: float | None = None,
    geometry: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    source: str | None = None,
    object_id: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> AddedObject:
    """`add_context_object` inside the caller's transaction (no commit): checks, stores the
    object and its R*Tree box, and records a `context-add` custody event. `extra` holds the
    fields a case file gave beyond the known ones (kept for export)."""
    label = object_id or name or "?"
    names = _check_kinds(kinds, f"object {label}: kinds")
    if not names:
        raise CaseError(f"object {label}: needs at least one kind")
    if not basis or not basis.strip():
        raise CaseError(f"object {label}: needs a basis (why it is recorded)")
    geom = _manual_geometry(label, lat, lon, geometry)
    if object_id is not None:
        if not _ID.match(object_id):
            raise CaseError(
                f"object id {object_id!r}: use letters, digits, '.', '_', ':' or '-',"
                " starting with a letter or digit"
            )
        exists = session.scalar(
            select(ContextObjectRow.id).where(ContextObjectRow.user_id == object_id)
        )
        if exists is not None:
            raise CaseError(f"object {object_id}: already in the case")
        user_id = object_id
    else:
        user_id = _free_user_id(session, _slug(name or names[0]))
    require_declared(session, Source, [source], "source")
    all_tags = dict(tags or {})
    if name:
        all_tags["name"] = name
    kept = {k: v for k, v in (extra or {}).items() if k not in KNOWN_FIELDS}
    record = manual_record(user_id, names, name, object_place(geom), basis, source, kept)
    event = case.record(session, "context-add", user_id, dict(record))
    writer = _writer(session, case, None)
    feature = _Feature(
        origin="manual",
        ref=None,
        osm_type=None,
        osm_id=None,
        kinds=frozenset(names),
        tags=all_tags,
        geometry=geom,
    )
    writer.write([feature], user_id=user_id, basis=basis, source_id=source, custody_seq=event.seq)
    if kept:
        session.execute(
            update(ContextObjectRow).where(ContextObjectRow.user_id == user_id).values(extra=kept)
        )
    return {**record, "custody_event": event.seq}


def add_context_object(
    case: Case,
    *,
    kinds: Sequence[str],
    name: str | None,
    basis: str,
    lat: float | None = None,
    lon: float | None = None,
    geometry: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    source: str | None = None,
    object_id: str | None = None,
) -> AddedObject:
    """Record a protected object or possible military objective known from reporting (a
    likely target, a hospital missing from the map): a point (`lat`, `lon`, WGS84 degrees)
    or a GeoJSON Point/Polygon/MultiPolygon `geometry`, its `kinds`, and the `basis` on
    which it is recorded. `object_id` defaults to one made from the name. Returns the
    object in the case-file `objects:` shape, with the custody event's number."""
    with case.transaction() as session:
        return insert_context_object(
            case,
            session,
            kinds=kinds,
            name=name,
            basis=basis,
            lat=lat,
            lon=lon,
            geometry=geometry,
            tags=tags,
            source=source,
            object_id=object_id,
        )
