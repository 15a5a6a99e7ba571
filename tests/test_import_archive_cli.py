"""`evidencelab import ARCHIVE.zip`: a case file and its media in one zip, checked before
anything is written."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from cli_helpers import run_cli
from evidencelab.demo_media import write_demo_case


def _zip_folder(folder: Path, out: Path, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out


def test_demo_case_imports_from_a_zip_and_again_changes_nothing(tmp_path: Path) -> None:
    write_demo_case(tmp_path / "inputs")
    archive = _zip_folder(tmp_path / "inputs", tmp_path / "demo.zip")
    case = tmp_path / "case"
    assert run_cli("init", str(case)).returncode == 0
    first = run_cli("import", str(archive), "--json", cwd=case)
    assert first.returncode == 0, first.stderr
    result = json.loads(first.stdout)
    assert result["incidents"] == 3 and result["evidence"]["new"] == 6
    again = json.loads(run_cli("import", str(archive), "--json", cwd=case).stdout)
    assert again["evidence"] == {"new": 0, "acquired": 0, "unchanged": 6}
    assert not (case / "imports").exists()  # the extraction folder is gone


def test_hostile_member_is_refused_in_one_line_and_the_case_is_unchanged(
    tmp_path: Path,
) -> None:
    write_demo_case(tmp_path / "inputs")
    archive = _zip_folder(
        tmp_path / "inputs", tmp_path / "evil.zip", extra={"../outside.txt": b"escape"}
    )
    case = tmp_path / "case"
    assert run_cli("init", str(case)).returncode == 0
    log_before = run_cli("log", "--json", cwd=case).stdout
    done = run_cli("import", str(archive), cwd=case)
    assert done.returncode != 0
    [line] = done.stderr.strip().splitlines()
    assert "evil.zip" in line and "outside.txt" in line
    assert run_cli("log", "--json", cwd=case).stdout == log_before
    assert not (tmp_path / "outside.txt").exists()
