"""Tables for context objects: protected objects and possible military objectives.

`context_object` holds every object, whether imported from a map extract (`origin` osm or
geojson, with the `context_import` it came from) or added by hand (`origin` manual, with
the analyst's `user_id`, `basis` and `source`). Geometry is WKB in WGS84 lon/lat.

The SQLite R*Tree `context_object_rtree` (created by migration 0003, outside the ORM
because it is a virtual table) holds each object's lon/lat bounding box under the same id,
plus a bit mask of its kinds (an auxiliary column, bits from `context_kind`) so that a
query for some kinds skips the others without reading their rows.
"""

from typing import Any, Final

from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from evidencelab.store.tables.core import Base

#: The R*Tree virtual table over context objects' bounding boxes (see migration 0003).
RTREE_TABLE: Final = "context_object_rtree"


class ContextImport(Base):
    """One map extract read into the case: which file (by SHA-256), what it gave, who."""

    __tablename__ = "context_import"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    file_name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String)  # osm-pbf, osm-xml, geojson
    objects: Mapped[int] = mapped_column(Integer)  # objects stored by this import
    by_kind: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Objects already in the case (same OSM type and id) and what the reader skipped.
    skipped: Mapped[dict[str, Any]] = mapped_column(JSON)
    imported_at: Mapped[str] = mapped_column(String)
    imported_by: Mapped[str] = mapped_column(String)
    custody_seq: Mapped[int] = mapped_column(Integer, unique=True)


class ContextKind(Base):
    """The bit each kind has in the R*Tree's `kinds_mask` (assigned on first use)."""

    __tablename__ = "context_kind"

    name: Mapped[str] = mapped_column(String, primary_key=True)
    bit: Mapped[int] = mapped_column(Integer, unique=True)


class ContextObjectRow(Base):
    """A protected object or possible military objective, as mapped or as reported."""

    __tablename__ = "context_object"
    # An OSM object is stored once, however many overlapping extracts bring it.
    __table_args__ = (UniqueConstraint("osm_type", "osm_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    origin: Mapped[str] = mapped_column(String)  # osm, geojson, manual
    user_id: Mapped[str | None] = mapped_column(String, unique=True)  # manual objects only
    ref: Mapped[str | None] = mapped_column(String, index=True)  # way/123, or a GeoJSON id
    kinds: Mapped[list[Any]] = mapped_column(JSON)
    category: Mapped[str | None] = mapped_column(String)
    name: Mapped[str | None] = mapped_column(Text)
    osm_type: Mapped[str | None] = mapped_column(String)
    osm_id: Mapped[int | None] = mapped_column(Integer)
    tags: Mapped[dict[str, Any]] = mapped_column(JSON)
    geometry_wkb: Mapped[bytes] = mapped_column(LargeBinary)
    # A point inside the geometry (shapely's point_on_surface), for lists and maps.
    point_lat: Mapped[float] = mapped_column(Float)
    point_lon: Mapped[float] = mapped_column(Float)
    basis: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[str | None] = mapped_column(ForeignKey("source.id"))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("context_import.id"), index=True)
    added_at: Mapped[str] = mapped_column(String)
    added_by: Mapped[str] = mapped_column(String)
    custody_seq: Mapped[int | None] = mapped_column(Integer)  # manual objects' own event
    # Fields the case file gave a manual object beyond the known ones, kept for export.
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
