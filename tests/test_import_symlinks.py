"""Symbolic links cannot pull files from elsewhere on this machine into a case.

A case file (or a zip) may come from someone else: an evidence path that is a link, or that
passes through a linked folder, is refused before anything is written. `ingest FOLDER` does
not follow links inside the folder (one line each says so); a link the user names on the
command line is followed.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from cli_helpers import run_cli
from evidencelab.cli import load_commands
from evidencelab.locker.case import Case
from evidencelab.model.errors import CaseFileError
from evidencelab.service.exchange.case_archive import ArchiveError, import_case_archive
from evidencelab.service.exchange.casefile import import_case_file

SECRET = b"root:x:0:0:a file of this machine, not evidence\n"


def write_case_file(folder: Path, evidence_path: str) -> Path:
    """A case file with one real photo and one entry naming ``evidence_path``."""
    (folder / "files").mkdir(parents=True, exist_ok=True)
    (folder / "files" / "photo.jpg").write_bytes(b"\xff\xd8 photo bytes")
    document = {
        "format": "evidencelab/case@1",
        "title": "Symlink test",
        "sources": [{"id": "ngo", "kind": "researcher"}],
        "evidence": [
            {"id": "photo-1", "path": "files/photo.jpg", "kind": "photo", "source": "ngo"},
            {"id": "sneaky-1", "path": evidence_path, "kind": "document", "source": "ngo"},
        ],
        "incidents": [{"id": "strike-1", "title": "Strike", "evidence": ["photo-1"]}],
    }
    path = folder / "case.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the case file's folder, standing for /etc/passwd."""
    path = tmp_path / "elsewhere" / "passwd"
    path.parent.mkdir()
    path.write_bytes(SECRET)
    return path


def database_rows(case: Case) -> list[str]:
    with contextlib.closing(sqlite3.connect(case.root / "case.sqlite")) as db:
        return list(db.iterdump())


def state(case: Case) -> tuple[list[str], list[str], bytes]:
    return database_rows(case), sorted(case.objects.iter_shas()), case.head_path.read_bytes()


def refused_import(case: Case, case_file: Path) -> str:
    before = state(case)
    with pytest.raises(CaseFileError) as refused:
        import_case_file(case, case_file)
    assert state(case) == before
    message = str(refused.value)
    assert len(message.splitlines()) == 1
    return message


def test_evidence_path_that_is_a_link_outside_is_refused(
    case: Case, tmp_path: Path, secret: Path
) -> None:
    case_file = write_case_file(tmp_path / "received", "files/passwd.txt")
    (case_file.parent / "files" / "passwd.txt").symlink_to(secret)
    message = refused_import(case, case_file)
    assert message == (
        f"{case_file}: evidence[1].path: files/passwd.txt: is a symbolic link; evidence must "
        "be a file inside the case file's folder, not a link"
    )


def test_evidence_path_that_is_a_link_inside_the_folder_is_refused_too(
    case: Case, tmp_path: Path
) -> None:
    # Even a link to another file of the same folder: the rule is simple and checkable.
    case_file = write_case_file(tmp_path / "received", "files/again.jpg")
    (case_file.parent / "files" / "again.jpg").symlink_to("photo.jpg")
    assert "files/again.jpg: is a symbolic link" in refused_import(case, case_file)


def test_evidence_path_through_a_linked_folder_is_refused(
    case: Case, tmp_path: Path, secret: Path
) -> None:
    case_file = write_case_file(tmp_path / "received", "files/linked/passwd")
    (case_file.parent / "files" / "linked").symlink_to(secret.parent, target_is_directory=True)
    message = refused_import(case, case_file)
    assert "files/linked/passwd: passes through files/linked, which is a symbolic link" in message


