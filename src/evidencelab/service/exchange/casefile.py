"""Import a case file into a case, and export a case as a case file.

Both directions go through the format's plain JSON form (``evidencelab.model.codec``), so
every field the format defines, and every field it does not, survives the round trip.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from evidencelab.analysis.context.kinds import KIND_CATEGORY
from evidencelab.assess.claims import PREDICATES
from evidencelab.locker.case import Case
from evidencelab.locker.ingest import (
    IngestOutcome,
    IngestRequest,
    discard_unreferenced,
    preserve,
    register,
)
from evidencelab.model.case import CaseFile
from evidencelab.model.casefile import (
    case_file_to_dict,
    load_case_file,
)
from evidencelab.model.errors import CaseFileError, Problem
from evidencelab.service.claims import insert_claim, list_claims
from evidencelab.service.context.manual import insert_context_object
from evidencelab.service.context.manual_records import manual_objects
from evidencelab.service.evidence.sensitivity_file import (
    import_sensitivity,
    sensitivity_problems,
)
from evidencelab.service.evidence.sources import upsert_source
from evidencelab.service.evidence.status import import_status
from evidencelab.service.exchange.records import CaseFileImport, ImportCounts
from evidencelab.service.imagery.case_file import (
    annotation_file_records,
    annotation_problem,
    import_annotation,
    import_scene_facts,
    scene_fact_conflicts,
)
from evidencelab.service.intake import checks_step, scenes_step, stored_ids
from evidencelab.service.reading import require_whole
from evidencelab.service.verification.checks import summarise_checks
from evidencelab.service.verification.geolocation import (
    import_geolocation,
)
from evidencelab.store.objects import sha256_file
from evidencelab.store.tables import (
    CaseInfo,
    CasualtyReportRow,
    EvidenceItem,
    Incident,
    IncidentEvidence,
    Source,
)

JsonObject = dict[str, Any]
#: The case's objects, claims and annotations by id, read before an import.
_Stored = dict[str, dict[str | int, Mapping[str, Any]]]

# Evidence keys that map to locker fields; the rest of an entry is kept as `extra`.
_EVIDENCE_KEYS = {
    "id",
    "path",
    "kind",
    "source",
    "url",
    "collected_at",
    "collector",
    "note",
    "sensitive",
    "sha256",
    "status",
    "geolocations",
    "scene",
    "flags",
    "clearance",
    "reviewed_by",
}
_INCIDENT_KEYS = {
    "id",
    "title",
    "time",
    "place",
    "weapon",
    "objects_hit",
    "military_objective",
    "casualties",
    "evidence",
    "notes",
    "geolocations",
}
_REPORT_KEYS = {"source", "scope", "civilian", "killed", "injured"}
# Top-level lists stored in tables of their own; the rest of the top level is case info.
_CASE_LISTS = {
    "format",
    "title",
    "sources",
    "evidence",
    "incidents",
    "objects",
    "claims",
    "annotations",
}
_OBJECT_KEYS = ("id", "kinds", "name", "lat", "lon", "geometry", "basis", "source")
_CLAIM_KEYS = ("id", "claimant", "made_at", "text", "predicate", "source")
_ANNOTATION_KEYS = ("id", "scene", "kind", "geometry", "diameter_m", "note", "author", "created_at")


def import_case_file(
    case: Case, path: Path, *, progress: Callable[[IngestOutcome], None] | None = None
) -> CaseFileImport:
    """Read, validate and import a case file; ingest the evidence files it names.

    What the file itself can show is checked before anything is written: schema,
    references, that each evidence file is a regular file inside the case file's folder
    reached without a symbolic link, and that it matches its ``sha256`` when one is given;
    and, from each file's SHA-256, that no evidence id already names other bytes and no
    file is already stored under another id (so each file is read twice: once for these
    checks, once to preserve it). Re-importing the same file changes no record; the custody
    log notes the import again. Objects, claims and scene annotations are added once; a
    file that changes one already in the case, or states a scene fact (acquisition time,
    licence, …) other than the one set in the case, is refused before anything is written.
    Geolocations, reviews, statuses, scene facts, sensitivity flags, clearances for
    publication and "reviewed by" notes the case lacks are added (a flag the file lacks is
    not removed).

    The import is one unit: the evidence files are copied into the object store first
    (``progress`` is called as each is done), then every row and custody event of the
    import is written in one transaction. If any file cannot be read or recorded (or
    changed since it was checked), nothing is committed and the objects this import
    copied that nothing references are removed again.
    """
    document = case_file_to_dict(load_case_file(path))
    with case.sessions() as session:
        stored: _Stored = {
            "objects": {o["id"]: o for o in manual_objects(case)},
            "claims": {c["id"]: c for c in list_claims(case)},
            "annotations": {a["id"]: a for a in annotation_file_records(session)},
        }
        scene_problems = _scene_conflicts(session, document)
    problems = _conflicts(stored, document) + scene_problems + _rule_problems(document)
    if problems:
        raise CaseFileError(str(path), problems)
    requests, hashes = _evidence_requests(path, document)
    with case.sessions() as session:
        clashes = _evidence_clashes(session, document, hashes)
    if clashes:
        raise CaseFileError(str(path), clashes)
    preserved = preserve(case, requests, progress=progress)
    try:
        with case.transaction() as session:
            # Sources first: evidence rows and acquisitions refer to them.
            sources = [upsert_source(session, d) for d in document.get("sources", [])]
            outcomes = register(case, session, preserved, skip_identical_acquisition=True)
            _refuse_failed(path, requests, outcomes)
            result = _import_records(case, session, path, document, stored, sources, outcomes)
            scenes_step(case, session, stored_ids(outcomes))
    except BaseException:
        # Best effort: an object left behind is only noted by verify, and adopted by the
        # next import of the same file.
        with contextlib.suppress(OSError, SQLAlchemyError):
            discard_unreferenced(case, preserved)
        raise
    return {**result, "checks": summarise_checks(checks_step(case, stored_ids(outcomes)))}


def _refuse_failed(
    path: Path, requests: Sequence[IngestRequest], outcomes: Sequence[IngestOutcome]
) -> None:
    """Raise, so that the import's transaction is rolled back, if any file failed (the
    requests are the case file's evidence entries, in order)."""
    problems = [
        Problem(("evidence", index, "path"), f"{request.case_path}: {outcome.message}")
        for index, (request, outcome) in enumerate(zip(requests, outcomes, strict=True))
        if outcome.status == "failed"
    ]
    if problems:
        raise CaseFileError(str(path), problems)


