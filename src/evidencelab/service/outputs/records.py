"""The records the outputs capability hands on: the report's context (what
`evidencelab.publish` renders) with its parts, and a bundle's manifest and custody log."""

from __future__ import annotations

from typing import Any, NotRequired

from typing_extensions import TypedDict

from evidencelab.assess.records import ClaimEvaluation, IncidentAssessment
from evidencelab.service.assessment.records import CorroborationRecord
from evidencelab.service.context.records import NearbyObject
from evidencelab.service.evidence.records import AcquisitionRecord, StatusRecord
from evidencelab.service.imagery.records import ReportChipAnnotation
from evidencelab.service.incidents.records import CaseSummary, CasualtiesRecord
from evidencelab.service.verification.records import CheckRecord, GeolocationRecord

# --- Report: an incident's parts --------------------------------------------------------


class TimeRecord(TypedDict):
    """When an incident happened, as the source gave it, in UTC and in the place's time
    zone, and how uncertain; an incident with no time recorded has only `known` (False)
    and `uncertainty`."""

    known: bool
    start: NotRequired[str]  # ISO 8601 as recorded
    end: NotRequired[str | None]
    approximate: NotRequired[bool]
    local: NotRequired[str]  # '2022-02-24 10:30+02:00': as recorded, to the minute
    end_local: NotRequired[str | None]
    utc: NotRequired[str | None]  # None when the source gave no UTC offset
    end_utc: NotRequired[str | None]
    zone: NotRequired[str | None]  # IANA zone of the place
    zone_time: NotRequired[str | None]
    zone_note: NotRequired[str | None]  # when the recorded offset is not the zone's
    uncertainty: str


class ReportPlace(TypedDict):
    """Where an incident happened, as recorded."""

    name: str | None
    admin1: str | None
    country: str | None
    lat: float | None  # WGS 84 degrees
    lon: float | None
    precision_m: int | float | None  # radius, as the case file gives it (4000 or 12.5)
    notes: str | None
    sensitive_fields: list[str]  # fields the case file marks sensitive


class ReportObjectHit(TypedDict):
    """An object the case file says was hit, with its category."""

    kind: str
    name: str | None
    category: str | None  # analysis.context.kinds
    details: dict[str, str]  # the case file's other text fields for it


class ObjectiveRecord(TypedDict):
    """The likely military objective as recorded, with its distance from the incident."""

    name: str
    lat: float | None
    lon: float | None
    basis: str | None
    precision_m: int | float | None  # radius, as the case file gives it
    source: str | None
    distance_m: float | None  # geodesic (WGS 84) between the two recorded points
    distance_range_m: list[float] | None  # [nearest, farthest] the precision radii allow
    sensitive_fields: list[str]


class ReportWeapon(TypedDict):
    """The weapon as recorded."""

    munition: str | None
    category: str | None
    basis: str | None
    confidence: str | None
    notes: str | None
    source: str | None
    sensitive_fields: list[str]


class ReportCasualtyReport(TypedDict):
    """A casualty report as the report lists it, its figures in words."""

    source: str | None
    source_kind: str | None
    reliability: str | None
    scope: str
    civilian: bool | str  # True, False or "unknown"
    killed: str | None  # 'at least 4 (2 women, 2 men)'
    injured: str | None
    reported_at: str | None
    quote: str | None
    notes: str | None
    withdrawn: str | None  # the reason, when the source withdrew the figures
    sensitive_fields: list[str]


class MarkedPopulatedArea(TypedDict):
    """An analyst's marking of whether the place is a populated area."""

    value: bool
    basis: str | None


class ShownAnnotation(ReportChipAnnotation):
    """An annotation on a report's chip, with its kind and measures in words."""

    text: str


class ShownChip(TypedDict):
    """A scene's chip as the report shows it (see imagery's ReportChip): the picture
    embedded as a data URI of the stored PNG, or `error` and no picture."""

    scene: str
    label: str
    acquired_at: str | None
    acquired_at_source: str | None
    resolution_m: float | None  # the scene's
    sensor: str | None
    provider: str | None
    attribution: str | None
    licence: str | None
    publishable: bool
    annotations: list[ShownAnnotation]
    error: str | None
    acquired_utc: str | None  # '2022-02-24 08:30 UTC'
    pixel_m: NotRequired[float]  # the chip's; this key and those below only with a chip
    sha256: NotRequired[str]  # of the embedded PNG
    media_type: NotRequired[str]
    radius_m: NotRequired[float]
    image: NotRequired[str]  # data URI


class ReportIncident(TypedDict):
    """An incident as the report shows it. The sections from the verification,
    assessment and imagery services are None until those services fill them."""

    id: str
    title: str | None
    time: TimeRecord
    place: ReportPlace | None
    objects_hit: list[ReportObjectHit]
    objective: ObjectiveRecord | None
    weapon: ReportWeapon | None
    figures: CasualtiesRecord
    reports: list[ReportCasualtyReport]
    evidence: list[str]  # evidence ids
    notes: str | None
    populated_area: MarkedPopulatedArea | None
    sensitive_fields: list[str]
    context_objects: list[NearbyObject] | None  # nearest first, at most CONTEXT_LIMIT
    geolocations: list[GeolocationRecord] | None
    checks: list[CheckRecord] | None
    corroboration: CorroborationRecord | None
    assessment: IncidentAssessment | None
    imagery: list[ShownChip] | None
    context_radius_m: NotRequired[float]  # searched around a located incident
    context_total: NotRequired[int]  # objects within that radius


