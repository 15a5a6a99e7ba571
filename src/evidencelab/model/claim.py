"""A public claim about the attacks, with a named predicate that can be tested on the
case's data (the predicates live in the assess layer)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, kw_only=True)
class Claim:
    """Who claimed what and when. `made_at` is a date or an ISO 8601 time, kept as given;
    `predicate` names the test evaluated against the case; `source` is a source id."""

    id: str
    claimant: str
    made_at: str | None = None
    text: str
    predicate: str | None = None
    source: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
