"""Ingest: preserve originals in the locker, extract what they hold, record who brought them.

Workers (one process per core) each copy a file into the object store in one read pass
(hashing while copying) and run the configured extractors on the stored copy. The main
process then records each file in its own database transaction, together with its
custody event, in the order the files were given — so the log reads the same on every run.

An import is one unit instead: :func:`preserve` copies and extracts every file (no database
row), then :func:`register` records them all in the caller's transaction, beside the rest
of the import. A failed import commits no row; :func:`discard_unreferenced` then removes
the objects it copied that nothing references.
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

from evidencelab.locker.case import Case, CaseError
from evidencelab.locker.credentials import store_reading
from evidencelab.locker.custody import utc_now
from evidencelab.locker.inputs import parse_time
from evidencelab.locker.references import require_declared
from evidencelab.model.case import EVIDENCE_KINDS
from evidencelab.store import db
from evidencelab.store.objects import ObjectStore
from evidencelab.store.tables import (
    Acquisition,
    Derivative,
    EvidenceItem,
    PerceptualHashRow,
    Source,
)

if TYPE_CHECKING:  # extraction (numpy, Pillow, PyAV) is imported where files are processed
    from evidencelab.extract import Extraction

# A batch this small is preserved in the calling process: starting a pool of workers
# (forkserver, extractors imported, ExifTool started in each) takes about 0.8 s, more than
# sharing a few photos between two cores saves (benchmarks/ingest_batches.py).
INLINE_MAX_FILES = 8
INLINE_MAX_BYTES = 64 * 1024 * 1024
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
    # The SHA-256 the caller read when it checked the file: other bytes stored mean the
    # file changed (or was swapped) between the check and the copy.
    expected_sha256: str | None = None


@dataclass(frozen=True)
class IngestOutcome:
    path: Path
    evidence_id: str | None
    sha256: str | None
    # "new" | "acquired" | "unchanged" | "failed"; "preserved" (copied, not yet recorded)
    # while an import is under way; "skipped" (a symbolic link inside a folder walked)
    status: str
    message: str | None = None


@dataclass
class _Preserved:
    """What a worker hands back for one file."""

    sha256: str | None = None
    size_bytes: int = 0
    extraction: Extraction | None = None
    thumbnail_sha256: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class ExpandedPaths:
    """The files to ingest, and the symbolic links met inside folders and not followed."""

    files: list[Path]
    links_skipped: list[Path]


def expand_paths(paths: Iterable[Path]) -> ExpandedPaths:
    """Files named, and files under folders named (recursively, sorted).

    A path named here is followed even when it is a symbolic link: the person running the
    command chose it. Inside a folder, symbolic links (to files or to folders) are not
    followed — a folder received from someone else could otherwise pull any file of this
    machine into the case — and are returned in ``links_skipped``. Raises IngestError
    naming the first path that does not exist, before any work.
    """
    files: list[Path] = []
    skipped: list[Path] = []
    for path in paths:
        if path.is_dir():
            _walk(path, files, skipped)
        elif path.is_file():
            files.append(path)
        elif not path.exists():
            raise IngestError(f"{path}: no such file or folder")
        else:
            raise IngestError(f"{path}: not a regular file or folder")
    return ExpandedPaths(files, skipped)


def _walk(top: Path, files: list[Path], skipped: list[Path]) -> None:
    for folder, dirnames, filenames in os.walk(top):
        for name in sorted(dirnames):
            if (Path(folder) / name).is_symlink():
                skipped.append(Path(folder) / name)
                dirnames.remove(name)  # os.walk would not enter it either; said, not silent
        dirnames.sort()
        for name in sorted(filenames):
            candidate = Path(folder) / name
            (skipped if candidate.is_symlink() else files).append(candidate)


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


class _Worker:
    """What preserving needs in one process: the object store, the extraction units with
    their running processes, and the hashes the case has already extracted."""

    def __init__(
        self, objects_root: Path, extractor_names: Sequence[str] | None, known: frozenset[str]
    ) -> None:
        from evidencelab.extract import DEFAULT_EXTRACTORS, Extractors

        self.store = ObjectStore(objects_root)
        self.known = known
        names = DEFAULT_EXTRACTORS if extractor_names is None else extractor_names
        self.extractors = Extractors(names)
        self.extractors.__enter__()

    def close(self) -> None:
        self.extractors.__exit__(None, None, None)

    def preserve(self, path: Path) -> _Preserved:
        """Copy ``path`` into the store and extract it (unless its bytes are known)."""
        early: Extraction | None = None
        try:
            before = path.stat()
            if before.st_size >= OVERLAP_EXTRACTION_BYTES:
                # Extractors read headers, not whole files: for a large file, run them on
                # the source while it is copied rather than after, and keep their result
                # only if the source did not change meanwhile. The extractors stay on this
                # thread, the one that owns their processes.
                with ThreadPoolExecutor(max_workers=1) as side:
                    copying = side.submit(self.store.put_file, path)
                    early = self.extractors.extract(path, name_hint=path.name)
                    stored = copying.result()
                after = path.stat()
                if (before.st_size, before.st_mtime_ns) != (
                    after.st_size,
                    after.st_mtime_ns,
                ) or (stored.size_bytes != before.st_size):
                    early = None
            else:
                stored = self.store.put_file(path)
        except OSError as error:
            return _Preserved(error=f"cannot read: {error.strerror or error}")
        result = _Preserved(sha256=stored.sha256, size_bytes=stored.size_bytes)
        if stored.sha256 in self.known:
            return result  # already extracted when first ingested
        extraction = early or self.extractors.extract(stored.path, name_hint=path.name)
        if extraction.thumbnail_jpeg is not None:
            result.thumbnail_sha256 = self.store.put_bytes(extraction.thumbnail_jpeg).sha256
            extraction = replace(extraction, thumbnail_jpeg=None)
        result.extraction = extraction
        return result


# A pool worker process holds one _Worker for its whole life: the pool's initializer sets
# it and `_preserve_in_pool` uses it. The main process never sets it, so ingests running
# side by side in one process (the web app's threads) share no state.
_pool_worker: _Worker | None = None


def _start_pool_worker(
    objects_root: Path, extractor_names: Sequence[str] | None, known: frozenset[str]
) -> None:
    """Pool initializer: this process's :class:`_Worker`, plus the teardown that stops its
    ExifTool process however the worker ends.

    A pool worker leaves through ``os._exit``, which skips ``atexit``; ExifTool in
    ``-stay_open`` mode keeps polling its closed standard input, so an unstopped one lives
    on, orphaned, for ever. multiprocessing's own finalizers run on a worker's way out
    (the pool's shutdown sentinel, an exception, Ctrl-C); a terminated worker (a broken
    pool terminates the others) gets SIGTERM, which is caught here for the same teardown.
    """
    global _pool_worker
    _pool_worker = _Worker(objects_root, extractor_names, known)
    Finalize(None, _stop_pool_worker, exitpriority=100)
    signal.signal(signal.SIGTERM, _stop_worker_then_die)


def _stop_pool_worker() -> None:
    global _pool_worker
    if _pool_worker is not None:
        _pool_worker.close()
        _pool_worker = None


def _stop_worker_then_die(signum: int, _frame: FrameType | None) -> None:
    _stop_pool_worker()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _preserve_in_pool(path: Path) -> _Preserved:
    if _pool_worker is None:
        raise RuntimeError("_preserve_in_pool runs only in a pool worker process")
    return _pool_worker.preserve(path)


def preserves_in_process(sizes: Sequence[int], workers: int) -> bool:
    """Whether files of these sizes (bytes) are preserved in the calling process rather
    than in a pool of ``workers`` processes: with one worker or one file, or for a batch
    of at most INLINE_MAX_FILES files and INLINE_MAX_BYTES in all."""
    if workers == 1 or len(sizes) <= 1:
        return True
    return len(sizes) <= INLINE_MAX_FILES and sum(sizes) <= INLINE_MAX_BYTES


def _preserve_all(
    case: Case, files: Sequence[Path], extractor_names: Sequence[str] | None, workers: int | None
) -> Iterator[_Preserved]:
    with case.sessions() as session:
        known = frozenset(session.scalars(select(EvidenceItem.sha256)))
    workers = workers or os.cpu_count() or 1
    names = None if extractor_names is None else tuple(extractor_names)
    init_args = (case.objects.root, names, known)
    if preserves_in_process([path.stat().st_size for path in files], workers):
        worker = _Worker(*init_args)
        try:
            yield from map(worker.preserve, files)
        finally:
            worker.close()
        return
    pool: Executor = ProcessPoolExecutor(
        max_workers=min(workers, len(files)),
        mp_context=get_context("forkserver"),
        initializer=_start_pool_worker,
        initargs=init_args,
    )
    with pool:
        yield from pool.map(_preserve_in_pool, files)


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
    _check_files(requests)
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


@dataclass(frozen=True)
class PreservedFile:
    """A requested file copied into the object store and extracted, not yet recorded."""

    request: IngestRequest
    result: _Preserved


def preserve(
    case: Case,
    requests: Sequence[IngestRequest],
    *,
    extractors: Sequence[str] | None = None,
    workers: int | None = None,
    progress: Callable[[IngestOutcome], None] | None = None,
) -> list[PreservedFile]:
    """The first half of an ingest that is one unit: copy each file into the object store
    and extract what it holds, writing no database row (objects are written to a temporary
    file, fsynced and renamed, as in :func:`ingest`).

    ``progress`` is called as each file is done, with status ``preserved`` or ``failed``.
    Record the result with :func:`register` in the caller's transaction; if that
    transaction is not committed, :func:`discard_unreferenced` removes what was copied.
    """
    _check_files(requests)
    case.objects.remove_stale_tmp()
    done: list[PreservedFile] = []
    results = _preserve_all(case, [r.path for r in requests], extractors, workers)
    for request, result in zip(requests, results, strict=True):
        done.append(PreservedFile(request, result))
        if progress is not None:
            status = "failed" if result.sha256 is None else "preserved"
            progress(
                IngestOutcome(
                    request.path, request.evidence_id, result.sha256, status, result.error
                )
            )
    return done


def register(
    case: Case,
    session: Session,
    preserved: Sequence[PreservedFile],
    *,
    skip_identical_acquisition: bool = False,
) -> list[IngestOutcome]:
    """Record preserved files (evidence rows, acquisitions, custody events) in ``session``,
    the caller's transaction, in the order given; a file that cannot be recorded is a
    ``failed`` outcome, and the caller decides whether to commit the rest."""
    return [
        _record(case, session, p.request, p.result, skip_identical_acquisition)
        if p.result.sha256 is not None
        else IngestOutcome(p.request.path, None, None, "failed", p.result.error)
        for p in preserved
    ]


def discard_unreferenced(case: Case, preserved: Sequence[PreservedFile]) -> int:
    """After an import that was not committed: remove the objects its files put in the
    store (originals and thumbnails) that no row of the case references; how many.

    This runs under the write lock, and a file is recorded only if its object is still
    there under the same lock (see :func:`_record`), so an ingest of the same bytes
    running meanwhile never records an object removed here.
    """
    shas = {s for p in preserved for s in (p.result.sha256, p.result.thumbnail_sha256) if s}
    if not shas:
        return 0
    with db.transaction(case.sessions) as session:
        referenced = set(
            session.scalars(select(EvidenceItem.sha256).where(EvidenceItem.sha256.in_(shas)))
        ) | set(session.scalars(select(Derivative.sha256).where(Derivative.sha256.in_(shas))))
        unreferenced = shas - referenced
        for sha in unreferenced:
            case.objects.path(sha).unlink(missing_ok=True)
    return len(unreferenced)


def _check_files(requests: Sequence[IngestRequest]) -> None:
    for request in requests:
        if not request.path.is_file():
            raise IngestError(f"{request.path}: no such file")


def _record(
    case: Case, session: Session, request: IngestRequest, result: _Preserved, skip_identical: bool
) -> IngestOutcome:
    assert result.sha256 is not None
    problem = _stored_copy_problem(case, request, result)
    if problem is not None:
        return IngestOutcome(request.path, None, result.sha256, "failed", problem)
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
        if result.extraction is not None and result.extraction.content_credentials:
            store_reading(session, item.id, result.extraction.content_credentials, now)
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


def _stored_copy_problem(case: Case, request: IngestRequest, result: _Preserved) -> str | None:
    """Why the stored copy cannot be recorded: other bytes than the caller checked, or an
    object no longer in the store (a failed import removed it after this file's copy found
    it there)."""
    assert result.sha256 is not None
    expected = request.expected_sha256
    if expected is not None and result.sha256 != expected:
        return (
            f"changed after it was checked (checked as {expected[:12]}…, "
            f"copied as {result.sha256[:12]}…)"
        )
    for sha in (result.sha256, result.thumbnail_sha256):
        if sha is not None and not case.objects.exists(sha):
            return f"stored copy {sha[:12]}… was removed meanwhile; ingest the file again"
    return None


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
