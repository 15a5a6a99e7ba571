"""Consistency checks over a case's evidence and incidents, as plain CHECK records.

Read-only: reads metadata, acquisitions, shadow findings, near-duplicate clusters and
incidents; records nothing (checks are recomputed from what is stored, so they follow
every later change). The checks themselves are in ``evidencelab.verify.checks``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from evidencelab.extract.normalise import gps_fix_time, parse_datetime
from evidencelab.locker.case import Case, CaseError
from evidencelab.service.evidence.items import find_evidence
from evidencelab.service.verification.duplicates import find_near_duplicates
from evidencelab.service.verification.records import (
    CheckDescription,
    CheckRecord,
    DuplicateCluster,
)
from evidencelab.store.tables import EvidenceItem, Finding, Incident
from evidencelab.store.tables.credentials import ContentCredentials
from evidencelab.verify.checks import (
    CHECKS,
    SEVERITIES,
    Appearance,
    CheckResult,
    EvidenceFacts,
    IncidentFacts,
    ShadowFinding,
)
from evidencelab.verify.checks import (
    run_checks as run_fact_checks,
)
from evidencelab.verify.credentials import Credentials, credentials_facts
from evidencelab.verify.timezones import timezone_at

SHADOW_FINDING_KIND = "chronolocation.shadow_times"
# ExifTool tag names (after the group) that name the program that wrote the file.
SOFTWARE_TAGS = frozenset(
    {"Software", "ProcessingSoftware", "CreatorTool", "HistorySoftwareAgent", "CreatorSoftware"}
)
CAPTURE_LABEL = "captured (claimed by its metadata)"
COLLECTED_LABEL = "collected"
PUBLISHED_LABEL = "published"


@dataclass(frozen=True)
class CaseFacts:
    """What the checks and corroboration read from a case, as plain values."""

    evidence: dict[str, EvidenceFacts]
    sources: dict[str, str | None]  # evidence id -> source id
    incidents: dict[str, IncidentFacts]
    links: list[tuple[str, str]]  # (incident id, evidence id) in incident order
    clusters: list[list[str]]  # near-duplicate clusters (evidence ids), two or more each


def load_facts(case: Case) -> CaseFacts:
    """Every evidence item and incident of the case as check inputs."""
    clusters = find_near_duplicates(case)
    with case.sessions() as session:
        items = list(
            session.scalars(
                select(EvidenceItem)
                .options(selectinload(EvidenceItem.acquisitions))
                .order_by(EvidenceItem.first_ingested_at, EvidenceItem.id)
            )
        )
        shadows = _shadow_findings(session)
        credentials = {
            row.evidence_id: credentials_facts(
                row.state, row.manifest, row.validation_results, row.problem
            )
            for row in session.scalars(select(ContentCredentials))
        }
        incidents = list(session.scalars(select(Incident).order_by(Incident.position)))
        links = [
            (link.incident_id, link.evidence_id)
            for incident in incidents
            for link in incident.evidence_links
        ]
    by_id = {item.id: item for item in items}
    copies = _copies(clusters, by_id)
    return CaseFacts(
        evidence={
            item.id: _evidence_facts(
                item, shadows.get(item.id, ()), copies.get(item.id, ()), credentials.get(item.id)
            )
            for item in items
        },
        sources={item.id: item.source_id for item in items},
        incidents={i.id: _incident_facts(i) for i in incidents},
        links=links,
        clusters=[[m["evidence_id"] for m in c["members"]] for c in clusters],
    )


def run_checks(
    case: Case,
    *,
    evidence_id: str | None = None,
    incident_id: str | None = None,
    codes: Sequence[str] | None = None,
    facts: CaseFacts | None = None,
) -> list[CheckRecord]:
    """CHECK records for one item (with each incident it is linked to), one incident (with
    its linked items), or — with neither — the whole case.

    ``evidence_id`` may be a SHA-256 prefix of six or more hex digits. ``codes`` limits
    the checks run (default: every registered check). ``facts`` is ``load_facts(case)``
    when the caller already has it (it compares every perceptual hash of the case).
    """
    _check_codes(codes)
    evidence_id, incident_id = _resolve(case, evidence_id, incident_id)
    facts = facts or load_facts(case)
    if evidence_id is not None:
        results = _for_items(facts, [evidence_id], codes)
        if incident_id is not None:
            results = [r for r in results if r["incident"] in (None, incident_id)]
        return results
    if incident_id is not None:
        return _for_incident(facts, incident_id, codes)
    results = _for_items(facts, list(facts.evidence), codes)
    for incident in facts.incidents.values():
        results += _records(run_fact_checks(None, incident, codes=codes))
    return results


def checks_for_new_evidence(case: Case, evidence_ids: Iterable[str]) -> list[CheckRecord]:
    """CHECK records for items just ingested: each item's own checks, and its checks
    against every incident it is already linked to. Meant to run after an ingest."""
    wanted = list(dict.fromkeys(evidence_ids))
    if not wanted:
        return []
    facts = load_facts(case)
    missing = [i for i in wanted if i not in facts.evidence]
    if missing:
        raise CaseError(f"evidence {missing[0]}: no such evidence item")
    return _for_items(facts, wanted, None)


def summarise_checks(checks: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """How many results of each severity, e.g. ``{"problem": 1, "warning": 2, "info": 0}``."""
    return {s: sum(c["severity"] == s for c in checks) for s in reversed(SEVERITIES)}


def check_catalogue() -> list[CheckDescription]:
    """The registered checks: code, worst severity, explanation and what each looks at."""
    return [
        {
            "check": c.code,
            "severity": c.severity,
            "explanation": c.explanation,
            "scopes": sorted(c.scopes),
        }
        for c in CHECKS.values()
    ]


def _for_items(
    facts: CaseFacts, evidence_ids: Sequence[str], codes: Sequence[str] | None
) -> list[CheckRecord]:
    results: list[CheckRecord] = []
    for evidence_id in evidence_ids:
        item = facts.evidence[evidence_id]
        results += _records(run_fact_checks(item, None, codes=codes))
        for incident_id, linked in facts.links:
            if linked == evidence_id:
                results += _records(
                    run_fact_checks(item, facts.incidents[incident_id], codes=codes)
                )
    return results


def _for_incident(
    facts: CaseFacts, incident_id: str, codes: Sequence[str] | None
) -> list[CheckRecord]:
    incident = facts.incidents[incident_id]
    results = _records(run_fact_checks(None, incident, codes=codes))
    for linked_incident, evidence_id in facts.links:
        if linked_incident == incident_id:
            item = facts.evidence[evidence_id]
            results += _records(run_fact_checks(item, None, codes=codes))
            results += _records(run_fact_checks(item, incident, codes=codes))
    return results


def _records(results: Iterable[CheckResult]) -> list[CheckRecord]:
    return [
        {
            "check": r.check,
            "severity": r.severity,
            "evidence": r.evidence,
            "incident": r.incident,
            "message": r.message,
            "details": r.details,
        }
        for r in results
    ]


def _check_codes(codes: Sequence[str] | None) -> None:
    unknown = [c for c in codes or () if c not in CHECKS]
    if unknown:
        raise CaseError(f"check {unknown[0]}: no such check; known: {', '.join(CHECKS)}")


def _resolve(
    case: Case, evidence_id: str | None, incident_id: str | None
) -> tuple[str | None, str | None]:
    """The item's id (a SHA-256 prefix resolved) and the incident id, both checked."""
    with case.sessions() as session:
        if evidence_id is not None:
            evidence_id = find_evidence(session, evidence_id).id
        if incident_id is not None and session.get(Incident, incident_id) is None:
            raise CaseError(f"incident {incident_id}: no such incident")
    return evidence_id, incident_id


