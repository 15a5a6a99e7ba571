"""Case archives: the demo imports from a zip; hostile archives are refused with one line
and the case left exactly as it was."""

from __future__ import annotations

import io
import os
import stat
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evidencelab.demo_media import write_demo_case
from evidencelab.locker.case import Case
from evidencelab.model.casefile import case_file_to_dict
from evidencelab.service.exchange.case_archive import (
    ArchiveError,
    ArchiveLimits,
    import_case_archive,
)
from evidencelab.service.exchange.casefile import export_case
from evidencelab.service.integrity.custody import custody_log

CASE_YAML = b"format: evidencelab/case@1\ntitle: Small case\n"
# Offsets in a zip's central directory entry (APPNOTE.TXT 4.3.12).
CENTRAL_SIGNATURE = b"PK\x01\x02"
CENTRAL_FLAGS = 8
CENTRAL_FILE_SIZE = 24


@pytest.fixture(scope="module")
def demo_inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "inputs"
    write_demo_case(folder)
    return folder


def zip_folder(folder: Path, target: Path, *, top: str = "") -> Path:
    """Every file under ``folder`` into the zip ``target``, under ``top`` if given."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                bundle.write(path, top + path.relative_to(folder).as_posix())
    return target


def _zip(members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for info, data in members:
            bundle.writestr(info, data)
    return buffer.getvalue()


def _typed(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3  # Unix: the mode in the high bits of external_attr counts
    info.external_attr = mode << 16
    return info


def _patch_first_entry(data: bytes, offset: int, value: int, fmt: str) -> bytes:
    """``data`` with a field of the first central directory entry set to ``value``."""
    start = data.index(CENTRAL_SIGNATURE) + offset
    return data[:start] + struct.pack(fmt, value) + data[start + struct.calcsize(fmt) :]


def _encrypted() -> bytes:
    data = _zip([("secret.jpg", b"x" * 100), ("case.yaml", CASE_YAML)])
    (flags,) = struct.unpack_from("<H", data, data.index(CENTRAL_SIGNATURE) + CENTRAL_FLAGS)
    return _patch_first_entry(data, CENTRAL_FLAGS, flags | 0x1, "<H")


def _understated() -> bytes:
    """A member whose header says 1,000 bytes while it holds a million."""
    data = _zip([("big.bin", os.urandom(1_000_000)), ("case.yaml", CASE_YAML)])
    return _patch_first_entry(data, CENTRAL_FILE_SIZE, 1_000, "<I")


def _bomb() -> bytes:
    return _zip([("case.yaml", CASE_YAML), ("zeros.bin", bytes(11 * 1024 * 1024))])


HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "absolute path": (
        lambda: _zip([("case.yaml", CASE_YAML), (zipfile.ZipInfo("/etc/cron.d/x"), b"x")]),
        "/etc/cron.d/x: absolute path",
    ),
    "drive letter": (
        lambda: _zip([("case.yaml", CASE_YAML), ("C:\\Windows\\x", b"x")]),
        "absolute path",
    ),
    "dot-dot": (
        lambda: _zip([("case.yaml", CASE_YAML), ("files/../../escape.txt", b"x")]),
        "files/../../escape.txt: goes up a folder (..)",
    ),
    "symlink": (
        lambda: _zip(
            [("case.yaml", CASE_YAML), (_typed("files/link", stat.S_IFLNK | 0o777), b"/etc")]
        ),
        "files/link: is a symbolic link",
    ),
    "fifo": (
        lambda: _zip([("case.yaml", CASE_YAML), (_typed("pipe", stat.S_IFIFO | 0o644), b"")]),
        "pipe: is not a regular file",
    ),
    "too many members": (
        lambda: _zip([("case.yaml", CASE_YAML)] + [(f"f{i}.txt", b"x") for i in range(5)]),
        "6 members, more than the limit of 5",
    ),
    "too large in total": (
        lambda: _zip([("case.yaml", CASE_YAML), ("a.bin", os.urandom(60_000))]),
        "larger than the limit of 50000 bytes",
    ),
    "zip bomb": (_bomb, "zeros.bin: expands more than 200 times"),
    "understated size": (_understated, "not a readable zip archive"),
    "duplicate names": (
        lambda: _zip([("case.yaml", CASE_YAML), ("a.txt", b"1"), ("./a.txt", b"2")]),
        "./a.txt: appears twice",
    ),
    "file and folder": (
        lambda: _zip([("case.yaml", CASE_YAML), ("a", b"1"), ("a/b", b"2")]),
        "a: is both a file and a folder",
    ),
    "encrypted": (_encrypted, "secret.jpg: is encrypted"),
    "corrupt": (lambda: os.urandom(4000), "not a readable zip archive"),
    "truncated": (
        lambda: _zip([("case.yaml", CASE_YAML), ("a.bin", os.urandom(5000))])[:3000],
        "not a readable zip archive",
    ),
    "no case file": (
        lambda: _zip([("files/a.txt", b"x"), ("deep/er/case.yaml", CASE_YAML)]),
        "no case file",
    ),
    "two case files": (
        lambda: _zip([("case.yaml", CASE_YAML), ("case.json", b'{"format": "x"}')]),
        "more than one case file (case.json, case.yaml)",
    ),
}
SMALL_LIMITS = ArchiveLimits(max_members=5, max_total_bytes=50_000)


def case_state(case: Case) -> dict[str, Any]:
    """What must not change when an archive is refused."""
    return {
        "custody": len(custody_log(case)),
        "export": case_file_to_dict(export_case(case)),
        "objects": sorted(p.name for p in (case.root / "objects").rglob("*")),
        "folders": sorted(p.name for p in case.root.iterdir()),
    }


@pytest.mark.parametrize("top", ["", "demo/"])
def test_demo_archive_imports_into_an_empty_case(
    case: Case, demo_inputs: Path, tmp_path: Path, top: str
) -> None:
    archive = zip_folder(demo_inputs, tmp_path / "demo.zip", top=top)
    result = import_case_archive(case, archive)
    assert result["archive"] == "demo.zip"
    assert result["case_file"] == top + "case.yaml"
    assert result["members"] == len([p for p in demo_inputs.rglob("*") if p.is_file()])
    imported = result["imported"]
    assert imported["incidents"] == 3
    assert imported["evidence"]["new"] == len(list((demo_inputs / "files").rglob("*.jpg")))
    assert imported["file"] == top + "case.yaml"
    assert "vuhledar-2022-02-24" in [i["id"] for i in result["incidents"]]
    assert [e["action"] for e in custody_log(case)][-2:] == ["import", "records"]
    assert not (case.root / "imports").exists()
    exported = case_file_to_dict(export_case(case))
    assert len(exported["evidence"]) == imported["evidence"]["new"]
    again = import_case_archive(case, archive)["imported"]["evidence"]
    assert again == {"new": 0, "acquired": 0, "unchanged": imported["evidence"]["new"]}
    assert case_file_to_dict(export_case(case)) == exported


def test_bare_case_file_without_media(case: Case, tmp_path: Path) -> None:
    bare = tmp_path / "small.yaml"
    bare.write_bytes(CASE_YAML + b"incidents:\n  - id: one\n    title: One strike\n")
    result = import_case_archive(case, bare)
    assert result["imported"]["incidents"] == 1
    assert result["incidents"] == [{"id": "one", "title": "One strike"}]
    assert result["case_file"] == "small.yaml"


def test_bare_case_file_naming_missing_media_is_refused(
    case: Case, demo_inputs: Path, tmp_path: Path
) -> None:
    before = case_state(case)
    with pytest.raises(ArchiveError) as refused:
        import_case_archive(case, demo_inputs / "case.yaml")
    message = str(refused.value)
    assert message.startswith("case.yaml: evidence[0].path: file not found: files/")
    assert "\n" not in message
    assert "more problems" in message
    assert str(case.root) not in message  # the work folder is not shown
    assert case_state(case) == before


@pytest.mark.parametrize("rule", sorted(HOSTILE))
def test_hostile_archive_is_refused_and_the_case_is_unchanged(
    case: Case, tmp_path: Path, rule: str
) -> None:
    build, expected = HOSTILE[rule]
    archive = tmp_path / "upload.zip"
    archive.write_bytes(build())
    before = case_state(case)
    with pytest.raises(ArchiveError) as refused:
        import_case_archive(
            case, archive, limits=SMALL_LIMITS if "too" in rule else ArchiveLimits()
        )
    message = str(refused.value)
    assert message.startswith("upload.zip: ")
    assert expected in message
    assert "\n" not in message
    assert case_state(case) == before


def test_the_same_members_without_the_hostile_part_import(case: Case, tmp_path: Path) -> None:
    """The rules refuse what they name, not small archives in general."""
    archive = tmp_path / "fine.zip"
    archive.write_bytes(_zip([("case.yaml", CASE_YAML), ("a/b.txt", b"1"), ("c.txt", b"2")]))
    result = import_case_archive(case, archive, limits=SMALL_LIMITS)
    assert result["members"] == 3
    assert result["bytes"] == len(CASE_YAML) + 2
