"""Outputs kept in the case folder: reports, bundles and exports made from the workbench.

Each output is written atomically into ``outputs/`` under the case folder, under a name
that says what it is and which edition (``report-public-20220224T083000Z-1a2b3c4d.pdf``),
and is logged in the custody log by the service that makes it, with the SHA-256 of its
bytes. A file is handed out again only if its bytes still hash to a logged output of the
same kind and edition: a file changed or dropped into the folder by hand is not served.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Literal

from sqlalchemy import select
from typing_extensions import TypedDict

from evidencelab.locker.case import Case
from evidencelab.locker.errors import InputError
from evidencelab.model.errors import CaseFileError
from evidencelab.service.outputs import exports, report
from evidencelab.service.outputs.bundle import write_bundle
from evidencelab.store.atomic import write_text_atomic
from evidencelab.store.objects import sha256_file
from evidencelab.store.tables import CustodyEvent

FOLDER: Final = "outputs"
KINDS: Final = ("report", "bundle", "export")
Kind = Literal["report", "bundle", "export"]

_EXTENSIONS: Final = {"html": "html", "pdf": "pdf", "bundle": "zip", "geojson": "geojson"}
_NAME: Final = re.compile(
    r"^(?P<kind>report|bundle|export)(?:-(?P<export>case|geojson|csv))?-(?P<edition>public|internal)"
    r"-(?P<stamp>\d{8}T\d{6}Z)-[0-9a-f]{8}\.(?P<ext>html|pdf|zip|yaml|json|geojson|csv)$"
)


class OutputRequest(TypedDict):
    """What to make: a report (html, pdf), a bundle, or an export (case, geojson, csv;
    a case file as yaml or json)."""

    kind: Kind
    format: str  # "bundle" for a bundle
    syntax: str  # yaml or json: only a case file export reads it
    public: bool


class OutputRecord(TypedDict):
    """A file in the case's ``outputs/`` folder."""

    name: str
    kind: Kind
    format: str
    public: bool
    bytes: int
    made_at: str  # ISO 8601, UTC, to the second


def check_request(kind: str, fmt: str, syntax: str, public: bool) -> OutputRequest:
    """The request, or the InputError of its first bad field (kind, format, syntax, public)."""
    if kind == "report":
        report.check_format(fmt)
        return {"kind": "report", "format": fmt, "syntax": "yaml", "public": public}
    if kind == "bundle":
        return {"kind": "bundle", "format": "bundle", "syntax": "yaml", "public": public}
    if kind == "export":
        exports.check_export(fmt, syntax, public)
        return {"kind": "export", "format": fmt, "syntax": syntax, "public": public}
    raise InputError("kind", kind, f"unknown output (available: {', '.join(KINDS)})")


def make_output(case: Case, request: OutputRequest) -> OutputRecord:
    """Make the output in the case's ``outputs/`` folder (created when missing) through the
    service of its kind, which logs it; returns the file made."""
    folder = case.root / FOLDER
    folder.mkdir(exist_ok=True)
    out = folder / _file_name(request, datetime.now(UTC))
    if request["kind"] == "report":
        report.write_report(case, out, fmt=request["format"], public=request["public"])
        return _made(out)
    try:
        if request["kind"] == "bundle":
            write_bundle(case, out, public=request["public"])
        else:
            text = exports.export_text(
                case, request["format"], syntax=request["syntax"], public=request["public"]
            )
            write_text_atomic(out, text)
    except CaseFileError as error:  # a record of the case is not valid: nothing leaves
        problems = [line for line in str(error).splitlines() if line]
        raise report.UnreadableRecords(f"no {request['kind']} is written", problems) from error
    return _made(out)


def _made(out: Path) -> OutputRecord:
    record = _record(out)
    assert record is not None, out.name
    return record


def list_outputs(case: Case, *, public_only: bool) -> list[OutputRecord]:
    """The outputs in the case's folder, newest first (only public editions if asked)."""
    folder = case.root / FOLDER
    if not folder.is_dir():
        return []
    records = [r for r in map(_record, folder.iterdir()) if r is not None]
    records = [r for r in records if r["public"] or not public_only]
    return sorted(records, key=lambda r: (r["made_at"], r["name"]), reverse=True)


def output_record(case: Case, name: str) -> OutputRecord:
    """The record of the output called ``name`` (InputError of field ``name`` if none)."""
    path = case.root / FOLDER / name
    record = _record(path) if _NAME.match(name) else None
    if record is None:
        raise InputError("name", name, "no such output")
    return record


def output_file(case: Case, name: str) -> Path:
    """The file of the output called ``name``, if its bytes are those of a logged output of
    the same kind and edition; else InputError (field ``name``)."""
    record = output_record(case, name)
    path = case.root / FOLDER / name
    if not _logged(case, record, sha256_file(path)):
        raise InputError(
            "name", name, "the file does not match any output in the custody log; not served"
        )
    return path


def _file_name(request: OutputRequest, now: datetime) -> str:
    kind, fmt = request["kind"], request["format"]
    stem = f"export-{fmt}" if kind == "export" else kind
    ext = request["syntax"] if fmt == "case" else _EXTENSIONS.get(fmt, fmt)
    edition = "public" if request["public"] else "internal"
    return f"{stem}-{edition}-{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}.{ext}"


def _record(path: Path) -> OutputRecord | None:
    match = _NAME.match(path.name)
    if match is None or not path.is_file():
        return None
    kind, fmt = match["kind"], _format(match)
    if fmt is None:
        return None
    made_at = datetime.strptime(match["stamp"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return {
        "name": path.name,
        "kind": "report" if kind == "report" else "bundle" if kind == "bundle" else "export",
        "format": fmt,
        "public": match["edition"] == "public",
        "bytes": path.stat().st_size,
        "made_at": made_at.isoformat(),
    }


def _format(match: re.Match[str]) -> str | None:
    """The format a well-formed name stands for (None: kind and extension disagree)."""
    kind, export, ext = match["kind"], match["export"], match["ext"]
    if kind == "report":
        return ext if ext in report.FORMATS and not export else None
    if kind == "bundle":
        return "bundle" if ext == "zip" and not export else None
    if export == "case":
        return "case" if ext in ("yaml", "json") else None
    return export if export == ext else None


def _logged(case: Case, record: OutputRecord, digest: str) -> bool:
    """Whether the custody log holds the making of these bytes as this kind and edition."""
    action = "report" if record["kind"] == "report" else "export"
    with case.sessions() as session:
        payloads = session.scalars(
            select(CustodyEvent.payload).where(CustodyEvent.action == action)
        ).all()
    for text in payloads:
        payload = json.loads(text)
        if payload.get("sha256") != digest or payload.get("public") != record["public"]:
            continue
        if record["kind"] == "report" and payload.get("file") == record["name"]:
            return True
        if record["kind"] != "report" and payload.get("format") == record["format"]:
            return True
    return False
