"""Sensitivity flags of an evidence item: what a person should know before looking at it,
and what a public output may show.

The vocabulary follows Atlos' sensitivity markings (graphic violence, deceased or injured
people, personal information visible, minors, deleted by source, possibly deceptive;
https://docs.atlos.org/) and Meedan Check's content-warning cover
(https://help.checkmedia.org/en/articles/8772777-content-warnings). Flags describe content,
never a legal conclusion.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal

SensitivityFlag = Literal[
    "graphic_violence",
    "dead_or_injured",
    "personal_information",
    "minors",
    "deleted_by_source",
    "possibly_deceptive",
]
FLAGS: Final[tuple[SensitivityFlag, ...]] = (
    "graphic_violence",
    "dead_or_injured",
    "personal_information",
    "minors",
    "deleted_by_source",
    "possibly_deceptive",
)
#: The words a person reads for each flag.
FLAG_LABELS: Final[dict[str, str]] = {
    "graphic_violence": "graphic violence",
    "dead_or_injured": "dead or injured people",
    "personal_information": "personal information visible",
    "minors": "minors",
    "deleted_by_source": "deleted by source",
    "possibly_deceptive": "possibly deceptive",
}
#: Flags whose media is covered (no thumbnail, a warning before reveal) in the workbench and
#: left out of a public report unless a reviewer cleared the item for publication: content
#: that can harm the viewer (graphic imagery) or the people shown (minors, identities).
COVERING: Final[frozenset[str]] = frozenset(
    {"graphic_violence", "dead_or_injured", "personal_information", "minors"}
)


def unknown_flags(flags: Iterable[str]) -> list[str]:
    """The values of ``flags`` that are not in the vocabulary, in the order given."""
    return [flag for flag in flags if flag not in FLAGS]


def ordered(flags: Iterable[str]) -> list[str]:
    """``flags`` without repeats, in the vocabulary's order."""
    given = set(flags)
    return [flag for flag in FLAGS if flag in given]


def covering(flags: Iterable[str]) -> list[str]:
    """The flags among ``flags`` that put a cover over the media, in vocabulary order."""
    return [flag for flag in ordered(flags) if flag in COVERING]


def publishable(flags: Iterable[str], cleared: Collection[str] | None) -> bool:
    """Whether a public output may show the item's media: no covering flag, or a reviewer's
    clearance (``cleared``: the flags the clearance covered, None when never cleared) that
    covers every covering flag it has now — a flag added after clearance needs a new one."""
    needed = set(covering(flags))
    return not needed or (cleared is not None and needed <= set(cleared))


def warning_text(flags: Iterable[str]) -> str:
    """A content warning naming the flags, e.g. "Warning: graphic violence, minors"."""
    return "Warning: " + ", ".join(FLAG_LABELS[flag] for flag in ordered(flags))


# -- in the case file (docs/case-file-format.md): an evidence entry's `flags`, `clearance`
# and `reviewed_by`.


@dataclass(frozen=True, kw_only=True)
class FlagEntry:
    """One sensitivity flag on an item, why, who set it and when."""

    flag: str  # one of FLAGS; checked with the case's references, so the error names the item
    reason: str
    by: str | None = None
    at: datetime | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Clearance:
    """A reviewer's clearance of an item for publication, for the covering flags it names
    (absent: the item's covering flags)."""

    flags: tuple[str, ...] | None = None
    reason: str
    by: str | None = None
    at: datetime | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ReviewNote:
    """Someone watched the item in full, when, with an optional note."""

    by: str
    at: datetime | None = None
    note: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
