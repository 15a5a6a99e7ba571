"""Shared fixtures: a fresh case and a few real corpus files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from evidencelab.case import Case, init_case

CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture(autouse=True)
def _actor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVIDENCELAB_ACTOR", "tester")


@pytest.fixture
def case(tmp_path: Path) -> Iterator[Case]:
    opened = init_case(tmp_path / "case")
    yield opened
    opened.close()


@pytest.fixture
def loose_files(tmp_path: Path) -> list[Path]:
    """Three small files of arbitrary bytes in a nested folder."""
    folder = tmp_path / "incoming"
    (folder / "sub").mkdir(parents=True)
    paths = [folder / "a.bin", folder / "b.bin", folder / "sub" / "c.bin"]
    for index, path in enumerate(paths):
        path.write_bytes(os.urandom(1000 + index))
    return paths
