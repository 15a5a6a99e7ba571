"""A case: its sources, its evidence and its incidents (docs/case-file-format.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from evidencelab.model.claim import Claim
from evidencelab.model.context_object import ContextObjectEntry
from evidencelab.model.geolocation import EvidenceStatus, Geolocation
from evidencelab.model.imagery import SceneAnnotationEntry, SceneFacts
from evidencelab.model.incident import Incident
from evidencelab.model.sensitivity import Clearance, FlagEntry, ReviewNote

CASE_FORMAT = "evidencelab/case@1"

SourceKind = Literal["witness", "social_media", "media", "official", "satellite", "researcher"]
SOURCE_KINDS: tuple[SourceKind, ...] = (
    "witness",
    "social_media",
    "media",
    "official",
    "satellite",
    "researcher",
)

Reliability = Literal["high", "medium", "low"]
RELIABILITIES: tuple[Reliability, ...] = ("high", "medium", "low")

EvidenceKind = Literal["photo", "video", "satellite", "document", "web_capture", "testimony"]
EVIDENCE_KINDS: tuple[EvidenceKind, ...] = (
    "photo",
    "video",
    "satellite",
    "document",
    "web_capture",
    "testimony",
)


@dataclass(frozen=True, kw_only=True)
class Source:
    """Who or what information came from.

    `sensitive` marks a source whose identity is protected and never leaves in a public
    export. `reliability` is the investigators' grade (None: not graded), with the reason
    in `notes`; sources graded `low` do not support minimum casualty figures.
    `sensitive_terms` are strings that identify the source (a witness's name and its
    spellings, a phone number, an address): withheld wherever they appear in a public
    output, whether or not the source itself is sensitive.
    """

    id: str
    kind: SourceKind
    description: str | None = None
    sensitive: bool = False
    reliability: Reliability | None = None
    notes: str | None = None
    url: str | None = None
    sensitive_terms: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class EvidenceEntry:
    """One item of evidence. `path` is relative to the case file's folder; `source` is the
    id of a declared source; `collected_at` always carries a UTC offset. `flags`,
    `clearance` and `reviewed_by` are the safeguards around graphic content
    (docs/safety.md)."""

    id: str
    path: str | None = None
    kind: EvidenceKind
    source: str | None = None
    url: str | None = None
    collected_at: datetime | None = None
    collector: str | None = None
    note: str | None = None
    sensitive: bool = False
    status: EvidenceStatus | None = None
    geolocations: tuple[Geolocation, ...] = ()
    scene: SceneFacts | None = None
    flags: tuple[FlagEntry, ...] = ()
    clearance: Clearance | None = None
    reviewed_by: tuple[ReviewNote, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class CaseFile:
    """A whole case file, in the interchange format `evidencelab/case@1`."""

    format: str = CASE_FORMAT
    title: str
    sources: tuple[Source, ...] = ()
    evidence: tuple[EvidenceEntry, ...] = ()
    incidents: tuple[Incident, ...] = ()
    objects: tuple[ContextObjectEntry, ...] = ()
    claims: tuple[Claim, ...] = ()
    annotations: tuple[SceneAnnotationEntry, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
