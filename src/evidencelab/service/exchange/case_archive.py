"""Import a case archive: a zip holding a case file and the media it names, or a bare case
file.

An archive comes from outside and is treated as hostile. Every member is checked before
anything is written: its name (no absolute path, drive letter or ``..``; no name twice),
its type (regular files and folders only: no symlink, device or pipe), no encryption, the
member count, and the sizes its headers declare. Members are then streamed into a fresh
folder in the case's own work area with a running byte count, so a header that understates
a size cannot smuggle more bytes past the limits (the zip reader also stops at the declared
size and the CRC then fails). Only when the whole archive has been extracted is the case
file imported through :func:`evidencelab.service.exchange.casefile.import_case_file`, which checks
the case file before it writes anything. The folder (``imports/`` plus the archive's
SHA-256) is deleted afterwards, whatever happened.

The zip-bomb rule follows the usual defence (e.g. OWASP's file-upload guidance): a member
whose uncompressed size is both above an absolute floor and above a multiple of its
compressed size is refused.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from evidencelab.locker.case import Case, CaseError
from evidencelab.locker.ingest import IngestOutcome
from evidencelab.model.casefile import case_file_to_dict, load_case_file
from evidencelab.model.errors import CaseFileError
from evidencelab.service.exchange.casefile import import_case_file
from evidencelab.service.exchange.records import ArchiveImport
from evidencelab.store.objects import sha256_file

CASE_FILE_NAMES = ("case.yaml", "case.yml", "case.json")
IMPORTS_FOLDER = "imports"  # in the case folder, beside the object store
ARCHIVE_HASH_CHARS = 32
READ_CHUNK = 1024 * 1024
MAX_PROBLEMS_SHOWN = 5


class ArchiveError(CaseError):
    """The archive was refused; nothing was imported."""


@dataclass(frozen=True)
class ArchiveLimits:
    """Limits on an archive. ``max_total_bytes``: uncompressed bytes of all members
    together. A member is a zip bomb when it is larger than ``bomb_floor_bytes`` and more
    than ``max_ratio`` times its compressed size."""

    max_members: int = 10_000
    max_total_bytes: int = 4 * 512 * 1024 * 1024
    max_ratio: float = 200.0
    bomb_floor_bytes: int = 10 * 1024 * 1024


@dataclass(frozen=True)
class _Member:
    info: zipfile.ZipInfo
    parts: tuple[str, ...]


def import_case_archive(
    case: Case,
    archive_path: Path,
    *,
    limits: ArchiveLimits = ArchiveLimits(),
    name: str | None = None,
    progress: Callable[[IngestOutcome], None] | None = None,
) -> ArchiveImport:
    """Import the case archive (``.zip``) or bare case file (``.yaml``, ``.yml``,
    ``.json``) at ``archive_path`` into ``case``; ``name`` is how errors and the result
    name it (default: the file's own name).

    Returns the archive's name, the case file's path inside it (a bare case file: its
    name), the number of members and uncompressed bytes extracted, the import's counts
    (sources, incidents, evidence new / acquired / unchanged) and the incidents the case
    file holds (id and title). Raises
    ArchiveError, with the case unchanged, when the archive breaks a rule or its case file
    does not import.
    """
    label = name or archive_path.name
    work = _work_folder(case, archive_path)
    try:
        if PurePosixPath(label).suffix.lower() in (".yaml", ".yml", ".json"):
            case_member = "case" + PurePosixPath(label).suffix.lower()
            shutil.copyfile(archive_path, work / case_member)
            members, size, shown = 1, archive_path.stat().st_size, label
        else:
            case_member, members, size = _extract(archive_path, work, limits, label)
            shown = case_member
        case_file = work / case_member
        origin = label if shown == label else f"{label}: {case_member}"
        try:
            imported = import_case_file(case, case_file, progress=progress)
            document = case_file_to_dict(load_case_file(case_file))
        except CaseFileError as error:
            line = _problems_line(error, origin)
            raise ArchiveError(line.replace(f"{work}{os.sep}", "")) from None
        except CaseError as error:
            raise ArchiveError(str(error).replace(f"{work}{os.sep}", "")) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
        with contextlib.suppress(OSError):
            work.parent.rmdir()  # only when no other import is using it
    return {
        "archive": label,
        "case_file": shown,
        "members": members,
        "bytes": size,
        "imported": {**imported, "file": shown},
        "incidents": [
            {"id": i["id"], "title": i.get("title")} for i in document.get("incidents", [])
        ],
    }


def _work_folder(case: Case, archive: Path) -> Path:
    """A fresh folder named by the archive's SHA-256 under the case's ``imports`` folder.

    The acquisitions record where each file was read from; a name that depends only on the
    archive's bytes makes that path the same each time one archive is imported, so
    importing it again adds no acquisition, and the path names the archive by its hash.
    A folder left by an import that was killed is removed first.
    """
    work = case.root / IMPORTS_FOLDER / sha256_file(archive)[:ARCHIVE_HASH_CHARS]
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    return work


def _problems_line(error: CaseFileError, origin: str) -> str:
    """A case file's problems on one line, named by their place in the archive."""
    lines = [p.render(origin) for p in error.problems] or [str(error)]
    shown = "; ".join(lines[:MAX_PROBLEMS_SHOWN])
    more = len(lines) - MAX_PROBLEMS_SHOWN
    return shown + (f"; and {more} more problems" if more > 0 else "")


def _extract(archive: Path, work: Path, limits: ArchiveLimits, label: str) -> tuple[str, int, int]:
    """Check and extract the zip into ``work``: (case file's member path, members, bytes)."""
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = _checked_members(bundle.infolist(), limits, label)
            case_member = _case_file_member(members, label)
            written = 0
            for member in members:
                written += _write_member(bundle, member, work, limits, written, label)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise ArchiveError(f"{label}: not a readable zip archive ({error})") from None
    except NotImplementedError as error:  # e.g. Deflate64, which Python's zipfile lacks
        raise ArchiveError(f"{label}: {error}") from None
    return case_member, len(members), written


def _checked_members(
    infos: list[zipfile.ZipInfo], limits: ArchiveLimits, label: str
) -> list[_Member]:
    """The archive's members, every rule that the central directory can show checked."""
    if len(infos) > limits.max_members:
        raise ArchiveError(
            f"{label}: {len(infos)} members, more than the limit of {limits.max_members}"
        )
    members: list[_Member] = []
    seen: dict[tuple[str, ...], str] = {}
    declared = 0
    for info in infos:
        parts = _safe_parts(info.filename, label)
        if parts in seen:
            raise ArchiveError(f"{label}: {info.filename}: appears twice in the archive")
        seen[parts] = info.filename
        if info.is_dir():
            continue
        # Unix zips keep st_mode in the high bits; a type of 0 (some writers) means a file.
        mode = info.external_attr >> 16
        if info.create_system == 3 and stat.S_IFMT(mode) not in (0, stat.S_IFREG):
            what = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
            raise ArchiveError(f"{label}: {info.filename}: is {what}; only files are accepted")
        if info.flag_bits & 0x1:
            raise ArchiveError(f"{label}: {info.filename}: is encrypted")
        _check_ratio(info.filename, info.file_size, info.compress_size, limits, label)
        declared += info.file_size
        if declared > limits.max_total_bytes:
            raise ArchiveError(_too_big(label, limits))
        members.append(_Member(info, parts))
    files = {m.parts for m in members}
    for member in members:
        for depth in range(1, len(member.parts)):
            if member.parts[:depth] in files:
                folder = "/".join(member.parts[:depth])
                raise ArchiveError(f"{label}: {folder}: is both a file and a folder")
    return members


def _safe_parts(name: str, label: str) -> tuple[str, ...]:
    """A member name as path parts, refusing names that could land outside the folder."""
    unified = name.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        raise ArchiveError(f"{label}: {name}: absolute path; members must be relative")
    parts = tuple(p for p in unified.split("/") if p not in ("", "."))
    if ".." in parts:
        raise ArchiveError(f"{label}: {name}: goes up a folder (..); members must stay inside")
    if not parts or any("\0" in p or not p.isprintable() for p in parts):
        raise ArchiveError(f"{label}: {name!r}: not a usable file name")
    return parts


def _check_ratio(
    member: str, size: int, compressed: int, limits: ArchiveLimits, label: str
) -> None:
    if size > limits.bomb_floor_bytes and size > limits.max_ratio * max(compressed, 1):
        raise ArchiveError(
            f"{label}: {member}: expands more than {limits.max_ratio:g} times "
            f"(compressed {compressed} bytes); refused as a zip bomb"
        )


def _too_big(label: str, limits: ArchiveLimits) -> str:
    return f"{label}: uncompressed contents larger than the limit of {limits.max_total_bytes} bytes"


def _case_file_member(members: list[_Member], label: str) -> str:
    """The one case file, at the archive's root or in one top folder."""
    found = [
        "/".join(m.parts)
        for m in members
        if len(m.parts) <= 2 and m.parts[-1].lower() in CASE_FILE_NAMES
    ]
    if not found:
        names = ", ".join(CASE_FILE_NAMES)
        raise ArchiveError(f"{label}: no case file ({names}) at the root or in a top folder")
    if len(found) > 1:
        raise ArchiveError(f"{label}: more than one case file ({', '.join(sorted(found))})")
    return found[0]


def _write_member(
    bundle: zipfile.ZipFile,
    member: _Member,
    work: Path,
    limits: ArchiveLimits,
    written_before: int,
    label: str,
) -> int:
    """Stream one member to its place under ``work``, counting bytes as they come; the
    number of bytes written."""
    target = work.joinpath(*member.parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.parent.resolve().is_relative_to(work.resolve()):
        raise ArchiveError(f"{label}: {member.info.filename}: would land outside the folder")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    written = 0
    with (
        os.fdopen(os.open(target, flags, 0o600), "wb") as out,
        bundle.open(member.info) as stream,
    ):
        for chunk in _chunks(stream):
            written += len(chunk)
            _check_ratio(member.info.filename, written, member.info.compress_size, limits, label)
            if written_before + written > limits.max_total_bytes:
                raise ArchiveError(_too_big(label, limits))
            out.write(chunk)
    return written


def _chunks(stream: Any) -> Iterator[bytes]:
    while chunk := stream.read(READ_CHUNK):
        yield chunk