def _import_records(
    case: Case,
    session: Session,
    path: Path,
    document: JsonObject,
    stored: _Stored,
    sources: list[str],
    outcomes: Sequence[IngestOutcome],
) -> ImportCounts:
    """Everything of the case file but its sources and evidence files, in the import's
    transaction, and the import's custody event."""
    incidents = [_upsert_incident(session, d) for d in document.get("incidents", [])]
    _import_objects_and_claims(case, session, document, stored)
    _import_verification(case, session, document)
    _import_imagery(case, session, document)
    case.record(
        session,
        "import",
        None,
        {
            "file": path.name,
            "sha256": sha256_file(path),
            "title": document.get("title"),
            "sources": sources,
            "evidence": [o.evidence_id for o in outcomes],
            "incidents": incidents,
        },
    )
    _set_case_title(session, document)
    return {
        "file": str(path),
        "sources": len(sources),
        "evidence": {
            "new": sum(o.status == "new" for o in outcomes),
            "acquired": sum(o.status == "acquired" for o in outcomes),
            "unchanged": sum(o.status == "unchanged" for o in outcomes),
        },
        "incidents": len(incidents),
    }


def _evidence_requests(
    path: Path, document: JsonObject
) -> tuple[list[IngestRequest], dict[int, str]]:
    """The ingest requests, and each evidence entry's file SHA-256 by entry index."""
    folder = path.parent
    problems: list[Problem] = []
    requests: list[IngestRequest] = []
    hashes: dict[int, str] = {}
    for index, entry in enumerate(document.get("evidence", [])):
        where = ("evidence", index, "path")
        relative = entry.get("path")
        if relative is None:
            problems.append(Problem(where, "missing: evidence without a file cannot be imported"))
            continue
        problem = _evidence_path_problem(folder, relative)
        file = folder / PurePosixPath(relative)
        if problem is None:
            try:
                hashes[index] = sha256_file(file)
            except OSError as error:
                problem = f"{relative}: cannot read ({error.strerror or error})"
        if problem is not None:
            problems.append(Problem(where, problem))
            continue
        expected = entry.get("sha256")
        if expected is not None and hashes[index] != expected:
            problems.append(Problem(where, f"{relative} does not match its sha256 {expected}"))
            continue
        requests.append(
            IngestRequest(
                path=file,
                evidence_id=entry["id"],
                case_path=relative,
                kind=entry.get("kind"),
                source_id=entry.get("source"),
                url=entry.get("url"),
                collector=entry.get("collector"),
                collected_at=entry.get("collected_at"),
                note=entry.get("note"),
                sensitive=bool(entry.get("sensitive", False)),
                extra={k: v for k, v in entry.items() if k not in _EVIDENCE_KEYS},
                expected_sha256=hashes[index],
            )
        )
    if problems:
        raise CaseFileError(str(path), problems)
    return requests, hashes


