"""Satellite scenes as evidence: scene records, links to incidents, chips, before/after
comparison, annotations, catalogue search and windowed fetch, and chips for reports.

A scene is an evidence item whose raster record (``metadata_raw["raster"]``, written by the
``raster`` extractor) is copied into the ``scene`` table with its terms of use. Chips and
comparisons are derived works: stored objects with a custody event naming the source
scene(s) and the parameters; the scene itself is never changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from evidencelab.analysis.imagery.geometry import contains_point
from evidencelab.analysis.imagery.timing import label_acquisition
from evidencelab.case import Case, CaseError
from evidencelab.inputs import check_place, parse_time
from evidencelab.locker.custody import canonical_json
from evidencelab.model.codec import format_datetime
from evidencelab.model.imagery import ANNOTATION_KINDS
from evidencelab.service.evidence import find_evidence
from evidencelab.store.tables import Derivative, EvidenceItem, Incident, IncidentEvidence
from evidencelab.store.tables.imagery import Scene, SceneAnnotation

DEFAULT_RADIUS_M = 500.0
# Scene order for a single chip: the first scene after the incident shows its effects.
_CHIP_PREFERENCE = {"after": 0, "during": 1, "before": 2, "unknown": 3}


# --- scene records ---------------------------------------------------------------------


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def scene_record(scene: Scene, item: EvidenceItem) -> dict[str, Any]:
    """A scene as a plain record (JSON values)."""
    raster = item.metadata_raw.get("raster") or {}
    return {
        "id": item.id,
        "sha256": item.sha256,
        "original_name": item.original_name,
        "kind": item.kind,
        "georeferenced": scene.georeferenced,
        "georeference": raster.get("georeference", "transform" if scene.georeferenced else None),
        "crs": scene.crs,
        "lonlat_bounds": (
            [scene.west, scene.south, scene.east, scene.north] if scene.west is not None else None
        ),
        "footprint": scene.footprint,
        "footprint_method": raster.get("footprint_method"),
        "resolution_m": scene.resolution_m,
        "width": raster.get("width"),
        "height": raster.get("height"),
        "bands": raster.get("count"),
        "dtypes": raster.get("dtypes"),
        "acquired_at": scene.acquired_at,
        "acquired_at_source": scene.acquired_at_source,
        "sensor": scene.sensor,
        "provider": scene.provider,
        "licence": scene.licence,
        "attribution": scene.attribution,
        "publishable": scene.publishable,
        "notes": raster.get("notes", []),
        "extraction_errors": item.extraction_errors,
    }


def insert_scene(case: Case, session: Session, item: EvidenceItem) -> Scene | None:
    """Record an ingested raster as a scene, inside the caller's transaction.

    Does nothing (returns ``None``) for an item without a raster record or already
    recorded. A georeferenced raster whose kind was not given (or was inferred as
    ``photo`` from its image media type) becomes kind ``satellite``. Links the scene to
    incidents whose place it covers. One custody event ``imagery.scene``.
    """
    raster = item.metadata_raw.get("raster")
    if not isinstance(raster, dict) or session.get(Scene, item.id) is not None:
        return None
    georeferenced = bool(raster.get("georeferenced"))
    bounds = raster.get("lonlat_bounds") or [None] * 4
    kind_before = item.kind
    if georeferenced and item.kind in (None, "photo"):
        item.kind = "satellite"
    facts = {
        "georeferenced": georeferenced,
        "crs": raster.get("crs"),
        "resolution_m": raster.get("resolution_m"),
        "acquired_at": raster.get("acquired_at"),
        "acquired_at_source": (
            f"tag {raster['acquired_at_source']}" if raster.get("acquired_at_source") else None
        ),
        "sensor": raster.get("sensor"),
        "provider": raster.get("provider"),
        "attribution": raster.get("attribution"),
    }
    event = case.record(
        session,
        "imagery.scene",
        item.id,
        {
            **facts,
            "kind": {"from": kind_before, "to": item.kind},
            "footprint_sha256": _digest(raster.get("footprint")),
        },
    )
    scene = Scene(
        evidence_id=item.id,
        footprint=raster.get("footprint"),
        west=bounds[0],
        south=bounds[1],
        east=bounds[2],
        north=bounds[3],
        licence=None,
        publishable=False,
        updated_at=event.recorded_at,
        custody_seq=event.seq,
        **facts,
    )
    session.add(scene)
    session.flush()
    link_scene(case, session, scene)
    return scene


def register_scenes(case: Case, evidence_ids: Sequence[str] | None = None) -> list[str]:
    """Record every ingested raster (or those among ``evidence_ids``) not yet recorded as a
    scene; returns their ids."""
    query = select(EvidenceItem.id, EvidenceItem.metadata_raw)
    if evidence_ids is not None:
        query = query.where(EvidenceItem.id.in_(list(evidence_ids)))
    with case.sessions() as session:
        recorded = set(session.scalars(select(Scene.evidence_id)))
        pending = [
            item_id
            for item_id, raw in session.execute(query)
            if item_id not in recorded and isinstance(raw, dict) and "raster" in raw
        ]
    done = []
    for item_id in pending:
        with case.transaction() as session:
            item = session.get(EvidenceItem, item_id)
            if item is not None and insert_scene(case, session, item) is not None:
                done.append(item_id)
    return done


def _digest(value: Any) -> str | None:
    return None if value is None else hashlib.sha256(canonical_json(value).encode()).hexdigest()


def _scene(session: Session, ref: str) -> tuple[Scene, EvidenceItem]:
    item = find_evidence(session, ref)
    scene = session.get(Scene, item.id)
    if scene is None:
        raise CaseError(f"evidence {ref}: not a raster scene (no raster record)")
    return scene, item


def list_scenes(case: Case, incident_id: str | None = None) -> list[dict[str, Any]]:
    """Every scene (oldest acquisition first, unknown times last); with ``incident_id``,
    only scenes covering its place, each with its ``label`` (before/during/after)."""
    register_scenes(case)
    if incident_id is not None:
        return scenes_for_incident(case, incident_id)
    with case.sessions() as session:
        rows = session.execute(
            select(Scene, EvidenceItem).join(EvidenceItem, EvidenceItem.id == Scene.evidence_id)
        ).all()
        records = [scene_record(scene, item) for scene, item in rows]
    return sorted(
        records, key=lambda r: (r["acquired_at"] is None, r["acquired_at"] or "", r["id"])
    )


def show_scene(case: Case, ref: str) -> dict[str, Any]:
    register_scenes(case)
    with case.sessions() as session:
        scene, item = _scene(session, ref)
        return scene_record(scene, item)


def set_scene(
    case: Case,
    ref: str,
    *,
    acquired_at: str | None = None,
    licence: str | None = None,
    attribution: str | None = None,
    publishable: bool | None = None,
    sensor: str | None = None,
    provider: str | None = None,
) -> dict[str, Any]:
    """Set what a person knows about a scene (acquisition time with a UTC offset, terms of
    use, sensor); one custody event ``imagery.set`` with the old and new values. Links the
    scene to incidents whose place it covers."""
    changes: dict[str, Any] = {
        "licence": licence,
        "attribution": attribution,
        "publishable": publishable,
        "sensor": sensor,
        "provider": provider,
    }
    if acquired_at is not None:
        changes["acquired_at"] = _utc_text(parse_time(acquired_at, what="acquired-at"))
        changes["acquired_at_source"] = "user"
    changes = {key: value for key, value in changes.items() if value is not None}
    if not changes:
        raise CaseError("imagery set: give at least one value to set")
    register_scenes(case)
    with case.transaction() as session:
        scene, item = _scene(session, ref)
        old = {key: getattr(scene, key) for key in changes}
        event = case.record(session, "imagery.set", item.id, {"from": old, "to": changes})
        for key, value in changes.items():
            setattr(scene, key, value)
        scene.updated_at = event.recorded_at
        scene.custody_seq = event.seq
        session.flush()
        link_scene(case, session, scene)
        return scene_record(scene, item)


# --- case files --------------------------------------------------------------------------

#: Scene facts a case file carries under an evidence entry's ``scene``.
SCENE_FILE_KEYS = (
    "acquired_at",
    "acquired_at_source",
    "sensor",
    "provider",
    "licence",
    "attribution",
    "publishable",
)
#: Where an acquisition time came from when a case file states it without saying.
CASE_FILE_SOURCE = "case file"


def scene_file_record(session: Session, evidence_id: str) -> dict[str, Any] | None:
    """The scene facts to write in a case file: those a person or a catalogue set, that is
    what differs from the raster file's own record (read again when the file is ingested).
    ``None`` when there are none, so a case whose scenes were never set exports as before."""
    scene = session.get(Scene, evidence_id)
    item = session.get(EvidenceItem, evidence_id)
    if scene is None or item is None:
        return None
    raster = item.metadata_raw.get("raster") or {}
    record: dict[str, Any] = {}
    if scene.acquired_at is not None and not (scene.acquired_at_source or "").startswith("tag "):
        record["acquired_at"] = scene.acquired_at
        record["acquired_at_source"] = scene.acquired_at_source
    for key in ("sensor", "provider", "attribution"):
        value = getattr(scene, key)
        if value is not None and value != raster.get(key):
            record[key] = value
    if scene.licence is not None:
        record["licence"] = scene.licence
    if scene.publishable:
        record["publishable"] = True
    return record or None


def _wanted_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """A case file's scene facts as the scene table holds them (times in UTC)."""
    wanted = {k: facts[k] for k in SCENE_FILE_KEYS if facts.get(k) is not None}
    if "acquired_at" in wanted:
        moment = parse_time(str(wanted["acquired_at"]), what="scene acquired_at")
        wanted["acquired_at"] = _utc_text(moment)
        wanted.setdefault("acquired_at_source", CASE_FILE_SOURCE)
    return wanted


