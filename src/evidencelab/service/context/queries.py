"""Queries over the case's context objects: R*Tree candidates, then geodesic distance to
each candidate's nearest edge; and the same questions straight from a file.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import shapely
from shapely.geometry import Point
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from evidencelab.analysis.context.distance import distances_to_geometries_m
from evidencelab.analysis.context.geojson import read_geojson
from evidencelab.analysis.context.index import ContextIndex, Hit, search_boxes
from evidencelab.analysis.context.kinds import KIND_CATEGORY
from evidencelab.analysis.context.osm import read_osm
from evidencelab.locker.case import Case, CaseError
from evidencelab.locker.errors import InputError
from evidencelab.locker.inputs import check_place
from evidencelab.service.context.importing import GEOJSON_SUFFIXES, list_imports
from evidencelab.service.context.manual import _check_kinds
from evidencelab.service.context.manual_records import geojson_geometry
from evidencelab.service.context.records import (
    ContextFeature,
    ContextFeatureCollection,
    ContextObject,
    ContextSummary,
    ExtractHit,
    ExtractNearby,
    GeoJSONWritten,
    NearbyObject,
)
from evidencelab.service.context.writing import _kind_bits
from evidencelab.store.atomic import write_text_atomic
from evidencelab.store.tables import Incident
from evidencelab.store.tables.context import RTREE_TABLE, ContextObjectRow

#: First half-width of the box `nearest_by_kind` searches, metres; it grows 4× a step.
FIRST_SEARCH_M: Final = 500.0
#: Half the length of a meridian (pole to pole), metres: no geodesic is longer.
LONGEST_GEODESIC_M: Final = 20_003_931.5


# --- Queries ---------------------------------------------------------------------------

_Box = tuple[float, float, float, float]


def _query_mask(connection: Connection, kinds: Iterable[str] | None) -> int | None:
    """None for every kind; else the mask of the wanted kinds present in the case (0: none)."""
    if kinds is None:
        return None
    bits = _kind_bits(connection)
    mask = 0
    for kind in kinds:
        if kind in bits:
            mask |= 1 << bits[kind]
    return mask


def _box_ids(connection: Connection, box: _Box, mask: int | None) -> list[int]:
    west, south, east, north = box
    sql = (
        f"SELECT id FROM {RTREE_TABLE}"
        " WHERE max_lon >= ? AND min_lon <= ? AND max_lat >= ? AND min_lat <= ?"
    )
    params: tuple[float | int, ...] = (west, east, south, north)
    if mask is not None:
        sql += " AND (kinds_mask & ?) != 0"
        params += (mask,)
    return [row[0] for row in connection.exec_driver_sql(sql, params)]


def _candidate_ids(
    connection: Connection, point: Point, radius_m: float, mask: int | None
) -> list[int]:
    """Ids of objects whose bounding box meets the search box of `radius_m` round `point`:
    every object within the radius, and some beyond it."""
    if mask == 0:
        return []
    found: set[int] = set()
    for box in search_boxes(point, radius_m):
        found.update(_box_ids(connection, box, mask))
    return sorted(found)


def _chunks(ids: Sequence[int], size: int = 10_000) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _distances(
    connection: Connection, point: Point, ids: Sequence[int]
) -> tuple[np.ndarray[Any, np.dtype[np.int64]], np.ndarray[Any, np.dtype[np.float64]]]:
    """Geodesic distance (metres, to the edge, 0 inside) from `point` to each object."""
    found: list[int] = []
    wkb: list[bytes] = []
    for chunk in _chunks(ids):
        rows = connection.execute(
            select(ContextObjectRow.id, ContextObjectRow.geometry_wkb).where(
                ContextObjectRow.id.in_(chunk)
            )
        )
        for row_id, blob in rows:
            found.append(row_id)
            wkb.append(blob)
    geometries = shapely.from_wkb(np.array(wkb, dtype=object))
    return np.array(found, dtype=np.int64), distances_to_geometries_m(point, geometries)


def _nearby(row: ContextObjectRow, distance_m: float) -> NearbyObject:
    return {**_object_record(row), "distance_m": round(distance_m, 1)}


def _object_record(row: ContextObjectRow) -> ContextObject:
    osm = f"{row.osm_type}/{row.osm_id}" if row.osm_type and row.osm_id is not None else None
    return {
        "id": row.user_id or row.ref or f"object-{row.id}",
        "ref": osm,
        "name": row.name,
        "kinds": list(row.kinds),
        "category": row.category,
        "origin": row.origin,
        "basis": row.basis,
        "lat": row.point_lat,
        "lon": row.point_lon,
    }


def _rows(session: Session, ids: Sequence[int]) -> dict[int, ContextObjectRow]:
    rows: dict[int, ContextObjectRow] = {}
    for chunk in _chunks(ids):
        for row in session.scalars(select(ContextObjectRow).where(ContextObjectRow.id.in_(chunk))):
            rows[row.id] = row
    return rows


def _check_query(lat: float, lon: float, kinds: Iterable[str] | None) -> list[str] | None:
    check_place(lat, lon)
    return None if kinds is None else _check_kinds(kinds, "--kind")


def case_objects_near(
    case: Case,
    lat: float,
    lon: float,
    radius_m: float,
    kinds: Iterable[str] | None = None,
) -> list[NearbyObject]:
    """Objects in the case (of any of `kinds`, or all) within `radius_m` metres of the
    point (WGS84 degrees), nearest first (ties by id): NEARBY records with the geodesic
    distance to each object's edge, 0 inside."""
    wanted = _check_query(lat, lon, kinds)
    if not math.isfinite(radius_m) or radius_m < 0:
        raise CaseError(f"radius {radius_m}: must be a finite number of metres ≥ 0")
    point = Point(lon, lat)
    with case.sessions() as session:
        connection = session.connection()
        ids = _candidate_ids(connection, point, radius_m, _query_mask(connection, wanted))
        found, distances = _distances(connection, point, ids)
        inside = distances <= radius_m
        found, distances = found[inside], distances[inside]
        order = np.lexsort((found, distances))
        rows = _rows(session, [int(i) for i in found])
        return [_nearby(rows[int(found[i])], float(distances[i])) for i in order]