def _evidence_path_problem(folder: Path, relative: str) -> str | None:
    """Why the evidence file ``relative`` (as the case file gives it) cannot be imported
    from ``folder``, or None.

    A case file may come from someone else: a symbolic link anywhere below its folder
    could pull any file of this machine (``/etc/passwd``, another case's evidence) into
    the case, its bundle and its report, so the path must reach a regular file through
    real folders only, and stay inside the folder.
    """
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts:
        return "must be a relative path inside the case file's folder"
    reached = PurePosixPath()
    for part in pure.parts:
        reached /= part
        if (folder / reached).is_symlink():
            where = "is" if reached == pure else f"passes through {reached}, which is"
            return (
                f"{relative}: {where} a symbolic link; evidence must be a file "
                "inside the case file's folder, not a link"
            )
    file = folder / pure
    if not file.exists():
        return f"file not found: {relative}"
    if not file.is_file():
        return f"{relative}: not a regular file"
    if not file.resolve().is_relative_to(folder.resolve()):
        return f"{relative}: resolves outside the case file's folder"
    return None


def _evidence_clashes(
    session: Session, document: JsonObject, hashes: dict[int, str]
) -> list[Problem]:
    """Evidence entries whose id already names other bytes in the case (or in this file),
    or whose bytes are already stored (or listed here) under another id."""
    entries = document.get("evidence", [])
    ids = [entries[i]["id"] for i in hashes]
    stored_sha = dict(
        session.execute(
            select(EvidenceItem.id, EvidenceItem.sha256).where(EvidenceItem.id.in_(ids))
        ).all()
    )
    stored_id = dict(
        session.execute(
            select(EvidenceItem.sha256, EvidenceItem.id).where(
                EvidenceItem.sha256.in_(set(hashes.values()))
            )
        ).all()
    )
    problems: list[Problem] = []
    for index, sha in hashes.items():
        evidence_id = entries[index]["id"]
        where = ("evidence", index, "path")
        known_sha = stored_sha.setdefault(evidence_id, sha)
        known_id = stored_id.setdefault(sha, evidence_id)
        if known_sha != sha:
            problems.append(
                Problem(
                    where,
                    f"evidence id {evidence_id!r} already names other bytes ({known_sha[:12]}…)",
                )
            )
        elif known_id != evidence_id:
            problems.append(
                Problem(
                    where, f"these bytes are already evidence {known_id!r}, not {evidence_id!r}"
                )
            )
    return problems


