"""Scene records of ingested rasters, what a person sets on them, and their links to the
incidents whose place they cover (before / during / after)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from evidencelab.analysis.imagery.footprint import contains_point
from evidencelab.analysis.imagery.timing import label_acquisition
from evidencelab.locker.case import Case, CaseError
from evidencelab.locker.custody import canonical_digest
from evidencelab.locker.inputs import parse_time
from evidencelab.service.evidence.items import find_evidence
from evidencelab.service.imagery.records import IncidentScene, SceneLink, SceneRecord
from evidencelab.store.tables import EvidenceItem, Incident, IncidentEvidence
from evidencelab.store.tables.imagery import Scene


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def scene_record(scene: Scene, item: EvidenceItem) -> SceneRecord:
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
        "lonlat_bounds": _lonlat_bounds(scene),
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


def _lonlat_bounds(scene: Scene) -> list[float] | None:
    """West, south, east, north (degrees); None unless all four are recorded (they are
    written together, from the raster record)."""
    west, south, east, north = scene.west, scene.south, scene.east, scene.north
    if west is None or south is None or east is None or north is None:
        return None
    return [west, south, east, north]


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
            done += register_scenes_in(case, session, [item_id])
    return done


def register_scenes_in(case: Case, session: Session, evidence_ids: Sequence[str]) -> list[str]:
    """Record the rasters among ``evidence_ids`` not yet recorded as scenes, in the
    caller's transaction (an import writes them with the rest of its records)."""
    items = (session.get(EvidenceItem, item_id) for item_id in evidence_ids)
    return [i.id for i in items if i is not None and insert_scene(case, session, i) is not None]


def _digest(value: Any) -> str | None:
    return None if value is None else canonical_digest(value)


def scene_and_item(session: Session, ref: str) -> tuple[Scene, EvidenceItem]:
    item = find_evidence(session, ref)
    scene = session.get(Scene, item.id)
    if scene is None:
        raise CaseError(f"evidence {ref}: not a raster scene (no raster record)")
    return scene, item


def list_scenes(
    case: Case, incident_id: str | None = None
) -> list[SceneRecord] | list[IncidentScene]:
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


def show_scene(case: Case, ref: str) -> SceneRecord:
    register_scenes(case)
    with case.sessions() as session:
        scene, item = scene_and_item(session, ref)
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
) -> SceneRecord:
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
        changes["acquired_at"] = utc_text(parse_time(acquired_at, what="acquired-at"))
        changes["acquired_at_source"] = "user"
    changes = {key: value for key, value in changes.items() if value is not None}
    if not changes:
        raise CaseError("imagery set: give at least one value to set")
    register_scenes(case)
    with case.transaction() as session:
        scene, item = scene_and_item(session, ref)
        old = {key: getattr(scene, key) for key in changes}
        event = case.record(session, "imagery.set", item.id, {"from": old, "to": changes})
        for key, value in changes.items():
            setattr(scene, key, value)
        scene.updated_at = event.recorded_at
        scene.custody_seq = event.seq
        session.flush()
        link_scene(case, session, scene)
        return scene_record(scene, item)


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


def get_incident(session: Session, incident_id: str) -> Incident:
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


def link_all(case: Case) -> list[SceneLink]:
    """Link every scene to the incidents it covers (for incidents added after the scene)."""
    register_scenes(case)
    links: list[SceneLink] = []
    with case.transaction() as session:
        for scene in session.scalars(select(Scene).order_by(Scene.evidence_id)):
            for incident_id in link_scene(case, session, scene):
                links.append({"scene": scene.evidence_id, "incident": incident_id})
    return links


def scenes_for_incident(case: Case, incident_id: str) -> list[IncidentScene]:
    """Scenes whose footprint covers the incident's place, labelled ``before``/``during``/
    ``after`` (or ``unknown`` without an acquisition time), in acquisition order."""
    register_scenes(case)
    with case.sessions() as session:
        incident = get_incident(session, incident_id)
        place = incident_place(incident)
        found: list[IncidentScene] = []
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
            label = label_acquisition(scene.acquired_at, incident.time)
            found.append(IncidentScene(**scene_record(scene, item), label=label))
    return sorted(found, key=lambda r: (r["acquired_at"] is None, r["acquired_at"] or "", r["id"]))


def place_of(case: Case, incident_id: str) -> Place:
    with case.sessions() as session:
        return incident_place(get_incident(session, incident_id))
