"""What a search answers, as typed records."""

from __future__ import annotations

from typing_extensions import TypedDict


class SnippetPart(TypedDict):
    """A piece of a snippet: ``hit`` when it is a word the query matched."""

    text: str
    hit: bool


class SearchHit(TypedDict):
    """One record found: what it is, its title, the field (metadata) and a snippet."""

    kind: str  # incident | weapon | evidence | source | metadata
    ref: str  # the incident, evidence item or source id
    title: str  # the incident's title, the item's file name, the source's id
    field: str | None  # a metadata field's name
    day: str | None  # YYYY-MM-DD: the incident's start, the item's capture (else ingest) day
    snippet: list[SnippetPart]


class SearchGroup(TypedDict):
    """The hits of one kind, best first."""

    kind: str
    label: str
    hits: list[SearchHit]


class SearchResults(TypedDict):
    """A search: the query as given, its filters, and the hits grouped by kind."""

    query: str
    kinds: list[str]  # the kinds searched (every kind when none was chosen)
    date_from: str | None
    date_to: str | None
    total: int
    groups: list[SearchGroup]  # only kinds with hits, in the order of KINDS


class IndexRebuilt(TypedDict):
    """The search index built again from the records."""

    entries: int
