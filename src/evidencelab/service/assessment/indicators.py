"""Assessment of a case's incidents: facts gathered from the case, indicators computed by
`evidencelab.assess`, and each indicator's review state from its sign-offs."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from pyproj import Geod
from shapely.geometry import shape
from sqlalchemy import select

from evidencelab.analysis.casualties import incident_casualties_for_case
from evidencelab.analysis.munition_names import Resolution, resolve_weapon
from evidencelab.analysis.munitions import Munition, default_catalogue
from evidencelab.assess.claims import evaluate_claim
from evidencelab.assess.facts import (
    CONTEXT_NEIGHBOURHOOD_M,
    CasualtyFacts,
    ClaimOutcome,
    HitObject,
    IncidentFacts,
    MilitaryCasualties,
    NearbyObject,
    Objective,
    PopulatedMarking,
    SourceWording,
)
from evidencelab.assess.indicators import CODES, assess_incident
from evidencelab.assess.launch_area import (
    LaunchAreaError,
    control_polygon,
    intersect_control,
    launch_sector,
    range_window_m,
)
from evidencelab.assess.situation import catalogue_classes_for
from evidencelab.assess.weapon import weapon_profile
from evidencelab.locker.case import Case, CaseError
from evidencelab.locker.custody import canonical_digest
from evidencelab.locker.errors import InputError
from evidencelab.model.casualty import CasualtyReport
from evidencelab.model.incident import Incident, Weapon
from evidencelab.service.assessment.records import (
    ClaimEvaluation,
    FeatureCollection,
    IncidentAssessment,
    IndicatorReview,
    LaunchAreaRecord,
    LaunchAreaSummary,
    SignOffRecord,
)
from evidencelab.service.claims import list_claims
from evidencelab.service.reading import load_case
from evidencelab.store.atomic import write_text_atomic
from evidencelab.store.tables.assessment import IndicatorSignoff

_GEOD = Geod(ellps="WGS84")
DECISIONS = ("accepted", "rejected")


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance (m) on WGS 84 between two points (pyproj.Geod.inv)."""
    _, _, distance = _GEOD.inv(lon1, lat1, lon2, lat2)
    return float(distance)


def _context_present(case: Case) -> bool:
    from evidencelab.service.context.importing import list_imports
    from evidencelab.service.context.manual_records import manual_objects

    return bool(list_imports(case) or manual_objects(case))


def _manual_points(case: Case) -> dict[str, tuple[float, float]]:
    """Hand-added context objects by id, as (lat, lon) representative points."""
    from evidencelab.service.context.manual_records import manual_objects

    points: dict[str, tuple[float, float]] = {}
    for record in manual_objects(case):
        lat, lon = record["lat"], record["lon"]
        if lat is not None and lon is not None:
            points[record["id"]] = (float(lat), float(lon))
        elif record["geometry"]:
            point = shape(record["geometry"]).representative_point()
            points[record["id"]] = (point.y, point.x)
    return points


def _hit_objects(
    incident: Incident, points: Mapping[str, tuple[float, float]]
) -> tuple[HitObject, ...]:
    place = incident.place
    found = []
    for hit in incident.objects_hit:
        extra = dict(hit.extra)
        object_id = extra.get("object")
        lat, lon = extra.get("lat"), extra.get("lon")
        if object_id is not None:
            if object_id not in points:
                raise CaseError(
                    f"incident {incident.id}: objects_hit names context object "
                    f"{object_id!r}, which is not in the case"
                )
            lat, lon = points[object_id]
        distance = None
        if lat is not None and lon is not None and place and place.lat is not None:
            assert place.lon is not None
            distance = _distance_m(place.lat, place.lon, float(lat), float(lon))
        found.append(
            HitObject(
                kind=hit.kind,
                name=hit.name,
                relation=str(extra.get("relation") or "hit"),
                distance_m=distance,
                object_id=object_id,
                lat=float(lat) if lat is not None else None,
                lon=float(lon) if lon is not None else None,
            )
        )
    return tuple(found)


def _objective(incident: Incident, hits: tuple[HitObject, ...]) -> Objective | None:
    recorded = incident.military_objective
    if recorded is None:
        return None
    separation, to = None, None
    if recorded.lat is not None and recorded.lon is not None:
        target = next((h for h in hits if h.civilian and h.lat is not None), None)
        place = incident.place
        if target is not None:
            assert target.lat is not None and target.lon is not None
            separation = _distance_m(recorded.lat, recorded.lon, target.lat, target.lon)
            to = target.label
        elif place is not None and place.lat is not None and place.lon is not None:
            separation = _distance_m(recorded.lat, recorded.lon, place.lat, place.lon)
            to = "the recorded impact point"
    return Objective(
        name=recorded.name,
        origin=f"incident {incident.id} military_objective",
        basis=recorded.basis,
        lat=recorded.lat,
        lon=recorded.lon,
        separation_m=separation,
        separation_to=to,
        separation_precision_m=_separation_precision(incident) if separation is not None else None,
    )