def _report_fields(r: CasualtyReportRow) -> tuple[Any, ...]:
    return (r.position, r.source_id, r.scope, r.civilian, r.killed, r.injured, r.extra)


def _upsert_incident(session: Session, d: JsonObject) -> str:
    row = session.get(Incident, d["id"]) or Incident(
        id=d["id"], position=_next_position(session, Incident)
    )
    row.title = d.get("title")
    row.time = d.get("time")
    row.time_start = _utc_sort_key((d.get("time") or {}).get("start"))
    row.place = d.get("place")
    row.weapon = d.get("weapon")
    row.objects_hit = list(d.get("objects_hit", []))
    row.military_objective = d.get("military_objective")
    row.notes = d.get("notes")
    row.extra = {k: v for k, v in d.items() if k not in _INCIDENT_KEYS}
    reports = [
        CasualtyReportRow(
            position=position,
            source_id=report.get("source"),
            scope=report["scope"],
            civilian=report.get("civilian", True),
            killed=report.get("killed"),
            injured=report.get("injured"),
            extra={k: v for k, v in report.items() if k not in _REPORT_KEYS},
        )
        for position, report in enumerate(d.get("casualties", []))
    ]
    links = [
        IncidentEvidence(evidence_id=evidence_id, position=position)
        for position, evidence_id in enumerate(d.get("evidence", []))
    ]
    # Replaced only when they differ: rewriting equal rows would log them as changed.
    if [_report_fields(r) for r in row.casualty_reports] != [_report_fields(r) for r in reports]:
        row.casualty_reports = reports
    if [(k.evidence_id, k.position) for k in row.evidence_links] != [
        (k.evidence_id, k.position) for k in links
    ]:
        row.evidence_links = links
    session.merge(row)
    return str(d["id"])


def _conflicts(stored: _Stored, document: JsonObject) -> list[Problem]:
    """Objects and claims of the file that differ from those of the same id in the case."""
    problems = []
    for name, keys in (
        ("objects", _OBJECT_KEYS),
        ("claims", _CLAIM_KEYS),
        ("annotations", _ANNOTATION_KEYS),
    ):
        for index, entry in enumerate(document.get(name, [])):
            existing = stored[name].get(entry["id"])
            if existing is not None and _values(entry, keys) != _values(existing, keys):
                problems.append(
                    Problem(
                        (name, index),
                        f"differs from {name[:-1]} '{entry['id']}' already in the case",
                    )
                )
    return problems


def _scene_conflicts(session: Session, document: JsonObject) -> list[Problem]:
    """Scene facts of the file that differ from those set on the same scene in the case."""
    problems = []
    for index, entry in enumerate(document.get("evidence", [])):
        if entry.get("scene") is None:
            continue
        problems += [
            Problem(
                ("evidence", index, "scene", key),
                f"differs from the {key.replace('_', ' ')} set on scene '{entry['id']}' "
                "in the case",
            )
            for key in scene_fact_conflicts(session, entry["id"], entry["scene"])
        ]
    return problems


