"""Satellite scenes for the web workbench's incident page and map: footprints and
annotations as GeoJSON, and the scenes' facts with the chips already stored for an
incident.

Read-only: the page shows the scenes linked to an incident (automatically when the scene's
footprint covers the place, or by hand) as recorded; it makes no chip and registers no
scene. Sensitive scenes, and the annotations drawn on them, are left out for roles without
``read_sensitive`` (counted as withheld). Scenes not cleared for publication are shown to
every role, marked as such: the workbench is internal, and publication is decided by the
report's public version.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidencelab.analysis.imagery.timing import label_acquisition
from evidencelab.locker.case import Case, CaseError
from evidencelab.locker.custody import event_payload
from evidencelab.service.imagery.annotations import annotation_properties, annotation_record
from evidencelab.service.imagery.records import (
    Feature,
    FeatureCollection,
    IncidentImagery,
    IncidentSceneFacts,
    IncidentSceneView,
    MapImagery,
    MapSceneFacts,
    SceneAnnotationProperties,
    SceneFacts,
    StoredChip,
)
from evidencelab.service.verification.geolocation import PLACE_ACTION
from evidencelab.store.tables import (
    CustodyEvent,
    Derivative,
    EvidenceItem,
    Incident,
    IncidentEvidence,
)
from evidencelab.store.tables.imagery import Scene, SceneAnnotation

_Facts = TypeVar("_Facts")


def _scene_facts(scene: Scene, original_name: str | None) -> SceneFacts:
    return {
        "id": scene.evidence_id,
        "original_name": original_name,
        "georeferenced": scene.georeferenced,
        "acquired_at": scene.acquired_at,
        "acquired_at_source": scene.acquired_at_source,
        "resolution_m": scene.resolution_m,
        "crs": scene.crs,
        "sensor": scene.sensor,
        "provider": scene.provider,
        "licence": scene.licence,
        "attribution": scene.attribution,
        "publishable": scene.publishable,
    }


def _footprint(facts: _Facts, footprint: dict[str, Any] | None) -> Feature[_Facts] | None:
    if footprint is None:
        return None
    return {"type": "Feature", "geometry": footprint, "properties": facts}


def overview_outlines(footprints: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Footprints (GeoJSON Polygons or MultiPolygons, WGS 84 degrees) reduced for the map of
    all incidents: the convex hull of each part's outer ring, simplified at 1e-4 degrees
    (about 11 m); computed for all footprints in one vectorised call.

    A traced valid-pixel outline has a vertex at every step of the decimated mask (204 for
    the Landsat swath of the tests, 8 kB of JSON); its hull keeps the shape at a glance in
    a few dozen vertices, at the cost of covering a little nodata (0.5 % more area for that
    swath). Parts split at the antimeridian stay separate parts, so no hull spans the
    globe."""
    import numpy as np
    import shapely

    rings: list[Any] = []
    owner: list[int] = []
    for index, footprint in enumerate(footprints):
        polygons = (
            [footprint["coordinates"]]
            if footprint["type"] == "Polygon"
            else footprint["coordinates"]
        )
        for polygon in polygons:
            rings.append(np.asarray(polygon[0], dtype=float)[:, :2])
            owner.append(index)
    if not rings:
        return []
    part_of = np.repeat(np.arange(len(rings)), [len(ring) for ring in rings])
    clouds = shapely.multipoints(np.concatenate(rings), indices=part_of)
    hulls = shapely.simplify(shapely.convex_hull(clouds), 1e-4)
    parts: list[list[Any]] = [[] for _ in footprints]
    for index, hull in zip(owner, hulls, strict=True):
        parts[index].append([np.asarray(hull.exterior.coords).tolist()])
    return [
        {"type": "Polygon", "coordinates": p[0]}
        if len(p) == 1
        else {"type": "MultiPolygon", "coordinates": p}
        for p in parts
    ]


def _annotation_feature(
    row: SceneAnnotation, scene: SceneFacts, label: str | None
) -> Feature[SceneAnnotationProperties]:
    record = annotation_record(row)
    properties = SceneAnnotationProperties(
        **annotation_properties(record),
        scene_label=label,
        scene_acquired_at=scene["acquired_at"],
    )
    return {"type": "Feature", "geometry": record["geometry"], "properties": properties}


def _annotations(session: Session, scene_ids: list[str]) -> list[SceneAnnotation]:
    query = select(SceneAnnotation).where(SceneAnnotation.scene_id.in_(scene_ids))
    return list(session.scalars(query.order_by(SceneAnnotation.id)))


def _collection(features: list[Feature[_Facts] | None]) -> FeatureCollection[_Facts]:
    return {"type": "FeatureCollection", "features": [f for f in features if f is not None]}


def _visible_scenes(
    session: Session, incident_ids: list[str] | None, sensitive: bool
) -> tuple[list[tuple[Scene, str | None, list[str]]], int]:
    """Scenes linked to the incidents (all incidents when None), each with its file's
    original name and the incidents it is linked to, oldest acquisition first (unknown
    times last); and how many were withheld. The evidence rows' JSON columns are not read."""
    query = (
        select(
            Scene, EvidenceItem.original_name, EvidenceItem.sensitive, IncidentEvidence.incident_id
        )
        .join(EvidenceItem, EvidenceItem.id == Scene.evidence_id)
        .join(IncidentEvidence, IncidentEvidence.evidence_id == Scene.evidence_id)
    )
    if incident_ids is not None:
        query = query.where(IncidentEvidence.incident_id.in_(incident_ids))
    found: dict[str, tuple[Scene, str | None, list[str]]] = {}
    withheld: set[str] = set()
    for scene, name, is_sensitive, incident_id in session.execute(query):
        if is_sensitive and not sensitive:
            withheld.add(scene.evidence_id)
            continue
        found.setdefault(scene.evidence_id, (scene, name, []))[2].append(incident_id)
    ordered = sorted(
        found.values(),
        key=lambda r: (r[0].acquired_at is None, r[0].acquired_at or "", r[0].evidence_id),
    )
    return ordered, len(withheld)


