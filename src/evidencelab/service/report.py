"""Gather what the report shows from a case, and write the report."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from sqlalchemy import select

from evidencelab import __version__
from evidencelab.analysis.casualties import incident_casualties_for_case
from evidencelab.case import Case
from evidencelab.locker.custody import read_head
from evidencelab.publish.html_report import render_report
from evidencelab.service.casefile import export_case, sha256_text
from evidencelab.service.incidents import case_summary, casualties_record, chronological
from evidencelab.store.atomic import write_text_atomic
from evidencelab.store.tables import EvidenceItem

LIBRARIES = ("pdqhash", "pillow", "pi-heif", "av", "sqlalchemy", "jinja2")


def _library_versions() -> dict[str, str]:
    found = {"evidencelab": __version__}
    for name in LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def _times(start: datetime | None) -> dict[str, str] | None:
    if start is None:
        return None
    local = start.isoformat(sep=" ", timespec="minutes")
    if start.tzinfo is None:
        return {"local": local, "utc": "unknown (no UTC offset recorded)"}
    utc = start.astimezone(UTC).isoformat(sep=" ", timespec="minutes").replace("+00:00", " UTC")
    return {"local": local, "utc": utc}


def report_context(case: Case) -> dict[str, Any]:
    """Everything the report shows, as plain values."""
    case_file = export_case(case)
    figures = incident_casualties_for_case(case_file)
    sources = {s.id: s for s in case_file.sources}
    with case.sessions() as session:
        items = {e.id: e for e in session.scalars(select(EvidenceItem))}
        evidence = []
        for entry in case_file.evidence:
            item = items[entry.id]
            thumbs = [d for d in item.derivatives if d.role in ("thumbnail", "poster")]
            thumbnail = None
            if thumbs:
                data = case.objects.path(thumbs[0].sha256).read_bytes()
                thumbnail = "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")
            meta = item.metadata_normalised
            evidence.append(
                {
                    "id": item.id,
                    "name": item.original_name,
                    "kind": item.kind,
                    "sha256": item.sha256,
                    "size_bytes": item.size_bytes,
                    "source": entry.source,
                    "collected_at": entry.collected_at.isoformat() if entry.collected_at else None,
                    "acquisitions": len(item.acquisitions),
                    "first_ingested_at": item.first_ingested_at,
                    "captured_at": meta.get("captured_at"),
                    "gps": meta.get("gps"),
                    "camera": " ".join(x for x in (meta.get("make"), meta.get("model")) if x),
                    "illustrative": bool(entry.extra.get("illustrative")),
                    "errors": [e["message"] for e in item.extraction_errors],
                    "thumbnail": thumbnail,
                }
            )
        exiftool_version = next(
            (
                str(i.metadata_raw["ExifTool:ExifToolVersion"])
                for i in items.values()
                if "ExifTool:ExifToolVersion" in i.metadata_raw
            ),
            None,
        )
    evidence_by_id = {e["id"]: e for e in evidence}
    incidents = [
        {
            "incident": incident,
            "times": _times(incident.time.start if incident.time else None),
            "figures": casualties_record(figures[incident.id]),
            "reports": [
                {"report": r, "source": sources.get(r.source or "")} for r in incident.casualties
            ],
            "evidence": [evidence_by_id[e] for e in incident.evidence if e in evidence_by_id],
        }
        for incident in chronological(case_file.incidents)
    ]
    head = read_head(case.head_path)
    tools = _library_versions()
    if exiftool_version:
        tools["ExifTool"] = exiftool_version
    return {
        "title": case_file.title,
        "summary": case_summary(case, case_file),
        "incidents": incidents,
        "sources": case_file.sources,
        "evidence": evidence,
        "any_illustrative": any(e["illustrative"] for e in evidence),
        "head": head,
        "tools": tools,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def write_report(case: Case, out: Path) -> Path:
    """Render the report, write it atomically (temporary file, fsync, rename), log it."""
    html = render_report(report_context(case))
    write_text_atomic(out, html)
    with case.transaction() as session:
        case.record(session, "report", None, {"file": out.name, "sha256": sha256_text(html)})
    return out
