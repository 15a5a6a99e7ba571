"""The repository cites only what a reader can open: public sources or its own files.

Comments, docstrings, data files and docs must not point to design notes or research notes
kept outside the repository (a `DESIGN.md`, a `research/…` file, a sibling `../shared`
folder): a reader cannot follow them. A figure taken from a public source cites that source;
a design decision points to the doc in `docs/` that explains it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("src", "tests", "benchmarks", "docs", "README.md")
THIS_FILE = Path(__file__).resolve()

# A URL may legitimately contain a `research/` segment (https://situ.nyc/research/…), so
# URLs are blanked before the path patterns are searched.
URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
OUTSIDE = re.compile(
    r"DESIGN\.md"
    r"|domain\.md"
    r"|(?<![\w-])research/"
    r"|\.\./shared"
    r"|research notes §",
    re.IGNORECASE,
)


def outside_references(text: str) -> list[tuple[int, str]]:
    """(line number, matched text) for every reference to a file outside the repository."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        found += [(number, m.group(0)) for m in OUTSIDE.finditer(URL.sub("", line))]
    return found


def scanned_files() -> Iterator[Path]:
    for name in SCANNED:
        top = ROOT / name
        candidates = [top] if top.is_file() else sorted(top.rglob("*"))
        for path in candidates:
            if path.is_file() and "__pycache__" not in path.parts and path != THIS_FILE:
                yield path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rules (DESIGN.md, 'Counts carry a qualifier').", ["DESIGN.md"]),
        ("Models (research/domain.md §2.1):", ["research/", "domain.md"]),
        ("Research/domain.md §2.1 worked values", ["Research/", "domain.md"]),
        ("see ../shared/seed/press.txt", ["../shared"]),
        ("(research notes §5.3)", ["research notes §"]),
        ("url: https://situ.nyc/research/projects/death-at-the-station", []),
        ("kind: researcher; the research found no figure", []),
    ],
)
def test_matcher(text: str, expected: list[str]) -> None:
    assert [match for _, match in outside_references(text)] == expected


def test_no_file_cites_files_outside_the_repository() -> None:
    problems = []
    files = list(scanned_files())
    assert len(files) > 100, "the scan found too few files; check SCANNED"
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        for number, match in outside_references(text):
            problems.append(f"{path.relative_to(ROOT)}:{number}: {match}")
    assert not problems, "references to files outside the repository:\n" + "\n".join(problems)
