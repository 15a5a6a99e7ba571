"""Conversion between case objects and plain JSON data (dicts, lists, text, numbers).

Decoding expects data that passed the schema (`evidencelab.model.schema`). Keys the
format does not define go to each object's `extra` and come back out unchanged, after
the defined keys, so that import then export loses nothing.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from evidencelab.model.case import CaseFile, EvidenceEntry, Source
from evidencelab.model.casualty import KNOWN_BREAKDOWNS, CasualtyReport, Count, Withdrawal
from evidencelab.model.claim import Claim
from evidencelab.model.context_object import ContextObjectEntry
from evidencelab.model.geolocation import EvidenceStatus, Geolocation, Review
from evidencelab.model.imagery import SceneAnnotationEntry, SceneFacts
from evidencelab.model.incident import (
    Incident,
    MilitaryObjective,
    ObjectHit,
    Place,
    PopulatedArea,
    TimeInterval,
    Weapon,
)
from evidencelab.model.sensitivity import Clearance, FlagEntry, ReviewNote

JsonObject = dict[str, Any]

# Dataclass fields that are not keys of the format: a document may use these names for
# fields of its own, which then live in `extra` like any other unknown key.
_NOT_KEYS = frozenset({"extra", "breakdowns"})
# Lists added to the format after its first release: left out when empty, so that case
# files which never used them export as they were imported.
_OMITTED_WHEN_EMPTY = frozenset(
    {"geolocations", "objects", "claims", "annotations", "sensitive_terms", "flags", "reviewed_by"}
)


def case_file_from_json(data: JsonObject) -> CaseFile:
    """Build a `CaseFile` from schema-valid JSON data."""
    return CaseFile(
        format=data["format"],
        title=data["title"],
        sources=tuple(_source(d) for d in data.get("sources") or ()),
        evidence=tuple(_evidence(d) for d in data.get("evidence") or ()),
        incidents=tuple(_incident(d) for d in data.get("incidents") or ()),
        objects=tuple(_context_object(d) for d in data.get("objects") or ()),
        claims=tuple(_claim(d) for d in data.get("claims") or ()),
        annotations=tuple(_annotation(d) for d in data.get("annotations") or ()),
        extra=_extra(data, CaseFile),
    )


def case_file_to_json(case: CaseFile) -> JsonObject:
    """Plain JSON data for `case`: defined keys in the order of the format's reference
    (docs/case-file-format.md, "Objects and fields"), then unknown keys in their original
    order. Fields that are None are left out; datetimes become ISO 8601 text with their UTC
    offset (`Z` for UTC)."""
    return _object_to_json(case)


def _object_to_json(obj: Any) -> JsonObject:
    out: JsonObject = {}
    for f in dataclasses.fields(obj):
        if f.name == "extra":
            continue
        value = getattr(obj, f.name)
        if f.name == "breakdowns":
            out.update(_ordered_breakdowns(value))
        elif f.name in _OMITTED_WHEN_EMPTY and value == ():
            continue
        elif value is not None:
            out[f.name] = _value_to_json(value)
    for key, value in obj.extra.items():
        out.setdefault(key, value)
    return out


def _value_to_json(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return _object_to_json(value)
    if isinstance(value, tuple):
        return [_value_to_json(v) for v in value]
    if isinstance(value, datetime):
        return format_datetime(value)
    return value


def format_datetime(value: datetime) -> str:
    """ISO 8601 text keeping the given UTC offset; `Z` for UTC; no offset if naive."""
    text = value.isoformat()
    return text[: -len("+00:00")] + "Z" if text.endswith("+00:00") else text


def _ordered_breakdowns(breakdowns: Mapping[str, int]) -> dict[str, int]:
    known = {k: breakdowns[k] for k in KNOWN_BREAKDOWNS if k in breakdowns}
    return known | {k: v for k, v in breakdowns.items() if k not in known}


def _extra(data: JsonObject, cls: type) -> dict[str, Any]:
    defined = _defined_keys(cls)
    return {k: v for k, v in data.items() if k not in defined}


@functools.cache
def _defined_keys(cls: type) -> frozenset[str]:
    """The case-file keys a record type declares (``dataclasses.fields`` is slow enough
    to be most of the time of reading 500 incidents)."""
    return frozenset(f.name for f in dataclasses.fields(cls)) - _NOT_KEYS


def _datetime(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _source(d: JsonObject) -> Source:
    return Source(
        id=d["id"],
        kind=d["kind"],
        description=d.get("description"),
        sensitive=d.get("sensitive", False),
        reliability=d.get("reliability"),
        notes=d.get("notes"),
        url=d.get("url"),
        sensitive_terms=tuple(d.get("sensitive_terms") or ()),
        extra=_extra(d, Source),
    )


def _evidence(d: JsonObject) -> EvidenceEntry:
    return EvidenceEntry(
        id=d["id"],
        path=d.get("path"),
        kind=d["kind"],
        source=d.get("source"),
        url=d.get("url"),
        collected_at=_datetime(d.get("collected_at")),
        collector=d.get("collector"),
        note=d.get("note"),
        sensitive=d.get("sensitive", False),
        status=None if d.get("status") is None else _status(d["status"]),
        geolocations=tuple(_geolocation(g) for g in d.get("geolocations") or ()),
        scene=None if d.get("scene") is None else _scene(d["scene"]),
        flags=tuple(_flag(f) for f in d.get("flags") or ()),
        clearance=None if d.get("clearance") is None else _clearance(d["clearance"]),
        reviewed_by=tuple(_review_note(r) for r in d.get("reviewed_by") or ()),
        extra=_extra(d, EvidenceEntry),
    )


def _flag(d: JsonObject) -> FlagEntry:
    return FlagEntry(
        flag=d["flag"],
        reason=d["reason"],
        by=d.get("by"),
        at=_datetime(d.get("at")),
        extra=_extra(d, FlagEntry),
    )


def _clearance(d: JsonObject) -> Clearance:
    flags = d.get("flags")
    return Clearance(
        flags=None if flags is None else tuple(flags),
        reason=d["reason"],
        by=d.get("by"),
        at=_datetime(d.get("at")),
        extra=_extra(d, Clearance),
    )


def _review_note(d: JsonObject) -> ReviewNote:
    return ReviewNote(
        by=d["by"], at=_datetime(d.get("at")), note=d.get("note"), extra=_extra(d, ReviewNote)
    )


def _incident(d: JsonObject) -> Incident:
    time, place, weapon, objective, populated = (
        d.get(k) for k in ("time", "place", "weapon", "military_objective", "populated_area")
    )
    return Incident(
        id=d["id"],
        title=d["title"],
        time=None if time is None else _time(time),
        place=None if place is None else _place(place),
        weapon=None if weapon is None else _weapon(weapon),
        objects_hit=tuple(_object_hit(o) for o in d.get("objects_hit") or ()),
        military_objective=None if objective is None else _objective(objective),
        casualties=tuple(casualty_report_from_json(r) for r in d.get("casualties") or ()),
        evidence=tuple(d.get("evidence") or ()),
        notes=d.get("notes"),
        populated_area=None if populated is None else _populated_area(populated),
        geolocations=tuple(_geolocation(g) for g in d.get("geolocations") or ()),
        extra=_extra(d, Incident),
    )


def _time(d: JsonObject) -> TimeInterval:
    return TimeInterval(
        start=datetime.fromisoformat(d["start"]),
        end=_datetime(d.get("end")),
        approximate=d.get("approximate", False),
        extra=_extra(d, TimeInterval),
    )


def _place(d: JsonObject) -> Place:
    return Place(
        name=d["name"],
        admin1=d.get("admin1"),
        country=d.get("country"),
        lat=d.get("lat"),
        lon=d.get("lon"),
        precision_m=d.get("precision_m"),
        extra=_extra(d, Place),
    )


def _weapon(d: JsonObject) -> Weapon:
    return Weapon(
        munition=d.get("munition"),
        basis=d.get("basis"),
        confidence=d.get("confidence"),
        variant=d.get("variant"),
        extra=_extra(d, Weapon),
    )


def _object_hit(d: JsonObject) -> ObjectHit:
    return ObjectHit(kind=d["kind"], name=d.get("name"), extra=_extra(d, ObjectHit))


def _objective(d: JsonObject) -> MilitaryObjective:
    return MilitaryObjective(
        name=d["name"],
        lat=d.get("lat"),
        lon=d.get("lon"),
        basis=d.get("basis"),
        extra=_extra(d, MilitaryObjective),
    )


def _populated_area(d: JsonObject) -> PopulatedArea:
    return PopulatedArea(value=d["value"], basis=d.get("basis"), extra=_extra(d, PopulatedArea))


def _geolocation(d: JsonObject) -> Geolocation:
    review = d.get("review")
    return Geolocation(
        lat=d["lat"],
        lon=d["lon"],
        precision_m=d["precision_m"],
        method=d["method"],
        reference=d.get("reference"),
        reasoning=d.get("reasoning"),
        author=d.get("author"),
        created_at=_datetime(d.get("created_at")),
        review=None if review is None else _review(review),
        extra=_extra(d, Geolocation),
    )


def _review(d: JsonObject) -> Review:
    return Review(
        state=d["state"],
        by=d.get("by"),
        at=_datetime(d.get("at")),
        comment=d.get("comment"),
        extra=_extra(d, Review),
    )


def _status(d: JsonObject) -> EvidenceStatus:
    return EvidenceStatus(
        state=d["state"],
        reason=d.get("reason"),
        by=d.get("by"),
        at=_datetime(d.get("at")),
        extra=_extra(d, EvidenceStatus),
    )


def _context_object(d: JsonObject) -> ContextObjectEntry:
    return ContextObjectEntry(
        id=d["id"],
        kinds=tuple(d["kinds"]),
        name=d.get("name"),
        lat=d.get("lat"),
        lon=d.get("lon"),
        geometry=d.get("geometry"),
        basis=d["basis"],
        source=d.get("source"),
        extra=_extra(d, ContextObjectEntry),
    )


def _claim(d: JsonObject) -> Claim:
    return Claim(
        id=d["id"],
        claimant=d["claimant"],
        made_at=None if d.get("made_at") is None else str(d["made_at"]),
        text=d["text"],
        predicate=d.get("predicate"),
        source=d.get("source"),
        extra=_extra(d, Claim),
    )


def _scene(d: JsonObject) -> SceneFacts:
    return SceneFacts(
        acquired_at=_datetime(d.get("acquired_at")),
        acquired_at_source=d.get("acquired_at_source"),
        sensor=d.get("sensor"),
        provider=d.get("provider"),
        licence=d.get("licence"),
        attribution=d.get("attribution"),
        publishable=d.get("publishable"),
        extra=_extra(d, SceneFacts),
    )


def _annotation(d: JsonObject) -> SceneAnnotationEntry:
    diameter = d.get("diameter_m")
    return SceneAnnotationEntry(
        id=int(d["id"]),
        scene=d["scene"],
        kind=d["kind"],
        geometry=d["geometry"],
        diameter_m=None if diameter is None else float(diameter),
        note=d.get("note"),
        author=d.get("author"),
        created_at=_datetime(d.get("created_at")),
        extra=_extra(d, SceneAnnotationEntry),
    )


def casualty_report_from_json(d: JsonObject) -> CasualtyReport:
    """One casualty report as a case file gives it (already valid against the schema)."""
    killed, injured, withdrawn = d.get("killed"), d.get("injured"), d.get("withdrawn")
    return CasualtyReport(
        id=d.get("id"),
        source=d["source"],
        scope=d["scope"],
        civilian=d["civilian"],
        killed=None if killed is None else _count(killed),
        injured=None if injured is None else _count(injured),
        reported_at=_datetime(d.get("reported_at")),
        supersedes=d.get("supersedes"),
        withdrawn=None if withdrawn is None else _withdrawal(withdrawn),
        notes=d.get("notes"),
        extra=_extra(d, CasualtyReport),
    )


def _withdrawal(d: JsonObject) -> Withdrawal:
    return Withdrawal(reason=d["reason"], at=_datetime(d.get("at")), extra=_extra(d, Withdrawal))


def _count(d: JsonObject) -> Count:
    rest = _extra(d, Count)
    # Further whole-number keys of a count are breakdowns by group (docs/case-file-format.md:
    # any object may carry further fields). A known breakdown given as null means "not
    # stated" and is dropped.
    breakdowns = {
        k: int(v)
        for k, v in rest.items()
        if _is_whole_number(v) or (k in KNOWN_BREAKDOWNS and v is not None)
    }
    return Count(
        count=int(d["count"]),
        qualifier=d["qualifier"],
        min=None if d.get("min") is None else int(d["min"]),
        max=None if d.get("max") is None else int(d["max"]),
        breakdowns=breakdowns,
        extra={k: v for k, v in rest.items() if k not in breakdowns and k not in KNOWN_BREAKDOWNS},
    )


def _is_whole_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