def _separation_precision(incident: Incident) -> float | None:
    """The objective's precision radius plus the incident place's (m). The place's radius
    stands for the civilian object hit too: the object was hit there, and a position mapped
    more sharply would only narrow the range, so this errs towards showing more doubt."""
    recorded = incident.military_objective
    objective = recorded.extra.get("precision_m") if recorded is not None else None
    place = incident.place.precision_m if incident.place is not None else None
    if not isinstance(objective, int | float) or place is None:
        return None
    return float(objective) + float(place)


def _marking(incident: Incident) -> PopulatedMarking | None:
    marking = getattr(incident, "populated_area", None)
    if marking is not None:
        return PopulatedMarking(bool(marking.value), marking.basis)
    raw = incident.extra.get("populated_area")
    if isinstance(raw, Mapping) and "value" in raw:
        return PopulatedMarking(bool(raw["value"]), raw.get("basis"))
    return None


def _current_reports(incident: Incident) -> list[CasualtyReport]:
    """The incident's casualty reports that are neither withdrawn nor superseded."""
    superseded = {r.supersedes for r in incident.casualties if r.supersedes}
    return [
        r
        for r in incident.casualties
        if r.withdrawn is None and (r.id is None or r.id not in superseded)
    ]


def _military_casualties(incident: Incident) -> tuple[MilitaryCasualties, ...]:
    """Reports of members of the armed forces killed or injured (`civilian: false`)."""
    return tuple(
        MilitaryCasualties(
            source=r.source,
            killed=r.killed.count if r.killed else None,
            injured=r.injured.count if r.injured else None,
        )
        for r in _current_reports(incident)
        if r.civilian is False
        and ((r.killed and r.killed.count) or (r.injured and r.injured.count))
    )


def _wording(incident: Incident, sources: tuple[str, ...]) -> tuple[SourceWording, ...]:
    """The quotes of the civilian casualty reports the incident's minima rest on."""
    return tuple(
        SourceWording(source=r.source, quote=str(r.extra["quote"]))
        for r in _current_reports(incident)
        if r.civilian is True and r.source in sources and r.extra.get("quote")
    )


def _munition_count(incident: Incident) -> int | None:
    raw = incident.weapon.extra.get("munition_count") if incident.weapon else None
    return raw if isinstance(raw, int) and not isinstance(raw, bool) else None


def _catalogue_entry(name: str) -> Munition:
    """The one catalogue entry a weapon name resolves to; an ambiguous or unknown name is
    refused, naming the candidates."""
    resolution = resolve_weapon(name, default_catalogue())
    if resolution.munition is not None:
        return resolution.munition
    if resolution.candidates:
        names = ", ".join(m.id for m in resolution.candidates)
        raise CaseError(f"munition {name!r}: ambiguous, it may be {names}; name one")
    raise CaseError(f"munition {name!r}: not in the catalogue")


def _variant(weapon: Weapon | None, resolution: Resolution | None) -> tuple[str | None, str | None]:
    """The warhead variant: as the weapon record states it, else as the munition's
    designation marks it (analysis.munition_names), with where it comes from."""
    if weapon is not None and weapon.variant is not None:
        return weapon.variant, f"weapon record (confidence: {weapon.confidence or 'not stated'})"
    if resolution is not None and resolution.variant is not None:
        return resolution.variant, (
            f"read from the recorded munition '{resolution.text}': {resolution.variant_basis}"
        )
    return None, None


def _search_radius(munition: Munition | None, precision_m: float | None) -> float:
    """Radius (m) within which context objects are gathered: the widest radius any
    indicator uses (the weapon's R95 plus the place's precision), at least the precision."""
    aim = weapon_profile(munition).aim_radius_m if munition is not None else None
    return (aim or 0.0) + (precision_m or 0.0)


