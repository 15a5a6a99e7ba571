"""Records the capture capability returns. Times are ISO 8601 UTC text; sizes bytes."""

from __future__ import annotations

from typing import Any

from typing_extensions import TypedDict


class CaptureItem(TypedDict):
    """An evidence item a capture produced: ``role`` is ``wacz``, ``screenshot``,
    ``media`` or ``platform``; ``url`` where a media file was served from."""

    role: str
    evidence_id: str
    sha256: str
    url: str | None
    name: str
    media_type: str | None
    kind: str | None


class CaptureKey(TypedDict):
    """The case's capture signing key: its public key (base64 DER SubjectPublicKeyInfo),
    that text's SHA-256, and where the private key lies in the case folder."""

    public_key: str
    sha256: str
    path: str


class CaptureSummary(TypedDict):
    """A capture as a list shows it."""

    id: str
    url_final: str
    title: str | None
    http_status: int | None
    finished_at: str
    captured_by: str
    items: int


class CaptureRecord(TypedDict):
    """Everything recorded about one capture (the Berkeley Protocol's collection record:
    URL, time, collector, hashes, tools and transformations)."""

    id: str
    url_entered: str
    url_final: str
    redirects: list[dict[str, Any]]  # each hop: url, status
    http_status: int | None
    title: str | None
    page_text: str
    platform: str | None
    post_id: str | None
    author: str | None
    posted_at: str | None
    facts: dict[str, Any]  # the page's facts with where each was read (`found_in`)
    source: str | None
    incident: str | None
    collector: str | None
    note: str | None
    user_agent: str
    viewport: dict[str, int]
    versions: dict[str, str]
    clock: dict[str, Any]  # utc, synchronised (yes/no/unknown), estimated_error_us, basis
    transformations: list[str]
    bounds_reached: list[str]  # time, scroll, requests: what stopped the capture short
    requests: list[dict[str, Any]]  # the page-info list: url, status, type, size, address
    started_at: str
    finished_at: str
    captured_by: str
    custody_seq: int
    items: list[CaptureItem]


class CaptureRequest(TypedDict):
    """What a person asks to capture, checked: the URLs (stripped, http(s), reachable under
    the workbench's address rule), the source and incident ids (held by the case), the
    note and the collector (None: the acting user)."""

    urls: list[str]
    source: str | None
    incident: str | None
    note: str | None
    collector: str | None


class CaptureLink(TypedDict):
    """A capture an evidence item came from, as the item's page names it: ``role`` is the
    item's in that capture (``wacz``, ``screenshot``, ``media``, ``platform``)."""

    capture_id: str
    role: str
    url_final: str
    title: str | None
    finished_at: str