def scene_fact_conflicts(session: Session, evidence_id: str, facts: dict[str, Any]) -> list[str]:
    """Names of the facts a case file states differently from what was set on the scene
    already in the case (facts not set there yet are not conflicts)."""
    current = scene_file_record(session, evidence_id) or {}
    scene = session.get(Scene, evidence_id)
    if scene is not None:
        current["publishable"] = bool(scene.publishable)
        if "acquired_at" not in current:
            current.pop("acquired_at_source", None)
    wanted = _wanted_facts(facts)
    if "acquired_at_source" not in facts:
        wanted.pop("acquired_at_source", None)
    return [k for k, v in wanted.items() if k in current and current[k] != v]


def import_scene_facts(
    case: Case, session: Session, evidence_id: str, facts: dict[str, Any]
) -> bool:
    """Set a case file's scene facts on an ingested raster (no commit), recording it as a
    scene first if needed; one custody event ``imagery.set`` with the old and new values,
    none when the scene already says this. Returns whether anything changed."""
    item = find_evidence(session, evidence_id)
    scene = session.get(Scene, item.id) or insert_scene(case, session, item)
    if scene is None:
        raise CaseError(f"evidence {evidence_id}: scene facts given, but it is not a raster")
    changes = {k: v for k, v in _wanted_facts(facts).items() if getattr(scene, k) != v}
    if not changes:
        return False
    old = {key: getattr(scene, key) for key in changes}
    event = case.record(
        session, "imagery.set", item.id, {"from": old, "to": changes, "basis": "case file"}
    )
    for key, value in changes.items():
        setattr(scene, key, value)
    scene.updated_at = event.recorded_at
    scene.custody_seq = event.seq
    session.flush()
    link_scene(case, session, scene)
    return True


def _time_text(value: Any) -> str | None:
    """A recorded time as the case file writes it (so stored and file values compare)."""
    if value is None:
        return None
    return format_datetime(datetime.fromisoformat(str(value).replace("Z", "+00:00")))


def annotation_file_records(session: Session) -> list[dict[str, Any]]:
    """Every annotation as a case file's ``annotations`` entry, in the order made."""
    records = []
    for row in session.scalars(select(SceneAnnotation).order_by(SceneAnnotation.id)):
        record = {
            "id": row.id,
            "scene": row.scene_id,
            "kind": row.kind,
            "geometry": row.geometry,
            "diameter_m": row.diameter_m,
            "note": row.note,
            "author": row.author,
            "created_at": _time_text(row.created_at),
        }
        records.append({k: v for k, v in record.items() if v is not None})
    return records


def annotation_problem(entry: dict[str, Any]) -> str | None:
    """Why a case file's annotation cannot be stored (its geometry cannot be measured), or
    ``None``: checked before anything is written."""
    from evidencelab.analysis.imagery.measures import measure_geometry

    try:
        measure_geometry(dict(entry["geometry"]))
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        return f"geometry: {error}"
    return None