def incident_facts(case: Case) -> list[IncidentFacts]:
    """The facts of every incident of the case, in case order (claims not yet attached)."""
    from evidencelab.service.context.queries import case_objects_near

    case_file = load_case(case).case_file
    casualties = incident_casualties_for_case(case_file)
    context = _context_present(case)
    points = _manual_points(case) if context else {}
    out = []
    for incident in case_file.incidents:
        place = incident.place
        weapon = incident.weapon
        name = weapon.munition if weapon else None
        resolution = resolve_weapon(name, default_catalogue()) if name else None
        munition = resolution.munition if resolution else None
        variant, variant_basis = _variant(weapon, resolution)
        category = weapon.extra.get("category") if weapon else None
        candidates: tuple[Any, ...] = resolution.candidates if resolution else ()
        if munition is None and not name:
            classes = catalogue_classes_for(category)
            candidates = tuple(m for m in default_catalogue() if m.weapon_class in classes)
        nearby: tuple[NearbyObject, ...] = ()
        searched = None
        if context and place is not None and place.lat is not None and place.lon is not None:
            radius = _search_radius(munition, place.precision_m)
            around = max(radius, CONTEXT_NEIGHBOURHOOD_M)
            found = case_objects_near(case, place.lat, place.lon, around)
            if found:  # context data counts for this incident only if it covers its area
                searched = radius
                nearby = tuple(
                    NearbyObject.from_record(r) for r in found if r["distance_m"] <= radius
                )
        hits = _hit_objects(incident, points)
        figures = casualties[incident.id]
        sources = tuple(
            dict.fromkeys(figures.killed.minimum_sources + figures.injured.minimum_sources)
        )
        out.append(
            IncidentFacts(
                incident_id=incident.id,
                title=incident.title,
                lat=place.lat if place else None,
                lon=place.lon if place else None,
                precision_m=place.precision_m if place else None,
                munition=munition,
                munition_name=name,
                weapon_category=category,
                weapon_basis=weapon.basis if weapon else None,
                weapon_confidence=weapon.confidence if weapon else None,
                warhead=weapon.extra.get("warhead") if weapon else None,
                variant=variant,
                variant_basis=variant_basis,
                munition_count=_munition_count(incident),
                candidates=candidates,
                objects_hit=hits,
                nearby=nearby,
                context_searched_m=searched,
                objective=_objective(incident, hits),
                casualties=CasualtyFacts(
                    killed_min=figures.killed.minimum,
                    injured_min=figures.injured.minimum,
                    killed_max=figures.killed.maximum,
                    injured_max=figures.injured.maximum,
                    sources=sources,
                    wording=_wording(incident, sources),
                ),
                military_casualties=_military_casualties(incident),
                populated_marking=_marking(incident),
            )
        )
    return out


def claims_over(case: Case, facts: list[IncidentFacts]) -> list[ClaimEvaluation]:
    """Every claim in the register evaluated over the incidents' facts."""
    return [evaluate_claim(claim, facts) for claim in list_claims(case)]


def evaluate_claims(case: Case) -> list[ClaimEvaluation]:
    """Every claim evaluated over the case: supported / contradicted / undetermined, with
    the deciding incidents and an explanation."""
    return claims_over(case, incident_facts(case))


def _rounded(value: Any) -> Any:
    """Floats to 9 significant digits, so a fingerprint does not turn on the last bit."""
    if isinstance(value, float):
        return float(f"{value:.9g}") if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


