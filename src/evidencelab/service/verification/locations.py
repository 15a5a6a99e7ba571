"""Geolocation and chronolocation as the workbench shows and takes them: an item's or an
incident's geolocations with what a map draws of them, an item's chronolocation findings
with their place bands, and the forms that add a geolocation, review one and run a
chronolocation step (every value checked and named by its field; see fields.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypedDict, cast

from sqlalchemy import select

from evidencelab.locker.case import Case, CaseError
from evidencelab.locker.errors import InputError, each_input_checked
from evidencelab.locker.inputs import (
    coordinate,
    distance,
    number,
    optional_number,
    text,
)
from evidencelab.service.evidence.items import find_evidence
from evidencelab.service.evidence.records import FindingRecord
from evidencelab.service.verification import chronolocation as runs
from evidencelab.service.verification.findings import findings_for, record_finding
from evidencelab.service.verification.geolocation import (
    add_geolocation,
    geolocations_for,
    incident_place_from_geolocations,
    review_geolocation,
)
from evidencelab.service.verification.records import (
    ChronolocationRun,
    GeolocationRecord,
    PlaceFromGeolocations,
    RecordedFinding,
)
from evidencelab.store.tables import EvidenceItem, Incident
from evidencelab.store.tables.verification import Geolocation

#: Chronolocation steps the evidence page offers, by the form's ``kind`` value.
RUN_KINDS: Final = ("sun_position", "shadow_times", "shadow_places")
#: Review states a person can give on the page (back to unreviewed is the CLI's).
REVIEW_CHOICES: Final = ("reviewed", "disputed")
#: Most grid cells a place band run from the page may take: the page waits for it, and
#: the band is computed at about 50,000 cells per second on one core (measured: the whole
#: world at 0.5°, 208,800 cells, in 4.5 s).
FORM_MAX_GRID_CELLS: Final = 300_000


class MapPoint(TypedDict):
    """A point with a radius, for the location map."""

    lat: float
    lon: float
    precision_m: float | None  # radius, metres
    label: str


class MapGeolocation(MapPoint):
    """A geolocation as the map draws it, coloured by its review state."""

    id: int
    state: str


class MapBand(TypedDict):
    """A place band of a shadow-places finding: rectangles [south, north, west, east]."""

    finding: int
    strips: list[list[float]]


class LocationMap(TypedDict):
    """What the location map draws."""

    geolocations: list[MapGeolocation]
    references: list[MapPoint]  # the item's GPS metadata, the incident's recorded place
    bands: list[MapBand]


class EvidenceLocations(TypedDict):
    """An item's geolocations and chronolocation findings, and the values its forms start
    from (its GPS position and capture time, when its metadata has them)."""

    geolocations: list[GeolocationRecord]
    findings: list[FindingRecord]
    defaults: dict[str, str]
    map: LocationMap


class IncidentLocations(TypedDict):
    """An incident's geolocations and those of its linked evidence, and the place derived
    from the reviewed ones."""

    geolocations: list[GeolocationRecord]
    derived: PlaceFromGeolocations
    defaults: dict[str, str]
    map: LocationMap


def _map_geolocation(g: GeolocationRecord) -> MapGeolocation:
    subject = f"evidence {g['evidence']}" if g["evidence"] else f"incident {g['incident']}"
    return {
        "id": g["id"],
        "lat": g["lat"],
        "lon": g["lon"],
        "precision_m": g["precision_m"],
        "state": g["review"]["state"],
        "label": f"geolocation {g['id']} of {subject} ({g['method']}), {g['review']['state']}",
    }


def _bands(findings: list[FindingRecord]) -> list[MapBand]:
    return [
        {"finding": f["id"], "strips": f["result"]["strips"]}
        for f in findings
        if f["kind"] == "chronolocation.shadow_places" and f["result"].get("strips")
    ]


def _point_defaults(lat: object, lon: object) -> dict[str, str]:
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        return {}
    return {"lat": f"{lat:.6f}", "lon": f"{lon:.6f}"}


def evidence_locations(case: Case, evidence_id: str) -> EvidenceLocations:
    """The geolocations and findings of an item (oldest first), the map of them, and form
    defaults: its GPS point and its capture time and date, as its metadata gives them."""
    with case.sessions() as session:
        item = find_evidence(session, evidence_id)
        metadata = dict(item.metadata_normalised or {})
        item_id = item.id
    found = metadata.get("gps")
    gps: dict[str, Any] = found if isinstance(found, dict) else {}
    defaults = _point_defaults(gps.get("lat"), gps.get("lon"))
    references: list[MapPoint] = []
    if defaults:
        references.append(
            {"lat": gps["lat"], "lon": gps["lon"], "precision_m": None, "label": "GPS metadata"}
        )
    captured = metadata.get("captured_at")
    if isinstance(captured, str) and not metadata.get("captured_at_naive"):
        defaults |= {"time": captured, "date": captured[:10]}
    geolocations = geolocations_for(case, evidence_id=item_id)
    if geolocations and "lat" not in defaults:
        defaults |= _point_defaults(geolocations[-1]["lat"], geolocations[-1]["lon"])
    findings = findings_for(case, item_id)
    return {
        "geolocations": geolocations,
        "findings": findings,
        "defaults": defaults,
        "map": {
            "geolocations": [_map_geolocation(g) for g in geolocations],
            "references": references,
            "bands": _bands(findings),
        },
    }


def incident_locations(case: Case, incident_id: str, *, sensitive: bool) -> IncidentLocations:
    """The geolocations of an incident and of its linked evidence (without those of
    sensitive items unless ``sensitive``), the place derived from the reviewed ones, and
    the incident's recorded point as a reference on the map."""
    with case.sessions() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise CaseError(f"incident {incident_id}: no such incident")
        place = dict(incident.place or {})
        hidden = (
            set()
            if sensitive
            else set(session.scalars(select(EvidenceItem.id).where(EvidenceItem.sensitive)))
        )
    geolocations = [
        g
        for g in geolocations_for(case, incident_id=incident_id, include_linked=True)
        if g["evidence"] not in hidden
    ]
    defaults = _point_defaults(place.get("lat"), place.get("lon"))
    references: list[MapPoint] = []
    if defaults:
        references.append(
            {
                "lat": place["lat"],
                "lon": place["lon"],
                "precision_m": place.get("precision_m"),
                "label": "the incident's recorded place",
            }
        )
    return {
        "geolocations": geolocations,
        "derived": incident_place_from_geolocations(case, incident_id),
        "defaults": defaults,
        "map": {
            "geolocations": [_map_geolocation(g) for g in geolocations],
            "references": references,
            "bands": [],
        },
    }


