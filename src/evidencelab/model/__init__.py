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
from evidencelab.model.errors import CaseFileError, Problem
from evidencelab.model.incident import (
    Confidence,
    Incident,
    MilitaryObjective,
    ObjectHit,
    Place,
    TimeInterval,
    Weapon,
)
from evidencelab.model.schema import case_schema

__all__ = [
    "CASE_FORMAT",
    "KNOWN_BREAKDOWNS",
    "CaseFile",
    "CaseFileError",
    "CasualtyReport",
    "Confidence",
    "Count",
    "EvidenceEntry",
    "EvidenceKind",
    "Incident",
    "MilitaryObjective",
    "ObjectHit",
    "Place",
    "Problem",
    "Qualifier",
    "Reliability",
    "Scope",
    "Source",
    "SourceKind",
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
