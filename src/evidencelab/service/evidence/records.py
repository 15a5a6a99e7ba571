"""Records the evidence capability returns: items, their acquisitions, sources, statuses.

Times are ISO 8601 text as stored (with their UTC offset); sizes are bytes.
"""

from __future__ import annotations

from typing import Any, NotRequired

from typing_extensions import TypedDict


class EvidenceSummary(TypedDict):
    """An item as the evidence list of the command line shows it."""

    id: str
    sha256: str
    kind: str | None
    media_type: str | None
    original_name: str
    size_bytes: int
    captured_at: str | None  # claimed by the file's metadata
    gps: dict[str, Any] | None  # the metadata's position: lat, lon (degrees, WGS 84)…
    acquisitions: int  # how many times it was acquired
    extraction_errors: int  # how many extraction errors


class AcquisitionDetail(TypedDict):
    """One acquisition of an item, with the path the file was ingested from."""

    source: str | None
    url: str | None
    collector: str | None
    collected_at: str | None
    note: str | None
    original_path: str
    ingested_at: str
    ingested_by: str


class AcquisitionRecord(TypedDict):
    """One acquisition of an item, with the custody event that recorded it."""

    source: str | None
    url: str | None
    collector: str | None
    collected_at: str | None
    note: str | None
    ingested_at: str
    ingested_by: str
    custody_seq: int


class PerceptualHashRecord(TypedDict):
    """One perceptual hash of an item (of a video frame, for videos)."""

    algorithm: str
    hash: str  # hexadecimal
    quality: int
    frame_time_s: float | None  # seconds into the video; None for a still image


class DerivativeRecord(TypedDict):
    """A file derived from an item (thumbnail, poster frame), stored as an object too."""

    role: str
    sha256: str
    media_type: str


class FindingRecord(TypedDict):
    """A verification step stored with the item it concerns, re-runnable from its inputs."""

    id: int
    kind: str
    author: str
    created_at: str
    inputs: dict[str, Any]  # the step's own parameters
    result: dict[str, Any]  # the step's own result
    method: str


class EvidenceDetail(TypedDict):
    """Everything stored about one item."""

    id: str
    sha256: str
    object_path: str  # relative to the case folder
    size_bytes: int
    original_name: str
    kind: str | None
    media_type: str | None
    source: str | None
    sensitive: bool
    first_ingested_at: str
    acquisitions: list[AcquisitionDetail]
    metadata: dict[str, Any]  # normalised metadata, as extracted
    perceptual_hashes: list[PerceptualHashRecord]
    derivatives: list[DerivativeRecord]
    incidents: list[str]
    extraction_errors: list[Any]  # as the extractors reported them
    findings: list[FindingRecord]
    extra: dict[str, Any]  # the case file's other fields of the item
    metadata_raw: dict[str, Any]  # ExifTool and ffprobe tags as read
    content_credentials: CredentialsRecord  # C2PA


class SourceDeclaration(TypedDict):
    """A source's case-file fields, as declared one at a time (absent: not given)."""

    id: str
    kind: str
    description: NotRequired[str | None]
    sensitive: NotRequired[bool | None]
    reliability: NotRequired[str | None]
    notes: NotRequired[str | None]
    url: NotRequired[str | None]
    sensitive_terms: NotRequired[list[str] | None]


class SourceSummary(TypedDict):
    """A declared source as the source list shows it."""

    id: str
    kind: str | None
    reliability: str | None
    sensitive: bool
    description: str | None


class StatusRecord(TypedDict):
    """An item's verification status: state, why, who set it and when (None: never set)."""

    state: str
    reason: str | None
    by: str | None
    at: str | None


class StatusEntry(TypedDict):
    """A status as set on an item, with the custody event that recorded it."""

    state: str
    reason: str | None
    by: str
    at: str
    custody_event: int


class StatusChange(StatusEntry):
    """A status just recorded on an item (or found already recorded), naming the item."""

    evidence: str


class StatusFileRecord(TypedDict):
    """The case file's ``status:`` of an item (fields without a value left out)."""

    state: str
    reason: NotRequired[str]
    by: NotRequired[str]
    at: NotRequired[str]


class SourceChange(TypedDict):
    """One field of a source as it was and as it is now."""

    before: Any
    after: Any


class SourceEdit(TypedDict):
    """What an edit of a source changed (empty: nothing; no custody event then)."""

    source: str
    changed: dict[str, SourceChange]
    custody_event: int | None


class CitingReport(TypedDict):
    """A casualty report that gives a source's figures."""

    incident: str
    position: int  # the report's place among the incident's reports
    report: str | None  # its id, if it has one
    withdrawn: bool


class CitingClaim(TypedDict):
    """A claim the register traces to a source."""

    id: str
    claimant: str
    text: str


class SourceCitations(TypedDict):
    """What in the case names a source. Evidence items the reader may not see are counted
    in ``evidence_withheld``, not named."""

    source: str
    evidence: list[str]  # items whose source it is
    acquired: list[str]  # further items one of whose acquisitions names it
    evidence_withheld: int
    casualty_reports: list[CitingReport]
    claims: list[CitingClaim]
    context_objects: int


