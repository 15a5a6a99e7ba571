"""Gather what the report shows from a case as one plain dict, and write the report.

`report_context` is the only place that reads the case; `evidencelab.publish` renders the
dict (HTML through Jinja2, PDF through WeasyPrint) and `evidencelab.publish.redaction`
makes the public version of it. Sections from the verification and assessment services
are filled when those services return something for the case; a section whose value is
None was not available, an empty list means the service ran and found nothing.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from evidencelab import __version__
from evidencelab.analysis.casualties import incident_casualties_for_case
from evidencelab.analysis.context.distance import geodesic_distance_m
from evidencelab.analysis.context.kinds import KIND_CATEGORY
from evidencelab.locker.case import Case, CaseError
from evidencelab.locker.custody import read_head
from evidencelab.locker.errors import InputError
from evidencelab.model.case import CaseFile, EvidenceEntry, Source
from evidencelab.model.casualty import CasualtyReport, Count
from evidencelab.model.incident import Incident, TimeInterval
from evidencelab.model.sensitivity import publishable
from evidencelab.publish.html_report import people, render_report
from evidencelab.publish.redaction import (
    SENSITIVE_FIELDS,
    leaks,
    public_report,
    report_terms,
    sensitive_strings,
    term_leaks,
)
from evidencelab.service.assessment.corroboration import corroboration, read_case
from evidencelab.service.assessment.indicators import assess_case, evaluate_claims
from evidencelab.service.context.queries import case_objects_near
from evidencelab.service.evidence.items import acquisition_record
from evidencelab.service.evidence.sensitivity import case_flags, publication_clearances
from evidencelab.service.evidence.status import UNVERIFIED, evidence_statuses
from evidencelab.service.imagery.chips import scene_chips_for_report
from evidencelab.service.imagery.records import ReportChip, ReportChipAnnotation
from evidencelab.service.incidents.listing import case_summary, casualties_record, chronological
from evidencelab.service.incidents.records import CaseSummary, CasualtiesRecord
from evidencelab.service.integrity.figures import Printed
from evidencelab.service.outputs.records import (
    Methodology,
    ObjectiveRecord,
    ReportCasualtyReport,
    ReportContext,
    ReportEvidence,
    ReportIncident,
    ReportSource,
    ShownAnnotation,
    ShownChip,
    TimeRecord,
    ToolRecord,
)
from evidencelab.service.reading import load_case
from evidencelab.service.verification.checks import run_checks
from evidencelab.service.verification.geolocation import geolocations_for
from evidencelab.store.atomic import write_bytes_atomic
from evidencelab.store.objects import sha256_bytes
from evidencelab.store.tables import CustodyEvent, EvidenceItem, Finding
from evidencelab.store.tables.imagery import Scene
from evidencelab.verify.timezones import timezone_at

REPORT_FORMAT: Final = "evidencelab/report@1"
FORMATS: Final = ("html", "pdf")

_QUALIFIER_WORDS: Final = {
    "exact": "exactly",
    "at_least": "at least",
    "approx": "about",
    "at_most": "at most",
}


class UnreadableRecords(CaseError):
    """The case holds records that are not valid (written outside the software), so an
    output that must be whole is not made. ``problems`` names each record; a record's
    name can be sensitive, so ``withheld()`` gives only their number."""

    def __init__(self, outcome: str, problems: Sequence[str]) -> None:
        self.outcome, self.problems = outcome, problems
        super().__init__(
            f"the case holds records that are not valid, so {outcome}: " + "; ".join(problems)
        )

    def withheld(self) -> str:
        return (
            f"the case holds {len(self.problems)} record(s) that are not valid, so "
            f"{self.outcome}; they are named to roles that may see sensitive material"
        )


# ---------------------------------------------------------------- plain records


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _local_text(value: datetime) -> str:
    """'2022-02-24 10:30+02:00': a time as its source gave it, to the minute."""
    text = value.isoformat(sep=" ", timespec="minutes")
    return text


def _utc_text(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _duration_text(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def time_record(time: TimeInterval | None, lat: float | None, lon: float | None) -> TimeRecord:
    """When, as the source gave it (local with offset), in UTC, in the IANA zone of the
    place (timezonefinder, offline), and how uncertain: an interval, approximate, or
    given to the minute."""
    if time is None:
        return {"known": False, "uncertainty": "no time recorded"}
    zone = timezone_at(lat, lon) if lat is not None and lon is not None else None
    start, end = time.start, time.end
    record: TimeRecord = {
        "known": True,
        "start": start.isoformat(),
        "end": _iso(end),
        "approximate": time.approximate,
        "local": _local_text(start),
        "end_local": _local_text(end) if end else None,
        "utc": _utc_text(start) if start.tzinfo else None,
        "end_utc": _utc_text(end) if end and end.tzinfo else None,
        "zone": zone,
        "zone_time": None,
        "zone_note": None,
        "uncertainty": _uncertainty(time),
    }
    if zone and start.tzinfo:
        in_zone = start.astimezone(ZoneInfo(zone))
        record["zone_time"] = in_zone.strftime("%Y-%m-%d %H:%M %Z (UTC%z)")
        if in_zone.utcoffset() != start.utcoffset():
            record["zone_note"] = (
                f"the recorded offset {start.strftime('%z')} differs from {zone}'s offset "
                f"{in_zone.strftime('%z')} at that instant"
            )
    elif zone:
        record["zone_note"] = (
            f"no UTC offset recorded; the place lies in {zone}, but the offset is not assumed"
        )
    return record


def _uncertainty(time: TimeInterval) -> str:
    if time.end is not None:
        uncertainty = f"an interval of {_duration_text(time.end - time.start)}"
        if time.approximate:
            uncertainty += ", its bounds approximate"
        return uncertainty
    if time.approximate:
        return "approximate: the source gave the time loosely; no bounds recorded"
    return "as the source gave it, to the minute"


def count_text(count: Count | None) -> str | None:
    """'at least 4 (2 women, 2 men)', 'about 10, between 8 and 15': a figure as stated."""
    if count is None:
        return None
    text = f"{_QUALIFIER_WORDS[count.qualifier]} {count.count}"
    if count.min is not None or count.max is not None:
        text += f", range {count.min if count.min is not None else '?'}–"
        text += f"{count.max if count.max is not None else '?'}"
    if count.breakdowns:
        groups = ", ".join(people(n, g) for g, n in count.breakdowns.items())
        text += f" ({groups})"
    return text


def _marked(extra: Any) -> list[str]:
    """Names of fields a record marks sensitive (`sensitive_fields: [...]` in the case file)."""
    names = extra.get(SENSITIVE_FIELDS) if hasattr(extra, "get") else None
    return [str(n) for n in names] if isinstance(names, list) else []


def _report_record(report: CasualtyReport, sources: dict[str, Source]) -> ReportCasualtyReport:
    source = sources.get(report.source)
    return {
        "source": report.source,
        "source_kind": source.kind if source else None,
        "reliability": source.reliability if source else None,
        "scope": report.scope,
        "civilian": report.civilian,
        "killed": count_text(report.killed),
        "injured": count_text(report.injured),
        "reported_at": _iso(report.reported_at),
        "quote": report.extra.get("quote"),
        "notes": report.notes,
        "withdrawn": report.withdrawn.reason if report.withdrawn else None,
        SENSITIVE_FIELDS: _marked(report.extra),
    }


def objective_record(incident: Incident) -> ObjectiveRecord | None:
    """The likely objective as recorded, with the geodesic distance (WGS 84, Karney 2013)
    between the two recorded points and the range the two precision radii allow."""
    objective = incident.military_objective
    if objective is None:
        return None
    place = incident.place
    record: ObjectiveRecord = {
        "name": objective.name,
        "lat": objective.lat,
        "lon": objective.lon,
        "basis": objective.basis,
        "precision_m": objective.extra.get("precision_m"),
        "source": objective.extra.get("source"),
        "distance_m": None,
        "distance_range_m": None,
        SENSITIVE_FIELDS: _marked(objective.extra),
    }
    if place and place.lat is not None and place.lon is not None and objective.lat is not None:
        assert objective.lon is not None
        distance = geodesic_distance_m(place.lat, place.lon, objective.lat, objective.lon)
        slack = float(place.precision_m or 0) + float(record["precision_m"] or 0)
        record["distance_m"] = round(distance, 1)
        record["distance_range_m"] = [
            round(max(0.0, distance - slack), 1),
            round(distance + slack, 1),
        ]
    return record


def _incident_record(
    incident: Incident, figures: CasualtiesRecord, sources: dict[str, Source]
) -> ReportIncident:
    place = incident.place
    weapon = incident.weapon
    return {
        "id": incident.id,
        "title": incident.title,
        "time": time_record(
            incident.time, place.lat if place else None, place.lon if place else None
        ),
        "place": None
        if place is None
        else {
            "name": place.name,
            "admin1": place.admin1,
            "country": place.country,
            "lat": place.lat,
            "lon": place.lon,
            "precision_m": place.precision_m,
            "notes": place.extra.get("notes"),
            SENSITIVE_FIELDS: _marked(place.extra),
        },
        "objects_hit": [
            {
                "kind": o.kind,
                "name": o.name,
                "category": KIND_CATEGORY.get(o.kind),
                "details": {k: v for k, v in o.extra.items() if isinstance(v, str)},
            }
            for o in incident.objects_hit
        ],
        "objective": objective_record(incident),
        "weapon": None
        if weapon is None
        else {
            "munition": weapon.munition,
            "category": weapon.extra.get("category"),
            "basis": weapon.basis,
            "confidence": weapon.confidence,
            "notes": weapon.extra.get("notes"),
            "source": weapon.extra.get("source"),
            SENSITIVE_FIELDS: _marked(weapon.extra),
        },
        "figures": figures,
        "reports": [_report_record(r, sources) for r in incident.casualties],
        "evidence": list(incident.evidence),
        "notes": incident.notes,
        "populated_area": None
        if incident.populated_area is None
        else {"value": incident.populated_area.value, "basis": incident.populated_area.basis},
        SENSITIVE_FIELDS: _marked(incident.extra),
        # Filled by the verification and assessment services when available.
        "context_objects": None,
        "geolocations": None,
        "checks": None,
        "corroboration": None,
        "assessment": None,
        # Filled by the imagery service: before/after chips of the scenes covering the place.
        "imagery": None,
    }


def _source_record(source: Source) -> ReportSource:
    return {
        "id": source.id,
        "kind": source.kind,
        "description": source.description,
        "sensitive": source.sensitive,
        "reliability": source.reliability,
        "notes": source.notes,
        "url": source.url,
        "sensitive_terms": list(source.sensitive_terms),
        SENSITIVE_FIELDS: _marked(source.extra),
    }


def _thumbnail(case: Case, item: EvidenceItem) -> str | None:
    """The item's thumbnail (or video poster) derivative as a data URI, so the report
    needs no files beside it."""
    for derivative in item.derivatives:
        if derivative.role in ("thumbnail", "poster"):
            data = case.objects.path(derivative.sha256).read_bytes()
            encoded = base64.b64encode(data).decode("ascii")
            return f"data:{derivative.media_type};base64,{encoded}"
    return None


def _evidence_record(
    case: Case, item: EvidenceItem, entry: EvidenceEntry | None, events: int
) -> ReportEvidence:
    meta = item.metadata_normalised
    extra = entry.extra if entry else {}
    return {
        "id": item.id,
        "name": item.original_name,
        "kind": item.kind,
        "media_type": item.media_type,
        "sha256": item.sha256,
        "size_bytes": item.size_bytes,
        "source": item.source_id,
        "sensitive": item.sensitive,
        "description": extra.get("description"),
        "illustrative": bool(extra.get("illustrative")),
        "collected_at": _iso(entry.collected_at) if entry else None,
        "first_ingested_at": item.first_ingested_at,
        "acquisitions": [acquisition_record(a) for a in item.acquisitions],
        "custody_events": events,
        "captured_at": meta.get("captured_at"),
        "gps": meta.get("gps"),
        "camera": " ".join(x for x in (meta.get("make"), meta.get("model")) if x) or None,
        "perceptual_hashes": len(item.perceptual_hashes),
        "errors": [e["message"] for e in item.extraction_errors],
        "thumbnail": _thumbnail(case, item),
        SENSITIVE_FIELDS: _marked(extra),
        # Filled by the verification services when available.
        "status": None,
        "geolocations": None,
        # Whether a satellite scene may be shown in public (None: not a scene).
        "scene_publishable": None,
        # Filled by add_sensitivity.
        "flags": [],
        "warning": "",
        "media_publishable": True,
    }


def add_sensitivity(case: Case, evidence: list[ReportEvidence]) -> None:
    """Each item's flags, content warning and whether a public report may show its media
    (model.sensitivity.publishable)."""
    flags, cleared = case_flags(case), publication_clearances(case)
    for item in evidence:
        brief = flags.get(item["id"])
        if brief is not None:
            item["flags"], item["warning"] = brief["flags"], brief["warning"]
            item["media_publishable"] = publishable(brief["flags"], cleared.get(item["id"]))


# ---------------------------------------------------------------- imagery


def _data_uri(path: Path, media_type: str) -> str:
    return f"data:{media_type};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _metres(value: float) -> str:
    return f"{value:,.0f} m" if value >= 100 else f"{value:.1f} m"


def annotation_text(annotation: ReportChipAnnotation) -> str:
    """'crater, diameter 12.4 m', 'damaged building, area 1,204 m², perimeter 140 m':
    an annotation's kind and geodesic measures in words."""
    parts = [annotation["kind"].replace("_", " ")]
    measures = annotation["measures"]
    if annotation["diameter_m"] is not None:
        parts.append(f"diameter {_metres(annotation['diameter_m'])}")
    if "length_m" in measures and annotation["kind"] != "crater":
        parts.append(f"length {_metres(float(measures['length_m']))}")
    if "area_m2" in measures:
        parts.append(f"area {float(measures['area_m2']):,.0f} m²")
        parts.append(f"perimeter {_metres(float(measures['perimeter_m']))}")
    text = ", ".join(parts)
    return f"{text} — {annotation['note']}" if annotation["note"] else text