def add_geolocation_from_form(
    case: Case,
    form: Mapping[str, str],
    *,
    evidence_id: str | None = None,
    incident_id: str | None = None,
) -> GeolocationRecord:
    """Record a geolocation from a form's fields ``lat``, ``lon`` (WGS 84 degrees),
    ``precision`` (metres), ``method``, ``reference`` and ``reasoning``, as ``case.actor``."""
    lat, lon, precision_m, reasoning = each_input_checked(
        lambda: coordinate(form.get("lat", ""), "lat"),
        lambda: coordinate(form.get("lon", ""), "lon"),
        lambda: distance(form.get("precision", ""), "precision"),
        lambda: text(form.get("reasoning"), "reasoning", required=True) or "",
    )
    return add_geolocation(
        case,
        evidence_id=evidence_id,
        incident_id=incident_id,
        # each_input_checked returns the checks' values in order: three floats and a str
        lat=cast(float, lat),
        lon=cast(float, lon),
        precision_m=cast(float, precision_m),
        method=form.get("method", ""),
        reference=text(form.get("reference"), "reference"),
        reasoning=str(reasoning),
    )


def review_from_form(
    case: Case, geolocation_id: str, form: Mapping[str, str], *, sensitive: bool
) -> GeolocationRecord:
    """Review a geolocation from a form's ``state`` (reviewed or disputed) and ``comment``,
    as ``case.actor``. A geolocation of a sensitive item is unknown to a reviewer who may not
    see sensitive items."""
    state = form.get("state", "")
    if state not in REVIEW_CHOICES:
        raise InputError("state", repr(state), f"not one of {', '.join(REVIEW_CHOICES)}")
    if not sensitive:
        _refuse_sensitive(case, geolocation_id)
    return review_geolocation(case, geolocation_id, state, text(form.get("comment"), "comment"))