class PreviewRecord(TypedDict):
    """A display preview of an item (a downscaled JPEG), or why there is none.

    A preview is a display copy kept in the case's cache, never evidence. ``path`` is None
    when none can be made; ``icon`` then names the placeholder to show instead (the item's
    kind: image, video, document, audio, file; broken for a file that failed; flagged for
    an item with a covering sensitivity flag, whose preview is refused)."""

    evidence: str
    path: str | None  # the JPEG in the cache
    media_type: str  # of ``path``: image/jpeg
    max_side: int  # pixels
    icon: str
    problem: str | None  # why a preview failed, one line
    warning: str | None  # a flagged item's content warning: no preview is made or served


class PreviewSaved(TypedDict):
    """An item's display preview written to a file (the JPEG the workbench shows)."""

    evidence: str
    size: str  # small | large
    max_side: int  # pixels, the longest side at most
    media_type: str  # image/jpeg
    out: str  # the file written
    size_bytes: int
    sha256: str  # of the preview: a display copy, never the original's hash


class FlagRecord(TypedDict):
    """One sensitivity flag on an item: who set it, when, why, by which custody event."""

    flag: str  # model.sensitivity.FLAGS
    label: str  # the flag in words
    reason: str
    by: str
    at: str
    custody_event: int


class ClearanceRecord(TypedDict):
    """A reviewer's clearance of an item's media for publication, for the flags it had."""

    flags: list[str]
    reason: str
    by: str
    at: str
    custody_event: int


class ReviewNoteRecord(TypedDict):
    """Someone watched the item in full ("reviewed by"), so others need not."""

    by: str
    at: str
    note: str
    custody_event: int


class SensitivityBrief(TypedDict):
    """What a list shows of an item's sensitivity: its flags, which of them cover its media,
    and the warning to read before reveal ("" when nothing covers it)."""

    flags: list[str]
    covering: list[str]
    warning: str


class SensitivityRecord(SensitivityBrief):
    """An item's flags with their authors, its clearance, review notes, and whether a
    public output may show its media."""

    evidence: str
    flag_records: list[FlagRecord]
    clearance: ClearanceRecord | None
    publishable: bool
    reviews: list[ReviewNoteRecord]


class FlagChange(TypedDict):
    """The flags one call changed on one item (an item it left as it was is not listed)."""

    evidence: str
    added: list[str]
    removed: list[str]
    flags: list[str]  # after the change
    custody_event: int


class FlagFileRecord(TypedDict):
    """A sensitivity flag in the case-file format (docs/case-file-format.md)."""

    flag: str
    reason: str
    by: str
    at: str  # ISO 8601 with its UTC offset


class ClearanceFileRecord(TypedDict):
    """A clearance for publication in the case-file format."""

    flags: list[str]
    reason: str
    by: str
    at: str


class ReviewFileRecord(TypedDict):
    """A "reviewed by" note in the case-file format (an empty note left out)."""

    by: str
    at: str
    note: NotRequired[str]


class SensitivityFileRecord(TypedDict):
    """An item's safeguards in the case-file format; each key only when it has entries."""

    flags: NotRequired[list[FlagFileRecord]]
    clearance: NotRequired[ClearanceFileRecord]
    reviewed_by: NotRequired[list[ReviewFileRecord]]


class ContactSheetRecord(TypedDict):
    """A video's contact sheet: frames side by side in one JPEG kept in the case's cache
    (display data, never evidence)."""

    evidence: str
    path: str  # the JPEG in the cache
    frames: int  # how many frames it shows, each ``frame_width`` pixels wide
    frame_width: int


class CredentialAction(TypedDict):
    """One action a C2PA manifest declares (``c2pa.created``, ``c2pa.edited``…)."""

    action: str
    when: str | None
    software_agent: str | None
    digital_source_type: str | None  # IPTC term, e.g. digitalCapture


class CredentialIngredient(TypedDict):
    """A file the signer says this one was made from."""

    title: str | None
    format: str | None
    relationship: str | None  # parentOf | componentOf | inputTo


class CredentialResult(TypedDict):
    """One validation result of the active manifest."""

    outcome: str  # failure | informational | success
    code: str  # C2PA status code, e.g. assertion.dataHash.mismatch
    words: str  # what it means, in words
    explanation: str  # as the library words it


class CredentialsRecord(TypedDict):
    """An item's content credentials (C2PA) as read, with what they say in words."""

    evidence_id: str
    state: str  # not_read | none | unsupported | invalid | valid | trusted
    state_words: str
    signer: str | None
    signed_at: str | None
    claim_generator: str | None
    title: str | None
    actions: list[CredentialAction]
    ingredients: list[CredentialIngredient]
    results: list[CredentialResult]
    problem: str | None  # the library's message when it could not read the manifest
    library: str | None  # c2pa-python and c2pa-rs versions
    anchors_sha256: str | None  # the trust anchors used
    read_at: str | None
    manifest: dict[str, Any] | None  # the active manifest as the library reports it
    validation_results: dict[str, Any] | None  # as the library reports them


class CredentialsReadOutcome(TypedDict):
    """An item read again: its state before and after."""

    evidence_id: str
    before: str
    after: str