def fingerprint(indicator: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of an indicator's code, firing, facts and numbers."""
    core = {k: indicator[k] for k in ("code", "fires", "facts", "numbers")}
    return canonical_digest(_rounded(core))


def _latest_signoffs(case: Case) -> dict[tuple[str, str], IndicatorSignoff]:
    with case.sessions() as session:
        rows = session.scalars(select(IndicatorSignoff).order_by(IndicatorSignoff.id)).all()
        latest = {(r.incident_id, r.code): r for r in rows}
        for row in latest.values():
            session.expunge(row)
    return latest


def _review(indicator: Mapping[str, Any], row: IndicatorSignoff | None) -> IndicatorReview:
    if row is None:
        return {"state": "unreviewed", "by": None, "at": None, "comment": None}
    state = row.decision if row.fingerprint == fingerprint(indicator) else "stale"
    review: IndicatorReview = {
        "state": state,
        "by": row.author,
        "at": row.created_at,
        "comment": row.comment,
    }
    if state == "stale":
        review["signed_decision"] = row.decision
    return review


def assess_case(case: Case, incident_id: str | None = None) -> list[IncidentAssessment]:
    """Every incident (or one) with its accuracy branch, indicators (each with its review
    state) and what is missing."""
    facts = incident_facts(case)
    if incident_id is not None and incident_id not in {f.incident_id for f in facts}:
        raise CaseError(f"incident {incident_id}: no such incident")
    outcomes = tuple(
        ClaimOutcome(
            id=c["id"],
            claimant=c["claimant"],
            text=c["text"],
            predicate=c["predicate"] or "",
            result=c["result"],
            deciding_incidents=tuple(c["deciding_incidents"]),
            explanation=c["explanation"],
        )
        for c in claims_over(case, facts)
    )
    signoffs = _latest_signoffs(case)
    results = []
    for item in facts:
        if incident_id is not None and item.incident_id != incident_id:
            continue
        result = assess_incident(replace(item, claims=outcomes))
        for indicator in result["indicators"]:
            row = signoffs.get((item.incident_id, indicator["code"]))
            indicator["review"] = _review(indicator, row)
        results.append(result)
    return results


def sign_off(case: Case, incident_id: str, code: str, decision: str, comment: str) -> SignOffRecord:
    """Record a person's decision ("accepted" or "rejected") on an indicator, with the
    fingerprint of its facts and numbers now; a later change to them makes it stale.
    Every sign-off, including a change of mind, is a custody event."""
    decision = {"accept": "accepted", "reject": "rejected"}.get(decision, decision)
    if decision not in DECISIONS:
        raise InputError("decision", repr(decision), "must be accepted or rejected")
    if code not in CODES:
        raise CaseError(f"indicator {code!r}: unknown (known: {', '.join(CODES)})")
    if not comment.strip():
        raise InputError("comment", None, "a sign-off needs a comment saying why")
    (result,) = assess_case(case, incident_id)
    indicator = next(i for i in result["indicators"] if i["code"] == code)
    print_ = fingerprint(indicator)
    previous = indicator["review"]["state"]
    with case.transaction() as session:
        event = case.record(
            session,
            "indicator_signoff",
            f"{incident_id}/{code}",
            {
                "decision": decision,
                "comment": comment,
                "fingerprint": print_,
                "previous_state": previous,
            },
        )
        row = IndicatorSignoff(
            incident_id=incident_id,
            code=code,
            decision=decision,
            comment=comment,
            author=case.actor,
            created_at=event.recorded_at,
            fingerprint=print_,
            custody_seq=event.seq,
        )
        session.add(row)
        at, seq = event.recorded_at, event.seq
    return {
        "incident": incident_id,
        "code": code,
        "decision": decision,
        "comment": comment,
        "by": case.actor,
        "at": at,
        "fingerprint": print_,
        "previous_state": previous,
        "custody_event": seq,
    }


def launch_area_geojson(
    *,
    lat: float,
    lon: float,
    bearing_deg: float,
    uncertainty_deg: float,
    range_min_m: float | None,
    range_max_m: float | None,
    munition: str | None,
    control_path: Path | None,
    out: Path,
) -> LaunchAreaRecord:
    """The candidate launch area behind an impact (assess.launch_area), written to `out` as
    a GeoJSON FeatureCollection: the sector, and its part within a control-of-territory
    polygon when one is given. The range window comes from the arguments or, with
    `munition`, from the catalogue's widest cited window (a missing minimum is taken as 0,
    and the summary says so)."""
    basis: list[str] = []
    if munition is not None:
        if range_min_m is not None or range_max_m is not None:
            raise InputError("munition", None, "give a munition or a range in metres, not both")
        entry = _catalogue_entry(munition)
        low, high, basis = range_window_m(entry)
        if high is None:
            raise CaseError(f"munition {munition!r}: the catalogue has no maximum range")
        if low is None:
            basis.append("minimum range unknown: taken as 0 m (the sector reaches the impact)")
        range_min_m, range_max_m = low or 0.0, high
    elif range_max_m is None:
        raise InputError(
            "range_max", None, "give the range in metres (and its minimum), or a munition"
        )
    else:
        range_min_m = range_min_m or 0.0
        basis.append(f"range window given: {range_min_m:g}–{range_max_m:g} m")
    try:
        sector = launch_sector(lat, lon, bearing_deg, uncertainty_deg, range_min_m, range_max_m)
        features = [sector.feature()]
        summary = _summary(features[0]["properties"], basis, out)
        if control_path is not None:
            try:
                document = json.loads(control_path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
                raise CaseError(f"{control_path}: not a readable GeoJSON file ({error})") from None
            if not isinstance(document, dict):
                raise CaseError(f"{control_path}: not a GeoJSON object")
            part = intersect_control(sector, control_polygon(document))
            features.append(part)
            summary["within_control_km2"] = part["properties"]["area_km2"]
            summary["share_within_control"] = part["properties"]["share_of_sector"]
    except LaunchAreaError as error:
        raise CaseError(str(error)) from None
    collection: FeatureCollection = {"type": "FeatureCollection", "features": features}
    write_text_atomic(out, json.dumps(collection, ensure_ascii=False) + "\n")
    return {"geojson": collection, "summary": summary}


def _summary(properties: Mapping[str, Any], basis: list[str], out: Path) -> LaunchAreaSummary:
    """The sector's properties (assess.launch_area), the range basis and the file written."""
    return {
        "role": properties["role"],
        "impact": properties["impact"],
        "bearing_deg": properties["bearing_deg"],
        "bearing_uncertainty_deg": properties["bearing_uncertainty_deg"],
        "range_min_m": properties["range_min_m"],
        "range_max_m": properties["range_max_m"],
        "area_km2": properties["area_km2"],
        "range_basis": basis,
        "file": str(out),
    }
