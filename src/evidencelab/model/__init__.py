"""Domain types of evidencelab and the case file format `evidencelab/case@1`."""

from evidencelab.model.case import (
    CASE_FORMAT,
    CaseFile,
    EvidenceEntry,
    EvidenceKind,
    Reliability,
    Source,
    SourceKind,
)
from evidencelab.model.casefile import (
    TextFormat,
    case_file_from_dict,
    case_file_to_dict,
    case_file_warnings,
    dump_case_file,
    load_case_file,
    load_case_text,
)
from evidencelab.model.casualty import (
    KNOWN_BREAKDOWNS,
    CasualtyReport,
    Count,
    Qualifier,
    Scope,
)
from evidencelab.model.claim import Claim
from evidencelab.model.context_object import ContextObjectEntry
from evidencelab.model.errors import CaseFileError, Problem
from evidencelab.model.geolocation import (
    GEOLOCATION_METHODS,
    REVIEW_STATES,
    STATUS_STATES,
    EvidenceStatus,
    Geolocation,
    GeolocationMethod,
    Review,
    ReviewState,
    StatusState,
)
from evidencelab.model.imagery import (
    ANNOTATION_KINDS,
    AnnotationKind,
    SceneAnnotationEntry,
    SceneFacts,
)
from evidencelab.model.incident import (
    Confidence,
    Incident,
    MilitaryObjective,
    ObjectHit,
    Place,
    PopulatedArea,
    TimeInterval,
    Weapon,
)
from evidencelab.model.schema import case_schema

__all__ = [
    "ANNOTATION_KINDS",
    "CASE_FORMAT",
    "GEOLOCATION_METHODS",
    "KNOWN_BREAKDOWNS",
    "REVIEW_STATES",
    "STATUS_STATES",
    "AnnotationKind",
    "CaseFile",
    "CaseFileError",
    "CasualtyReport",
    "Claim",
    "Confidence",
    "ContextObjectEntry",
    "Count",
    "EvidenceEntry",
    "EvidenceKind",
    "EvidenceStatus",
    "Geolocation",
    "GeolocationMethod",
    "Incident",
    "MilitaryObjective",
    "ObjectHit",
    "Place",
    "PopulatedArea",
    "Problem",
    "Qualifier",
    "Reliability",
    "Review",
    "ReviewState",
    "SceneAnnotationEntry",
    "SceneFacts",
    "Scope",
    "Source",
    "SourceKind",
    "StatusState",
    "TextFormat",
    "TimeInterval",
    "Weapon",
    "case_file_from_dict",
    "case_file_to_dict",
    "case_file_warnings",
    "case_schema",
    "dump_case_file",
    "load_case_file",
    "load_case_text",
]