def _stored_chips(
    session: Session, incident_id: str, scenes: dict[str, Scene]
) -> dict[str, StoredChip]:
    """The latest chip stored for the incident of each scene (custody event ``imagery.chip``
    whose derivative is still the one it recorded), by scene id."""
    events = session.scalars(
        select(CustodyEvent)
        .where(CustodyEvent.action == "imagery.chip", CustodyEvent.subject.in_(list(scenes)))
        .order_by(CustodyEvent.seq)
    )
    moved = _incident_time_or_place_changed(session, incident_id)
    chips: dict[str, StoredChip] = {}
    for event in events:
        payload = event_payload(event) or {}
        params = payload.get("params") or {}
        if params.get("incident") != incident_id or event.subject is None:
            continue
        stored = session.scalars(
            select(Derivative).where(
                Derivative.evidence_id == event.subject,
                Derivative.role == payload.get("role"),
                Derivative.sha256 == payload.get("sha256"),
            )
        ).first()
        if stored is None:
            continue
        scene = scenes[event.subject]
        chips[event.subject] = {
            "role": stored.role,
            "sha256": stored.sha256,
            "custody_event": event.seq,
            "radius_m": params.get("radius_m"),
            "pixel_m": params.get("pixel_m"),
            "annotations": payload.get("annotations") or [],
            # Facts set on the scene since, or the incident's time or place changed since
            # (the caption's before/after and the chip's centre come from them).
            "stale": scene.custody_seq > event.seq or moved > event.seq,
        }
    return chips


def _incident_time_or_place_changed(session: Session, incident_id: str) -> int:
    """The custody event that last changed the incident's time or place (0: none since
    it was created or imported)."""
    events = session.scalars(
        select(CustodyEvent)
        .where(
            CustodyEvent.subject == incident_id,
            CustodyEvent.action.in_(("incident_edit", PLACE_ACTION)),
        )
        .order_by(CustodyEvent.seq.desc())
    )
    for event in events:
        changed = (event_payload(event) or {}).get("changed") or {}
        if event.action == PLACE_ACTION or "time" in changed or "place" in changed:
            return event.seq
    return 0


def incident_imagery(case: Case, incident_id: str, *, sensitive: bool) -> IncidentImagery:
    """The satellite scenes linked to an incident, for its page and map.

    Returns ``scenes`` (facts, ``label`` before/during/after/unknown from the acquisition
    time and the incident's interval, ``annotations`` count, and ``chip``: the latest chip
    stored for this incident, or None), ``footprints`` and ``annotations`` as GeoJSON
    FeatureCollections (WGS 84, RFC 7946) whose properties carry the same facts, and
    ``withheld``: linked sensitive scenes not shown to this role."""
    with case.sessions() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise CaseError(f"incident {incident_id}: no such incident")
        linked, withheld = _visible_scenes(session, [incident_id], sensitive)
        scenes: list[tuple[Scene, IncidentSceneFacts]] = []
        for scene, name, _ in linked:
            label = label_acquisition(scene.acquired_at, incident.time)
            scenes.append((scene, IncidentSceneFacts(**_scene_facts(scene, name), label=label)))
        by_id = {facts["id"]: facts for _, facts in scenes}
        rows = _annotations(session, list(by_id))
        chips = _stored_chips(session, incident_id, {facts["id"]: s for s, facts in scenes})
        records: list[IncidentSceneView] = []
        for _scene, facts in scenes:
            drawn = [row for row in rows if row.scene_id == facts["id"]]
            records.append(
                IncidentSceneView(**facts, annotations=len(drawn), chip=chips.get(facts["id"]))
            )
        return {
            "scenes": records,
            "footprints": _collection([_footprint(f, s.footprint) for s, f in scenes]),
            "annotations": _collection(
                [
                    _annotation_feature(row, by_id[row.scene_id], by_id[row.scene_id]["label"])
                    for row in rows
                ]
            ),
            "withheld": withheld,
        }


def map_imagery(case: Case, *, sensitive: bool) -> MapImagery:
    """Footprints of every scene linked to an incident (with ``incidents``: the ids it is
    linked to; no before/after label, which depends on the incident), reduced by
    :func:`overview_outlines`, and the annotations drawn on them, as GeoJSON
    FeatureCollections, for the map of all incidents."""
    with case.sessions() as session:
        linked, _withheld = _visible_scenes(session, None, sensitive)
        facts = {
            scene.evidence_id: MapSceneFacts(**_scene_facts(scene, name), incidents=sorted(ids))
            for scene, name, ids in linked
        }
        drawable = [scene for scene, _, _ in linked if scene.footprint is not None]
        outlines = overview_outlines([scene.footprint for scene in drawable if scene.footprint])
        rows = _annotations(session, list(facts))
        return {
            "footprints": _collection(
                [
                    _footprint(facts[scene.evidence_id], outline)
                    for scene, outline in zip(drawable, outlines, strict=True)
                ]
            ),
            "annotations": _collection(
                [_annotation_feature(row, facts[row.scene_id], None) for row in rows]
            ),
        }