def _acquired_utc(acquired_at: str | None) -> str | None:
    if acquired_at is None:
        return None
    return _utc_text(datetime.fromisoformat(acquired_at.replace("Z", "+00:00")))


def add_imagery(
    case: Case, incidents: list[ReportIncident], evidence: list[ReportEvidence]
) -> bool:
    """Fill, in place, each located incident's before/after chips (made once, then reused
    from the locker; embedded as data URIs of the stored PNG, so the SHA-256 printed is
    the embedded file's) and each scene item's publishability; say whether any chip."""
    any_chip = False
    for incident in incidents:
        place = incident["place"]
        if not place or place.get("lat") is None or place.get("lon") is None:
            continue
        chips = [_shown_chip(c) for c in scene_chips_for_report(case, incident["id"], public=False)]
        incident["imagery"] = chips
        any_chip = any_chip or bool(chips)
    with case.sessions() as session:
        publishable = dict(session.execute(select(Scene.evidence_id, Scene.publishable)).all())
    for item in evidence:
        if item["id"] in publishable:
            item["scene_publishable"] = bool(publishable[item["id"]])
    return any_chip


def _shown_chip(chip: ReportChip) -> ShownChip:
    """A chip with the report's own keys: the acquisition time in UTC, each annotation in
    words, and the stored PNG embedded (its path left out)."""
    shown: ShownChip = {
        "scene": chip["scene"],
        "label": chip["label"],
        "acquired_at": chip["acquired_at"],
        "acquired_at_source": chip["acquired_at_source"],
        "resolution_m": chip["resolution_m"],
        "sensor": chip["sensor"],
        "provider": chip["provider"],
        "attribution": chip["attribution"],
        "licence": chip["licence"],
        "publishable": chip["publishable"],
        "annotations": [_shown_annotation(a) for a in chip["annotations"]],
        "error": chip["error"],
        "acquired_utc": _acquired_utc(chip["acquired_at"]),
    }
    if chip["error"] is None:  # a chip was made: it has a picture
        shown["pixel_m"] = chip["pixel_m"]
        shown["sha256"] = chip["sha256"]
        shown["media_type"] = chip["media_type"]
        shown["radius_m"] = chip["radius_m"]
        shown["image"] = _data_uri(Path(chip["path"]), chip["media_type"])
    return shown