def import_annotation(case: Case, session: Session, entry: dict[str, Any]) -> bool:
    """Store a case file's annotation under its id, with its author and time, unless the
    case has it already (no commit); one custody event ``imagery.annotate`` naming the
    import. Returns whether it was added."""
    from evidencelab.analysis.imagery.measures import measure_geometry

    if session.get(SceneAnnotation, entry["id"]) is not None:
        return False
    item = find_evidence(session, entry["scene"])
    scene = session.get(Scene, item.id) or insert_scene(case, session, item)
    if scene is None or scene.footprint is None:
        raise CaseError(f"annotation {entry['id']}: scene {item.id} is not georeferenced")
    geometry = dict(entry["geometry"])
    measures = measure_geometry(geometry)
    diameter = entry.get("diameter_m")
    if diameter is None and entry["kind"] == "crater":
        diameter = measures.get("length_m", measures.get("equivalent_diameter_m"))
    event = case.record(
        session,
        "imagery.annotate",
        item.id,
        {
            "id": entry["id"],
            "kind": entry["kind"],
            "geometry": geometry,
            "measures": measures,
            "diameter_m": diameter,
            "note": entry.get("note"),
            "author": entry.get("author"),
            "created_at": entry.get("created_at"),
            "basis": "case file",
        },
    )
    session.add(
        SceneAnnotation(
            id=entry["id"],
            scene_id=item.id,
            kind=entry["kind"],
            geometry=geometry,
            measures=measures,
            diameter_m=diameter,
            note=entry.get("note"),
            author=entry.get("author") or case.actor,
            created_at=entry.get("created_at") or event.recorded_at,
            custody_seq=event.seq,
        )
    )
    session.flush()
    return True


# --- incidents -------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    lat: float
    lon: float
    precision_m: float | None


def incident_place(incident: Incident) -> Place:
    place = incident.place or {}
    lat, lon = place.get("lat"), place.get("lon")
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        raise CaseError(f"incident {incident.id}: has no place (lat, lon) to look at")
    precision = place.get("precision_m")
    return Place(
        float(lat), float(lon), float(precision) if isinstance(precision, int | float) else None
    )


def _incident(session: Session, incident_id: str) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise CaseError(f"incident {incident_id}: no such incident")
    return incident


def link_scene(case: Case, session: Session, scene: Scene) -> list[str]:
    """Link a scene to every incident whose place its footprint covers (not linked yet);
    one custody event ``imagery.link`` per new link with its before/during/after label."""
    if scene.footprint is None:
        return []
    linked = []
    for incident in session.scalars(select(Incident).order_by(Incident.position)):
        try:
            place = incident_place(incident)
        except CaseError:
            continue
        if not contains_point(scene.footprint, place.lat, place.lon):
            continue
        if session.get(IncidentEvidence, (incident.id, scene.evidence_id)) is not None:
            continue
        position = session.scalar(
            select(func.coalesce(func.max(IncidentEvidence.position), -1)).where(
                IncidentEvidence.incident_id == incident.id
            )
        )
        session.add(
            IncidentEvidence(
                incident_id=incident.id,
                evidence_id=scene.evidence_id,
                position=int(position or 0) + 1,
            )
        )
        case.record(
            session,
            "imagery.link",
            scene.evidence_id,
            {
                "incident": incident.id,
                "basis": "scene footprint covers the incident's place",
                "label": label_acquisition(scene.acquired_at, incident.time),
            },
        )
        linked.append(incident.id)
    return linked


def link_all(case: Case) -> list[dict[str, str]]:
    """Link every scene to the incidents it covers (for incidents added after the scene)."""
    register_scenes(case)
    links = []
    with case.transaction() as session:
        for scene in session.scalars(select(Scene).order_by(Scene.evidence_id)):
            for incident_id in link_scene(case, session, scene):
                links.append({"scene": scene.evidence_id, "incident": incident_id})
    return links


def scenes_for_incident(case: Case, incident_id: str) -> list[dict[str, Any]]:
    """Scenes whose footprint covers the incident's place, labelled ``before``/``during``/
    ``after`` (or ``unknown`` without an acquisition time), in acquisition order."""
    register_scenes(case)
    with case.sessions() as session:
        incident = _incident(session, incident_id)
        place = incident_place(incident)
        found = []
        query = select(Scene, EvidenceItem).join(EvidenceItem, EvidenceItem.id == Scene.evidence_id)
        # A box with west > east crosses the antimeridian (RFC 7946 §5.2).
        query = query.where(
            or_(
                and_(Scene.west <= Scene.east, Scene.west <= place.lon, Scene.east >= place.lon),
                and_(
                    Scene.west > Scene.east, or_(Scene.west <= place.lon, Scene.east >= place.lon)
                ),
            ),
            Scene.south <= place.lat,
            Scene.north >= place.lat,
        )
        for scene, item in session.execute(query):
            if scene.footprint is None or not contains_point(scene.footprint, place.lat, place.lon):
                continue
            record = scene_record(scene, item)
            record["label"] = label_acquisition(scene.acquired_at, incident.time)
            found.append(record)
    return sorted(found, key=lambda r: (r["acquired_at"] is None, r["acquired_at"] or "", r["id"]))


# --- annotations -----------------------------------------------------------------------


def annotation_record(row: SceneAnnotation) -> dict[str, Any]:
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
) -> dict[str, Any]:
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
        scene, item = _scene(session, scene_ref)
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


def list_annotations(case: Case, scene_ref: str | None = None) -> list[dict[str, Any]]:
    """Annotations in the order they were made, of one scene or of all."""
    with case.sessions() as session:
        query = select(SceneAnnotation).order_by(SceneAnnotation.id)
        if scene_ref is not None:
            _, item = _scene(session, scene_ref)
            query = query.where(SceneAnnotation.scene_id == item.id)
        return [annotation_record(row) for row in session.scalars(query)]


def annotations_geojson(case: Case, scene_ref: str | None = None) -> dict[str, Any]:
    """Annotations as a GeoJSON FeatureCollection (for maps): geometry plus the record."""
    features = [
        {"type": "Feature", "geometry": record.pop("geometry"), "properties": record}
        for record in list_annotations(case, scene_ref)
    ]
    return {"type": "FeatureCollection", "features": features}


# --- chips and comparisons -------------------------------------------------------------


@dataclass(frozen=True)
class _SceneRef:
    id: str
    sha256: str
    resolution_m: float
    acquired_at: str | None
    attribution: str | None
    label: str