def _refuse_sensitive(case: Case, geolocation_id: str) -> None:
    with case.sessions() as session:
        row = session.get(Geolocation, int(geolocation_id)) if geolocation_id.isdigit() else None
        item = session.get(EvidenceItem, row.evidence_id) if row and row.evidence_id else None
        if item is not None and item.sensitive:
            raise CaseError(f"geolocation {geolocation_id}: no such geolocation")


def chronolocation_from_form(
    case: Case, evidence_id: str, form: Mapping[str, str]
) -> RecordedFinding:
    """Run the chronolocation step named by the form's ``kind`` (one of :data:`RUN_KINDS`)
    on its fields and store it as a finding on the item, as ``case.actor``.

    Fields (units): ``lat``, ``lon`` (degrees), ``time`` (ISO 8601 with offset), ``date``
    (YYYY-MM-DD), ``elevation`` (m above sea level), ``object_height``, ``shadow_length``
    and their ``height_uncertainty``, ``length_uncertainty`` (m), ``shadow_azimuth`` and
    ``azimuth_tolerance`` (degrees), ``bbox`` (west,south,east,north degrees), ``step``
    (degrees). The item is checked first: a run is never computed for nothing.
    """
    with case.sessions() as session:
        item_id = find_evidence(session, evidence_id).id
    run = _run(form)
    return record_finding(case, item_id, run)


def _run(form: Mapping[str, str]) -> ChronolocationRun:
    kind = form.get("kind", "")
    if kind == "sun_position":
        return runs.sun_position_run(
            coordinate(form.get("lat", ""), "lat"),
            coordinate(form.get("lon", ""), "lon"),
            form.get("time", ""),
            elevation_m=optional_number(form.get("elevation"), "elevation") or 0.0,
        )
    if kind not in RUN_KINDS:
        raise InputError("kind", repr(kind), f"not one of {', '.join(RUN_KINDS)}")
    height = number(form.get("object_height", ""), "object_height")
    length = number(form.get("shadow_length", ""), "shadow_length")
    height_error = optional_number(form.get("height_uncertainty"), "height_uncertainty") or 0.0
    length_error = optional_number(form.get("length_uncertainty"), "length_uncertainty") or 0.0
    azimuth = optional_number(form.get("shadow_azimuth"), "shadow_azimuth")
    tolerance = optional_number(form.get("azimuth_tolerance"), "azimuth_tolerance")
    if kind == "shadow_times":
        return runs.shadow_times_run(
            coordinate(form.get("lat", ""), "lat"),
            coordinate(form.get("lon", ""), "lon"),
            form.get("date", ""),
            object_height_m=height,
            shadow_length_m=length,
            height_uncertainty_m=height_error,
            length_uncertainty_m=length_error,
            shadow_azimuth_deg=azimuth,
            azimuth_tolerance_deg=5.0 if tolerance is None else tolerance,
        )
    bbox = _bbox(form.get("bbox", ""))
    step = number(form.get("step", ""), "step")
    runs.check_grid(bbox, step, limit=FORM_MAX_GRID_CELLS)
    return runs.shadow_places_run(
        form.get("time", ""),
        object_height_m=height,
        shadow_length_m=length,
        height_uncertainty_m=height_error,
        length_uncertainty_m=length_error,
        shadow_azimuth_deg=azimuth,
        azimuth_tolerance_deg=5.0 if tolerance is None else tolerance,
        bbox=bbox,
        step_deg=step,
    )


def _bbox(value: str) -> tuple[float, float, float, float]:
    parts = [p.strip() for p in value.split(",")]
    if len(parts) != 4:
        raise InputError("bbox", repr(value), "must be four numbers west,south,east,north")
    west, south, east, north = (number(p, "bbox") for p in parts)
    return west, south, east, north
