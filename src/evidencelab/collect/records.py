"""What the collect layer hands to the service: plain typed records."""

from __future__ import annotations

from typing import TypedDict


class PageFacts(TypedDict):
    """What a page says about itself (OpenGraph, JSON-LD, platform markup, its URL), each
    fact with the markup it was read from in ``found_in`` (fact name: where)."""

    title: str | None
    description: str | None
    canonical_url: str | None
    platform: str | None
    post_id: str | None
    author: str | None
    posted_at: str | None
    media_urls: list[str]
    found_in: dict[str, str]


class ClockReading(TypedDict):
    """This machine's clock when the capture started: the UTC reading, whether the kernel
    says it is synchronised (``yes``, ``no`` or ``unknown``) and its estimated error in
    microseconds when it says so."""

    utc: str
    synchronised: str
    estimated_error_us: int | None
    basis: str


class ExchangeRecord(TypedDict):
    """One request the browser (or the media step) made and what came back: the page-info
    record lists these."""

    url: str
    method: str
    resource_type: str
    status: int | None
    media_type: str | None
    size_bytes: int
    server_ip: str | None
    failure: str | None