def _shadow_findings(session: Session) -> dict[str, tuple[ShadowFinding, ...]]:
    found: dict[str, list[ShadowFinding]] = {}
    for row in session.scalars(
        select(Finding).where(Finding.kind == SHADOW_FINDING_KIND).order_by(Finding.id)
    ):
        windows = tuple((str(w["start"]), str(w["end"])) for w in row.result.get("windows", []))
        found.setdefault(row.evidence_id, []).append(
            ShadowFinding(row.id, str(row.inputs["date"]), str(row.inputs["tz"]), windows)
        )
    return {k: tuple(v) for k, v in found.items()}


def _media(item: EvidenceItem) -> str | None:
    media_type = item.media_type or ""
    for prefix in ("image", "video"):
        if media_type.startswith(prefix + "/"):
            return prefix
    return {"photo": "image", "video": "video"}.get(item.kind or "")


def _software(raw: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """(tag, value) for every software-naming tag, repeated tags and lists included."""
    found: list[tuple[str, str]] = []
    for key, value in raw.items():
        name = key.split(":", 1)[-1].split(" [", 1)[0]
        if name in SOFTWARE_TAGS and ":" in key:
            values = value if isinstance(value, list) else [value]
            found += [(key, str(v)) for v in values if str(v).strip()]
    ffprobe = raw.get("ffprobe")
    if isinstance(ffprobe, dict):
        encoder = ffprobe.get("format", {}).get("tags", {}).get("encoder")
        if encoder:
            found.append(("ffprobe:format.tags.encoder", str(encoder)))
    return tuple(found)


def _gps_error(raw: dict[str, Any]) -> float | None:
    value = raw.get("GPS:GPSHPositioningError")
    try:
        return float(value) if value is not None and str(value).strip() else None
    except ValueError:
        return None


def _gps_time(raw: dict[str, Any]) -> str | None:
    """The GPS fix time, read from the raw tags so that items stored before it was
    normalised are checked too."""
    fix = gps_fix_time(raw)
    return fix.isoformat() if fix else None


def _published(item: EvidenceItem) -> str | None:
    """Publication time from the case file's evidence field ``published_at``, if given."""
    value = item.extra.get("published_at")
    if value is None:
        return None
    moment = parse_datetime(str(value))
    return moment.isoformat() if moment else None


def _evidence_facts(
    item: EvidenceItem,
    shadows: tuple[ShadowFinding, ...],
    copies: tuple[Appearance, ...],
    credentials: Credentials | None = None,
) -> EvidenceFacts:
    meta = item.metadata_normalised
    gps = meta.get("gps")
    return EvidenceFacts(
        id=item.id,
        media=_media(item),
        captured_at=meta.get("captured_at"),
        captured_at_source=meta.get("captured_at_source"),
        captured_at_offset_source=meta.get("captured_at_offset_source"),
        gps_time=_gps_time(item.metadata_raw),
        gps=(float(gps["lat"]), float(gps["lon"])) if gps else None,
        gps_error_m=_gps_error(item.metadata_raw),
        camera=bool(meta.get("make") or meta.get("model")),
        make=_text(meta.get("make")),
        model=_text(meta.get("model")),
        software=_software(item.metadata_raw),
        collected_at=tuple(a.collected_at for a in item.acquisitions if a.collected_at),
        published_at=_published(item),
        shadows=shadows,
        copies=copies,
        zone=timezone_at(float(gps["lat"]), float(gps["lon"])) if gps else None,
        credentials=credentials,
    )


def _own_appearances(item: EvidenceItem, distance: int | None) -> list[Appearance]:
    times = [(COLLECTED_LABEL, a.collected_at) for a in item.acquisitions if a.collected_at]
    published = _published(item)
    if published:
        times.append((PUBLISHED_LABEL, published))
    return [Appearance(item.id, t, label, distance) for label, t in times]


def _copies(
    clusters: list[DuplicateCluster], by_id: dict[str, EvidenceItem]
) -> dict[str, tuple[Appearance, ...]]:
    """For each item, when it and its near-duplicates were seen (capture of a copy is a
    claim by that copy's metadata; the item's own capture is checked on its own)."""
    result = {key: tuple(_own_appearances(item, None)) for key, item in by_id.items()}
    for cluster in clusters:
        direct = {frozenset((m["a"], m["b"])): int(m["distance_bits"]) for m in cluster["matches"]}
        members = [m["evidence_id"] for m in cluster["members"]]
        for key in members:
            found = list(result[key])
            for other in members:
                if other == key:
                    continue
                copy = by_id[other]
                distance = direct.get(frozenset((key, other)))
                captured = copy.metadata_normalised.get("captured_at")
                if captured:
                    found.append(Appearance(other, captured, CAPTURE_LABEL, distance))
                found += _own_appearances(copy, distance)
            result[key] = tuple(found)
    return result


def _incident_facts(row: Incident) -> IncidentFacts:
    time = row.time or {}
    place = row.place or {}
    lat, lon = place.get("lat"), place.get("lon")
    zone = timezone_at(float(lat), float(lon)) if lat is not None and lon is not None else None
    return IncidentFacts(
        id=row.id,
        start=_text(time.get("start")),
        end=_text(time.get("end")),
        approximate=bool(time.get("approximate", False)),
        lat=None if lat is None else float(lat),
        lon=None if lon is None else float(lon),
        precision_m=None if place.get("precision_m") is None else float(place["precision_m"]),
        zone=zone,
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
