"""The copied test corpus is intact (curation-time SHA-256 of every copied data file)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from extract_helpers import CORPUS

FOLDERS = sorted(path.parent for path in CORPUS.glob("*/SHA256SUMS"))


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_copied_files_match_curation_checksums(folder: Path) -> None:
    lines = (folder / "SHA256SUMS").read_text().splitlines()
    assert lines
    for line in lines:
        digest, relative = line.split("  ", 1)
        data = (folder / relative).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, relative


def test_four_folders_with_licences() -> None:
    assert [f.name for f in FOLDERS] == [
        "exif-samples",
        "exiftool",
        "metadata-extractor-images",
        "pdq-threatexchange",
    ]
    for name in ("exiftool/LICENSE", "pdq-threatexchange/LICENSE", "exif-samples/README.rst"):
        assert (CORPUS / name).stat().st_size > 0
    assert "free to use" in (CORPUS / "metadata-extractor-images/UPSTREAM-README.md").read_text()
