"""Objects added by hand as the case file shows them (`objects:`): the records that reading
a case, exporting it and checking it against the custody log all build the same way.

Every read of a case lists these objects, and most of them are points. A stored point is
therefore decoded here without shapely, which would load numpy (about 0.1 s of CPU for a
command such as `summary`); any other geometry is decoded by shapely.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from sqlalchemy import select

from evidencelab.locker.case import Case
from evidencelab.service.context.records import ManualObject
from evidencelab.store.tables.context import ContextObjectRow

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

#: The fields of an object in a case file; any other field is kept as it was given.
KNOWN_FIELDS = frozenset({"id", "kinds", "name", "lat", "lon", "geometry", "basis", "source"})

# A two-dimensional point in well-known binary (OGC Simple Feature Access, part 1, 8.2):
# byte order (1 little-endian, 0 big-endian), geometry type 1, then x and y as doubles.
_WKB_POINT_TYPE = 1
_WKB_POINT = {1: struct.Struct("<BIdd"), 0: struct.Struct(">BIdd")}


class ObjectPlace(NamedTuple):
    """Where an object is, as the case file gives it: a point as `lat`/`lon` (WGS84
    degrees), any other shape as a GeoJSON `geometry`."""

    lat: float | None
    lon: float | None
    geometry: dict[str, Any] | None


def geojson_geometry(geometry: BaseGeometry) -> dict[str, Any]:
    """A shapely geometry as GeoJSON, with lists where shapely gives tuples (as JSON and
    the case file have them)."""
    document: dict[str, Any] = json.loads(json.dumps(geometry.__geo_interface__))
    return document


def object_place(geometry: BaseGeometry) -> ObjectPlace:
    """The case-file place of a shapely geometry."""
    if geometry.geom_type == "Point":
        return ObjectPlace(lat=geometry.y, lon=geometry.x, geometry=None)
    return ObjectPlace(lat=None, lon=None, geometry=geojson_geometry(geometry))


def stored_place(wkb: bytes) -> ObjectPlace:
    """The case-file place of a geometry stored as well-known binary."""
    layout = _WKB_POINT.get(wkb[0]) if wkb else None
    if layout is not None and len(wkb) == layout.size:
        _, geometry_type, x, y = layout.unpack(wkb)
        if geometry_type == _WKB_POINT_TYPE:
            return ObjectPlace(lat=y, lon=x, geometry=None)
    import shapely  # only for shapes other than a point: see the module docstring

    return object_place(shapely.from_wkb(wkb))


def manual_record(
    user_id: str,
    kinds: Sequence[str],
    name: str | None,
    place: ObjectPlace,
    basis: str | None,
    source: str | None,
    extra: Mapping[str, Any] | None = None,
) -> ManualObject:
    """An object in the case-file `objects:` shape; then any other fields it was given."""
    known: ManualObject = {
        "id": user_id,
        "kinds": list(kinds),
        "name": name,
        "lat": place.lat,
        "lon": place.lon,
        "geometry": place.geometry,
        "basis": basis,
        "source": source,
    }
    others = {k: v for k, v in (extra or {}).items() if k not in KNOWN_FIELDS}
    # A TypedDict cannot declare a case file's own extra fields; they ride along unchecked.
    return cast(ManualObject, {**known, **others})


def stored_manual_record(row: ContextObjectRow) -> ManualObject:
    """The case-file record of a stored object added by hand."""
    return manual_record(
        row.user_id or f"object-{row.id}",
        row.kinds,
        row.name,
        stored_place(row.geometry_wkb),
        row.basis,
        row.source_id,
        row.extra,
    )


def manual_objects(case: Case) -> list[ManualObject]:
    """Objects added by hand, in the order added, in the case-file `objects:` shape."""
    with case.sessions() as session:
        rows = session.scalars(
            select(ContextObjectRow)
            .where(ContextObjectRow.origin == "manual")
            .order_by(ContextObjectRow.id)
        ).all()
        return [stored_manual_record(row) for row in rows]
