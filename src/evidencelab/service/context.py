"""Geographic context in the case: map extracts, objects added by hand, queries.

Objects live in the case database (`store/tables/context.py`): imported from an
OpenStreetMap extract or GeoJSON file (`import_context`, streamed and inserted in batches in
one transaction, recorded by the file's SHA-256), or added by hand with the reason they are
recorded (`add_context_object`). Queries take candidates from the SQLite R*Tree over the
objects' lon/lat bounding boxes and then measure each candidate geodesically on WGS84 to its
nearest edge (0 inside), with `analysis.context.distance`; the search boxes come from
`analysis.context.index.search_boxes`, which never cut off a point within the radius.

`objects_near` answers the same questions straight from a file, without a case.

A *nearby* record (NEARBY) is a dict: id (the analyst's id for objects added by hand, else
the OSM reference or the GeoJSON feature id), ref (``way/123`` or None), name, kinds,
category, distance_m (metres, geodesic, to the edge; 0 inside), origin (osm, geojson or
manual), basis, lat and lon (a point inside the object).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import shapely
from shapely.geometry import Point, mapping, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, func, insert, select
from sqlalchemy.orm import Session

from evidencelab.analysis.context import (
    ContextDataError,
    ContextIndex,
    Hit,
    ReadStats,
    distances_to_geometries_m,
    iter_osm_features,
    kinds_for,
    primary_category,
    read_geojson,
    read_osm,
)
from evidencelab.analysis.context.index import search_boxes
from evidencelab.analysis.context.kinds import ANY, KEYS, KIND_CATEGORY, RULES
from evidencelab.analysis.context.osm import OSM_SUFFIXES
from evidencelab.case import Case, CaseError
from evidencelab.inputs import check_place
from evidencelab.locker.custody import utc_now
from evidencelab.store.tables import Incident, Source
from evidencelab.store.tables.context import (
    RTREE_TABLE,
    ContextImport,
    ContextKind,
    ContextObjectRow,
)

GEOJSON_SUFFIXES = (".geojson", ".json")

#: Objects inserted per batch while a file streams in: bounds memory, amortises SQL calls.
BATCH_SIZE: Final = 5000

#: The R*Tree's kind mask is a 64-bit signed integer; bit 63 is the sign.
MAX_KIND_BITS: Final = 63

#: First half-width of the box `nearest_by_kind` searches, metres; it grows 4× a step.
FIRST_SEARCH_M: Final = 500.0
#: Half the length of a meridian (pole to pole), metres: no geodesic is longer.
LONGEST_GEODESIC_M: Final = 20_003_931.5

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")

Progress = Callable[[int], None]


# --- Reading files ---------------------------------------------------------------------


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


def file_format(path: Path) -> str:
    """`osm-pbf`, `osm-xml` or `geojson`, from the file name (as pyosmium chooses)."""
    name = path.name.lower()
    if name.endswith(GEOJSON_SUFFIXES):
        return "geojson"
    if name.endswith(".pbf"):
        return "osm-pbf"
    if name.endswith(OSM_SUFFIXES):
        return "osm-xml"
    raise CaseError(
        f"{path}: not a map extract (expected one of {', '.join(OSM_SUFFIXES + GEOJSON_SUFFIXES)})"
    )


def file_sha256(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size in bytes of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _rule_values() -> dict[str, frozenset[str]]:
    values: dict[str, set[str]] = {}
    for rule in RULES:
        values.setdefault(rule.key, set()).add(rule.value)
    values.setdefault("aeroway", set()).add("aerodrome")
    return {key: frozenset(found) for key, found in values.items()}


#: For each key a kind rule looks at, the values it accepts (`ANY`: all but "no").
_RULE_VALUES: Final = _rule_values()


def may_have_kind(tags: Mapping[str, str]) -> bool:
    """Whether some kind rule could match these tags: true for every object that
    `kinds_for` gives a kind (and for a few it then refuses). Checking one tag at a time
    against a table is much cheaper than evaluating every rule, and most objects that
    reach Python (any `building=*`, `amenity=*`) have no kind."""
    for key, value in tags.items():
        accepted = _RULE_VALUES.get(key)
        if accepted is not None and (value in accepted or (ANY in accepted and value != "no")):
            return True
    return False


def _osm_features(path: Path, stats: ReadStats) -> Iterator[_Feature]:
    for feature in iter_osm_features(path, may_have_kind, KEYS, stats=stats):
        kinds = kinds_for(feature.tags)
        if not kinds:
            continue
        yield _Feature(
            origin="osm",
            ref=f"{feature.osm_type}/{feature.osm_id}",
            osm_type=feature.osm_type,
            osm_id=feature.osm_id,
            kinds=kinds,
            tags=feature.tags,
            geometry=feature.geometry,
        )


def _geojson_features(path: Path) -> Iterator[_Feature]:
    # The whole document is parsed first (JSON has no streaming reader in the standard
    # library); rows still go in by batches.
    for obj in read_geojson(path):
        yield _Feature(
            origin="geojson",
            ref=obj.ref,
            osm_type=obj.osm_type,
            osm_id=obj.osm_id,
            kinds=obj.kinds,
            tags=obj.tags,
            geometry=obj.geometry,
        )


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


# --- Import ----------------------------------------------------------------------------


def _import_record(row: ContextImport) -> dict[str, Any]:
    return {
        "file": row.file_name,
        "sha256": row.sha256,
        "format": row.format,
        "objects": row.objects,
        "by_kind": dict(row.by_kind),
        "skipped": dict(row.skipped),
        "imported_at": row.imported_at,
        "imported_by": row.imported_by,
        "custody_event": row.custody_seq,
    }


def import_context(
    case: Case, path: str | Path, progress: Progress | None = None
) -> dict[str, Any]:
    """Read an OSM extract (`.osm`, `.osm.bz2`, `.osm.gz`, `.osm.pbf`) or a GeoJSON
    FeatureCollection into the case.

    OSM files stream through pyosmium and rows go in by batches of `BATCH_SIZE`, so memory
    does not grow with the file (beyond pyosmium's node-location index); everything is one
    transaction with one custody event naming the file's SHA-256 and the counts. An OSM
    object already in the case (same type and id, from an overlapping extract) is not
    stored twice. The same file again (same SHA-256) changes nothing and says so
    (`already_imported`). A missing or malformed file raises `CaseError` and leaves the
    case as it was. `progress(n)` is called with the number of objects read so far.
    """
    path = Path(path)
    if not path.exists():
        raise CaseError(f"{path}: file not found")
    if not path.is_file():
        raise CaseError(f"{path}: not a file")
    file_kind = file_format(path)
    sha256, size = file_sha256(path)
    with case.transaction() as session:
        done = session.scalars(select(ContextImport).where(ContextImport.sha256 == sha256)).first()
        if done is not None:
            return _import_record(done) | {"already_imported": True}
        row = ContextImport(
            file_name=path.name,
            sha256=sha256,
            size_bytes=size,
            format=file_kind,
            objects=0,
            by_kind={},
            skipped={},
            imported_at=utc_now(),
            imported_by=case.actor,
            custody_seq=-1,  # replaced by the event's below, in the same transaction
        )
        session.add(row)
        session.flush()
        stats = ReadStats()
        features = _geojson_features(path) if file_kind == "geojson" else _osm_features(path, stats)
        writer = _writer(session, case, row.id)
        by_kind: Counter[str] = Counter()
        batch: list[_Feature] = []
        read = 0
        try:
            for feature in features:
                batch.append(feature)
                if len(batch) >= BATCH_SIZE:
                    read += _flush(writer, batch, by_kind, progress, read)
            read += _flush(writer, batch, by_kind, progress, read)
        except ContextDataError as error:
            raise CaseError(str(error)) from None
        skipped = {"already_in_case": writer.already_in_case}
        if file_kind != "geojson":
            skipped |= {
                "unclosed_ways": stats.skipped_unclosed_ways,
                "other_relations": stats.skipped_relations,
                "unassembled_areas": stats.skipped_bad_areas,
            }
        row.objects = writer.stored
        row.by_kind = dict(sorted(by_kind.items()))
        row.skipped = skipped
        event = case.record(
            session,
            "context-import",
            sha256,
            {
                "file": path.name,
                "sha256": sha256,
                "size_bytes": size,
                "format": file_kind,
                "objects": writer.stored,
                "by_kind": row.by_kind,
                "skipped": skipped,
            },
        )
        row.custody_seq = event.seq
        session.flush()
        return _import_record(row) | {"already_imported": False}


def _flush(
    writer: _Writer,
    batch: list[_Feature],
    by_kind: Counter[str],
    progress: Progress | None,
    read: int,
) -> int:
    count = len(batch)
    for _, feature in writer.write(batch):
        by_kind.update(feature.kinds)
    batch.clear()
    if progress is not None:
        progress(read + count)
    return count


def list_imports(case: Case) -> list[dict[str, Any]]:
    """Every map extract read into the case, oldest first."""
    with case.sessions() as session:
        rows = session.scalars(select(ContextImport).order_by(ContextImport.id)).all()
        return [_import_record(row) for row in rows]


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
) -> dict[str, Any]:
    """`add_context_object` inside the caller's transaction (no commit): checks, stores the
    object and its R*Tree box, and records a `context-add` custody event."""
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
    if source is not None and session.get(Source, source) is None:
        raise CaseError(f"object {user_id}: source {source!r} is not in the case")
    all_tags = dict(tags or {})
    if name:
        all_tags["name"] = name
    record = manual_record(user_id, names, name, geom, basis, source)
    event = case.record(session, "context-add", user_id, record)
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
    return record | {"custody_event": event.seq}


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
) -> dict[str, Any]:
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


def manual_record(
    user_id: str,
    kinds: Sequence[str],
    name: str | None,
    geometry: BaseGeometry,
    basis: str | None,
    source: str | None,
) -> dict[str, Any]:
    """An object in the case-file `objects:` shape: a point as lat/lon, else geometry."""
    point = isinstance(geometry, Point)
    return {
        "id": user_id,
        "kinds": list(kinds),
        "name": name,
        "lat": geometry.y if point else None,
        "lon": geometry.x if point else None,
        "geometry": None if point else _geojson_geometry(geometry),
        "basis": basis,
        "source": source,
    }


def _geojson_geometry(geometry: BaseGeometry) -> dict[str, Any]:
    # mapping() gives tuples; JSON (and the case file) want lists.
    document: dict[str, Any] = json.loads(json.dumps(mapping(geometry)))
    return document


def manual_objects(case: Case) -> list[dict[str, Any]]:
    """Objects added by hand, in the order added, in the case-file `objects:` shape."""
    with case.sessions() as session:
        rows = session.scalars(
            select(ContextObjectRow)
            .where(ContextObjectRow.origin == "manual")
            .order_by(ContextObjectRow.id)
        ).all()
        return [
            manual_record(
                row.user_id or f"object-{row.id}",
                row.kinds,
                row.name,
                shapely.from_wkb(row.geometry_wkb),
                row.basis,
                row.source_id,
            )
            for row in rows
        ]


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


def _nearby(row: ContextObjectRow, distance_m: float) -> dict[str, Any]:
    return _object_record(row) | {"distance_m": round(distance_m, 1)}


def _object_record(row: ContextObjectRow) -> dict[str, Any]:
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
) -> list[dict[str, Any]]:
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
) -> dict[str, dict[str, Any]]:
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
) -> list[dict[str, Any]]:
    """Objects in the case in the order stored (of any of `kinds`, from `origin`), as
    NEARBY records without a distance."""
    wanted = None if kinds is None else _check_kinds(kinds, "--kind")
    with case.sessions() as session:
        query = select(ContextObjectRow).order_by(ContextObjectRow.id)
        if origin is not None:
            query = query.where(ContextObjectRow.origin == origin)
        records: list[dict[str, Any]] = []
        for row in session.scalars(query.execution_options(yield_per=1000)):
            if wanted is not None and not set(wanted) & set(row.kinds):
                continue
            records.append(_object_record(row))
            if limit is not None and len(records) >= limit:
                break
        return records


def context_summary(case: Case) -> dict[str, Any]:
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
) -> dict[str, Any]:
    """The case's objects (those whose bounding box meets `bbox` = (min_lon, min_lat,
    max_lon, max_lat), or all) as a GeoJSON FeatureCollection: each feature's id is its
    NEARBY id, its properties its tags plus `kind` (read back by `import_context`) and
    `evidencelab:origin` / `:basis` / `:source`."""
    with case.sessions() as session:
        query = select(ContextObjectRow).order_by(ContextObjectRow.id)
        if bbox is not None:
            ids = _box_ids(session.connection(), bbox, None)
            query = query.where(ContextObjectRow.id.in_(ids))
        features = []
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
                    "geometry": _geojson_geometry(shapely.from_wkb(row.geometry_wkb)),
                    "properties": properties,
                }
            )
    return {"type": "FeatureCollection", "features": features}


# --- Straight from a file (no case) ----------------------------------------------------


def objects_near(
    path: Path, lat: float, lon: float, radius_m: float, kinds: list[str] | None = None
) -> dict[str, Any]:
    """Objects of the given kinds (or all) within ``radius_m`` metres, nearest first, and
    the nearest object of each kind at any distance, read from a map extract file."""
    check_place(lat, lon)
    unknown = sorted(set(kinds or ()) - set(KIND_CATEGORY))
    if unknown:
        raise CaseError(
            f"--kinds: unknown {', '.join(unknown)} (known: {', '.join(KIND_CATEGORY)})"
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


def _hit(hit: Hit) -> dict[str, Any]:
    o = hit.object
    return {
        "ref": o.ref,
        "name": o.name,
        "kinds": sorted(o.kinds),
        "category": o.category,
        "distance_m": round(hit.distance_m, 1),
    }
