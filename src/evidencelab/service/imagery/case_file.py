"""Scenes and annotations in the case file: the facts a person or a catalogue set on a
scene, and the annotations, written on export and restored on import."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeGuard

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidencelab.locker.case import Case, CaseError
from evidencelab.locker.inputs import parse_time
from evidencelab.model.codec import format_datetime
from evidencelab.service.evidence.items import find_evidence
from evidencelab.service.imagery.records import AnnotationFileEntry, SceneFileFacts
from evidencelab.service.imagery.scenes import (
    insert_scene,
    link_scene,
    utc_text,
)
from evidencelab.store.tables import EvidenceItem
from evidencelab.store.tables.imagery import Scene, SceneAnnotation

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


def scene_file_record(session: Session, evidence_id: str) -> SceneFileFacts | None:
    """The scene facts to write in a case file: those a person or a catalogue set, that is
    what differs from the raster file's own record (read again when the file is ingested).
    ``None`` when there are none, so a case whose scenes were never set exports as before."""
    scene = session.get(Scene, evidence_id)
    item = session.get(EvidenceItem, evidence_id)
    if scene is None or item is None:
        return None
    raster = item.metadata_raw.get("raster") or {}
    record: SceneFileFacts = {}
    if scene.acquired_at is not None and not (scene.acquired_at_source or "").startswith("tag "):
        record["acquired_at"] = scene.acquired_at
        record["acquired_at_source"] = scene.acquired_at_source
    if _set_by_hand(scene.sensor, raster.get("sensor")):
        record["sensor"] = scene.sensor
    if _set_by_hand(scene.provider, raster.get("provider")):
        record["provider"] = scene.provider
    if _set_by_hand(scene.attribution, raster.get("attribution")):
        record["attribution"] = scene.attribution
    if scene.licence is not None:
        record["licence"] = scene.licence
    if scene.publishable:
        record["publishable"] = True
    return record or None


def _set_by_hand(value: str | None, from_file: Any) -> TypeGuard[str]:
    """Whether a scene's fact is set and differs from the raster file's own record."""
    return value is not None and value != from_file


def _wanted_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    """A case file's scene facts as the scene table holds them (times in UTC)."""
    wanted = {k: facts[k] for k in SCENE_FILE_KEYS if facts.get(k) is not None}
    if "acquired_at" in wanted:
        moment = parse_time(str(wanted["acquired_at"]), what="scene acquired_at")
        wanted["acquired_at"] = utc_text(moment)
        wanted.setdefault("acquired_at_source", CASE_FILE_SOURCE)
    return wanted


def scene_fact_conflicts(session: Session, evidence_id: str, facts: Mapping[str, Any]) -> list[str]:
    """Names of the facts a case file states differently from what was set on the scene
    already in the case (facts not set there yet are not conflicts)."""
    current: dict[str, Any] = dict(scene_file_record(session, evidence_id) or {})
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


def _time_text(value: str) -> str:
    """A recorded time as the case file writes it (so stored and file values compare)."""
    return format_datetime(datetime.fromisoformat(str(value).replace("Z", "+00:00")))


def annotation_file_records(session: Session) -> list[AnnotationFileEntry]:
    """Every annotation as a case file's ``annotations`` entry, in the order made."""
    records = []
    for row in session.scalars(select(SceneAnnotation).order_by(SceneAnnotation.id)):
        record: AnnotationFileEntry = {
            "id": row.id,
            "scene": row.scene_id,
            "kind": row.kind,
            "geometry": row.geometry,
            "author": row.author,
            "created_at": _time_text(row.created_at),
        }
        if row.diameter_m is not None:
            record["diameter_m"] = row.diameter_m
        if row.note is not None:
            record["note"] = row.note
        records.append(record)
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
