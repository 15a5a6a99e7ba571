"""Checks a schema cannot express: references between parts of a case, unique ids,
consistent ranges and times, safe evidence paths; and warnings that do not stop a load."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from evidencelab.model.case import CaseFile, EvidenceEntry
from evidencelab.model.casualty import KNOWN_BREAKDOWNS, CasualtyReport, Count
from evidencelab.model.errors import Location, Problem, format_location
from evidencelab.model.incident import TimeInterval
from evidencelab.model.sensitivity import FLAGS


def reference_problems(case: CaseFile) -> list[Problem]:
    """Problems with ids, references, count ranges and breakdowns, time order and evidence
    paths."""
    problems: list[Problem] = []
    for name, items in (
        ("sources", case.sources),
        ("evidence", case.evidence),
        ("incidents", case.incidents),
        ("objects", case.objects),
        ("claims", case.claims),
        ("annotations", case.annotations),
    ):
        problems += _duplicate_ids(name, [str(item.id) for item in items])
    source_ids = {s.id for s in case.sources}
    evidence_ids = {e.id for e in case.evidence}
    for i, entry in enumerate(case.evidence):
        at: Location = ("evidence", i)
        if entry.source is not None and entry.source not in source_ids:
            problems.append(_unknown((*at, "source"), "source", entry.source, "sources"))
        if entry.path is not None and not _is_inside_case_folder(entry.path):
            problems.append(
                Problem(
                    (*at, "path"),
                    "must be a relative path inside the case folder, e.g. files/photo.jpg",
                )
            )
        status = entry.status
        if status is not None and status.state != "unverified" and not status.reason:
            problems.append(
                Problem((*at, "status", "reason"), f"required for status '{status.state}'")
            )
        problems += _flag_problems(entry, at)
    for i, incident in enumerate(case.incidents):
        at = ("incidents", i)
        for k, evidence_id in enumerate(incident.evidence):
            if evidence_id not in evidence_ids:
                problems.append(_unknown((*at, "evidence", k), "evidence", evidence_id, "evidence"))
        if incident.time is not None:
            problems += _time_problems(incident.time, (*at, "time"))
        for j, report in enumerate(incident.casualties):
            report_at = (*at, "casualties", j)
            if report.source not in source_ids:
                problems.append(
                    _unknown((*report_at, "source"), "source", report.source, "sources")
                )
            for figure in ("killed", "injured"):
                count = getattr(report, figure)
                if count is not None:
                    problems += _range_problems(count, (*report_at, figure))
    problems += _report_id_problems(case)
    referenced: list[tuple[str, int, str | None]] = [
        ("objects", i, o.source) for i, o in enumerate(case.objects)
    ] + [("claims", i, c.source) for i, c in enumerate(case.claims)]
    problems += [
        _unknown((name, i, "source"), "source", source, "sources")
        for name, i, source in referenced
        if source is not None and source not in source_ids
    ]
    for i, obj in enumerate(case.objects):
        if (obj.lat is None) == (obj.geometry is None):
            problems.append(Problem(("objects", i), "needs either lat and lon or a geometry"))
    kinds = {e.id: e.kind for e in case.evidence}
    for i, annotation in enumerate(case.annotations):
        at = ("annotations", i, "scene")
        if annotation.scene not in kinds:
            problems.append(_unknown(at, "evidence", annotation.scene, "evidence"))
        elif kinds[annotation.scene] != "satellite":
            problems.append(Problem(at, f"evidence '{annotation.scene}' is not of kind satellite"))
    return problems


def warnings(case: CaseFile) -> list[Problem]:
    """Things that load but deserve a look: times without a UTC offset, and unknown field
    names close to a defined one (`precison_m`, `woman`), which may be typing mistakes."""
    found: list[Problem] = []
    for i, incident in enumerate(case.incidents):
        times: list[tuple[Location, datetime | None]] = []
        if incident.time is not None:
            times += [
                (("time", "start"), incident.time.start),
                (("time", "end"), incident.time.end),
            ]
        times += [
            (("casualties", j, "reported_at"), r.reported_at)
            for j, r in enumerate(incident.casualties)
        ]
        found += [
            Problem(("incidents", i, *at), "no UTC offset: kept as a local time of unstated zone")
            for at, value in times
            if value is not None and value.utcoffset() is None
        ]
    for obj, at in _objects(case, ()):
        defined = [f.name for f in dataclasses.fields(obj) if f.name not in ("extra", "breakdowns")]
        unknown = list(obj.extra)
        if isinstance(obj, Count):
            defined += KNOWN_BREAKDOWNS
            unknown += [k for k in obj.breakdowns if k not in KNOWN_BREAKDOWNS]
        for key in unknown:
            close = difflib.get_close_matches(key, defined, n=1, cutoff=0.75)
            if close:
                found.append(
                    Problem((*at, key), f"unknown field kept as is; did you mean '{close[0]}'?")
                )
    return found


def _objects(obj: Any, at: Location) -> Iterator[tuple[Any, Location]]:
    """Every case object under `obj` (itself included), with its location."""
    yield obj, at
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            yield from _objects(value, (*at, f.name))
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                if dataclasses.is_dataclass(item):
                    yield from _objects(item, (*at, f.name, i))


def _duplicate_ids(list_name: str, ids: Sequence[str]) -> list[Problem]:
    problems = []
    first_seen: dict[str, int] = {}
    for i, item_id in enumerate(ids):
        if item_id != item_id.strip():
            # The schema's `$` also matches before a final line break.
            problems.append(Problem((list_name, i, "id"), "must not end with a line break"))
        if item_id in first_seen:
            problems.append(
                Problem(
                    (list_name, i, "id"),
                    f"duplicate id '{item_id}' (also used by {list_name}[{first_seen[item_id]}])",
                )
            )
        first_seen.setdefault(item_id, i)
    return problems


def _flag_problems(entry: EvidenceEntry, at: Location) -> list[Problem]:
    """Flag names outside the vocabulary (model.sensitivity.FLAGS) and flags listed twice,
    each naming the item and the value."""
    named = [((*at, "flags", k, "flag"), f.flag) for k, f in enumerate(entry.flags)]
    if entry.clearance is not None:
        named += [
            ((*at, "clearance", "flags", k), f) for k, f in enumerate(entry.clearance.flags or ())
        ]
    problems = [
        Problem(
            where,
            f"evidence '{entry.id}': '{flag}' is not a sensitivity flag "
            f"(one of: {', '.join(FLAGS)})",
        )
        for where, flag in named
        if flag not in FLAGS
    ]
    seen: set[str] = set()
    for k, f in enumerate(entry.flags):
        if f.flag in seen:
            problems.append(
                Problem(
                    (*at, "flags", k, "flag"), f"evidence '{entry.id}': '{f.flag}' is listed twice"
                )
            )
        seen.add(f.flag)
    return problems


def _unknown(at: Location, what: str, name: str, declared_in: str) -> Problem:
    return Problem(at, f"unknown {what} '{name}'; it must be declared under {declared_in}")


def _is_inside_case_folder(path: str) -> bool:
    posix, windows = PurePosixPath(path), PureWindowsPath(path)
    return not (
        posix.is_absolute()
        or windows.is_absolute()
        or windows.drive
        or ".." in posix.parts
        or ".." in windows.parts
    )


def _time_problems(time: TimeInterval, at: Location) -> list[Problem]:
    if time.end is None:
        return []
    if (time.start.utcoffset() is None) != (time.end.utcoffset() is None):
        return [Problem((*at, "end"), "must have a UTC offset exactly when start has one")]
    if time.end < time.start:
        return [Problem((*at, "end"), "must not be before start")]
    return []


def _report_id_problems(case: CaseFile) -> list[Problem]:
    """Casualty report ids unique across the case; `supersedes` naming an earlier report of
    the same incident and source, never itself, and never in a circle."""
    problems: list[Problem] = []
    first_seen: dict[str, Location] = {}
    for i, incident in enumerate(case.incidents):
        for j, report in enumerate(incident.casualties):
            at: Location = ("incidents", i, "casualties", j, "id")
            if report.id is None:
                continue
            if report.id in first_seen:
                where = format_location(first_seen[report.id][:-1])
                problems.append(
                    Problem(at, f"duplicate casualty report id '{report.id}' (also {where})")
                )
            first_seen.setdefault(report.id, at)
        problems += _supersession_problems(incident.casualties, ("incidents", i, "casualties"))
    return problems


def _supersession_problems(reports: Sequence[CasualtyReport], at: Location) -> list[Problem]:
    by_id: dict[str, CasualtyReport] = {}
    for r in reports:
        if r.id is not None:
            by_id.setdefault(r.id, r)  # a repeated id is reported as such
    problems = []
    for j, report in enumerate(reports):
        named = report.supersedes
        if named is None:
            continue
        where = (*at, j, "supersedes")
        replaced = by_id.get(named)
        if replaced is None:
            message = (
                f"unknown casualty report '{named}'; it must be the id of a report of this incident"
            )
        elif replaced is report:
            message = "a report cannot replace itself"
        elif replaced.source != report.source:
            message = (
                f"report '{named}' is from source '{replaced.source}'; a report can only "
                f"replace one of its own source ('{report.source}')"
            )
        elif _in_circle(report, by_id):
            message = f"replacing '{named}' closes a circle of reports replacing each other"
        else:
            continue
        problems.append(Problem(where, message))
    return problems


def _in_circle(report: CasualtyReport, by_id: dict[str, CasualtyReport]) -> bool:
    """True when following `supersedes` from `report` leads back to it."""
    seen = {id(report)}
    current = by_id.get(report.supersedes or "")
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current = by_id.get(current.supersedes or "")
    return current is report


def _range_problems(count: Count, at: Location) -> list[Problem]:
    problems = []
    if count.min is not None and count.min > count.count:
        problems.append(Problem((*at, "min"), f"must not be more than count ({count.count})"))
    if count.max is not None and count.max < count.count:
        problems.append(Problem((*at, "max"), f"must not be less than count ({count.count})"))
    problems += [
        Problem((*at, group), f"must not be more than count ({count.count})")
        for group, n in count.breakdowns.items()
        if n > count.count
    ]
    return problems
