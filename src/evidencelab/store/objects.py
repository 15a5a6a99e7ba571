"""Content-addressed object store: ``objects/ab/cdef…`` named by the SHA-256 of the bytes.

Objects are written once (temporary file, fsync, atomic rename, fsync of the directory)
and made read-only. A killed writer leaves at most a temporary file, which the next
writer removes; it never leaves a partial object under its final name.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

CHUNK_BYTES = 1 << 20  # 1 MiB reads: hashlib's throughput plateaus from here on
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class _Readable(Protocol):
    def readinto(self, buffer: bytearray, /) -> int | None: ...


@dataclass(frozen=True)
class StoredObject:
    sha256: str
    size_bytes: int
    path: Path
    existed: bool  # True when these bytes were already in the store


def sha256_file(path: Path) -> str:
    """SHA-256 (hex) of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    buffer = bytearray(CHUNK_BYTES)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as handle:
        while n := handle.readinto(buffer):
            digest.update(view[:n])
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
        """Copy a file into the store in one read pass (hash while copying)."""
        with open(source, "rb", buffering=0) as handle:
            return self._put(handle)

    def put_bytes(self, data: bytes) -> StoredObject:
        return self._put(io.BytesIO(data))

    def _put(self, handle: _Readable) -> StoredObject:
        digest = hashlib.sha256()
        buffer = bytearray(CHUNK_BYTES)
        view = memoryview(buffer)
        size = 0
        fd, tmp_name = self._new_tmp()
        try:
            while n := handle.readinto(buffer):
                chunk = view[:n]
                digest.update(chunk)
                _write_all(fd, chunk)
                size += n
            os.fsync(fd)
            # Renamed while still open and locked, so no cleaner can take it meanwhile.
            return self._commit(Path(tmp_name), digest.hexdigest(), size)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        finally:
            os.close(fd)

    def _new_tmp(self) -> tuple[int, str]:
        """A new temporary file, locked for as long as this writer holds it open."""
        self.tmp.mkdir(parents=True, exist_ok=True)
        name = self.tmp / os.urandom(12).hex()
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        return fd, str(name)

    def _commit(self, tmp: Path, sha256: str, size: int) -> StoredObject:
        final = self.path(sha256)
        if final.is_file():
            tmp.unlink()
            return StoredObject(sha256, size, final, existed=True)
        final.parent.mkdir(exist_ok=True)
        tmp.chmod(0o444)
        os.replace(tmp, final)
        _fsync_dir(final.parent)
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


def _write_all(fd: int, data: memoryview) -> None:
    while data:
        written = os.write(fd, data)
        data = data[written:]
