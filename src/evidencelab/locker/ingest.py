"""Ingest: preserve originals in the locker, extract what they hold, record who brought them.

Workers (one process per core) each copy a file into the object store in one read pass
(hashing while copying) and run the configured extractors on the stored copy. The main
process then records each file in its own database transaction, together with its
custody event, in the order the files were given — so the log reads the same on every run.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from multiprocessing import get_context
from multiprocessing.util import Finalize
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidencelab.case import Case, CaseError
from evidencelab.inputs import parse_time
from evidencelab.locker.custody import utc_now
from evidencelab.locker.references import require_declared
from evidencelab.model.case import EVIDENCE_KINDS
from evidencelab.store.objects import ObjectStore
from evidencelab.store.tables import (
    Acquisition,
    Derivative,
    EvidenceItem,
    PerceptualHashRow,
    Source,
)

if TYPE_CHECKING:  # extraction (numpy, Pillow, PyAV) is imported where files are processed
    from evidencelab.extract import Extraction, Extractors

INLINE_MAX_FILES = 2  # below this a process pool costs more than it saves
OVERLAP_EXTRACTION_BYTES = 256 * 1024 * 1024  # copying takes longer than extracting from here


class IngestError(CaseError):
    """Bad ingest input, found before anything was written."""


@dataclass(frozen=True)
class IngestRequest:
    """One file to ingest, with what is known about how it was acquired."""

    path: Path
    evidence_id: str | None = None
    case_path: str | None = None
    kind: str | None = None
    source_id: str | None = None
    url: str | None = None
    collector: str | None = None
    collected_at: str | None = None
    note: str | None = None
    sensitive: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IngestOutcome:
    path: Path
    evidence_id: str | None
    sha256: str | None
    status: str  # "new" | "acquired" | "unchanged" | "failed"
    message: str | None = None


@dataclass
class _Preserved:
    """What a worker hands back for one file."""

    sha256: str | None = None
    size_bytes: int = 0
    extraction: Extraction | None = None
    thumbnail_sha256: str | None = None
    error: str | None = None


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named, and files under folders named (recursively, sorted, symlinks skipped).

    Raises IngestError naming the first path that does not exist, before any work.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_symlink() and path.is_dir():
            raise IngestError(f"{path}: is a symbolic link to a folder; give the folder itself")
        if path.is_dir():
            for folder, dirnames, filenames in os.walk(path):
                dirnames.sort()
                for name in sorted(filenames):
                    candidate = Path(folder) / name
                    if not candidate.is_symlink():
                        files.append(candidate)
        elif path.is_file():
            files.append(path)
        elif not path.exists():
            raise IngestError(f"{path}: no such file or folder")
        else:
            raise IngestError(f"{path}: not a regular file or folder")
    return files


def parse_collected_at(text: str) -> str:
    """An acquisition time given by a person (ISO 8601 with a UTC offset), normalised to
    ISO 8601 with ``Z`` for UTC."""
    return parse_time(text, what="collected-at").isoformat().replace("+00:00", "Z")


def check_kind(kind: str) -> str:
    if kind not in EVIDENCE_KINDS:
        raise IngestError(f"kind {kind!r}: must be one of {', '.join(EVIDENCE_KINDS)}")
    return kind


def kind_from_media_type(media_type: str | None) -> str | None:
    """Evidence kind implied by a MIME type, when the user gave none."""
    if media_type is None:
        return None
    if media_type.startswith("image/"):
        return "photo"
    if media_type.startswith("video/"):
        return "video"
    if media_type in {"application/pdf", "text/plain"}:
        return "document"
    if media_type in {"text/html", "application/warc"}:
        return "web_capture"
    return None


# --- worker side -------------------------------------------------------------------------

_worker: dict[str, Any] = {}


def _start_worker(
    objects_root: Path, extractor_names: Sequence[str] | None, known: frozenset[str]
) -> None:
    from evidencelab.extract import DEFAULT_EXTRACTORS, Extractors

    extractors = Extractors(DEFAULT_EXTRACTORS if extractor_names is None else extractor_names)
    extractors.__enter__()
    _worker.update(store=ObjectStore(objects_root), extractors=extractors, known=known)


def _stop_worker() -> None:
    extractors = _worker.pop("extractors", None)
    if extractors is not None:
        extractors.__exit__(None, None, None)


def _start_pool_worker(
    objects_root: Path, extractor_names: Sequence[str] | None, known: frozenset[str]
) -> None:
    """Pool initializer: :func:`_start_worker`, plus the teardown that stops the worker's
    ExifTool process however the worker ends.

    A pool worker leaves through ``os._exit``, which skips ``atexit``; ExifTool in
    ``-stay_open`` mode keeps polling its closed standard input, so an unstopped one lives
    on, orphaned, for ever. multiprocessing's own finalizers run on a worker's way out
    (the pool's shutdown sentinel, an exception, Ctrl-C); a terminated worker (a broken
    pool terminates the others) gets SIGTERM, which is caught here for the same teardown.
    """
    _start_worker(objects_root, extractor_names, known)
    Finalize(None, _stop_worker, exitpriority=100)
    signal.signal(signal.SIGTERM, _stop_worker_then_die)


def _stop_worker_then_die(signum: int, _frame: FrameType | None) -> None:
    _stop_worker()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _preserve(path: Path) -> _Preserved:
    store: ObjectStore = _worker["store"]
    extractors: Extractors = _worker["extractors"]
    early: Extraction | None = None
    try:
        before = path.stat()
        if before.st_size >= OVERLAP_EXTRACTION_BYTES:
            # Extractors read headers, not whole files: for a large file, run them on the
            # source while it is copied rather than after, and keep their result only if
            # the source did not change meanwhile.
            # The extractors stay on this thread, the one that owns their processes.
            with ThreadPoolExecutor(max_workers=1) as side:
                copying = side.submit(store.put_file, path)
                early = extractors.extract(path, name_hint=path.name)
                stored = copying.result()
            after = path.stat()
            if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns) or (
                stored.size_bytes != before.st_size
            ):
                early = None
        else:
            stored = store.put_file(path)
    except OSError as error:
        return _Preserved(error=f"cannot read: {error.strerror or error}")
    result = _Preserved(sha256=stored.sha256, size_bytes=stored.size_bytes)
    if stored.sha256 in _worker["known"]:
        return result  # already extracted when first ingested
    extraction = early or extractors.extract(stored.path, name_hint=path.name)
    if extraction.thumbnail_jpeg is not None:
        result.thumbnail_sha256 = store.put_bytes(extraction.thumbnail_jpeg).sha256
        extraction = replace(extraction, thumbnail_jpeg=None)
    result.extraction = extraction
    return result


def _preserve_all(
    case: Case, files: Sequence[Path], extractor_names: Sequence[str] | None, workers: int | None
) -> Iterator[_Preserved]:
    with case.sessions() as session:
        known = frozenset(session.scalars(select(EvidenceItem.sha256)))
    workers = workers or os.cpu_count() or 1
    names = None if extractor_names is None else tuple(extractor_names)
    init_args = (case.objects.root, names, known)
    if len(files) <= INLINE_MAX_FILES or workers == 1:
        _start_worker(*init_args)
        try:
            yield from map(_preserve, files)
        finally:
            _stop_worker()
        return
    pool: Executor = ProcessPoolExecutor(
        max_workers=min(workers, len(files)),
        mp_context=get_context("forkserver"),
        initializer=_start_pool_worker,
        initargs=init_args,
    )
    with pool:
        yield from pool.map(_preserve, files)


# --- main process ------------------------------------------------------------------------


def ingest(
    case: Case,
    requests: Sequence[IngestRequest],
    *,
    extractors: Sequence[str] | None = None,
    workers: int | None = None,
    skip_identical_acquisition: bool = False,
    progress: Callable[[IngestOutcome], None] | None = None,
) -> list[IngestOutcome]:
    """Preserve and record each requested file; one transaction and custody event per file.

    ``extractors`` names the extraction units to run (default: all of
    ``evidencelab.extract.DEFAULT_EXTRACTORS``). ``skip_identical_acquisition`` makes
    re-running the same import a no-op instead of a new acquisition for every file.
    """
    for request in requests:
        if not request.path.is_file():
            raise IngestError(f"{request.path}: no such file")
    with case.sessions() as session:
        require_declared(session, Source, (r.source_id for r in requests), "source")
    case.objects.remove_stale_tmp()
    outcomes: list[IngestOutcome] = []
    preserved = _preserve_all(case, [r.path for r in requests], extractors, workers)
    for request, result in zip(requests, preserved, strict=True):
        if result.sha256 is None:
            outcome = IngestOutcome(request.path, None, None, "failed", result.error)
        else:
            with case.transaction() as session:
                outcome = _record(case, session, request, result, skip_identical_acquisition)
        outcomes.append(outcome)
        if progress is not None:
            progress(outcome)
    return outcomes


def _record(
    case: Case, session: Session, request: IngestRequest, result: _Preserved, skip_identical: bool
) -> IngestOutcome:
    assert result.sha256 is not None
    now = utc_now()
    item = session.scalars(select(EvidenceItem).where(EvidenceItem.sha256 == result.sha256)).first()
    new = item is None
    if item is None:
        evidence_id = request.evidence_id or result.sha256[:12]
        clash = session.get(EvidenceItem, evidence_id)
        if clash is not None:
            return IngestOutcome(
                request.path,
                None,
                result.sha256,
                "failed",
                f"evidence id {evidence_id!r} already names other bytes ({clash.sha256[:12]}…)",
            )
        item = _new_item(evidence_id, request, result, now)
        session.add(item)
        session.flush()
    elif request.evidence_id is not None and request.evidence_id != item.id:
        return IngestOutcome(
            request.path,
            None,
            result.sha256,
            "failed",
            f"these bytes are already stored as evidence {item.id!r}, not {request.evidence_id!r}",
        )
    acquisition = Acquisition(
        evidence_id=item.id,
        source_id=request.source_id,
        url=request.url,
        collector=request.collector,
        collected_at=request.collected_at,
        note=request.note,
        original_path=str(request.path.resolve()),
        ingested_at=now,
        ingested_by=case.actor,
    )
    if (
        skip_identical
        and not new
        and any(_same_acquisition(a, acquisition) for a in item.acquisitions)
    ):
        return IngestOutcome(request.path, item.id, result.sha256, "unchanged")
    event = case.record(
        session,
        "ingest" if new else "acquire",
        item.id,
        {
            "sha256": result.sha256,
            "size_bytes": result.size_bytes,
            "name": request.path.name,
            **{key: getattr(acquisition, column) for key, column in ACQUISITION_LOG_FIELDS.items()},
        },
    )
    acquisition.custody_seq = event.seq
    session.add(acquisition)
    return IngestOutcome(request.path, item.id, result.sha256, "new" if new else "acquired")


def _new_item(
    evidence_id: str, request: IngestRequest, result: _Preserved, now: str
) -> EvidenceItem:
    assert result.sha256 is not None
    extraction = result.extraction
    item = EvidenceItem(
        id=evidence_id,
        sha256=result.sha256,
        size_bytes=result.size_bytes,
        original_name=request.path.name,
        case_path=request.case_path,
        kind=request.kind or kind_from_media_type(extraction.media_type if extraction else None),
        media_type=extraction.media_type if extraction else None,
        source_id=request.source_id,
        sensitive=request.sensitive,
        first_ingested_at=now,
        metadata_raw=extraction.metadata_raw if extraction else {},
        metadata_normalised=extraction.metadata if extraction else {},
        extraction_errors=[asdict(e) for e in extraction.errors] if extraction else [],
        extra=dict(request.extra),
    )
    if extraction is not None:
        item.perceptual_hashes = [
            PerceptualHashRow(
                algorithm=h.algorithm,
                hash_hex=h.hash_hex,
                quality=h.quality,
                frame_time_s=h.frame_time_s,
            )
            for h in extraction.perceptual_hashes
        ]
    if result.thumbnail_sha256 is not None:
        media = extraction.media_type if extraction else None
        role = "poster" if media is not None and media.startswith("video/") else "thumbnail"
        item.derivatives = [
            Derivative(role=role, sha256=result.thumbnail_sha256, media_type="image/jpeg")
        ]
    return item


# Acquisition columns copied into its custody event's payload (payload key: column).
ACQUISITION_LOG_FIELDS = {
    "source": "source_id",
    "url": "url",
    "collector": "collector",
    "collected_at": "collected_at",
    "note": "note",
    "original_path": "original_path",
}


def _same_acquisition(a: Acquisition, b: Acquisition) -> bool:
    return all(getattr(a, c) == getattr(b, c) for c in ACQUISITION_LOG_FIELDS.values())