def _shown_annotation(annotation: ReportChipAnnotation) -> ShownAnnotation:
    return {**annotation, "text": annotation_text(annotation)}


# ---------------------------------------------------------------- methodology


def _package_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _program_version(command: list[str]) -> str | None:
    """First line of a program's version output, or None when it is not installed."""
    if shutil.which(command[0]) is None:
        return None
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    line = (done.stdout or done.stderr).strip().splitlines()
    return line[0] if line else None


def _tool(name: str, value: str | None, provenance: str, used_for: str) -> ToolRecord:
    return {"name": name, "version": value, "provenance": provenance, "used_for": used_for}


def methodology(
    *,
    items: list[EvidenceItem],
    findings: list[Finding],
    created_with: str | None,
    fmt: str,
    sections: dict[str, bool],
) -> Methodology:
    """What was done to the evidence and which tools (with versions) did it.

    Versions come from the case's own records where they were recorded (ExifTool's
    version in each item's metadata; evidencelab's at case creation) and are otherwise
    queried when the report is made: each tool says which.
    """
    recorded = "recorded in the case"
    queried = "queried when this report was made"
    tools = [
        _tool("evidencelab", created_with, recorded + " (case creation)", "case, custody log"),
        _tool("evidencelab", __version__, queried, "this report"),
    ]
    steps = [
        f"{len(items)} original file{'s' if len(items) != 1 else ''} stored once each, named "
        "by SHA-256 and never modified; every action is an event in a hash-chained custody log."
    ]
    exiftool = sorted(
        {
            str(i.metadata_raw["ExifTool:ExifToolVersion"])
            for i in items
            if "ExifTool:ExifToolVersion" in i.metadata_raw
        }
    )
    if exiftool:
        with_meta = sum("ExifTool:ExifToolVersion" in i.metadata_raw for i in items)
        steps.append(f"Metadata of {with_meta} item(s) read with ExifTool (batch mode).")
        tools.append(_tool("ExifTool", ", ".join(exiftool), recorded, "metadata extraction"))
    videos = [i for i in items if (i.media_type or "").startswith("video/")]
    if videos:
        steps.append(
            f"{len(videos)} video(s) probed with FFmpeg's ffprobe; frames sampled once a second."
        )
        tools.append(
            _tool("FFmpeg", _program_version(["ffprobe", "-version"]), queried, "video metadata")
        )
    hashed = sum(1 for i in items if i.perceptual_hashes)
    if hashed:
        steps.append(f"Perceptual hashes (PDQ) of {hashed} item(s), for near-duplicate detection.")
        tools.append(_tool("pdqhash", _package_version("pdqhash"), queried, "PDQ hashes"))
    kinds = Counter(f.kind for f in findings)
    for kind, n in sorted(kinds.items()):
        methods = sorted({f.method for f in findings if f.kind == kind})
        steps.append(f"{n} {kind.replace('_', ' ')} finding(s); method: {'; '.join(methods)}.")
    if any("sun" in k or "shadow" in k for k in kinds):
        tools.append(_tool("pvlib", _package_version("pvlib"), queried, "solar position"))
    steps.append(
        "Distances are geodesics on the WGS 84 ellipsoid (GeographicLib via pyproj); maps use "
        "an azimuthal equidistant projection, true to scale from each map's centre."
    )
    tools.append(_tool("pyproj", _package_version("pyproj"), queried, "distances, map projection"))
    steps.append("Local time zones from the place's coordinates (timezonefinder, offline).")
    tools.append(_tool("timezonefinder", _package_version("timezonefinder"), queried, "time zones"))
    for section, sentence in (
        ("context", "Objects near each incident from the case's context layer."),
        ("geolocations", "Geolocations recorded by analysts, with method and review state."),
        ("status", "Verification status of each evidence item, set by analysts with a reason."),
        ("checks", "Automatic consistency checks between evidence and incidents."),
        ("assessment", "IHL indicators with the rules they touch; each needs human sign-off."),
        ("claims", "Public claims evaluated against the documented incidents."),
        (
            "imagery",
            "Satellite chips: a window of each scene covering an incident, reprojected north "
            "up to the local UTM zone (GDAL through rasterio, bilinear), stored once as a "
            "derived work of the scene with a custody event; annotations drawn by analysts, "
            "measured geodesically on WGS 84.",
        ),
    ):
        if sections.get(section):
            steps.append(sentence)
    steps.append(
        "Casualty figures are derived from the recorded reports: per incident the largest "
        "lower bound from a source not graded low; never added across sources; summed over "
        "distinct incidents."
    )
    tools.append(_tool("Jinja2", _package_version("jinja2"), queried, "HTML rendering"))
    if sections.get("imagery"):
        tools.append(_tool("rasterio", _package_version("rasterio"), queried, "satellite chips"))
    if fmt == "pdf":
        tools.append(_tool("WeasyPrint", _package_version("weasyprint"), queried, "PDF rendering"))
    return {"steps": steps, "tools": tools}


