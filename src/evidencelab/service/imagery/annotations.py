"""Geometries drawn on scenes (craters, damaged buildings, burn scars) with geodesic measures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from evidencelab.locker.case import Case, CaseError
from evidencelab.locker.inputs import check_place
from evidencelab.model.imagery import ANNOTATION_KINDS
from evidencelab.service.imagery.records import (
    AnnotationProperties,
    AnnotationRecord,
    Feature,
    FeatureCollection,
)
from evidencelab.service.imagery.scenes import (
    register_scenes,
    scene_and_item,
)
from evidencelab.store.tables.imagery import SceneAnnotation


def annotation_record(row: SceneAnnotation) -> AnnotationRecord:
    return {
        "id": row.id,
        "scene": row.scene_id,
        "kind": row.kind,
        "geometry": row.geometry,
        "measures": row.measures,
        "diameter_m": row.diameter_m,
        "note": row.note,
        "author": row.author,
        "created_at": row.created_at,
        "custody_event": row.custody_seq,
    }


def read_geometry_file(path: Path) -> dict[str, Any]:
    """The one geometry of a GeoJSON file: a bare geometry, a Feature, or a
    FeatureCollection holding exactly one Feature."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CaseError(f"{path}: cannot read: {error.strerror or error}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CaseError(f"{path}: not JSON: {error}") from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features") or []
        if len(features) != 1:
            raise CaseError(f"{path}: holds {len(features)} features; give exactly one")
        data = features[0]
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or "type" not in data:
        raise CaseError(f"{path}: no GeoJSON geometry found")
    return data


def annotate(
    case: Case,
    scene_ref: str,
    *,
    kind: str,
    geometry: dict[str, Any] | None = None,
    point: tuple[float, float] | None = None,
    diameter_m: float | None = None,
    note: str | None = None,
) -> AnnotationRecord:
    """Store a geometry drawn on a scene (WGS84 GeoJSON, or a point ``(lat, lon)``).

    Geodesic measures are computed from the geometry; a crater's ``diameter_m`` is the one
    given, else a line's length or a polygon's equivalent diameter. The geometry must lie
    within the scene's footprint. One custody event ``imagery.annotate``.
    """
    from shapely.geometry import shape

    from evidencelab.analysis.imagery.measures import measure_geometry

    if kind not in ANNOTATION_KINDS:
        raise CaseError(f"kind {kind!r}: must be one of {', '.join(ANNOTATION_KINDS)}")
    if (geometry is None) == (point is None):
        raise CaseError("annotate: give exactly one of a geometry file and a point")
    if point is not None:
        check_place(*point)
        geometry = {"type": "Point", "coordinates": [point[1], point[0]]}
    assert geometry is not None
    if diameter_m is not None and not diameter_m > 0:
        raise CaseError(f"diameter {diameter_m}: must be a positive number of metres")
    try:
        measures = measure_geometry(geometry)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise CaseError(f"geometry: {error}") from None
    if diameter_m is None and kind == "crater":
        diameter_m = measures.get("length_m", measures.get("equivalent_diameter_m"))
    register_scenes(case)
    with case.transaction() as session:
        scene, item = scene_and_item(session, scene_ref)
        if scene.footprint is None:
            raise CaseError(f"scene {item.id}: not georeferenced; nothing can be drawn on it")
        if not shape(scene.footprint).buffer(1e-6).covers(shape(geometry)):
            raise CaseError(f"geometry: lies outside the footprint of scene {item.id}")
        event = case.record(
            session,
            "imagery.annotate",
            item.id,
            {
                "kind": kind,
                "geometry": geometry,
                "measures": measures,
                "diameter_m": diameter_m,
                "note": note,
            },
        )
        row = SceneAnnotation(
            scene_id=item.id,
            kind=kind,
            geometry=geometry,
            measures=measures,
            diameter_m=diameter_m,
            note=note,
            author=case.actor,
            created_at=event.recorded_at,
            custody_seq=event.seq,
        )
        session.add(row)
        session.flush()
        return annotation_record(row)


def list_annotations(case: Case, scene_ref: str | None = None) -> list[AnnotationRecord]:
    """Annotations in the order they were made, of one scene or of all."""
    with case.sessions() as session:
        query = select(SceneAnnotation).order_by(SceneAnnotation.id)
        if scene_ref is not None:
            _, item = scene_and_item(session, scene_ref)
            query = query.where(SceneAnnotation.scene_id == item.id)
        return [annotation_record(row) for row in session.scalars(query)]


def annotations_geojson(
    case: Case, scene_ref: str | None = None
) -> FeatureCollection[AnnotationProperties]:
    """Annotations as a GeoJSON FeatureCollection (for maps): geometry plus the record."""
    features = [annotation_feature(record) for record in list_annotations(case, scene_ref)]
    return {"type": "FeatureCollection", "features": features}


def annotation_feature(record: AnnotationRecord) -> Feature[AnnotationProperties]:
    """An annotation as a GeoJSON Feature: its geometry, and the rest of its record as the
    properties."""
    return {
        "type": "Feature",
        "geometry": record["geometry"],
        "properties": annotation_properties(record),
    }


def annotation_properties(record: AnnotationRecord) -> AnnotationProperties:
    """An annotation's record without its geometry."""
    return {
        "id": record["id"],
        "scene": record["scene"],
        "kind": record["kind"],
        "measures": record["measures"],
        "diameter_m": record["diameter_m"],
        "note": record["note"],
        "author": record["author"],
        "created_at": record["created_at"],
        "custody_event": record["custody_event"],
    }