# --- Report: the case's parts -----------------------------------------------------------


class ReportSource(TypedDict):
    """A source as the report lists it."""

    id: str
    kind: str
    description: str | None
    sensitive: bool
    reliability: str | None
    notes: str | None
    url: str | None
    sensitive_terms: list[str]
    sensitive_fields: list[str]


class ReportEvidence(TypedDict):
    """An evidence item as the report lists it. `status` and `geolocations` are None
    until the verification services fill them."""

    id: str
    name: str  # the original file name
    kind: str | None
    media_type: str | None
    sha256: str
    size_bytes: int
    source: str | None
    sensitive: bool
    description: str | None
    illustrative: bool
    collected_at: str | None
    first_ingested_at: str  # UTC, ISO 8601
    acquisitions: list[AcquisitionRecord]
    custody_events: int
    captured_at: str | None
    gps: dict[str, Any] | None  # as the metadata extraction normalised it
    camera: str | None  # make and model
    perceptual_hashes: int
    errors: list[str]  # extraction errors
    thumbnail: str | None  # data URI
    sensitive_fields: list[str]
    status: StatusRecord | None
    geolocations: list[GeolocationRecord] | None
    scene_publishable: bool | None  # None: not a satellite scene
    flags: list[str]  # sensitivity flags (model.sensitivity)
    warning: str  # the content warning its covering flags call for ("" when none)
    media_publishable: bool  # no covering flag, or cleared for publication by a reviewer


class CustodyHead(TypedDict):
    """The newest custody event: its number and hash."""

    seq: int
    hash: str


class CustodySummary(TypedDict):
    """The custody log in numbers."""

    events: int
    by_action: dict[str, int]
    first_at: str | None  # UTC, ISO 8601
    last_at: str | None
    head: CustodyHead | None


class ToolRecord(TypedDict):
    """A tool the report names, with its version and where the version comes from."""

    name: str
    version: str | None
    provenance: str  # recorded in the case, or queried when the report was made
    used_for: str


class Methodology(TypedDict):
    """What was done to the evidence, step by step, and with which tools."""

    steps: list[str]
    tools: list[ToolRecord]


class ReportContext(TypedDict):
    """Everything the internal report shows, as plain values."""

    format: str
    title: str
    case_notes: str | None
    demo: bool
    public: bool
    generated_at: str  # UTC, ISO 8601
    generator: str
    summary: CaseSummary
    key_findings: list[str]
    incidents: list[ReportIncident]
    sources: list[ReportSource]
    evidence: list[ReportEvidence]
    any_illustrative: bool
    custody: CustodySummary
    claims: list[ClaimEvaluation]
    methodology: Methodology


# --- Bundle ---------------------------------------------------------------------------


class ManifestFile(TypedDict):
    """A file of a bundle, as its manifest lists it."""

    path: str
    sha256: str
    size: int  # bytes
    included: NotRequired[bool]  # False: listed by hash, left out (public bundles)


class ToolVersion(TypedDict):
    """The program that wrote a bundle."""

    name: str
    version: str


class HeadFile(TypedDict):
    """A bundle's custody head (custody/head.json); empty when the case has no event."""

    seq: NotRequired[int]
    hash: NotRequired[str]


class BundleManifest(TypedDict):
    """A bundle's manifest.json."""

    format: str
    created_at: str  # UTC, ISO 8601
    tool: ToolVersion
    custody_head: HeadFile
    files: list[ManifestFile]


class LoggedEvent(TypedDict):
    """A line of a bundle's custody/log.jsonl: a custody event as stored (its payload the
    canonical JSON text that was hashed), or with its subject and payload withheld."""

    seq: int
    recorded_at: str  # UTC, ISO 8601
    actor: str
    action: str
    subject: str | None
    payload: str | None
    prev_hash: str
    hash: str
    redacted: NotRequired[bool]  # True: subject and payload withheld (public bundles)


class BundledCaptureKey(TypedDict):
    """A capture public key in a bundle's capture-keys.json, as the custody log recorded it."""

    public_key: str  # base64 of the DER SubjectPublicKeyInfo (ECDSA P-256)
    sha256: str  # of the public_key text
    custody_seq: int  # the capture_key_create event


class SignatureCheck(TypedDict):
    """The WACZ signatures of a bundle's captures, as `check_bundle` found them."""

    signed: int  # packages carrying a signature (checked)
    unsigned: int  # packages held without a signature
    not_held: int  # packages the bundle lists but does not hold (public bundles)
    problems: list[str]


class BundleCheck(TypedDict):
    """What `bundle_check` found: every problem, one line each, and the signatures."""

    problems: list[str]
    signatures: SignatureCheck