# ---------------------------------------------------------------- key findings


def key_findings(summary: CaseSummary, incidents: list[ReportIncident]) -> list[str]:
    """Sentences generated from the figures: the case finding, then one per incident."""
    sentences = [summary["finding"] + "."]
    for outcome, groups in (
        ("killed", summary["killed_breakdowns_min"]),
        ("injured", summary["injured_breakdowns_min"]),
    ):
        if groups:
            listed = ", ".join(people(n, g) for g, n in groups.items())
            sentences.append(f"Among those {outcome}, at least: {listed}.")
    for incident in incidents:
        place = incident["place"]["name"] if incident["place"] else "an unrecorded place"
        time = incident["time"]
        when = (
            f"{time['local']}{' (approximate)' if time.get('approximate') else ''}"
            if time["known"]
            else "an unrecorded time"
        )
        weapon = incident["weapon"]
        category = str((weapon and weapon["category"]) or "").replace("_", " ")
        what = (weapon and weapon["munition"]) or (
            f"{category} (type not identified)" if category else "weapon not identified"
        )
        hit = "; ".join((o["name"] or o["kind"].replace("_", " ")) for o in incident["objects_hit"])
        figures = incident["figures"]
        toll = _toll(figures["killed"]["min"], figures["injured"]["min"])
        sentence = f"{place}, {when}: {what}"
        if hit:
            sentence += f"; hit or near: {hit}"
        sentence += f"; {toll}."
        objective = incident["objective"]
        if objective and objective["distance_m"] is not None:
            sentence += (
                f" The likely objective named, {objective['name']}, lies "
                f"{_km(objective['distance_m'])} from the recorded point."
            )
        sentences.append(sentence)
    return sentences