def _nearest_of_kind(connection: Connection, point: Point, mask: int) -> tuple[int, float] | None:
    """The id and distance of the nearest object whose kinds meet `mask`, at any range.

    The search box grows 4× a step until it holds a candidate; the nearest candidate's
    distance d then bounds the answer, and one radius query of d finds it exactly (an
    object in the box's corner may be farther than one outside the box)."""
    radius = FIRST_SEARCH_M
    while True:
        ids = _candidate_ids(connection, point, radius, mask)
        if ids:
            break
        if radius >= LONGEST_GEODESIC_M:
            return None
        radius = min(radius * 4, LONGEST_GEODESIC_M)
    found, distances = _distances(connection, point, ids)
    bound = float(distances.min())
    if bound > radius:
        found, distances = _distances(
            connection, point, _candidate_ids(connection, point, bound, mask)
        )
    best = int(np.lexsort((found, distances))[0])
    return int(found[best]), float(distances[best])


def nearest_by_kind(
    case: Case, lat: float, lon: float, kinds: Iterable[str] | None = None
) -> dict[str, NearbyObject]:
    """For each kind (the given ones, or every kind in the case), the nearest object at any
    distance, as a NEARBY record. Kinds with no object in the case are left out."""
    wanted = _check_query(lat, lon, kinds)
    point = Point(lon, lat)
    with case.sessions() as session:
        connection = session.connection()
        bits = _kind_bits(connection)
        names = sorted(bits) if wanted is None else [k for k in wanted if k in bits]
        nearest = {}
        for kind in names:
            hit = _nearest_of_kind(connection, point, 1 << bits[kind])
            if hit is not None:
                nearest[kind] = hit
        rows = _rows(session, sorted({row_id for row_id, _ in nearest.values()}))
        return {kind: _nearby(rows[row_id], d) for kind, (row_id, d) in nearest.items()}


def incident_point(case: Case, incident_id: str) -> tuple[float, float]:
    """An incident's place as (lat, lon), WGS84 degrees; `CaseError` if it has none."""
    with case.sessions() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise CaseError(f"incident {incident_id}: not in the case")
        place = incident.place or {}
        lat, lon = place.get("lat"), place.get("lon")
        if lat is None or lon is None:
            raise CaseError(f"incident {incident_id}: its place has no latitude and longitude")
        return float(lat), float(lon)


def list_context_objects(
    case: Case,
    kinds: Iterable[str] | None = None,
    *,
    origin: str | None = None,
    limit: int | None = None,
) -> list[ContextObject]:
    """Objects in the case in the order stored (of any of `kinds`, from `origin`), as
    NEARBY records without a distance."""
    wanted = None if kinds is None else _check_kinds(kinds, "--kind")
    with case.sessions() as session:
        query = select(ContextObjectRow).order_by(ContextObjectRow.id)
        if origin is not None:
            query = query.where(ContextObjectRow.origin == origin)
        records: list[ContextObject] = []
        for row in session.scalars(query.execution_options(yield_per=1000)):
            if wanted is not None and not set(wanted) & set(row.kinds):
                continue
            records.append(_object_record(row))
            if limit is not None and len(records) >= limit:
                break
        return records


