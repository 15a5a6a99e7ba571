"""Ingest: originals stored once and byte-identical, acquisitions recorded, bad input refused."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select

from evidencelab.locker.case import Case
from evidencelab.locker.ingest import (
    INLINE_MAX_BYTES,
    INLINE_MAX_FILES,
    IngestError,
    IngestRequest,
    expand_paths,
    ingest,
    preserves_in_process,
)
from evidencelab.service.evidence.items import show_evidence
from evidencelab.service.integrity.custody import custody_log
from evidencelab.store.tables import Acquisition, EvidenceItem

NO_EXTRACTORS: list[str] = []


def count(case: Case, table: type) -> int:
    with case.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def requests(paths: list[Path], **fields: str) -> list[IngestRequest]:
    return [IngestRequest(path=p, **fields) for p in paths]  # type: ignore[arg-type]


def test_expand_paths_walks_folders_sorted(loose_files: list[Path]) -> None:
    assert expand_paths([loose_files[0].parent]).files == sorted(loose_files)


def test_original_is_stored_byte_identical_and_read_only(
    case: Case, loose_files: list[Path]
) -> None:
    [outcome] = ingest(case, requests(loose_files[:1]), extractors=NO_EXTRACTORS)
    stored = case.objects.path(outcome.sha256 or "")
    assert stored.read_bytes() == loose_files[0].read_bytes()
    assert outcome.sha256 == hashlib.sha256(loose_files[0].read_bytes()).hexdigest()
    assert stored.parent.name == outcome.sha256[:2] and stored.name == outcome.sha256[2:]  # type: ignore[index]
    assert not stored.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def test_same_bytes_again_is_a_new_acquisition_not_a_copy(
    case: Case, loose_files: list[Path], tmp_path: Path
) -> None:
    copy = tmp_path / "renamed-copy.bin"
    copy.write_bytes(loose_files[0].read_bytes())
    first = ingest(case, requests(loose_files[:1], collector="ana"), extractors=NO_EXTRACTORS)
    second = ingest(
        case,
        requests([copy], collector="ben", url="https://example.org/x"),
        extractors=NO_EXTRACTORS,
    )
    assert [o.status for o in first + second] == ["new", "acquired"]
    assert first[0].evidence_id == second[0].evidence_id
    assert count(case, EvidenceItem) == 1
    assert count(case, Acquisition) == 2
    assert len(list(case.objects.iter_shas())) == 1
    record = show_evidence(case, first[0].evidence_id or "")
    assert [a["collector"] for a in record["acquisitions"]] == ["ana", "ben"]
    assert record["acquisitions"][1]["url"] == "https://example.org/x"
    actions = [e["action"] for e in custody_log(case)]
    assert actions == ["create", "ingest", "records", "acquire", "records"]


def test_parallel_ingest_records_files_in_given_order(
    case: Case, loose_files: list[Path], tmp_path: Path
) -> None:
    files = [*loose_files]
    for index in range(INLINE_MAX_FILES + 1 - len(files)):  # enough for the pool
        files.append(tmp_path / f"more-{index}.bin")
        files[-1].write_bytes(bytes([index]) * (2000 - index))
    assert not preserves_in_process([p.stat().st_size for p in files], workers=2)
    outcomes = ingest(case, requests(files), extractors=NO_EXTRACTORS, workers=2)
    assert [o.path for o in outcomes] == files
    logged = [e["payload"]["name"] for e in custody_log(case) if e["action"] == "ingest"]
    assert logged == [p.name for p in files]


@pytest.mark.parametrize(
    ("sizes", "workers", "in_process"),
    [
        ([1000] * 3, 2, True),
        ([1000] * INLINE_MAX_FILES, 2, True),
        ([1000] * (INLINE_MAX_FILES + 1), 2, False),
        ([1000] * (INLINE_MAX_FILES + 1), 1, True),
        ([INLINE_MAX_BYTES // 2 + 1] * 2, 2, False),
        ([10 * INLINE_MAX_BYTES], 2, True),  # one file: a pool of one would only add a start
    ],
)
def test_small_batches_are_preserved_without_a_pool(
    sizes: list[int], workers: int, in_process: bool
) -> None:
    assert preserves_in_process(sizes, workers) is in_process


def test_missing_file_is_refused_before_anything_is_written(
    case: Case, loose_files: list[Path], tmp_path: Path
) -> None:
    before = custody_log(case)
    with pytest.raises(IngestError, match=r"nope\.jpg: no such file"):
        ingest(case, requests([loose_files[0], tmp_path / "nope.jpg"]), extractors=NO_EXTRACTORS)
    assert custody_log(case) == before
    assert list(case.objects.iter_shas()) == []


def test_evidence_found_by_sha256_prefix(case: Case, loose_files: list[Path]) -> None:
    [outcome] = ingest(case, requests(loose_files[:1]), extractors=NO_EXTRACTORS)
    assert show_evidence(case, (outcome.sha256 or "")[:8])["id"] == outcome.evidence_id


def test_stale_temporary_file_of_a_dead_writer_is_removed(
    case: Case, loose_files: list[Path]
) -> None:
    case.objects.tmp.mkdir(exist_ok=True)
    stale = case.objects.tmp / "deadbeef"  # unlocked: its writer is gone
    stale.write_bytes(b"partial")
    ingest(case, requests(loose_files[:1]), extractors=NO_EXTRACTORS)
    assert not stale.exists()