def _km(metres: float) -> str:
    return f"{metres:.0f} m" if metres < 1000 else f"{metres / 1000:.1f} km"


def _toll(killed: int | None, injured: int | None) -> str:
    parts = []
    parts.append(
        "no supported figure for killed" if killed is None else f"at least {killed} killed"
    )
    parts.append(
        "no supported figure for injured" if injured is None else f"at least {injured} injured"
    )
    return " and ".join(parts)


# ---------------------------------------------------------------- gathering


#: Context objects are looked up within this distance beyond the recorded point's
#: precision radius (metres).
CONTEXT_MARGIN_M: Final = 2000.0
#: At most this many nearby objects are listed per incident (nearest first).
CONTEXT_LIMIT: Final = 15


def add_verification_and_assessment(
    case: Case, incidents: list[ReportIncident], evidence: list[ReportEvidence]
) -> dict[str, bool]:
    """Fill, in place, the sections the verification and assessment services provide
    (context objects, geolocations, evidence status, consistency checks, corroboration,
    IHL indicators); say which sections hold anything."""
    geolocations = geolocations_for(case)
    statuses = evidence_statuses(case)
    for item in evidence:
        item["status"] = statuses.get(item["id"], UNVERIFIED.copy())
        item["geolocations"] = [g for g in geolocations if g.get("evidence") == item["id"]]
    checks = run_checks(case)
    reading = read_case(case)  # once for every incident's corroboration
    assessments = {a["incident"]: a for a in assess_case(case)}
    any_objects = False
    for incident in incidents:
        place = incident["place"]
        if place and place["lat"] is not None and place["lon"] is not None:
            radius = float(place["precision_m"] or 0) + CONTEXT_MARGIN_M
            near = case_objects_near(case, place["lat"], place["lon"], radius)
            incident["context_objects"] = near[:CONTEXT_LIMIT]
            incident["context_radius_m"] = radius
            incident["context_total"] = len(near)
            any_objects = any_objects or bool(near)
        linked = set(incident["evidence"])
        incident["geolocations"] = [g for g in geolocations if g.get("incident") == incident["id"]]
        incident["checks"] = [
            c
            for c in checks
            if c.get("incident") == incident["id"]
            or (c.get("incident") is None and c.get("evidence") in linked)
        ]
        incident["corroboration"] = corroboration(case, incident["id"], reading=reading)
        incident["assessment"] = assessments.get(incident["id"])
    return {
        "context": any_objects,
        "geolocations": bool(geolocations),
        "status": any(v.get("state") != "unverified" for v in statuses.values()),
        "checks": True,
        "assessment": bool(assessments),
    }


