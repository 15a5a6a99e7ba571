"""The records the exchange capability hands to the faces: what an import did."""

from __future__ import annotations

from typing_extensions import TypedDict


class EvidenceCounts(TypedDict):
    """An import's evidence files by what became of them."""

    new: int  # stored for the first time
    acquired: int  # already stored; a new acquisition recorded
    unchanged: int  # already stored with this acquisition


class ImportCounts(TypedDict):
    """What an import wrote: the case file read and how many of each record."""

    file: str
    sources: int
    evidence: EvidenceCounts
    incidents: int


class CaseFileImport(ImportCounts):
    """A case file imported, with the consistency checks of the evidence it stored."""

    checks: dict[str, int]  # results by severity: problem, warning, info


class IncidentName(TypedDict):
    """An incident of an imported case file, by id and title."""

    id: str
    title: str | None


class ArchiveImport(TypedDict):
    """A case archive (or bare case file) imported: what it held and what was imported."""

    archive: str  # the archive's name as given
    case_file: str  # the case file's path inside the archive (a bare case file: its name)
    members: int
    bytes: int  # uncompressed bytes extracted
    imported: CaseFileImport
    incidents: list[IncidentName]
