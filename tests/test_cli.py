"""The command line, run as a user runs it: the installed `evidencelab` script."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from cli_helpers import ACTOR, SCRIPT, run_cli


@pytest.fixture
def case_dir(tmp_path: Path) -> Path:
    assert run_cli("init", str(tmp_path / "case")).returncode == 0
    return tmp_path / "case"


def test_init_refuses_an_existing_case(case_dir: Path) -> None:
    result = run_cli("init", str(case_dir))
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {case_dir}: already holds a case"


def test_case_is_found_upward_from_a_subfolder(case_dir: Path, loose_files: list[Path]) -> None:
    sub = case_dir / "notes" / "deep"
    sub.mkdir(parents=True)
    result = run_cli("ingest", str(loose_files[0].parent), "--json", cwd=sub)
    assert result.returncode == 0, result.stderr
    assert [o["status"] for o in json.loads(result.stdout)] == ["new", "new", "new"]
    listed = json.loads(run_cli("evidence", "list", "--json", cwd=sub).stdout)
    assert len(listed) == 3


def test_outside_any_case_is_a_one_line_error(tmp_path: Path) -> None:
    result = run_cli("verify", cwd=tmp_path)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "not inside a case" in result.stderr


def test_ingest_acquisition_fields_and_evidence_show(
    case_dir: Path, loose_files: list[Path]
) -> None:
    declared = run_cli(
        "source", "add", "tg-channel", "--kind", "social_media", "--case", str(case_dir)
    )
    assert declared.returncode == 0, declared.stderr
    result = run_cli(
        "ingest",
        str(loose_files[0]),
        "--case",
        str(case_dir),
        "--source",
        "tg-channel",
        "--url",
        "https://t.me/example/1",
        "--collector",
        "ana",
        "--collected-at",
        "2022-02-24T12:00:00Z",
        "--note",
        "first copy seen",
        "--kind",
        "video",
        "--json",
    )
    [outcome] = json.loads(result.stdout)
    shown = json.loads(
        run_cli(
            "evidence", "show", outcome["evidence_id"], "--case", str(case_dir), "--json"
        ).stdout
    )
    assert shown["kind"] == "video"
    assert shown["acquisitions"][0] == {
        "source": "tg-channel",
        "url": "https://t.me/example/1",
        "collector": "ana",
        "collected_at": "2022-02-24T12:00:00Z",
        "note": "first copy seen",
        "original_path": str(loose_files[0]),
        "ingested_at": shown["acquisitions"][0]["ingested_at"],
        "ingested_by": ACTOR,
    }


def test_missing_input_is_one_line_and_changes_nothing(case_dir: Path, tmp_path: Path) -> None:
    before = run_cli("log", "--case", str(case_dir), "--json").stdout
    result = run_cli("ingest", str(tmp_path / "absent.mp4"), "--case", str(case_dir))
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {tmp_path / 'absent.mp4'}: no such file or folder"
    assert run_cli("log", "--case", str(case_dir), "--json").stdout == before


def test_verify_reports_tampering_with_exit_status(case_dir: Path, loose_files: list[Path]) -> None:
    run_cli("ingest", str(loose_files[0]), "--case", str(case_dir))
    ok = run_cli("verify", "--case", str(case_dir))
    assert ok.returncode == 0 and ok.stdout.startswith("intact")
    [stored] = [
        p for p in (case_dir / "objects").rglob("*") if p.is_file() and ".tmp" not in p.parts
    ]
    stored.chmod(0o644)
    stored.write_bytes(b"replaced")
    bad = run_cli("verify", "--case", str(case_dir), "--json")
    assert bad.returncode == 1
    report = json.loads(bad.stdout)
    assert report["intact"] is False
    assert report["problems"][0].startswith(
        f"object {stored.parent.name}{stored.name}: content changed"
    )


def test_import_schema_error_lines_and_exit_status(case_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "format: evidencelab/case@1\ntitle: t\nincidents:\n"
        "  - {id: a, title: x, place: {name: p, lat: 91, lon: 200}}\n",
        encoding="utf-8",
    )
    result = run_cli("import", str(bad), "--case", str(case_dir))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {bad}: incidents[0].place.lat: must be between -90 and 90",
        f"{bad}: incidents[0].place.lon: must be between -180 and 180",
    ]


def test_export_to_stdout_reimports(case_dir: Path, tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.txt").write_text("statement", encoding="utf-8")
    (inputs / "case.json").write_text(
        json.dumps(
            {
                "format": "evidencelab/case@1",
                "title": "T",
                "sources": [{"id": "s", "kind": "witness", "sensitive": True}],
                "evidence": [{"id": "e", "path": "a.txt", "kind": "document", "source": "s"}],
                "incidents": [],
            }
        ),
        encoding="utf-8",
    )
    assert run_cli("import", str(inputs / "case.json"), "--case", str(case_dir)).returncode == 0
    exported = run_cli("export", "--format", "case", "--case", str(case_dir))
    assert exported.returncode == 0
    [logged] = json.loads(run_cli("log", "--case", str(case_dir), "--json").stdout)[-1:]
    assert logged["action"] == "export"
    assert logged["payload"]["sha256"] == hashlib.sha256(exported.stdout.encode()).hexdigest()
    (inputs / "out.yaml").write_text(exported.stdout, encoding="utf-8")
    other = tmp_path / "other"
    run_cli("init", str(other))
    assert run_cli("import", str(inputs / "out.yaml"), "--case", str(other)).returncode == 0
    assert run_cli("export", "--format", "case", "--case", str(other)).stdout == exported.stdout


def test_every_listing_command_has_json(case_dir: Path) -> None:
    for args in (["log"], ["evidence", "list"], ["incident", "list"], ["summary"], ["verify"]):
        result = run_cli(*args, "--case", str(case_dir), "--json")
        assert result.returncode == 0, (args, result.stderr)
        json.loads(result.stdout)


def test_script_is_on_the_venv_path() -> None:
    assert shutil.which("evidencelab", path=str(SCRIPT.parent)) == str(SCRIPT)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--collected-at", "yesterday", "collected-at 'yesterday': not an ISO 8601 time"),
        ("--collected-at", "2022-02-24T12:00", "needs a UTC offset, e.g. Z or +02:00"),
        ("--kind", "selfie", "kind 'selfie': must be one of photo, video,"),
    ],
)
def test_bad_acquisition_fields_are_refused(
    case_dir: Path, loose_files: list[Path], option: str, value: str, message: str
) -> None:
    result = run_cli("ingest", str(loose_files[0]), "--case", str(case_dir), option, value)
    assert result.returncode == 1
    assert message in result.stderr
    assert json.loads(run_cli("evidence", "list", "--case", str(case_dir), "--json").stdout) == []