def report_context(case: Case, *, fmt: str = "html") -> ReportContext:
    """Everything the (internal) report shows, as plain values."""
    reading = load_case(case)
    if reading.problems:
        # A report is published: it must not leave out silently what could not be read.
        raise UnreadableRecords("no report is written", reading.problems)
    case_file: CaseFile = reading.case_file
    figures = incident_casualties_for_case(case_file)
    sources = {s.id: s for s in case_file.sources}
    entries = {e.id: e for e in case_file.evidence}
    with case.sessions() as session:
        items = list(session.scalars(select(EvidenceItem).order_by(EvidenceItem.first_ingested_at)))
        per_subject = dict(
            session.execute(
                select(CustodyEvent.subject, func.count()).group_by(CustodyEvent.subject)
            ).all()
        )
        by_action = dict(
            session.execute(
                select(CustodyEvent.action, func.count()).group_by(CustodyEvent.action)
            ).all()
        )
        first_event = session.scalars(
            select(CustodyEvent).order_by(CustodyEvent.seq).limit(1)
        ).first()
        last_at = session.scalar(select(func.max(CustodyEvent.recorded_at)))
        evidence = [
            _evidence_record(case, item, entries.get(item.id), int(per_subject.get(item.id, 0)))
            for item in items
        ]
        created_with = None
        if first_event is not None and first_event.action == "create":
            created_with = _created_with(first_event.payload)
        incidents = [
            _incident_record(i, casualties_record(figures[i.id]), sources)
            for i in chronological(case_file.incidents)
        ]
    # The services open their own sessions: call them after ours is closed.
    sections = add_verification_and_assessment(case, incidents, evidence)
    sections["imagery"] = add_imagery(case, incidents, evidence)
    add_sensitivity(case, evidence)
    claims = evaluate_claims(case)
    sections["claims"] = bool(claims)
    with case.sessions() as session:
        method = methodology(
            items=list(session.scalars(select(EvidenceItem))),
            findings=list(session.scalars(select(Finding).order_by(Finding.id))),
            created_with=created_with,
            fmt=fmt,
            sections=sections,
        )
    summary = case_summary(case, reading)
    head = read_head(case.head_path)
    return {
        "format": REPORT_FORMAT,
        "title": case_file.title,
        "case_notes": case_file.extra.get("notes"),
        "demo": bool(case_file.extra.get("demo")),
        "public": False,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "generator": f"evidencelab {__version__}",
        "summary": summary,
        "key_findings": key_findings(summary, incidents),
        "incidents": incidents,
        "sources": [_source_record(s) for s in case_file.sources],
        "evidence": evidence,
        "any_illustrative": any(e["illustrative"] for e in evidence),
        "custody": {
            "events": sum(by_action.values()),
            "by_action": dict(sorted(by_action.items())),
            "first_at": first_event.recorded_at if first_event else None,
            "last_at": last_at,
            "head": None if head is None else {"seq": head.seq, "hash": head.hash},
        },
        "claims": claims,
        "methodology": method,
    }