def _rule_problems(document: JsonObject) -> list[Problem]:
    """What the services would refuse, found before anything is written: unknown context
    kinds and claim predicates, and geolocations reviewed by their own author."""
    problems = []
    for index, entry in enumerate(document.get("objects", [])):
        problems += [
            Problem(("objects", index, "kinds"), f"unknown kind '{kind}'")
            for kind in entry["kinds"]
            if kind not in KIND_CATEGORY
        ]
    for index, entry in enumerate(document.get("claims", [])):
        predicate = entry.get("predicate")
        if predicate is not None and predicate not in PREDICATES:
            problems.append(
                Problem(
                    ("claims", index, "predicate"),
                    f"unknown predicate '{predicate}' (known: {', '.join(PREDICATES)})",
                )
            )
    for index, entry in enumerate(document.get("evidence", [])):
        problems += sensitivity_problems(entry, ("evidence", index))
    for index, entry in enumerate(document.get("annotations", [])):
        problem = annotation_problem(entry)
        if problem is not None:
            problems.append(Problem(("annotations", index, "geometry"), problem))
    for name in ("evidence", "incidents"):
        for index, entry in enumerate(document.get(name, [])):
            for k, geolocation in enumerate(entry.get("geolocations", [])):
                reviewer = (geolocation.get("review") or {}).get("by")
                if reviewer is not None and reviewer == geolocation.get("author"):
                    problems.append(
                        Problem(
                            (name, index, "geolocations", k, "review", "by"),
                            f"{reviewer} made this geolocation and cannot review it",
                        )
                    )
    return problems


def _values(record: Mapping[str, Any], keys: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(record.get(k) for k in keys)


def _import_objects_and_claims(
    case: Case, session: Session, document: JsonObject, stored: _Stored
) -> None:
    for d in document.get("objects", []):
        if d["id"] not in stored["objects"]:
            insert_context_object(
                case,
                session,
                kinds=d["kinds"],
                name=d.get("name"),
                basis=d["basis"],
                lat=d.get("lat"),
                lon=d.get("lon"),
                geometry=d.get("geometry"),
                source=d.get("source"),
                object_id=d["id"],
                extra={k: v for k, v in d.items() if k not in _OBJECT_KEYS},
            )
    for d in document.get("claims", []):
        if d["id"] not in stored["claims"]:
            insert_claim(
                case,
                session,
                claimant=d["claimant"],
                text=d["text"],
                predicate=d.get("predicate"),
                made_at=d.get("made_at"),
                source=d.get("source"),
                claim_id=d["id"],
                extra={k: v for k, v in d.items() if k not in _CLAIM_KEYS},
            )


def _import_verification(case: Case, session: Session, document: JsonObject) -> None:
    """Statuses, geolocations, reviews and the safeguards around graphic content (flags,
    clearances, review notes); the services record only what is new."""
    for d in document.get("evidence", []):
        if d.get("status") is not None:
            import_status(case, session, d["id"], d["status"])
        import_sensitivity(case, session, d["id"], d)
        for geolocation in d.get("geolocations", []):
            import_geolocation(case, session, geolocation, evidence_id=d["id"])
    for d in document.get("incidents", []):
        for geolocation in d.get("geolocations", []):
            import_geolocation(case, session, geolocation, incident_id=d["id"])


def _import_imagery(case: Case, session: Session, document: JsonObject) -> None:
    """Scene facts and annotations; the service records only what is new."""
    session.flush()  # the incidents' evidence lists first: scenes link to what is missing
    for d in document.get("evidence", []):
        if d.get("scene") is not None:
            import_scene_facts(case, session, d["id"], d["scene"])
    for d in document.get("annotations", []):
        import_annotation(case, session, d)


def _next_position(session: Session, table: type[Source] | type[Incident]) -> int:
    session.flush()
    return int(session.scalar(select(func.count()).select_from(table)) or 0)


def _utc_sort_key(start: str | None) -> str | None:
    """The start time in UTC, so incidents in different time zones order correctly."""
    if start is None:
        return None
    moment = datetime.fromisoformat(start)
    return (moment.astimezone(UTC) if moment.tzinfo else moment).isoformat()


def _set_case_title(session: Session, document: JsonObject) -> None:
    info = session.get(CaseInfo, 1) or CaseInfo(id=1)
    info.title = document.get("title")
    info.extra = {k: v for k, v in document.items() if k not in _CASE_LISTS}
    session.merge(info)


def export_case(case: Case) -> CaseFile:
    """The case as a case file: every source, evidence item and incident, the context
    objects added by hand and the claims. Raises CaseFileError when a record in the
    database is not valid (written outside the software): an export must be whole."""
    return require_whole(case)