def test_a_case_file_in_a_folder_reached_through_a_link_imports(case: Case, tmp_path: Path) -> None:
    # Only what lies below the case file's folder is checked: the user chose the folder.
    real = tmp_path / "real"
    (real / "files").mkdir(parents=True)
    (real / "files" / "photo.jpg").write_bytes(b"\xff\xd8 photo bytes")
    document = {
        "format": "evidencelab/case@1",
        "title": "Linked folder",
        "evidence": [{"id": "photo-1", "path": "files/photo.jpg", "kind": "photo"}],
    }
    (real / "case.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    (tmp_path / "shortcut").symlink_to(real, target_is_directory=True)
    imported = import_case_file(case, tmp_path / "shortcut" / "case.yaml")
    assert imported["evidence"]["new"] == 1


def test_cli_names_the_link_and_exits_non_zero(case: Case, tmp_path: Path, secret: Path) -> None:
    case_file = write_case_file(tmp_path / "received", "files/passwd.txt")
    (case_file.parent / "files" / "passwd.txt").symlink_to(secret)
    before = state(case)
    result = run_cli("import", str(case_file), "--case", str(case.root))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {case_file}: evidence[1].path: files/passwd.txt: is a symbolic link; "
        "evidence must be a file inside the case file's folder, not a link"
    ]
    assert state(case) == before


def _zip_with_link(path: Path) -> Path:
    document = {
        "format": "evidencelab/case@1",
        "title": "Zip",
        "evidence": [{"id": "sneaky-1", "path": "files/passwd", "kind": "document"}],
    }
    link = zipfile.ZipInfo("files/passwd")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("case.yaml", yaml.safe_dump(document))
        archive.writestr(link, "/etc/passwd")
    return path


def test_a_zip_whose_evidence_is_a_link_member_is_refused(case: Case, tmp_path: Path) -> None:
    archive = _zip_with_link(tmp_path / "received.zip")
    before = state(case)
    with pytest.raises(ArchiveError) as refused:
        import_case_archive(case, archive)
    assert str(refused.value) == (
        "received.zip: files/passwd: is a symbolic link; only files are accepted"
    )
    assert state(case) == before


# --- ingest FOLDER -------------------------------------------------------------------------


@pytest.fixture
def folder_with_links(tmp_path: Path, secret: Path) -> Path:
    """A folder with one real file, a link to a file elsewhere and a link to a folder."""
    folder = tmp_path / "collected"
    folder.mkdir()
    (folder / "real.txt").write_bytes(b"a file really collected\n")
    (folder / "passwd").symlink_to(secret)
    (folder / "etc").symlink_to(secret.parent, target_is_directory=True)
    return folder


def run_in_process(*args: str) -> Result:
    """A command run in this process (no interpreter start), output captured."""
    return CliRunner().invoke(load_commands(), list(args))


def ingest_json(case: Case, *paths: Path) -> tuple[int, list[dict[str, Any]]]:
    result = run_in_process("ingest", *map(str, paths), "--case", str(case.root), "--json")
    return result.exit_code, json.loads(result.stdout)


def test_ingest_of_a_folder_skips_links_inside_and_says_so(
    case: Case, folder_with_links: Path
) -> None:
    result = run_in_process("ingest", str(folder_with_links), "--case", str(case.root))
    assert result.exit_code == 0, result.stderr
    reason = "symbolic link inside a folder, not followed (name it to ingest what it points to)"
    assert result.stderr.strip().splitlines() == [
        f"skipped: {folder_with_links / 'etc'}: {reason}",
        f"skipped: {folder_with_links / 'passwd'}: {reason}",
    ]
    assert result.stdout.splitlines()[0] == (
        "1 file(s): 1 new, 0 already stored (new acquisition recorded), 0 unchanged, "
        "0 failed, 2 symbolic link(s) skipped"
    )
    names = [row["original_name"] for row in run_json(case, "evidence", "list")]
    assert names == ["real.txt"]


def test_ingest_json_lists_skipped_links(case: Case, folder_with_links: Path) -> None:
    code, outcomes = ingest_json(case, folder_with_links)
    assert code == 0
    assert [(Path(o["path"]).name, o["status"]) for o in outcomes] == [
        ("real.txt", "new"),
        ("etc", "skipped"),
        ("passwd", "skipped"),
    ]


def test_a_link_named_on_the_command_line_is_followed(
    case: Case, folder_with_links: Path, secret: Path
) -> None:
    code, outcomes = ingest_json(case, folder_with_links / "passwd", folder_with_links / "etc")
    assert code == 0
    # The file link, then the linked folder walked: the same bytes twice, one item.
    assert [o["status"] for o in outcomes] == ["new", "acquired"]
    stored = case.objects.path(outcomes[0]["sha256"]).read_bytes()
    assert stored == SECRET == secret.read_bytes()


def run_json(case: Case, *args: str) -> Any:
    result = run_in_process(*args, "--case", str(case.root), "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)