def context_summary(case: Case) -> ContextSummary:
    """How many objects the case holds, by kind and by origin, and its imports."""
    with case.sessions() as session:
        connection = session.connection()
        bits = _kind_bits(connection)
        by_kind: Counter[str] = Counter()
        masks = connection.exec_driver_sql(
            f"SELECT kinds_mask, count(*) FROM {RTREE_TABLE} GROUP BY kinds_mask"
        )
        for mask, count in masks:
            by_kind.update({kind: count for kind, bit in bits.items() if mask >> bit & 1})
        by_origin = dict(
            connection.execute(
                select(ContextObjectRow.origin, func.count()).group_by(ContextObjectRow.origin)
            ).all()
        )
    return {
        "objects": sum(by_origin.values()),
        "by_origin": by_origin,
        "by_kind": dict(sorted(by_kind.items())),
        "imports": list_imports(case),
    }


def context_geojson(
    case: Case, bbox: tuple[float, float, float, float] | None = None
) -> ContextFeatureCollection:
    """The case's objects (those whose bounding box meets `bbox` = (min_lon, min_lat,
    max_lon, max_lat), or all) as a GeoJSON FeatureCollection: each feature's id is its
    NEARBY id, its properties its tags plus `kind` (read back by `import_context`) and
    `evidencelab:origin` / `:basis` / `:source`."""
    with case.sessions() as session:
        query = select(ContextObjectRow).order_by(ContextObjectRow.id)
        if bbox is not None:
            ids = _box_ids(session.connection(), bbox, None)
            query = query.where(ContextObjectRow.id.in_(ids))
        features: list[ContextFeature] = []
        for row in session.scalars(query.execution_options(yield_per=1000)):
            properties: dict[str, Any] = dict(row.tags)
            properties["kind"] = list(row.kinds)
            properties["evidencelab:origin"] = row.origin
            if row.basis is not None:
                properties["evidencelab:basis"] = row.basis
            if row.source_id is not None:
                properties["evidencelab:source"] = row.source_id
            features.append(
                {
                    "type": "Feature",
                    "id": _object_record(row)["id"],
                    "geometry": geojson_geometry(shapely.from_wkb(row.geometry_wkb)),
                    "properties": properties,
                }
            )
    return {"type": "FeatureCollection", "features": features}


# --- Straight from a file (no case) ----------------------------------------------------


def objects_near(
    path: Path, lat: float, lon: float, radius_m: float, kinds: list[str] | None = None
) -> ExtractNearby:
    """Objects of the given kinds (or all) within ``radius_m`` metres, nearest first, and
    the nearest object of each kind at any distance, read from a map extract file."""
    check_place(lat, lon)
    unknown = sorted(set(kinds or ()) - set(KIND_CATEGORY))
    if unknown:
        raise InputError(
            "kinds", None, f"unknown {', '.join(unknown)} (known: {', '.join(KIND_CATEGORY)})"
        )
    objects = read_geojson(path) if path.suffix.lower() in GEOJSON_SUFFIXES else read_osm(path)
    index = ContextIndex(objects)
    point = Point(lon, lat)
    return {
        "file": str(path),
        "point": {"lat": lat, "lon": lon},
        "radius_m": radius_m,
        "within": [_hit(h) for h in index.within(point, radius_m, kinds)],
        "nearest_by_kind": {k: _hit(h) for k, h in index.nearest_by_kind(point, kinds).items()},
    }


def _hit(hit: Hit) -> ExtractHit:
    o = hit.object
    return {
        "ref": o.ref,
        "name": o.name,
        "kinds": sorted(o.kinds),
        "category": o.category,
        "distance_m": round(hit.distance_m, 1),
    }


def write_context_geojson(case: Case, out_path: Path) -> GeoJSONWritten:
    """Write every context object of the case as a GeoJSON FeatureCollection to
    ``out_path`` (whole or not at all); the file and the number of features."""
    document = context_geojson(case)
    try:
        write_text_atomic(out_path, json.dumps(document, ensure_ascii=False))
    except OSError as exc:
        raise CaseError(f"{out_path}: cannot write ({exc.strerror})") from None
    return {"file": str(out_path), "features": len(document["features"])}
