"""Casualty figures as a source reported them: a count with its qualifier, and its scope.

A figure is recorded exactly as the source gave it ("at least 4", "about 10") and never
overwritten; incident figures are derived from these reports by
`evidencelab.analysis.casualties` (docs/case-file-format.md, "Casualty figures").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Qualifier = Literal["exact", "at_least", "approx", "at_most"]
QUALIFIERS: tuple[Qualifier, ...] = ("exact", "at_least", "approx", "at_most")

# What a figure covers. `incident`: this one strike; `site`: everything at the place hit
# (may span several strikes); `city_day`: a settlement on one day; `region_period`: an
# administrative region over a period. Only `incident` figures are ever added up.
Scope = Literal["incident", "site", "city_day", "region_period"]
SCOPES: tuple[Scope, ...] = ("incident", "site", "city_day", "region_period")

# Whether the people counted are civilians: `True`, `False`, or `"unknown"` when the source
# does not say and the team cannot establish it. Every Casualty Worldwide's Standards for
# Casualty Recording (2016) and OHCHR's casualty recording keep such a status apart, as
# "unknown", rather than assigning it (docs/case-file-format.md, "Casualty figures").
CivilianStatus = bool | Literal["unknown"]

# Breakdown keys with a fixed meaning; any other non-negative integer key of a count is
# kept as a further breakdown (e.g. `elderly: 1`).
KNOWN_BREAKDOWNS: tuple[str, ...] = ("women", "men", "children", "healthcare_workers")


@dataclass(frozen=True, kw_only=True)
class Count:
    """A number of people as one source stated it.

    `count` is the stated figure and `qualifier` how it was stated: `exact` ("killed
    four"), `at_least` ("at least four"), `approx` ("about ten"), `at_most` ("up to ten").
    `min` and `max` are explicit bounds when the source gave a range. `breakdowns` maps a
    group (women, men, children, healthcare_workers, or any other key) to the number of
    people of that group among `count`.
    """

    count: int
    qualifier: Qualifier
    min: int | None = None
    max: int | None = None
    breakdowns: Mapping[str, int] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def lower_bound(self) -> int | None:
        """The figure this count supports as "at least", or None if it supports none.

        An `exact` or `at_least` count is a lower bound; `approx` and `at_most` counts are
        not, but an explicit `min` is. The larger of the two applies.
        """
        bounds = [] if self.min is None else [self.min]
        if self.qualifier in ("exact", "at_least"):
            bounds.append(self.count)
        return max(bounds) if bounds else None

    @property
    def upper_figure(self) -> int:
        """The highest figure this count states: its count, `min` or `max`, whichever is
        largest. For an `at_least` count this is a floor for the maximum, not a ceiling."""
        return max(b for b in (self.count, self.min, self.max) if b is not None)


@dataclass(frozen=True, kw_only=True)
class Withdrawal:
    """A figure withdrawn (by its source, or by the team on the source's word): shown struck
    through with `reason`, never used. `at` is when it was withdrawn, if known."""

    reason: str
    at: datetime | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class CasualtyReport:
    """One source's statement of the people killed and injured, over a stated scope.

    `id` names the report, so that a later one can name it in `supersedes` (ids are unique
    among the case's casualty reports). `source` is the id of a declared `Source`.
    `civilian` says whether the figures are civilians: true, false or "unknown".
    `killed` or `injured` is None when the source said nothing about it. `reported_at` is
    when the source gave the figures; `supersedes` the id of an earlier report of the same
    source that this one replaces; `withdrawn` is set when the figure was withdrawn.
    """

    id: str | None = None
    source: str
    scope: Scope
    civilian: CivilianStatus
    killed: Count | None = None
    injured: Count | None = None
    reported_at: datetime | None = None
    supersedes: str | None = None
    withdrawn: Withdrawal | None = None
    notes: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_civilian(self) -> bool:
        """True only for figures stated to be of civilians (not for status "unknown")."""
        return self.civilian is True
