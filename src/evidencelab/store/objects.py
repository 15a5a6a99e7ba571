"""Content-addressed object store: ``objects/ab/cdef…`` named by the SHA-256 of the bytes.

Objects are written once (temporary file, fsync, atomic rename, fsync of the directory)
and made read-only. A killed writer leaves at most a temporary file, which the next
writer removes; it never leaves a partial object under its final name.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import io
import mmap
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from evidencelab.store.atomic import fsync_dir

CHUNK_BYTES = 1 << 20  # 1 MiB reads: hashlib's throughput plateaus from here on
COPY_SLICE_BYTES = 1 << 26  # 64 MiB: a multiple of the page size, as mmap offsets must be
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# copy_file_range errors that mean "not here" (other file system, old kernel), not failure
_NO_KERNEL_COPY = {errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL}


class _Readable(Protocol):
    def readinto(self, buffer: bytearray, /) -> int | None: ...


@dataclass(frozen=True)
class StoredObject:
    sha256: str
    size_bytes: int
    path: Path
    existed: bool  # True when these bytes were already in the store


def sha256_bytes(data: bytes) -> str:
    """SHA-256 (hex) of bytes: the one digest of content that leaves or enters a case."""
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    """SHA-256 (hex) of text encoded as UTF-8."""
    return sha256_bytes(text.encode("utf-8"))


def sha256_file(path: Path) -> str:
    """SHA-256 (hex) of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    buffer = bytearray(CHUNK_BYTES)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as handle:
        while n := handle.readinto(buffer):
            digest.update(view[:n])
    return digest.hexdigest()


class ObjectStore:
    """Files named by their SHA-256 under one root directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / ".tmp"

    def create(self) -> None:
        self.tmp.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:]

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put_file(self, source: Path) -> StoredObject:
        """Copy a file into the store, naming it by the SHA-256 of the bytes stored.

        The kernel copies the source (``copy_file_range``, one read of the source) while
        this thread hashes the copy from the page cache, so hashing overlaps with copying
        and with the final fsync. Where the kernel cannot copy, a read-hash-write loop does.
        """
        with open(source, "rb", buffering=0) as handle:

            def write(fd: int) -> tuple[str, int]:
                try:
                    return _copy_and_hash(handle.fileno(), fd)
                except OSError as error:
                    if error.errno not in _NO_KERNEL_COPY:
                        raise
                os.lseek(handle.fileno(), 0, os.SEEK_SET)
                os.ftruncate(fd, 0)
                os.lseek(fd, 0, os.SEEK_SET)
                return _read_hash_write(handle, fd)

            return self._store(write)

    def put_bytes(self, data: bytes) -> StoredObject:
        return self._store(lambda fd: _read_hash_write(io.BytesIO(data), fd))

    def _store(self, write: Callable[[int], tuple[str, int]]) -> StoredObject:
        """Let ``write`` fill a temporary file and return (sha256, size); then commit it."""
        fd, tmp_name = self._new_tmp()
        try:
            sha256, size = write(fd)
            # Renamed while still open and locked, so no cleaner can take it meanwhile.
            return self._commit(Path(tmp_name), sha256, size)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        finally:
            os.close(fd)

    def _new_tmp(self) -> tuple[int, str]:
        """A new temporary file, locked for as long as this writer holds it open.

        Between creating the file and locking it, a cleaner (another intake's
        :meth:`remove_stale_tmp`) can take it for abandoned and unlink it; a file found
        unlinked once locked is dropped and another made.
        """
        self.tmp.mkdir(parents=True, exist_ok=True)
        while True:
            name = self.tmp / os.urandom(12).hex()
            fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            if os.fstat(fd).st_nlink > 0:
                return fd, str(name)
            os.close(fd)

    def _commit(self, tmp: Path, sha256: str, size: int) -> StoredObject:
        final = self.path(sha256)
        if final.is_file():
            tmp.unlink()
            return StoredObject(sha256, size, final, existed=True)
        final.parent.mkdir(exist_ok=True)
        tmp.chmod(0o444)
        os.replace(tmp, final)
        fsync_dir(final.parent)
        return StoredObject(sha256, size, final, existed=False)

    def remove_stale_tmp(self) -> int:
        """Delete temporary files left by writers that are no longer running.

        A writer holds a lock on its temporary file; the kernel drops the lock when the
        writer dies, however it dies, so a file whose lock can be taken is abandoned.
        """
        removed = 0
        if not self.tmp.is_dir():
            return 0
        for entry in self.tmp.iterdir():
            try:
                fd = os.open(entry, os.O_RDONLY)
            except FileNotFoundError:
                continue  # its writer just finished with it
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live writer holds it
            else:
                entry.unlink(missing_ok=True)
                removed += 1
            finally:
                os.close(fd)
        return removed

    def iter_shas(self) -> Iterator[str]:
        """Every object name present on disk."""
        for prefix in sorted(self.root.iterdir()):
            if len(prefix.name) != 2 or not prefix.is_dir():
                continue
            for entry in sorted(prefix.iterdir()):
                name = prefix.name + entry.name
                if _SHA256.match(name):
                    yield name


def _read_hash_write(handle: _Readable, fd: int) -> tuple[str, int]:
    """Copy through a buffer, hashing each chunk; fsync at the end."""
    digest = hashlib.sha256()
    buffer = bytearray(CHUNK_BYTES)
    view = memoryview(buffer)
    size = 0
    while n := handle.readinto(buffer):
        chunk = view[:n]
        digest.update(chunk)
        _write_all(fd, chunk)
        size += n
    os.fsync(fd)
    return digest.hexdigest(), size


def _copy_and_hash(source_fd: int, target_fd: int) -> tuple[str, int]:
    """Kernel-copy ``source_fd`` to ``target_fd`` and hash what landed in the target.

    A second thread runs ``copy_file_range`` in slices and then fsyncs; this thread hashes
    each slice of the target once it is copied, through a read-only memory map (no copy
    into Python memory). Both calls release the GIL, so on two cores the cost is close to
    the larger of the copy and the hash, not their sum. Returns (sha256 hex, size).
    """
    copied = 0
    done = False
    failure: BaseException | None = None
    progress = threading.Condition()

    def copy() -> None:
        nonlocal copied, done, failure
        try:
            while n := os.copy_file_range(source_fd, target_fd, COPY_SLICE_BYTES):
                with progress:
                    copied += n
                    progress.notify()
            os.fsync(target_fd)
        except BaseException as error:  # handed to the hashing thread, which re-raises
            failure = error
        with progress:
            done = True
            progress.notify()

    worker = threading.Thread(target=copy, name="evidencelab-copy")
    worker.start()
    digest = hashlib.sha256()
    hashed = 0

    def slice_ready() -> bool:
        return done or copied - hashed >= COPY_SLICE_BYTES

    try:
        while True:
            with progress:
                progress.wait_for(slice_ready)
                available, finished = copied, done
            if failure is not None:
                raise failure
            # Hash whole slices while copying goes on, everything left once it is done.
            end = (
                available
                if finished
                else hashed + (available - hashed) // COPY_SLICE_BYTES * COPY_SLICE_BYTES
            )
            if end > hashed:
                with mmap.mmap(
                    target_fd, end - hashed, offset=hashed, access=mmap.ACCESS_READ
                ) as view:
                    digest.update(view)
                hashed = end
            if finished:
                break
    finally:
        worker.join()
    if failure is not None:
        raise failure
    return digest.hexdigest(), hashed


def _write_all(fd: int, data: memoryview) -> None:
    while data:
        written = os.write(fd, data)
        data = data[written:]