def _scene_ref(record: dict[str, Any]) -> _SceneRef:
    if record["resolution_m"] is None:
        raise CaseError(f"scene {record['id']}: not georeferenced")
    return _SceneRef(
        record["id"],
        record["sha256"],
        float(record["resolution_m"]),
        record["acquired_at"],
        record["attribution"],
        record.get("label", "unknown"),
    )


def _credit(scene: _SceneRef) -> str:
    return scene.attribution or "attribution not recorded"


def _acquired_text(scene: _SceneRef) -> str:
    if scene.acquired_at is None:
        return "acquired: unknown"
    return "acquired " + scene.acquired_at.replace("T", " ").replace("Z", " UTC")


def _read(case: Case, scene: _SceneRef, grid: Any) -> tuple[Any, Any]:
    import rasterio

    from evidencelab.analysis.imagery.warp import OutsideScene, display_bands, read_to_grid
    from evidencelab.extract.raster import gdal_env

    try:
        with (
            gdal_env(),
            rasterio.open(case.objects.path(scene.sha256)) as dataset,
            _gridded(dataset, scene.id) as source,
        ):
            return read_to_grid(source, grid, scene.resolution_m, display_bands(source.count))
    except OutsideScene:
        raise CaseError(f"scene {scene.id}: does not cover the chip's area") from None


@contextmanager
def _gridded(dataset: Any, scene_id: str) -> Iterator[Any]:
    """The dataset on a regular grid: as it is when it has a geotransform; warped through
    its ground control points (GDAL's GCP transformer in a virtual warped dataset, which
    reads only the source blocks a window needs) when it has only those."""
    from rasterio.enums import Resampling
    from rasterio.vrt import WarpedVRT

    if dataset.crs is not None and not dataset.transform.is_identity:
        yield dataset
        return
    gcps, gcp_crs = dataset.gcps
    if not gcps or gcp_crs is None:
        raise CaseError(
            f"scene {scene_id}: georeferenced by RPCs only; chips need an orthorectified scene"
        )
    with WarpedVRT(dataset, crs=gcp_crs, resampling=Resampling.bilinear) as warped:
        yield warped


def _decorate(image: Any, grid: Any, place: Place) -> None:
    from evidencelab.analysis.imagery.grid import grid_convergence_deg
    from evidencelab.analysis.imagery.render import (
        draw_centre_mark,
        draw_north_arrow,
        draw_scale_bar,
    )

    draw_centre_mark(image)
    draw_scale_bar(image, grid.pixel_m)
    draw_north_arrow(image, grid_convergence_deg(place.lat, place.lon, grid.epsg))


def _grid_text(grid: Any) -> str:
    zone = grid.epsg % 100
    hemisphere = "N" if grid.epsg < 32700 else "S"
    return f"WGS 84 / UTM zone {zone}{hemisphere}, north up, {grid.pixel_m:.2f} m per pixel"


def _pick(scenes: list[dict[str, Any]], scene_ref: str | None, incident_id: str) -> dict[str, Any]:
    if scene_ref is not None:
        for record in scenes:
            if scene_ref in (record["id"], record["sha256"]) or (
                len(scene_ref) >= 6 and record["sha256"].startswith(scene_ref)
            ):
                return record
        raise CaseError(f"scene {scene_ref}: does not cover the place of incident {incident_id}")
    if not scenes:
        raise CaseError(f"incident {incident_id}: no scene covers its place")
    return min(
        scenes,
        key=lambda r: (
            _CHIP_PREFERENCE[r["label"]],
            r["acquired_at"] or "" if r["label"] != "before" else _reverse(r["acquired_at"]),
        ),
    )


def _reverse(text: str | None) -> str:
    """Sort key that orders ISO times latest first."""
    return "".join(chr(0x10FFFF - ord(c)) for c in (text or ""))


def make_chip(
    case: Case,
    incident_id: str,
    *,
    radius_m: float = DEFAULT_RADIUS_M,
    scene_ref: str | None = None,
    out: Path | None = None,
    annotations: bool = False,
    reuse: bool = True,
) -> dict[str, Any]:
    """A north-up PNG chip of a scene around an incident's place, in the local UTM zone,
    with scale bar, north arrow, acquisition date and attribution burned in; with
    ``annotations``, the scene's annotations inside the chip drawn on and numbered.

    Without ``scene_ref`` the scene is the first acquired after the incident, else one
    during it, else the last before it. Stored in the locker as a derivative of the scene
    with a custody event ``imagery.chip`` naming the scene and parameters; written to
    ``out`` too when given. A chip already stored for the same parameters, caption and
    annotations is reused without reading the scene again, unless ``reuse`` is false (to
    check a stored chip against a fresh rendering, or to time the rendering).
    """
    from evidencelab.analysis.imagery.grid import chip_grid

    if not radius_m > 0:
        raise CaseError(f"radius {radius_m}: must be a positive number of metres")
    scenes = scenes_for_incident(case, incident_id)
    scene = _scene_ref(_pick(scenes, scene_ref, incident_id))
    place = _place_of(case, incident_id)
    grid = chip_grid(place.lat, place.lon, radius_m, scene.resolution_m)
    drawn = chip_annotations(case, scene.id, grid) if annotations else []
    lines = [
        f"{_acquired_text(scene)} · {_credit(scene)}",
        f"scene {scene.id} ({scene.label} the incident) · {_grid_text(grid)}",
        f"±{radius_m:g} m around incident {incident_id} (ring: {place.lat:.5f}, {place.lon:.5f})",
    ]
    if drawn:
        listed = "; ".join(
            f"{a['number']}: annotation {a['id']}, {a['kind'].replace('_', ' ')}" for a in drawn
        )
        lines.append(f"drawn in cyan: {listed}")
    params = {
        "incident": incident_id,
        "radius_m": radius_m,
        "epsg": grid.epsg,
        "pixel_m": grid.pixel_m,
        "width": grid.width,
        "height": grid.height,
        "centre": [place.lat, place.lon],
        "resampling": "bilinear",
    }
    payload: dict[str, Any] = {"scene": scene.id, "params": params, "caption": lines}
    if drawn:
        payload["annotations"] = [a["id"] for a in drawn]
    role = _derivative_role("chip", payload)
    stored = _stored_derivative(case, scene.id, role) if reuse else None
    if stored is None:
        png = _render_chip(case, scene, grid, place, lines, drawn)
        stored = _store_derivative(case, scene, "chip", png, payload, role)
    if out is not None:
        _write_atomic(out, Path(stored["path"]).read_bytes())
    return {
        **stored,
        "scene": scene.id,
        "label": scene.label,
        "acquired_at": scene.acquired_at,
        "attribution": scene.attribution,
        "params": params,
        "annotations": drawn,
        "out": str(out) if out is not None else None,
    }


