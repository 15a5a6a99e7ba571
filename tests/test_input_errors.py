"""Errors of the service and locker layers name an input by its field, never by a
command-line flag: the web shows the same messages to people who have no command line."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from cli_helpers import run_cli
from evidencelab.locker.case import find_case_root
from evidencelab.locker.errors import InputError, InputErrors, NoCaseHere, each_input_checked

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "evidencelab"
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+")


def _raised_texts(path: Path) -> list[tuple[int, str]]:
    """Every string constant inside a `raise` statement of the file, with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and node.exc is not None:
            for part in ast.walk(node.exc):
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    found.append((part.lineno, part.value))
    return found


def test_no_service_or_locker_error_names_a_command_line_flag() -> None:
    named = [
        f"{path.relative_to(PACKAGE)}:{line}: {text!r}"
        for layer in ("service", "locker")
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        for line, text in _raised_texts(path)
        if FLAG.search(text)
    ]
    assert named == []


def test_an_input_error_reads_by_field_and_the_command_line_names_its_flag(
    tmp_path: Path,
) -> None:
    error = InputError("range_max", 5, "must be positive")
    assert str(error) == "range_max 5: must be positive"
    assert error.naming("--range-max") == "--range-max 5: must be positive"
    case = tmp_path / "case"
    assert run_cli("init", str(case)).returncode == 0
    refused = run_cli("report", "--case", str(case), "--format", "docx")
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "error: --format docx: unknown report format (available: html, pdf)"
    )


def test_every_bad_input_of_a_form_is_named_at_once() -> None:
    def bad(field: str) -> float:
        raise InputError(field, "x", "not a number")

    with pytest.raises(InputErrors) as raised:
        each_input_checked(lambda: 1.0, lambda: bad("lat"), lambda: bad("lon"))
    assert [e.field for e in raised.value.errors] == ["lat", "lon"]
    assert str(raised.value) == "lat x: not a number; lon x: not a number"
    with pytest.raises(InputError, match=r"^lat x"):  # one alone stays itself
        each_input_checked(lambda: bad("lat"))
    assert each_input_checked(lambda: 1.0, lambda: 2.0) == (1.0, 2.0)


def test_no_case_here_is_named_by_the_locker_and_the_command_line_says_what_to_do(
    tmp_path: Path,
) -> None:
    with pytest.raises(NoCaseHere) as raised:
        find_case_root(tmp_path)
    assert str(raised.value) == f"{tmp_path}: not inside a case (no case.sqlite here or above)"
    refused = run_cli("summary", cwd=tmp_path)
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        f"error: {tmp_path}: not inside a case (no case.sqlite here or above);"
        " run `evidencelab init DIR` or pass --case DIR"
    )
