"""Tables for satellite scenes and the annotations drawn on them (imagery layer).

A scene row holds the queryable facts of an evidence item of kind ``satellite``; the full
raster record stays in the item's ``metadata_raw["raster"]``. Each row names the custody
event that last set it; annotations are never updated, only added.
"""

from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from evidencelab.store.tables.core import Base


class Scene(Base):
    """Footprint (GeoJSON, WGS84), its lon/lat box for queries, resolution in metres,
    acquisition time (ISO 8601 UTC) with where it came from, and the terms of use."""

    __tablename__ = "scene"

    evidence_id: Mapped[str] = mapped_column(ForeignKey("evidence.id"), primary_key=True)
    georeferenced: Mapped[bool] = mapped_column(Boolean)
    crs: Mapped[str | None] = mapped_column(String)
    footprint: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    west: Mapped[float | None] = mapped_column(Float)
    south: Mapped[float | None] = mapped_column(Float)
    east: Mapped[float | None] = mapped_column(Float)
    north: Mapped[float | None] = mapped_column(Float)
    resolution_m: Mapped[float | None] = mapped_column(Float)
    acquired_at: Mapped[str | None] = mapped_column(String, index=True)
    acquired_at_source: Mapped[str | None] = mapped_column(String)
    sensor: Mapped[str | None] = mapped_column(Text)
    provider: Mapped[str | None] = mapped_column(Text)
    licence: Mapped[str | None] = mapped_column(Text)
    attribution: Mapped[str | None] = mapped_column(Text)
    publishable: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[str] = mapped_column(String)
    custody_seq: Mapped[int] = mapped_column(Integer)


class SceneAnnotation(Base):
    """A geometry drawn on a scene (GeoJSON, WGS84): a crater, damaged building, burn scar.

    ``measures`` holds geodesic lengths/areas computed from the geometry; ``diameter_m`` is
    the crater diameter (given with a point, else the line's length or the polygon's
    equivalent diameter).
    """

    __tablename__ = "scene_annotation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scene_id: Mapped[str] = mapped_column(ForeignKey("evidence.id"), index=True)
    kind: Mapped[str] = mapped_column(String)
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)
    measures: Mapped[dict[str, Any]] = mapped_column(JSON)
    diameter_m: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String)
    created_at: Mapped[str] = mapped_column(String)
    custody_seq: Mapped[int] = mapped_column(Integer, unique=True)