def _render_chip(
    case: Case,
    scene: _SceneRef,
    grid: Any,
    place: Place,
    lines: list[str],
    drawn: list[dict[str, Any]],
) -> bytes:
    from evidencelab.analysis.imagery.render import picture, with_caption
    from evidencelab.analysis.imagery.warp import to_display

    data, valid = _read(case, scene, grid)
    image = picture(to_display(data, valid), valid)
    draw_annotations(image, grid, drawn)
    _decorate(image, grid, place)
    return _png(with_caption(image, lines))


def chip_annotations(case: Case, scene_id: str, grid: Any) -> list[dict[str, Any]]:
    """Annotations of a scene that reach into a chip's square, oldest first, each with its
    ``number`` as drawn on the chip (1, 2, …)."""
    from pyproj import CRS
    from shapely.geometry import box, shape

    from evidencelab.analysis.imagery.geometry import WGS84, densify, reproject_geometry

    square = reproject_geometry(densify(box(*grid.bounds)), CRS.from_epsg(grid.epsg), WGS84)
    records = [
        record
        for record in list_annotations(case, scene_id)
        if shape(record["geometry"]).intersects(square)
    ]
    return [{**record, "number": n} for n, record in enumerate(records, start=1)]


ANNOTATION_RGB = (0, 230, 255)  # cyan: stands out on vegetation, soil, water and burn scars
_OUTLINE_RGB = (0, 0, 0)


def draw_annotations(image: Any, grid: Any, annotations: list[dict[str, Any]]) -> None:
    """Draw annotations (WGS84 GeoJSON) on a chip image of ``grid``, in place: points as a
    circle of the crater's diameter to scale (or a marker when no diameter is given), lines
    and polygon outlines in cyan over a black edge, each numbered at its first vertex."""
    from PIL import ImageDraw, ImageFont
    from pyproj import Transformer

    from evidencelab.analysis.imagery.render import FONT_PATH

    if not annotations:
        return
    draw = ImageDraw.Draw(image)
    try:
        font: Any = ImageFont.truetype(str(FONT_PATH), 14)
    except OSError:  # the font package is missing: Pillow's bitmap font still shows digits
        font = ImageFont.load_default()
    to_grid = Transformer.from_crs(4326, grid.epsg, always_xy=True)
    inverse = ~grid.transform

    def pixels(coords: Sequence[Sequence[float]]) -> list[tuple[float, float]]:
        out = []
        for lon, lat, *_ in coords:
            col, row = inverse @ to_grid.transform(lon, lat)
            out.append((float(col), float(row)))
        return out

    for record in annotations:
        geometry = record["geometry"]
        kind = geometry["type"]
        if kind == "Point":
            [(x, y)] = pixels([geometry["coordinates"]])
            diameter = record.get("diameter_m")
            r = max(4.0, diameter / 2 / grid.pixel_m) if diameter else 6.0
            draw.ellipse((x - r, y - r, x + r, y + r), outline=_OUTLINE_RGB, width=4)
            draw.ellipse((x - r, y - r, x + r, y + r), outline=ANNOTATION_RGB, width=2)
            anchor = (x + r, y - r)
        else:
            rings = (
                [geometry["coordinates"]]
                if kind == "LineString"
                else [geometry["coordinates"][0]]
                if kind == "Polygon"
                else [polygon[0] for polygon in geometry["coordinates"]]
            )
            drawn: list[tuple[float, float]] = []
            for ring in rings:
                points = pixels(ring)
                draw.line(points, fill=_OUTLINE_RGB, width=4)
                draw.line(points, fill=ANNOTATION_RGB, width=2)
                drawn += points
            inside = [(x, y) for x, y in drawn if 0 <= x < image.width and 0 <= y < image.height]
            anchor = (inside or drawn)[0]
        label = str(record["number"])
        # The number stays on the chip even when the shape runs off its edge.
        x = min(max(anchor[0] + 3, 0.0), image.width - 26.0)
        y = min(max(anchor[1] - 18, 0.0), image.height - 18.0)
        box_right = x + 8 + 9 * len(label)
        draw.rectangle((x, y, box_right, y + 17), fill=(255, 255, 255), outline=_OUTLINE_RGB)
        draw.text((x + 4, y), label, fill=(0, 0, 0), font=font)