def _created_with(payload: str) -> str | None:
    try:
        value = json.loads(payload).get("evidencelab")
    except (ValueError, AttributeError):
        return None
    return str(value) if value else None


def render(case: Case, *, fmt: str = "html", public: bool = False) -> bytes:
    """The report as bytes: HTML (UTF-8) or PDF."""
    return _render(case, fmt, public)[0]


def _printed(summary: CaseSummary) -> Printed:
    """The casualty figures a report prints, as its custody event records them."""
    return {
        "incidents": {
            i["id"]: [i["killed_min"], i["injured_min"]]
            for i in sorted(summary["per_incident"], key=lambda i: str(i["id"]))
        },
        "case": [summary["civilians_killed_min"], summary["civilians_injured_min"]],
    }


def check_format(fmt: str) -> None:
    """Refuse a report format other than html or pdf (InputError of field ``format``)."""
    if fmt not in FORMATS:
        raise InputError("format", fmt, f"unknown report format (available: {', '.join(FORMATS)})")


def _render(case: Case, fmt: str, public: bool) -> tuple[bytes, Printed]:
    """The report as bytes, and the casualty figures it prints."""
    check_format(fmt)
    context = report_context(case, fmt=fmt)
    printed = _printed(context["summary"])
    shown: Mapping[str, Any] = context
    if public:
        secrets, terms = sensitive_strings(context), report_terms(context)
        # The public edition: what is withheld removed or replaced, and a `redaction` count.
        shown = public_report(context)
    html = render_report(shown)
    if public:
        found = leaks(html, secrets)
        if found:  # a template printed something the redaction did not know about
            raise InputError("public", None, f"{len(found)} sensitive string(s) left in the report")
        left = term_leaks(html, terms)
        if left:  # named by source and number: the message itself must not spread the term
            raise InputError(
                "public", None, f"{left[0].label} is left in the report; no report written"
            )
    if fmt == "html":
        return html.encode("utf-8"), printed
    from evidencelab.publish.pdf_report import html_to_pdf

    return html_to_pdf(html), printed


def write_report(case: Case, out: Path, *, fmt: str = "html", public: bool = False) -> Path:
    """Render the report, write it atomically, and log it in the custody log with the
    SHA-256 of the bytes written and the casualty figures it prints (which `verify`
    re-derives from the log)."""
    data, printed = _render(case, fmt, public)
    if not out.parent.is_dir():
        raise InputError("out", out, f"folder {out.parent} does not exist")
    write_bytes_atomic(out, data)
    with case.transaction() as session:
        case.record(
            session,
            "report",
            None,
            {
                "file": out.name,
                "format": fmt,
                "public": public,
                "sha256": sha256_bytes(data),
                "figures": printed,
            },
        )
    return out
