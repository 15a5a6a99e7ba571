"""Problems found in a case file, reported one per line as `file: location: message`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# A location inside a document: keys and list indexes from the top, e.g.
# ("incidents", 2, "place", "lat") for `incidents[2].place.lat`.
Location = tuple[str | int, ...]


def format_location(location: Location) -> str:
    """Render a location JSON-path style: `incidents[2].place.lat`."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a case file, at a location (empty: the whole document)."""

    location: Location
    message: str

    def sort_key(self) -> tuple[tuple[tuple[int, int, str], ...], str]:
        """Order by location, with list indexes compared as numbers, then by message."""
        parts = tuple(
            (0, part, "") if isinstance(part, int) else (1, 0, part) for part in self.location
        )
        return parts, self.message

    def render(self, origin: str) -> str:
        """One line: `origin: location: message`, or `origin: message` at the top."""
        where = format_location(self.location)
        return f"{origin}: {where}: {self.message}" if where else f"{origin}: {self.message}"


class CaseFileError(ValueError):
    """A case file could not be read or is not valid. `str()` gives one line per problem,
    sorted by location; `problems` holds them for programs."""

    def __init__(self, origin: str, problems: Iterable[Problem]) -> None:
        self.origin = origin
        self.problems: Sequence[Problem] = sorted(problems, key=Problem.sort_key)
        super().__init__("\n".join(p.render(origin) for p in self.problems))
