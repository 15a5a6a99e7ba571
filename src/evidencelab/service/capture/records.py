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
    requests: list[dict[str, Any]]  # the page-info list: url, status, type, size, address
    started_at: str
    finished_at: str
    captured_by: str
    custody_seq: int
    items: list[CaptureItem]