def compare(
    case: Case,
    incident_id: str,
    *,
    radius_m: float = DEFAULT_RADIUS_M,
    threshold: float | None = None,
    before_ref: str | None = None,
    after_ref: str | None = None,
    out: Path | None = None,
) -> dict[str, Any]:
    """Before/after pair around an incident on one common grid, and a change map.

    Scenes: the last acquired before the incident and the first after it (or those
    given). Grid: the local UTM zone at the coarser of the two resolutions. Change measure:
    :func:`evidencelab.analysis.imagery.change.change_map` (standardised luminance
    difference, thresholded; the threshold is reported). Stored as a derivative of the
    after scene with a custody event ``imagery.compare`` naming both scenes.
    """
    from evidencelab.analysis.imagery.change import DEFAULT_THRESHOLD, change_map
    from evidencelab.analysis.imagery.grid import chip_grid
    from evidencelab.analysis.imagery.render import (
        overlay_changes,
        picture,
        side_by_side,
        with_caption,
    )
    from evidencelab.analysis.imagery.warp import to_display

    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    if not radius_m > 0 or not threshold > 0:
        raise CaseError("radius and threshold must be positive numbers")
    scenes = scenes_for_incident(case, incident_id)
    before_rec = _pick(scenes, before_ref, incident_id) if before_ref else _latest(scenes, "before")
    after_rec = _pick(scenes, after_ref, incident_id) if after_ref else _earliest(scenes, "after")
    if before_rec is None or after_rec is None:
        missing = "before" if before_rec is None else "after"
        raise CaseError(
            f"incident {incident_id}: no scene covering its place was acquired {missing} it "
            "(set acquisition times with `imagery set`, or name the scenes)"
        )
    before, after = _scene_ref(before_rec), _scene_ref(after_rec)
    if before.id == after.id:
        raise CaseError("compare: the before and after scenes are the same scene")
    place = _place_of(case, incident_id)
    grid = chip_grid(place.lat, place.lon, radius_m, max(before.resolution_m, after.resolution_m))
    data_b, valid_b = _read(case, before, grid)
    data_a, valid_a = _read(case, after, grid)
    valid = valid_b & valid_a
    result = change_map(data_b, data_a, valid, threshold)
    pictures = []
    for data, scene_valid in ((data_b, valid_b), (data_a, valid_a)):
        image = picture(to_display(data, scene_valid), scene_valid)
        _decorate(image, grid, place)
        pictures.append(image)
    changes = overlay_changes(pictures[1], result.changed)
    fraction = result.changed_pixels / result.valid_pixels if result.valid_pixels else 0.0
    lines = [
        f"before: scene {before.id}, {_acquired_text(before)} · {_credit(before)}",
        f"after: scene {after.id}, {_acquired_text(after)} · {_credit(after)}",
        f"change (red): |Δ standardised luminance| > {threshold:g} σ, 3×3 opening; "
        f"{fraction:.2%} of {result.valid_pixels} common pixels · {_grid_text(grid)}",
    ]
    panel = side_by_side([("before", pictures[0]), ("after", pictures[1]), ("change", changes)])
    png = _png(with_caption(panel, lines))
    params = {
        "incident": incident_id,
        "radius_m": radius_m,
        "threshold_sigma": threshold,
        "measure": "abs difference of standardised BT.601 luminance, 3x3 opening",
        "epsg": grid.epsg,
        "pixel_m": grid.pixel_m,
        "width": grid.width,
        "height": grid.height,
        "centre": [place.lat, place.lon],
    }
    stored = _store_derivative(
        case, after, "compare", png, {"before": before.id, "after": after.id, "params": params}
    )
    if out is not None:
        _write_atomic(out, png)
    return {
        **stored,
        "before": {"scene": before.id, "acquired_at": before.acquired_at},
        "after": {"scene": after.id, "acquired_at": after.acquired_at},
        "threshold_sigma": threshold,
        "valid_pixels": result.valid_pixels,
        "changed_pixels": result.changed_pixels,
        "changed_fraction": fraction,
        "changed_area_m2": result.changed_pixels * grid.pixel_m**2,
        "regions": [_region_record(region, grid) for region in result.regions],
        "params": params,
        "out": str(out) if out is not None else None,
    }


def _region_record(region: tuple[int, int, int, int], grid: Any) -> dict[str, Any]:
    from pyproj import Transformer

    row0, col0, row1, col1 = region
    x, y = grid.transform @ ((col0 + col1 + 1) / 2, (row0 + row1 + 1) / 2)
    lon, lat = Transformer.from_crs(grid.epsg, 4326, always_xy=True).transform(x, y)
    return {
        "pixels": [row0, col0, row1, col1],
        "centre": [round(lat, 6), round(lon, 6)],
        "width_m": (col1 - col0 + 1) * grid.pixel_m,
        "height_m": (row1 - row0 + 1) * grid.pixel_m,
    }


def _latest(scenes: list[dict[str, Any]], label: str) -> dict[str, Any] | None:
    matching = [r for r in scenes if r["label"] == label]
    return matching[-1] if matching else None


def _earliest(scenes: list[dict[str, Any]], label: str) -> dict[str, Any] | None:
    matching = [r for r in scenes if r["label"] == label]
    return matching[0] if matching else None


def _place_of(case: Case, incident_id: str) -> Place:
    with case.sessions() as session:
        return incident_place(_incident(session, incident_id))


def _png(image: Any) -> bytes:
    from evidencelab.analysis.imagery.render import png_bytes

    return png_bytes(image)


def _derivative_role(what: str, payload: dict[str, Any]) -> str:
    """Role of a derived PNG: ``WHAT-<digest of its parameters>``."""
    return f"{what}-{hashlib.sha256(canonical_json(payload).encode()).hexdigest()[:16]}"


def _stored_derivative(case: Case, scene_id: str, role: str) -> dict[str, Any] | None:
    """A derivative already stored under ``role`` whose object is in the locker."""
    with case.sessions() as session:
        existing = session.scalars(
            select(Derivative).where(Derivative.evidence_id == scene_id, Derivative.role == role)
        ).first()
        if existing is None:
            return None
        path = case.objects.path(existing.sha256)
        if not path.is_file():
            return None
        return {"sha256": existing.sha256, "path": str(path), "role": role, "new": False}


