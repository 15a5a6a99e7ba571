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


# Where each copied folder states the licence under which its files are redistributed.
LICENCES = {
    "exif-samples": "README.rst",
    "exiftool": "LICENSE",
    "geographiclib": "LICENSE-geographiclib-python.txt",
    "metadata-extractor-images": "UPSTREAM-README.md",
    "osm": "README.md",  # © OpenStreetMap contributors, ODbL 1.0, stated there
    "pdq-threatexchange": "LICENSE",
    "pvlib-spa": "LICENSE",
    "rasterio": "UPSTREAM-README.rst",  # CC0 1.0, stated there
    "suncalc": "LICENSE",
}


def test_every_folder_states_its_licence() -> None:
    """A folder copied without a declared licence fails here rather than slipping in."""
    assert [f.name for f in FOLDERS] == sorted(LICENCES)
    for folder, licence in LICENCES.items():
        assert (CORPUS / folder / licence).stat().st_size > 0
        assert (CORPUS / folder / "README.md").is_file()
    assert "free to use" in (CORPUS / "metadata-extractor-images/UPSTREAM-README.md").read_text()
    assert "Open Database License" in (CORPUS / "osm/README.md").read_text()
