"""Read and write case files in the format `evidencelab/case@1` (docs/case-file-format.md).

Loading goes: read the file, parse YAML (safe loader) or JSON, reduce to plain JSON data,
check the format name, validate against the published schema, build the objects, check
references. Any problem raises `CaseFileError` with one line per problem, naming the file.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from evidencelab.model.case import CASE_FORMAT, CaseFile
from evidencelab.model.checks import reference_problems, warnings
from evidencelab.model.codec import case_file_from_json, case_file_to_json
from evidencelab.model.errors import CaseFileError, Location, Problem
from evidencelab.model.jsondata import TooManyValuesError, read_int, to_json_data
from evidencelab.model.schema import schema_problems

TextFormat = Literal["yaml", "json"]

# Case files describe evidence, they do not contain it; anything larger is a mistake.
MAX_CASE_FILE_BYTES = 32 * 1024 * 1024

_EXTENSIONS: dict[str, TextFormat] = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def load_case_file(path: Path | str) -> CaseFile:
    """Read and validate the case file at `path` (`.yaml`, `.yml` or `.json`).

    Errors name the file as given in `path`.
    """
    origin = str(path)
    fmt = _EXTENSIONS.get(Path(path).suffix.lower())
    if fmt is None:
        raise _error(origin, f"unsupported file type; use {', '.join(_EXTENSIONS)}")
    return load_case_text(_read_text(Path(path), origin), fmt, origin=origin)


def load_case_text(text: str, fmt: TextFormat, *, origin: str) -> CaseFile:
    """Parse and validate case file text in `fmt`; `origin` names it in errors."""
    data = _parse_yaml(text, origin) if fmt == "yaml" else _parse_json(text, origin)
    if data is None:
        raise _error(origin, "file is empty")
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        raise _error(
            origin, f"top level must be a mapping of fields (format, title, …), not {kind}"
        )
    return case_file_from_dict(data, origin=origin)


def case_file_from_dict(data: Mapping[str, Any], *, origin: str) -> CaseFile:
    """Validate parsed case file data and build the `CaseFile`.

    `data` is what a YAML or JSON parser returned; YAML timestamps are accepted.
    """
    problems: list[Problem] = []
    try:
        document = to_json_data(dict(data), problems)
    except TooManyValuesError:
        raise _error(origin, "too many values (are YAML aliases nested?)") from None
    except RecursionError:
        raise _error(origin, "nested too deeply") from None
    if problems:
        raise CaseFileError(origin, problems)
    fmt = document.get("format")
    if fmt is None:
        raise _error(origin, f"missing required field 'format' (expected '{CASE_FORMAT}')")
    if fmt != CASE_FORMAT:
        raise _error(origin, f"unsupported format {fmt!r}; expected '{CASE_FORMAT}'", ("format",))
    invalid = schema_problems(document)
    if invalid:
        raise CaseFileError(origin, invalid)
    case = case_file_from_json(document)
    unresolved = reference_problems(case)
    if unresolved:
        raise CaseFileError(origin, unresolved)
    return case


# Each round leaves out what the last one found wrong; a part left out can leave its
# parent incomplete (a casualty report without its required scope), found in the next.
SALVAGE_ROUNDS = 20


def salvage_case_file(data: Mapping[str, Any], *, origin: str) -> tuple[CaseFile, list[Problem]]:
    """The case file with every part that fails validation left out, and what was left
    out: for reading a case whose database holds a row written outside the software, so
    that one bad row shows as a problem instead of making the whole case unreadable.

    Problems of the whole document (no location) cannot be left out and are raised.
    """
    document = copy.deepcopy(dict(data))
    left_out: list[Problem] = []
    for _round in range(SALVAGE_ROUNDS):
        try:
            return case_file_from_dict(document, origin=origin), left_out
        except CaseFileError as error:
            if not error.problems or any(not p.location for p in error.problems):
                raise
            for problem in sorted(error.problems, key=Problem.sort_key, reverse=True):
                _remove(document, problem.location)
            left_out.extend(error.problems)
    return case_file_from_dict(document, origin=origin), left_out


def _remove(document: Any, location: Location) -> None:
    """Delete the part of ``document`` at ``location``, if it is still there."""
    parent = document
    for part in location[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return
    last = location[-1]
    if isinstance(parent, dict):
        parent.pop(last, None)
    elif isinstance(parent, list) and isinstance(last, int) and 0 <= last < len(parent):
        parent.pop(last)


def case_file_warnings(case: CaseFile, *, origin: str) -> list[str]:
    """One line per thing that loaded but deserves a look (a time without UTC offset, an
    unknown field that looks like a misspelt one), in the style of the error lines."""
    return [p.render(origin) for p in sorted(warnings(case), key=Problem.sort_key)]


def case_file_to_dict(case: CaseFile) -> dict[str, Any]:
    """The case as plain JSON data in canonical key order, unknown fields included."""
    return case_file_to_json(case)


def dump_case_file(case: CaseFile, fmt: TextFormat = "yaml") -> str:
    """The case as YAML or JSON text that `load_case_text` reads back unchanged."""
    data = case_file_to_json(case)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    from evidencelab.model.yaml_text import dump_yaml

    return dump_yaml(data)


def _read_text(path: Path, origin: str) -> str:
    try:
        if path.stat().st_size > MAX_CASE_FILE_BYTES:
            raise _error(origin, f"file is larger than {MAX_CASE_FILE_BYTES // 2**20} MiB")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise _error(origin, "file not found") from None
    except IsADirectoryError:
        raise _error(origin, "is a folder, not a file") from None
    except PermissionError:
        raise _error(origin, "cannot read file: permission denied") from None
    except OSError as exc:
        raise _error(origin, f"cannot read file: {exc.strerror or exc}") from None
    try:
        # utf-8-sig: tolerate the byte-order mark some Windows editors write.
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _error(origin, f"not UTF-8 text (invalid byte at offset {exc.start})") from None


def _parse_json(text: str, origin: str) -> Any:
    def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise _error(origin, f"JSON error: field '{repeated[0]}' appears twice in one object")
        return dict(pairs)

    try:
        return json.loads(text, object_pairs_hook=unique_keys, parse_int=read_int)
    except json.JSONDecodeError as exc:
        raise _error(
            origin, f"line {exc.lineno}, column {exc.colno}: JSON syntax error: {exc.msg}"
        ) from None
    except RecursionError:
        raise _error(origin, "JSON nested too deeply") from None


def _parse_yaml(text: str, origin: str) -> Any:
    # PyYAML is loaded for YAML text only: reading a case from its database needs none.
    from evidencelab.model.yaml_text import parse_yaml

    return parse_yaml(text, origin)


def _error(origin: str, message: str, location: Location = ()) -> CaseFileError:
    return CaseFileError(origin, [Problem(location, message)])