def _store_derivative(
    case: Case,
    scene: _SceneRef,
    what: str,
    png: bytes,
    payload: dict[str, Any],
    role: str | None = None,
) -> dict[str, Any]:
    """Store a derived PNG as an object and a derivative row of ``scene`` (role
    ``WHAT-<parameters digest>``), with a custody event; the same parameters and bytes
    again record nothing new."""
    role = role or _derivative_role(what, payload)
    stored = case.objects.put_bytes(png)
    with case.transaction() as session:
        existing = session.scalars(
            select(Derivative).where(Derivative.evidence_id == scene.id, Derivative.role == role)
        ).first()
        if existing is not None and existing.sha256 == stored.sha256:
            return {"sha256": stored.sha256, "path": str(stored.path), "role": role, "new": False}
        event = case.record(
            session,
            f"imagery.{what}",
            scene.id,
            {**payload, "source_sha256": scene.sha256, "sha256": stored.sha256, "role": role},
        )
        if existing is not None:  # same parameters, other pixels: a newer program version
            existing.sha256 = stored.sha256
        else:
            session.add(
                Derivative(
                    evidence_id=scene.id, role=role, sha256=stored.sha256, media_type="image/png"
                )
            )
        return {
            "sha256": stored.sha256,
            "path": str(stored.path),
            "role": role,
            "new": True,
            "custody_event": event.seq,
        }


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (temporary file, fsync, rename)."""
    if not path.parent.is_dir():
        raise CaseError(f"{path}: folder does not exist")
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with open(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(name, path)
    finally:
        Path(name).unlink(missing_ok=True)


# --- reports ---------------------------------------------------------------------------


def scene_chips_for_report(case: Case, incident_id: str, public: bool) -> list[dict[str, Any]]:
    """Chips of every georeferenced scene covering an incident's place, for a report, in
    acquisition order, each made once and then reused from the locker (same parameters,
    caption and annotations): ``scene``, ``label`` (before/during/after/unknown),
    ``acquired_at``, ``resolution_m`` (the scene's), ``pixel_m`` (the chip's),
    ``sensor``, ``provider``, ``attribution``, ``licence``, ``publishable``, ``sha256``
    and ``path`` of the PNG, ``media_type``, ``radius_m``, and the scene's
    ``annotations`` drawn on the chip (numbered, with their measures). With ``public``,
    scenes not marked publishable are left out and no chip is made for them."""
    chips = []
    for record in scenes_for_incident(case, incident_id):
        if record["resolution_m"] is None or (public and not record["publishable"]):
            continue
        chip = make_chip(case, incident_id, scene_ref=record["id"], annotations=True)
        chips.append(
            {
                "scene": record["id"],
                "label": record["label"],
                "acquired_at": record["acquired_at"],
                "acquired_at_source": record["acquired_at_source"],
                "resolution_m": record["resolution_m"],
                "pixel_m": chip["params"]["pixel_m"],
                "sensor": record["sensor"],
                "provider": record["provider"],
                "attribution": record["attribution"],
                "licence": record["licence"],
                "publishable": record["publishable"],
                "sha256": chip["sha256"],
                "path": chip["path"],
                "media_type": "image/png",
                "radius_m": chip["params"]["radius_m"],
                "annotations": [
                    {
                        key: annotation[key]
                        for key in ("number", "id", "kind", "measures", "diameter_m", "note")
                    }
                    for annotation in chip["annotations"]
                ],
            }
        )
    return chips


# --- catalogue search and windowed fetch -----------------------------------------------

DEFAULT_CATALOG = "https://earth-search.aws.element84.com/v1"
DEFAULT_COLLECTIONS = ("sentinel-2-l2a", "landsat-c2-l2")
CATALOG_ENV = "EVIDENCELAB_STAC_URL"
COLLECTIONS_ENV = "EVIDENCELAB_STAC_COLLECTIONS"
DEFAULT_DAYS = 30
DEFAULT_FETCH_RADIUS_M = 1000.0
MAX_ITEMS = 100
# Assets tried in order when none is named: a true-colour rendering first.
PREFERRED_ASSETS = ("visual", "rgb", "image", "red")


def catalogue(catalog: str | None, collections: list[str] | None) -> tuple[str, list[str]]:
    """The STAC API and collections to use: given, else from the environment
    (``EVIDENCELAB_STAC_URL``, comma-separated ``EVIDENCELAB_STAC_COLLECTIONS``), else
    Earth Search's Sentinel-2 L2A and Landsat Collection 2 L2."""
    url = catalog or os.environ.get(CATALOG_ENV) or DEFAULT_CATALOG
    if collections:
        return url, list(collections)
    env = os.environ.get(COLLECTIONS_ENV)
    if env:
        return url, [c.strip() for c in env.split(",") if c.strip()]
    return url, list(DEFAULT_COLLECTIONS)


@contextmanager
def _stac_errors(url: str) -> Iterator[None]:
    from pystac_client.exceptions import APIError

    try:
        yield
    except APIError as error:
        raise CaseError(
            f"catalogue {url}: {str(error).splitlines()[0] if str(error) else 'API error'}"
        ) from None
    except (OSError, ValueError) as error:  # requests' errors are OSErrors; bad JSON ValueError
        raise CaseError(f"catalogue {url}: {type(error).__name__}: {error}") from None


def _interval(
    incident: Incident, days_before: float, days_after: float
) -> tuple[datetime, datetime]:
    time = incident.time or {}
    try:
        start = parse_time(str(time.get("start")), what=f"incident {incident.id} start")
    except CaseError:
        raise CaseError(f"incident {incident.id}: has no start time with a UTC offset") from None
    end_text = time.get("end")
    end = parse_time(str(end_text), what=f"incident {incident.id} end") if end_text else start
    return start - timedelta(days=days_before), end + timedelta(days=days_after)


def _item_record(item: Any, incident_time: dict[str, Any] | None) -> dict[str, Any]:
    props = item.properties
    moment = item.datetime or (
        datetime.fromisoformat(props["start_datetime"].replace("Z", "+00:00"))
        if props.get("start_datetime")
        else None
    )
    acquired = _utc_text(moment) if moment is not None else None
    self_link = item.get_self_href()
    return {
        "id": item.id,
        "collection": item.collection_id,
        "acquired_at": acquired,
        "label": label_acquisition(acquired, incident_time),
        "cloud_cover": props.get("eo:cloud_cover"),
        "platform": props.get("platform"),
        "gsd": props.get("gsd"),
        "self": self_link,
        "assets": {
            name: asset.href
            for name, asset in item.assets.items()
            if "image/" in (asset.media_type or "") or name in PREFERRED_ASSETS
        },
    }


def search_catalogue(
    case: Case,
    incident_id: str,
    *,
    days_before: float = DEFAULT_DAYS,
    days_after: float = DEFAULT_DAYS,
    catalog: str | None = None,
    collections: list[str] | None = None,
    max_items: int = MAX_ITEMS,
) -> dict[str, Any]:
    """Scenes in a STAC API covering the incident's place from ``days_before`` its start
    to ``days_after`` its end, oldest first, with cloud cover, label and asset links."""
    from pystac_client import Client

    if days_before < 0 or days_after < 0:
        raise CaseError("days before and after must not be negative")
    url, names = catalogue(catalog, collections)
    with case.sessions() as session:
        incident = _incident(session, incident_id)
        place = incident_place(incident)
        start, end = _interval(incident, days_before, days_after)
        incident_time = incident.time
    with _stac_errors(url):
        client = Client.open(url)
        search = client.search(
            collections=names,
            intersects={"type": "Point", "coordinates": [place.lon, place.lat]},
            datetime=[start, end],
            max_items=max_items,
        )
        items = [_item_record(item, incident_time) for item in search.items()]
    items.sort(key=lambda r: (r["acquired_at"] or "", r["id"]))
    return {
        "catalog": url,
        "collections": names,
        "incident": incident_id,
        "point": [place.lat, place.lon],
        "from": _utc_text(start),
        "to": _utc_text(end),
        "items": items,
    }


def _choose_asset(item: Any, asset: str | None) -> tuple[str, str]:
    if asset is not None:
        if asset not in item.assets:
            raise CaseError(f"item {item.id}: no asset {asset!r}; has {', '.join(item.assets)}")
        return asset, item.assets[asset].get_absolute_href() or item.assets[asset].href
    for name in PREFERRED_ASSETS:
        if name in item.assets:
            return name, item.assets[name].get_absolute_href() or item.assets[name].href
    for name, candidate in item.assets.items():
        if "image/tiff" in (candidate.media_type or ""):
            return name, candidate.get_absolute_href() or candidate.href
    raise CaseError(f"item {item.id}: no GeoTIFF asset; name one with --asset")


