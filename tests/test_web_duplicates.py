"""The evidence list's near-duplicate filter: computed once per state of the case's
perceptual hashes, and recomputed when an ingest adds one (also from another process)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from evidencelab.locker.case import open_case
from evidencelab.locker.ingest import IngestRequest, ingest
from evidencelab.service.verification.duplicate_cache import DuplicateMembers
from test_web_support import PHOTO, client_for, empty_case_with_users, log_in

CORPUS = Path(__file__).parent / "corpus"
OTHER_PHOTO = CORPUS / "metadata-extractor-images" / "jpg" / "Nikon D5000.jpg"


def _reencoded(source: Path, target: Path) -> Path:
    """The same picture, scaled to 90 % and saved at JPEG quality 60: other bytes, a PDQ
    hash a few bits away."""
    with Image.open(source) as image:
        smaller = image.convert("RGB").resize((image.width * 9 // 10, image.height * 9 // 10))
        smaller.save(target, format="JPEG", quality=60)
    return target


def _ingest(root: Path, path: Path, evidence_id: str) -> None:
    with open_case(root, actor="collector") as case:
        outcome = ingest(case, [IngestRequest(path=path, evidence_id=evidence_id)])[0]
    assert outcome.status == "new", outcome.message


def test_new_near_duplicate_shows_up_and_unchanged_hashes_are_not_recomputed(
    tmp_path: Path,
) -> None:
    root = empty_case_with_users(tmp_path / "case")
    _ingest(root, PHOTO, "original")
    _ingest(root, OTHER_PHOTO, "unrelated")
    with client_for(root) as client:
        log_in(client, "vic")
        cache: DuplicateMembers = client.app.state.duplicate_members  # type: ignore[attr-defined]
        listing = client.get("/evidence", params={"duplicates": "yes"}).text
        assert "0 item(s)" in listing
        client.get("/evidence", params={"duplicates": "yes"})
        client.get("/evidence", params={"duplicates": "yes", "page": 2})
        assert cache.computations == 1  # the hashes did not change: no second search

        # Ingested by another process (as the CLI would): the key read from the case moves.
        _ingest(root, _reencoded(PHOTO, tmp_path / "copy.jpg"), "reposted-copy")
        listing = client.get("/evidence", params={"duplicates": "yes"}).text
        assert cache.computations == 2
        assert "2 item(s)" in listing
        assert 'href="/evidence/original"' in listing
        assert 'href="/evidence/reposted-copy"' in listing
        assert 'href="/evidence/unrelated"' not in listing
        everything = client.get("/evidence").text
        assert "3 item(s)" in everything and cache.computations == 2
