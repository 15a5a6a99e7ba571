"""Metadata consistency checks: a registry of small named checks over plain values.

Each check has a stable code, the most serious severity it reports (``info`` — worth
knowing; ``warning`` — look closer; ``problem`` — the item as presented is contradicted)
and a one-line explanation. A check looks at one evidence item, one incident, or one
item as linked to one incident, and returns zero or more results, each with a one-line
message naming the values compared and the tolerance allowed. Checks are findings about
the material, never verdicts: a capture time can be edited, a camera clock can be wrong.

Like auto-archiver's pluggable steps, which checks run is configurable (``codes``) and
every threshold lives in ``CheckConfig``. New checks join with ``register``.

Times are ISO 8601 text as stored (``captured_at`` may be naive: a wall-clock time in an
unstated zone, see ``extract/normalise.py``). A naive capture time is read in the zone at
the item's GPS position (where the camera was), else in the incident place's zone; a
naive time with neither it could be any instant from 14 h before to 12 h
after its wall-clock value read as UTC (civil offsets run from UTC−12:00 to UTC+14:00),
and a check fires only if every such instant is outside what is allowed.

Distances are geodesics on the WGS 84 ellipsoid (pyproj ``Geod.inv``, Karney 2013).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from evidencelab.verify.credentials import UNTRUSTED, Credentials

Severity = Literal["info", "warning", "problem"]
SEVERITIES: tuple[Severity, ...] = ("info", "warning", "problem")
# An item alone, an incident alone, or an item as linked to an incident.
Scope = Literal["evidence", "incident", "link"]

# Civil UTC offsets run from −12:00 to +14:00 (IANA tz database).
_EARLIEST_OFFSET = timedelta(hours=14)
_LATEST_OFFSET = timedelta(hours=12)


@dataclass(frozen=True, kw_only=True)
class CheckConfig:
    """Tolerances of the checks, each with why it is what it is.

    * ``exact_tolerance``: slack around an incident time given exactly; camera clocks set
      by hand drift by minutes.
    * ``approximate_tolerance``: slack around an incident time marked approximate ("at
      approximately 10.30"); sources round to the half hour or hour.
    * ``aftermath_window``: a capture this long after the incident's end reads as aftermath
      footage (info); later than that, a warning.
    * ``collection_tolerance``: slack before a capture time later than the collection or
      publication of the same file is reported.
    * ``default_gps_error_m``: GPS error assumed when the file states none
      (``GPSHPositioningError``). Phones are typically within 4.9 m under open sky
      (gps.gov, "GPS Accuracy"); streets of tall buildings degrade that by an order of
      magnitude, so 50 m.
    * ``default_place_precision_m``: precision assumed for an incident place given without
      ``precision_m``.
    * ``sun_margin``: slack added to each time window of a shadow finding.
    * ``gps_time_tolerance``: difference between the capture time and the GPS fix time
      allowed before it is reported; the same 120 s within which the metadata
      normalisation takes the two clocks to describe one moment (``extract/normalise.py``).
    """

    exact_tolerance: timedelta = timedelta(minutes=10)
    approximate_tolerance: timedelta = timedelta(hours=1)
    aftermath_window: timedelta = timedelta(hours=48)
    collection_tolerance: timedelta = timedelta(minutes=10)
    default_gps_error_m: float = 50.0
    default_place_precision_m: float = 1000.0
    sun_margin: timedelta = timedelta(minutes=10)
    gps_time_tolerance: timedelta = timedelta(seconds=120)


DEFAULT_CONFIG = CheckConfig()


@dataclass(frozen=True)
class ShadowFinding:
    """Time windows of a stored shadow finding (``chronolocation.shadow_times``).

    ``windows`` are ``(start, end)`` ISO 8601 local times with offset on ``date``
    (YYYY-MM-DD) in ``zone`` (IANA), when the measured shadow fits the sun.
    """

    finding_id: int
    date: str
    zone: str
    windows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Appearance:
    """A time at which a copy of an item was seen: ``label`` says what kind of time.

    ``evidence_id`` is the copy (a near-duplicate, or the item itself); ``distance_bits``
    the PDQ distance to the item (None for the item itself).
    """

    evidence_id: str
    time: str
    label: str
    distance_bits: int | None = None


@dataclass(frozen=True, kw_only=True)
class EvidenceFacts:
    """What the checks read about one evidence item.

    ``media`` is ``image``, ``video`` or None (not a picture). ``software`` holds
    ``(tag, value)`` pairs from ExifTool's Software, ProcessingSoftware, CreatorTool and
    HistorySoftwareAgent tags and ffprobe's encoder. ``camera`` is true when the metadata
    names a make or model; ``make`` and ``model`` are their text. ``copies`` are appearances
    of the item and its near-duplicates. ``zone`` is the IANA time zone at its GPS position,
    None without one. ``gps_time`` is the UTC time of the GPS fix (``GPSDateStamp`` +
    ``GPSTimeStamp``); ``captured_at_offset_source`` the tag the capture time's UTC offset
    came from (the GPS fix time itself when it was inferred from it).
    """

    id: str
    media: str | None = None
    captured_at: str | None = None
    captured_at_source: str | None = None
    captured_at_offset_source: str | None = None
    gps_time: str | None = None
    gps: tuple[float, float] | None = None
    gps_error_m: float | None = None
    camera: bool = False
    make: str | None = None
    model: str | None = None
    software: tuple[tuple[str, str], ...] = ()
    collected_at: tuple[str, ...] = ()
    published_at: str | None = None
    shadows: tuple[ShadowFinding, ...] = ()
    copies: tuple[Appearance, ...] = ()
    zone: str | None = None
    credentials: Credentials | None = None  # C2PA; None when not read


@dataclass(frozen=True, kw_only=True)
class IncidentFacts:
    """What the checks read about one incident: its time interval and place.

    ``zone`` is the IANA time zone at the place (for naive times), None when unknown.
    """

    id: str
    start: str | None = None
    end: str | None = None
    approximate: bool = False
    lat: float | None = None
    lon: float | None = None
    precision_m: float | None = None
    zone: str | None = None


@dataclass(frozen=True)
class CheckResult:
    """One thing a check found."""

    check: str
    severity: Severity
    evidence: str | None
    incident: str | None
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "severity": self.severity,
            "evidence": self.evidence,
            "incident": self.incident,
            "message": self.message,
            "details": self.details,
        }


@dataclass(frozen=True)
class Subject:
    """What one check run looks at: an item, an incident, or an item linked to an incident."""

    evidence: EvidenceFacts | None
    incident: IncidentFacts | None

    def result(
        self, check: Check, message: str, *, severity: Severity | None = None, **details: Any
    ) -> CheckResult:
        return CheckResult(
            check.code,
            severity or check.severity,
            self.evidence.id if self.evidence else None,
            self.incident.id if self.incident else None,
            message,
            details,
        )


CheckFunction = Callable[["Check", Subject, CheckConfig], list[CheckResult]]


@dataclass(frozen=True)
class Check:
    """A named check: its code, worst severity, explanation, scopes and function."""

    code: str
    severity: Severity
    explanation: str
    scopes: frozenset[Scope]
    function: CheckFunction

    def __call__(self, subject: Subject, config: CheckConfig) -> list[CheckResult]:
        return self.function(self, subject, config)


CHECKS: dict[str, Check] = {}


def register(
    code: str, severity: Severity, explanation: str, *scopes: Scope
) -> Callable[[CheckFunction], CheckFunction]:
    """Add a check to the registry under ``code`` (decorator)."""

    def add(function: CheckFunction) -> CheckFunction:
        if code in CHECKS:
            raise ValueError(f"check {code} is already registered")
        CHECKS[code] = Check(code, severity, explanation, frozenset(scopes), function)
        return function

    return add


def run_checks(
    evidence: EvidenceFacts | None,
    incident: IncidentFacts | None,
    *,
    codes: Sequence[str] | None = None,
    config: CheckConfig = DEFAULT_CONFIG,
) -> list[CheckResult]:
    """Run the registered checks that apply: evidence checks for an item alone, incident
    checks for an incident alone, link checks for an item linked to an incident.

    ``codes`` selects checks by code (default: all); an unknown code raises ValueError.
    """
    unknown = [c for c in codes or () if c not in CHECKS]
    if unknown:
        raise ValueError(f"unknown check {', '.join(unknown)}; known: {', '.join(CHECKS)}")
    scope: Scope | None = (
        "link"
        if evidence and incident
        else "evidence"
        if evidence
        else "incident"
        if incident
        else None
    )
    subject = Subject(evidence, incident)
    results: list[CheckResult] = []
    for check in CHECKS.values():
        if scope in check.scopes and (codes is None or check.code in codes):
            results += check(subject, config)
    return results


# --- times ----------------------------------------------------------------------------------


def parse_iso(text: str | None) -> datetime | None:
    """An ISO 8601 time (``Z`` accepted), naive if it has no offset; None if absent or bad."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def instant_bounds(moment: datetime, zone: str | None) -> tuple[datetime, datetime]:
    """Earliest and latest UTC instant a time can mean.

    Offset-aware: that instant. Naive with a zone: the wall clock read in the zone (both
    readings of an hour repeated when clocks go back). Naive without one: any offset from
    UTC−12:00 to UTC+14:00.
    """
    if moment.tzinfo is not None:
        return moment.astimezone(UTC), moment.astimezone(UTC)
    tz = _zone(zone)
    if tz is not None:
        readings = [moment.replace(tzinfo=tz, fold=f).astimezone(UTC) for f in (0, 1)]
        return min(readings), max(readings)
    as_utc = moment.replace(tzinfo=UTC)
    return as_utc - _EARLIEST_OFFSET, as_utc + _LATEST_OFFSET


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a path
        return None


def _reading(moment: datetime, zone: str | None) -> str:
    """How a time was read, for messages."""
    if moment.tzinfo is not None:
        return ""
    if _zone(zone) is not None:
        return f" (no UTC offset; read as local time in {zone})"
    return " (no UTC offset; any offset from −12:00 to +14:00 allowed)"


def _hours(delta: timedelta) -> str:
    """A duration for messages: whole hours as hours, else minutes under two hours, hours
    under four days, days under a year, else years of 365.25 days."""
    seconds = abs(delta.total_seconds())
    if seconds >= 3600 and seconds % 3600 == 0 and seconds < 4 * 86400:
        return f"{seconds / 3600:.0f} h"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 4 * 86400:
        return f"{seconds / 3600:.1f} h"
    if seconds < 365 * 86400:
        return f"{seconds / 86400:.1f} days"
    return f"{seconds / (365.25 * 86400):.1f} years"


@dataclass(frozen=True)
class _Interval:
    """An incident's time as UTC bounds widened by its tolerance."""

    earliest: datetime
    latest: datetime
    tolerance: timedelta
    naive_wall_clock: bool  # both the incident and the compared time are naive, no zone

    def describe(self, incident: IncidentFacts) -> str:
        kind = "approximate" if incident.approximate else "given exactly"
        span = incident.start if not incident.end else f"{incident.start} to {incident.end}"
        return f"incident time {span} ({kind}; ± {_hours(self.tolerance)} allowed)"


def _incident_interval(
    incident: IncidentFacts, other: datetime, config: CheckConfig, other_zone: str | None = None
) -> _Interval | None:
    """The incident's interval, comparable with ``other`` (a naive or aware time, read in
    ``other_zone`` when naive)."""
    start = parse_iso(incident.start)
    if start is None:
        return None
    end = parse_iso(incident.end) or start
    tolerance = config.approximate_tolerance if incident.approximate else config.exact_tolerance
    no_zones = _zone(incident.zone) is None and _zone(other_zone) is None
    if start.tzinfo is None and other.tzinfo is None and no_zones:
        # Two wall-clock times of unstated zone: compared as clocks at the same place.
        return _Interval(start - tolerance, end + tolerance, tolerance, True)
    earliest, _ = instant_bounds(start, incident.zone)
    _, latest = instant_bounds(end, incident.zone)
    return _Interval(earliest - tolerance, latest + tolerance, tolerance, False)


def _bounds_against(
    moment: datetime, interval: _Interval, zone: str | None
) -> tuple[datetime, datetime]:
    if interval.naive_wall_clock:
        return moment, moment
    return instant_bounds(moment, zone)


# --- checks of one item ---------------------------------------------------------------------

# Programs that change pixels (or cut video), matched as words in the tag value. Camera
# firmware, phone OS versions and platform encoders (Lavf, "Google") are not in the list.
EDITORS: tuple[str, ...] = (
    "Photoshop",
    "Lightroom",
    "GIMP",
    "Snapseed",
    "Affinity Photo",
    "Pixelmator",
    "paint.net",
    "Fireworks",
    "Paint Shop Pro",
    "PaintShop Pro",
    "Photopea",
    "PicsArt",
    "Facetune",
    "Luminar",
    "Canva",
    "Premiere",
    "After Effects",
    "Final Cut",
    "DaVinci Resolve",
    "CapCut",
    "InShot",
    "KineMaster",
    "iMovie",
)
_EDITOR_PATTERN = re.compile(
    r"(?<![A-Za-z])(" + "|".join(re.escape(e) for e in EDITORS) + r")(?![A-Za-z])",
    re.IGNORECASE,
)


@register(
    "EDITING_SOFTWARE",
    "warning",
    "The metadata names image or video editing software: the file passed through an "
    "editor after capture (possibly only to crop or export).",
    "evidence",
)
def _editing_software(check: Check, subject: Subject, config: CheckConfig) -> list[CheckResult]:
    assert subject.evidence is not None
    found: dict[str, tuple[str, list[str]]] = {}
    for tag, value in subject.evidence.software:
        match = _EDITOR_PATTERN.search(value)
        if match:
            tags = found.setdefault(value, (match.group(1), []))[1]
            if tag not in tags:
                tags.append(tag)
    return [
        subject.result(
            check,
            f"{', '.join(tags)} {'names' if len(tags) == 1 else 'name'} {value!r}: edited or "
            f"exported with {editor}; "
            "compare with earlier copies",
            tags=tags,
            value=value,
        )
        for value, (editor, tags) in found.items()
    ]


@register(
    "METADATA_STRIPPED",
    "info",
    "No capture time, camera or GPS in the metadata, as is typical of files re-encoded by "
    "social-media platforms; not suspicious, but provenance must come from elsewhere.",
    "evidence",
)
def _metadata_stripped(check: Check, subject: Subject, config: CheckConfig) -> list[CheckResult]:
    item = subject.evidence
    assert item is not None
    if item.media is None or item.captured_at or item.gps or item.camera:
        return []
    return [
        subject.result(
            check,
            f"{item.media} without capture time, camera make/model or GPS: typical of a "
            "platform re-encode; establish time and place by other means",
        )
    ]


# Video games and engines whose pictures are passed off as real footage, and 3D renderers,
# matched as words in the camera make or model: footage of the military simulator Arma 3
# has repeatedly been shared as real war footage (Bohemia Interactive press statement,
# 28 November 2022; Snopes, "'ArmA 3' Game Clip Miscaptioned as Ukraine Invasion
# Footage", 24 February 2022, snopes.com/fact-check/arma-game-clip-ukraine/).
SYNTHETIC_SOURCES: tuple[tuple[str, str], ...] = (
    ("Arma 2", "video game"),
    ("Arma 3", "video game"),
    ("Arma Reforger", "video game"),
    ("Bohemia Interactive", "video game developer"),
    ("DCS World", "video game"),
    ("Digital Combat Simulator", "video game"),
    ("War Thunder", "video game"),
    ("Microsoft Flight Simulator", "video game"),
    ("Call of Duty", "video game"),
    ("Battlefield", "video game"),
    ("Grand Theft Auto", "video game"),
    ("NVIDIA Ansel", "in-game photo mode"),
    ("Unreal Engine", "game and rendering engine"),
    ("Unity Engine", "game and rendering engine"),
    ("Unity Technologies", "game and rendering engine"),
    ("CryEngine", "game and rendering engine"),
    ("Enfusion", "game engine"),
    ("Frostbite", "game engine"),
    ("Godot", "game engine"),
    ("Blender", "3D renderer"),
    ("Cinema 4D", "3D renderer"),
    ("3ds Max", "3D renderer"),
    ("V-Ray", "3D renderer"),
    ("OctaneRender", "3D renderer"),
    ("KeyShot", "3D renderer"),
    ("Lumion", "3D renderer"),
    ("Twinmotion", "3D renderer"),
)
_SYNTHETIC_KINDS = {name.casefold(): kind for name, kind in SYNTHETIC_SOURCES}
_SYNTHETIC_PATTERN = re.compile(
    r"(?<![A-Za-z0-9])("
    + "|".join(re.escape(name) for name, _ in SYNTHETIC_SOURCES)
    + r")(?![A-Za-z0-9])",
    re.IGNORECASE,
)


@register(
    "POSSIBLY_SYNTHETIC",
    "warning",
    "The camera make or model names a video game or a rendering engine: the picture may be "
    "a game screenshot or a render, not a photograph.",
    "evidence",
)
def _possibly_synthetic(check: Check, subject: Subject, config: CheckConfig) -> list[CheckResult]:
    item = subject.evidence
    assert item is not None
    results = []
    for field_name, value in (("make", item.make), ("model", item.model)):
        match = _SYNTHETIC_PATTERN.search(value or "")
        if match is None:
            continue
        kind = _SYNTHETIC_KINDS[match.group(1).casefold()]
        results.append(
            subject.result(
                check,
                f"camera {field_name} {value!r} names {match.group(1)} ({kind}): possibly "
                "synthetic imagery (a game screenshot or a render); compare with footage "
                "of the game or renders from the engine",
                field=field_name,
                value=value,
                names=match.group(1),
                kind=kind,
            )
        )
    return results


@register(
    "NAIVE_TIMESTAMP",
    "info",
    "A time without a UTC offset is a wall-clock time in an unstated zone; comparisons "
    "with it assume the place's zone or allow every offset.",
    "evidence",
    "incident",
)
def _naive_timestamp(check: Check, subject: Subject, config: CheckConfig) -> list[CheckResult]:
    times: list[tuple[str, str | None, str | None]] = []
    if subject.evidence is not None:
        item = subject.evidence
        times += [
            ("capture time", item.captured_at, item.captured_at_source),
            ("publication time", item.published_at, "published_at"),
        ]
    elif subject.incident is not None:
        times += [
            ("incident start", subject.incident.start, "time.start"),
            ("incident end", subject.incident.end, "time.end"),
        ]
    if subject.evidence is not None and subject.evidence.zone:
        reading = f"read as local time in {subject.evidence.zone} (the zone at its GPS position)"
    elif subject.incident is not None and subject.incident.zone:
        reading = f"read as local time in {subject.incident.zone}"
    else:
        reading = "read as local time at the place compared with, or allowing every offset"
    results = []
    for what, text, origin in times:
        moment = parse_iso(text)
        if moment is not None and moment.tzinfo is None:
            results.append(
                subject.result(
                    check,
                    f"{what} {text} ({origin}) has no UTC offset: {reading}",
                    time=text,
                    source=origin,
                )
            )
    return results


@register(
    "CAPTURE_AFTER_COLLECTION",
    "problem",
    "The capture time in the metadata is later than when the file was collected or "
    "published: the camera clock is wrong or the metadata was changed.",
    "evidence",
)
def _capture_after_collection(
    check: Check, subject: Subject, config: CheckConfig
) -> list[CheckResult]:
    item = subject.evidence
    assert item is not None
    captured = parse_iso(item.captured_at)
    if captured is None:
        return []
    earliest_capture, _ = instant_bounds(captured, item.zone)
    seen = [("collected", t) for t in item.collected_at] + (
        [("published", item.published_at)] if item.published_at else []
    )
    results = []
    for what, text in seen:
        moment = parse_iso(text)
        if moment is None:
            continue
        _, latest_seen = instant_bounds(moment, None)
        gap = earliest_capture - latest_seen
        if gap > config.collection_tolerance:
            results.append(
                subject.result(
                    check,
                    f"captured {item.captured_at}{_reading(captured, item.zone)} is "
                    f"{_hours(gap)} after it was {what} ({text}); "
                    f"{_hours(config.collection_tolerance)} allowed",
                    captured_at=item.captured_at,
                    seen=what,
                    seen_at=text,
                    gap_s=round(gap.total_seconds()),
                )
            )
    return results


@register(
    "CAPTURE_TIME_VS_GPS_TIME",
    "warning",
    "The capture time and the GPS fix time (GPSDateStamp + GPSTimeStamp, UTC) of the same "
    "file differ: the fix is stale, the camera clock is wrong or set to another zone, or "
    "one of the times was changed.",
    "evidence",
)
def _capture_vs_gps_time(check: Check, subject: Subject, config: CheckConfig) -> list[CheckResult]:
    """The signed difference capture time minus GPS fix time, when it exceeds
    ``gps_time_tolerance``. A capture time without an offset, or whose offset was inferred
    from the fix itself, is read as local time in the zone at the item's GPS position."""
    item = subject.evidence
    assert item is not None
    captured, fix = parse_iso(item.captured_at), parse_iso(item.gps_time)
    if captured is None or fix is None or fix.tzinfo is None:
        return []
    readings = _capture_readings(captured, item)
    if readings is None:
        return []
    (low, high), reading = readings
    difference = min((low - fix, high - fix), key=abs)
    if abs(difference) <= config.gps_time_tolerance:
        return []
    relation = "after" if difference > timedelta(0) else "before"
    return [
        subject.result(
            check,
            f"capture time {item.captured_at}{reading} is {_duration(difference)} {relation} "
            f"the GPS fix time {item.gps_time}; {_duration(config.gps_time_tolerance)} "
            f"allowed{_clock_hint(difference, reading, config)}",
            captured_at=item.captured_at,
            gps_time=item.gps_time,
            difference_s=round(difference.total_seconds(), 3),
            tolerance_s=config.gps_time_tolerance.total_seconds(),
        )
    ]


def _capture_readings(
    captured: datetime, item: EvidenceFacts
) -> tuple[tuple[datetime, datetime], str] | None:
    """UTC bounds of the capture time for comparison with the GPS fix, and how it was read;
    None for a wall-clock time with no zone to read it in."""
    inferred_from_fix = (item.captured_at_offset_source or "").startswith("GPS:")
    if captured.tzinfo is not None and not inferred_from_fix:
        return instant_bounds(captured, None), ""
    if _zone(item.zone) is not None:
        wall_clock = captured.replace(tzinfo=None)
        return (
            instant_bounds(wall_clock, item.zone),
            f" (its wall clock read as local time in {item.zone}, the zone at its GPS position)",
        )
    if captured.tzinfo is None:
        return None
    return instant_bounds(captured, None), " (UTC offset inferred from the GPS fix itself)"


def _clock_hint(difference: timedelta, reading: str, config: CheckConfig) -> str:
    """What a difference of whole days, or (for a wall-clock reading) of whole quarter hours
    up to the 14 h between civil zones, suggests."""
    tolerance = config.gps_time_tolerance
    days = round(difference / timedelta(days=1))
    if days and abs(difference - timedelta(days=days)) <= tolerance:
        return f"; {abs(days)} whole day(s) apart: a wrong date on the camera or in GPSDateStamp"
    quarters = round(difference / timedelta(minutes=15))
    whole = timedelta(minutes=15 * quarters)
    near_whole = abs(difference - whole) <= tolerance
    if reading and quarters and abs(whole) <= _EARLIEST_OFFSET and near_whole:
        return f"; about {_hours(whole)} apart: the camera clock may keep another zone's time"
    return ""


def _duration(delta: timedelta) -> str:
    """A duration for messages, in seconds under two minutes."""
    seconds = abs(delta.total_seconds())
    return f"{seconds:.1f} s".replace(".0 s", " s") if seconds < 120 else _hours(delta)


# --- checks of an item against an incident --------------------------------------------------


@register(
    "CAPTURE_OUTSIDE_INCIDENT_TIME",
    "problem",
    "The capture time in the metadata falls outside the incident's time interval (with a "
    "tolerance, wider for approximate times): before it is a problem, long after a warning, "
    "shortly after reads as aftermath footage.",
    "link",
)
def _capture_outside_incident_time(
    check: Check, subject: Subject, config: CheckConfig
) -> list[CheckResult]:
    item, incident = subject.evidence, subject.incident
    assert item is not None and incident is not None
    captured = parse_iso(item.captured_at)
    if captured is None:
        return []
    zone = item.zone or incident.zone
    interval = _incident_interval(incident, captured, config, zone)
    if interval is None:
        return []
    earliest, latest = _bounds_against(captured, interval, zone)
    claim = f"captured {item.captured_at}{_reading(captured, zone)}"
    where = interval.describe(incident)
    details: dict[str, Any] = {
        "captured_at": item.captured_at,
        "tolerance_s": interval.tolerance.total_seconds(),
    }
    if latest < interval.earliest:
        before = interval.earliest + interval.tolerance - latest
        return [
            subject.result(
                check,
                f"{claim}: {_hours(before)} before the {where}",
                before_s=round(before.total_seconds()),
                **details,
            )
        ]
    if earliest > interval.latest:
        after = earliest - (interval.latest - interval.tolerance)
        if after <= config.aftermath_window:
            return [
                subject.result(
                    check,
                    f"{claim}: {_hours(after)} after the {where}; consistent with "
                    "aftermath footage",
                    severity="info",
                    after_s=round(after.total_seconds()),
                    **details,
                )
            ]
        return [
            subject.result(
                check,
                f"{claim}: {_hours(after)} after the {where}; it cannot show the attack "
                "itself (a later site visit is possible)",
                severity="warning",
                after_s=round(after.total_seconds()),
                **details,
            )
        ]
    return []


@register(
    "GPS_FAR_FROM_INCIDENT",
    "warning",
    "The GPS position in the metadata is farther from the incident place than the place's "
    "precision plus the GPS error allow (geodesic distance).",
    "link",
)
def _gps_far(check: Check, subject: Subject, config: CheckConfig) -> list[CheckResult]:
    item, incident = subject.evidence, subject.incident
    assert item is not None and incident is not None
    if item.gps is None or incident.lat is None or incident.lon is None:
        return []
    # pyproj is imported here, not with the module: the check records (Severity) are read
    # by every command that reads a case, and most never compare a position.
    from evidencelab.analysis.context.distance import geodesic_distance_m

    distance = geodesic_distance_m(item.gps[0], item.gps[1], incident.lat, incident.lon)
    place_precision = incident.precision_m
    gps_error = item.gps_error_m
    allowed = (
        place_precision if place_precision is not None else config.default_place_precision_m
    ) + (gps_error if gps_error is not None else config.default_gps_error_m)
    if distance <= allowed:
        return []
    place_part = (
        f"place precision {place_precision:.0f} m"
        if place_precision is not None
        else f"place precision not given, {config.default_place_precision_m:.0f} m assumed"
    )
    gps_part = (
        f"GPS error {gps_error:.0f} m (GPSHPositioningError)"
        if gps_error is not None
        else f"GPS error not stated, {config.default_gps_error_m:.0f} m assumed"
    )
    return [
        subject.result(
            check,
            f"GPS {item.gps[0]:.5f}, {item.gps[1]:.5f} is {_km(distance)} from the incident "
            f"place {incident.lat:.5f}, {incident.lon:.5f}; {_km(allowed)} allowed "
            f"({place_part} + {gps_part})",
            distance_m=round(distance, 1),
            allowed_m=round(allowed, 1),
        )
    ]


def _km(metres: float) -> str:
    return f"{metres:.0f} m" if metres < 10_000 else f"{metres / 1000:.1f} km"


@register(
    "SUN_INCONSISTENT_WITH_CLAIMED_TIME",
    "problem",
    "A shadow finding on the item computed when the sun casts the measured shadow; the "
    "claimed time (capture time, or the incident's time) falls outside those windows.",
    "evidence",
    "link",
)
def _sun_inconsistent(check: Check, subject: Subject, config: CheckConfig) -> list[CheckResult]:
    item, incident = subject.evidence, subject.incident
    assert item is not None
    results = []
    for finding in item.shadows:
        if incident is None:
            claims = _claimed_capture(item, finding)
            tolerance = config.sun_margin
        else:
            claims = _claimed_incident(incident, finding)
            tolerance = config.sun_margin + (
                config.approximate_tolerance if incident.approximate else config.exact_tolerance
            )
        if claims is None:
            continue
        label, low, high = claims
        windows = [
            (start - tolerance, end + tolerance)
            for start, end in ((parse_iso(a), parse_iso(b)) for a, b in finding.windows)
            if start is not None and end is not None
        ]
        if any(start <= high and low <= end for start, end in windows):
            continue
        shown = ", ".join(f"{a[11:19]}–{b[11:19]}" for a, b in finding.windows) or "none"
        results.append(
            subject.result(
                check,
                f"{label} is outside the times shadow finding {finding.finding_id} fits on "
                f"{finding.date} ({finding.zone}): {shown} (± {_hours(tolerance)} allowed)",
                finding=finding.finding_id,
                windows=[list(w) for w in finding.windows],
            )
        )
    return results


def _claimed_capture(
    item: EvidenceFacts, finding: ShadowFinding
) -> tuple[str, datetime, datetime] | None:
    """The capture time as UTC bounds, when it falls on the finding's local date."""
    captured = parse_iso(item.captured_at)
    if captured is None:
        return None
    low, high = instant_bounds(captured, finding.zone)
    tz = _zone(finding.zone)
    local = low.astimezone(tz) if tz else captured
    if local.date().isoformat() != finding.date:
        return None
    return f"capture time {item.captured_at}{_reading(captured, finding.zone)}", low, high


def _claimed_incident(
    incident: IncidentFacts, finding: ShadowFinding
) -> tuple[str, datetime, datetime] | None:
    """The incident interval as UTC bounds, when it starts on the finding's local date."""
    start = parse_iso(incident.start)
    if start is None:
        return None
    end = parse_iso(incident.end) or start
    low, _ = instant_bounds(start, finding.zone)
    _, high = instant_bounds(end, finding.zone)
    tz = _zone(finding.zone)
    local = low.astimezone(tz) if tz else start
    if local.date().isoformat() != finding.date:
        return None
    span = incident.start if not incident.end else f"{incident.start} to {incident.end}"
    return f"incident time {span}", low, high


@register(
    "RECYCLED_FOOTAGE",
    "problem",
    "The item, or a near-duplicate of it, was captured, collected or published before the "
    "incident began: the picture existed before the attack it is linked to.",
    "link",
)
def _recycled(check: Check, subject: Subject, config: CheckConfig) -> list[CheckResult]:
    """One result per item and incident: the earliest appearance before the incident, with
    every earlier appearance in ``details["earlier"]``."""
    item, incident = subject.evidence, subject.incident
    assert item is not None and incident is not None
    earlier: list[tuple[timedelta, Appearance, str, str]] = []
    for copy in item.copies:
        moment = parse_iso(copy.time)
        interval = None if moment is None else _incident_interval(incident, moment, config)
        if moment is None or interval is None:
            continue
        _, latest = _bounds_against(moment, interval, incident.zone)
        if latest < interval.earliest:
            before = interval.earliest + interval.tolerance - latest
            reading = _reading(moment, incident.zone)
            earlier.append((before, copy, reading, interval.describe(incident)))
    if not earlier:
        return []
    earlier.sort(key=lambda entry: -entry[0])
    before, first, reading, described = earlier[0]
    who = (
        "this item"
        if first.evidence_id == item.id
        else f"near-duplicate {first.evidence_id} ({_bits(first.distance_bits)})"
    )
    more = f"; {len(earlier) - 1} more earlier appearance(s)" if len(earlier) > 1 else ""
    return [
        subject.result(
            check,
            f"{who} {first.label} {first.time}{reading}: {_hours(before)} before the "
            f"{described}{more}",
            copy=first.evidence_id,
            time=first.time,
            label=first.label,
            before_s=round(before.total_seconds()),
            earlier=[
                {
                    "evidence": copy.evidence_id,
                    "time": copy.time,
                    "label": copy.label,
                    "distance_bits": copy.distance_bits,
                    "before_s": round(delta.total_seconds()),
                }
                for delta, copy, _, _ in earlier
            ],
        )
    ]


def _bits(distance: int | None) -> str:
    return "same cluster" if distance is None else f"PDQ distance {distance} bits"


# --- content credentials (C2PA) ---------------------------------------------------------


@register(
    "CONTENT_CREDENTIALS_INVALID",
    "warning",
    "The file carries content credentials (a C2PA manifest) that do not validate: the file "
    "was changed after it was signed, or the signature does not hold. Re-encoding by a "
    "platform or an editor that keeps the manifest but not the signed bytes does this too.",
    "evidence",
)
def _credentials_invalid(check: Check, subject: Subject, config: CheckConfig) -> list[CheckResult]:
    found = subject.evidence.credentials if subject.evidence else None
    if found is None or found.state != "invalid":
        return []
    reasons = [words for code, words in found.failures if code != UNTRUSTED]
    reason = "; ".join(dict.fromkeys(reasons)) or found.problem or "no reason given"
    return [
        subject.result(
            check,
            f"content credentials do not validate: {reason}; the file may have been changed "
            "after signing, or the signature does not hold; compare with other copies",
            codes=[code for code, _ in found.failures],
            problem=found.problem,
        )
    ]


@register(
    "CONTENT_CREDENTIALS",
    "info",
    "The file carries valid content credentials (a C2PA manifest): it is unchanged since "
    "its signer signed it, and the signer declares the software and actions named. This "
    "does not show that the scene is what it is said to be.",
    "evidence",
)
def _credentials_valid(check: Check, subject: Subject, config: CheckConfig) -> list[CheckResult]:
    found = subject.evidence.credentials if subject.evidence else None
    if found is None or found.state not in ("valid", "trusted"):
        return []
    trust = "among" if found.state == "trusted" else "not among"
    return [
        subject.result(
            check,
            f"valid content credentials signed by {found.signer or 'an unnamed signer'} "
            f"({trust} the trust anchors), claim generator "
            f"{found.claim_generator or 'not named'}, actions declared: "
            f"{', '.join(found.actions) or 'none'}",
            state=found.state,
            signer=found.signer,
            claim_generator=found.claim_generator,
            actions=list(found.actions),
        )
    ]
