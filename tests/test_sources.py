"""`evidencelab source add|list`: a source declared on the command line, checked as the
case file format checks one, logged, and then usable by ingest."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import run_cli


def test_declare_a_source_then_ingest_from_it(tmp_path: Path, loose_files: list[Path]) -> None:
    case = tmp_path / "case"
    assert run_cli("init", str(case)).returncode == 0
    added = run_cli(
        "source", "add", "channel-a", "--kind", "social_media", "--reliability", "medium",
        "--description", "A Telegram channel", "--case", str(case), "--json",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["reliability"] == "medium"
    listed = json.loads(run_cli("source", "list", "--json", "--case", str(case)).stdout)
    assert [s["id"] for s in listed] == ["channel-a"]
    ingested = run_cli("ingest", str(loose_files[0]), "--source", "channel-a", "--case", str(case))
    assert ingested.returncode == 0, ingested.stderr
    log = json.loads(run_cli("log", "--json", "--case", str(case)).stdout)
    assert "source_add" in [event["action"] for event in log]
    assert run_cli("verify", "--case", str(case)).returncode == 0


def test_an_invalid_or_repeated_source_is_refused_in_one_line(tmp_path: Path) -> None:
    case = tmp_path / "case"
    run_cli("init", str(case))
    assert run_cli("source", "add", "a", "--kind", "media", "--case", str(case)).returncode == 0
    for args, message in [
        (["a", "--kind", "media"], "source 'a': already declared in this case"),
        (["b", "--kind", "rumour"], "source: kind: must be one of"),
        (["c", "--kind", "media", "--reliability", "certain"], "source: reliability:"),
    ]:
        result = run_cli("source", "add", *args, "--case", str(case))
        assert result.returncode != 0
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert message in result.stderr