def gdal_path(href: str) -> str:
    """The GDAL path of an asset: ``/vsicurl/`` for HTTP(S) (range reads), as is otherwise."""
    return f"/vsicurl/{href}" if href.startswith(("http://", "https://")) else href


# GDAL over HTTP: no directory listing, no side-car probing, so only the file's own ranges.
VSICURL_OPTIONS = {
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".tif,.tiff,.TIF,.TIFF,.jp2",
    "GDAL_HTTP_MAX_RETRY": 2,
    "GDAL_HTTP_TIMEOUT": 60,
    "VSI_CACHE": False,
}


def fetch_item(
    case: Case,
    incident_id: str,
    item_id: str,
    *,
    catalog: str | None = None,
    collections: list[str] | None = None,
    asset: str | None = None,
    radius_m: float = DEFAULT_FETCH_RADIUS_M,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Download the window of a STAC item's asset around an incident into the locker.

    Only the tiles the window overlaps are read (GDAL ``/vsicurl/`` range requests on a
    Cloud-Optimised GeoTIFF). The window is written as a GeoTIFF (DEFLATE), ingested as
    evidence of kind ``satellite`` with the asset URL, and the STAC item JSON is stored
    beside it as a derivative (role ``stac-item``) for provenance. The scene's acquisition
    time, platform, instruments and licence come from the item; one custody event
    ``imagery.fetch``.
    """
    import rasterio
    from pystac_client import Client
    from rasterio.windows import Window, from_bounds

    from evidencelab.analysis.imagery.geometry import point_box
    from evidencelab.extract.raster import gdal_env
    from evidencelab.locker.ingest import IngestRequest, ingest

    if not radius_m > 0:
        raise CaseError(f"radius {radius_m}: must be a positive number of metres")
    url, names = catalogue(catalog, collections)
    place = _place_of(case, incident_id)
    with _stac_errors(url):
        client = Client.open(url)
        found = list(client.search(ids=[item_id], collections=names, max_items=1).items())
    if not found:
        raise CaseError(f"item {item_id}: not found in {url} ({', '.join(names)})")
    item = found[0]
    asset_name, href = _choose_asset(item, asset)
    if progress:
        progress(f"reading a ±{radius_m:g} m window of {href}")
    with tempfile.TemporaryDirectory(prefix="evidencelab-fetch-") as folder:
        target = Path(folder) / f"{item.id}-{asset_name}-window.tif"
        try:
            with gdal_env(**VSICURL_OPTIONS), rasterio.open(gdal_path(href)) as dataset:
                square = point_box(place.lat, place.lon, radius_m, dataset.crs)
                window = from_bounds(*square.bounds, transform=dataset.transform)
                window = window.round_offsets().round_lengths()
                window = window.intersection(Window(0, 0, dataset.width, dataset.height))
                data = dataset.read(window=window)
                profile = {
                    **dataset.profile,
                    "driver": "GTiff",
                    "width": int(window.width),
                    "height": int(window.height),
                    "transform": dataset.window_transform(window),
                    "compress": "deflate",
                    "tiled": True,
                    "blockxsize": 256,
                    "blockysize": 256,
                }
                for key in ("photometric", "jpeg_quality"):
                    profile.pop(key, None)
                tags = dataset.tags()
            with rasterio.open(target, "w", **profile) as out:
                out.write(data)
                out.update_tags(**tags)
        except rasterio.errors.WindowError:
            raise CaseError(
                f"item {item.id}: does not cover incident {incident_id}'s place"
            ) from None
        except rasterio.errors.RasterioIOError as error:
            raise CaseError(f"asset {href}: {str(error).splitlines()[0]}") from None
        pixel_window = [
            int(window.col_off),
            int(window.row_off),
            int(window.width),
            int(window.height),
        ]
        [outcome] = ingest(
            case,
            [
                IngestRequest(
                    path=target,
                    kind="satellite",
                    url=href,
                    note=f"window ±{radius_m:g} m around incident {incident_id} of STAC item "
                    f"{item.id} ({item.collection_id}), asset {asset_name}",
                )
            ],
            workers=1,
        )
    if outcome.evidence_id is None:
        raise CaseError(f"item {item.id}: window not stored: {outcome.message}")
    register_scenes(case)
    item_json = json.dumps(item.to_dict(), indent=2, sort_keys=True).encode()
    stored = case.objects.put_bytes(item_json)
    record = _item_record(item, None)
    facts = {
        "acquired_at": record["acquired_at"],
        "acquired_at_source": "stac" if record["acquired_at"] else None,
        "sensor": ", ".join(item.properties.get("instruments") or []) or None,
        "provider": item.properties.get("platform"),
        "licence": item.properties.get("license") or _collection_licence(item),
    }
    with case.transaction() as session:
        scene, evidence = _scene(session, outcome.evidence_id)
        event = case.record(
            session,
            "imagery.fetch",
            evidence.id,
            {
                "catalog": url,
                "item": item.id,
                "collection": item.collection_id,
                "asset": asset_name,
                "href": href,
                "window": pixel_window,
                "radius_m": radius_m,
                "incident": incident_id,
                "stac_item_sha256": stored.sha256,
                "set": facts,
            },
        )
        for key, value in facts.items():
            if value is not None:
                setattr(scene, key, value)
        scene.updated_at = event.recorded_at
        scene.custody_seq = event.seq
        if (
            session.scalars(
                select(Derivative).where(
                    Derivative.evidence_id == evidence.id, Derivative.role == "stac-item"
                )
            ).first()
            is None
        ):
            session.add(
                Derivative(
                    evidence_id=evidence.id,
                    role="stac-item",
                    sha256=stored.sha256,
                    media_type="application/geo+json",
                )
            )
        session.flush()
        link_scene(case, session, scene)
        result = scene_record(scene, evidence)
    return {
        "scene": result,
        "item": item.id,
        "asset": asset_name,
        "href": href,
        "window": pixel_window,
        "stac_item_sha256": stored.sha256,
        "status": outcome.status,
    }


def _collection_licence(item: Any) -> str | None:
    for link in item.links:
        if link.rel == "license":
            return str(link.href)
    return None
