"""Command line: a thin face over evidencelab.service and the locker."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from evidencelab.case import CaseError, init_case, open_case
from evidencelab.locker.ingest import (
    IngestError,
    IngestOutcome,
    IngestRequest,
    check_kind,
    expand_paths,
    ingest,
    parse_collected_at,
)
from evidencelab.locker.verify import verify_case
from evidencelab.model.errors import CaseFileError
from evidencelab.service.casefile import export_case_text, import_case_file
from evidencelab.service.custody import custody_log
from evidencelab.service.demo import build_demo
from evidencelab.service.evidence import list_evidence, show_evidence
from evidencelab.service.incidents import case_summary, list_incidents, show_incident
from evidencelab.service.report import write_report

app = typer.Typer(
    help="Document attacks on civilians from digital evidence, verifiably.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
evidence_app = typer.Typer(help="Browse evidence items.", no_args_is_help=True)
app.add_typer(evidence_app, name="evidence")
incident_app = typer.Typer(help="Browse incidents.", no_args_is_help=True)
app.add_typer(incident_app, name="incident")
sun_app = typer.Typer(
    help="Chronolocation by the sun: its position, and times or places that fit a shadow.",
    no_args_is_help=True,
)
app.add_typer(sun_app, name="sun")
munitions_app = typer.Typer(
    help="The munitions catalogue: every figure with its source and reliability flag.",
    no_args_is_help=True,
)
app.add_typer(munitions_app, name="munitions")

# Scripts read whole rows: when piped, print at a width tables need rather than 80.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)

CaseOpt = Annotated[
    Path | None,
    typer.Option("--case", help="Case folder (default: found upward from the current folder)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
ActorOpt = Annotated[
    str | None,
    typer.Option("--actor", help="Who is acting (default: $EVIDENCELAB_ACTOR or login)."),
]

P = ParamSpec("P")
R = TypeVar("R")
USER_ERRORS: tuple[type[Exception], ...] = (CaseError, IngestError, CaseFileError)


def user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn expected failures into one line on stderr and exit status 1."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except USER_ERRORS as error:
            err.print(f"[red]error:[/red] {error}", highlight=False)
            raise typer.Exit(1) from None

    return wrapper


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")


def progress_bar(description: str, total: int) -> Progress:
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )
    progress.add_task(description, total=total)
    return progress


@app.command()
@user_errors
def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the new case.")],
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a new, empty case folder."""
    init_case(directory, actor=actor).close()
    if as_json:
        print_json({"case": str(directory)})
    else:
        out.print(f"created case in {directory}")


@app.command("ingest")
@user_errors
def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (recursive).")],
    source: Annotated[str | None, typer.Option(help="Source id the files came from.")] = None,
    url: Annotated[str | None, typer.Option(help="Where the files were found.")] = None,
    collector: Annotated[str | None, typer.Option(help="Who collected them.")] = None,
    collected_at: Annotated[
        str | None, typer.Option(help="When they were collected (ISO 8601).")
    ] = None,
    note: Annotated[str | None, typer.Option(help="Free-text note on this acquisition.")] = None,
    kind: Annotated[
        str | None, typer.Option(help="photo, video, satellite, document, web_capture, testimony.")
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: cores).")] = None,
    case_dir: CaseOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Preserve files in the locker, extract their metadata, and log the acquisition."""
    files = expand_paths(paths)
    requests = [
        IngestRequest(
            path=f,
            kind=kind and check_kind(kind),
            source_id=source,
            url=url,
            collector=collector,
            collected_at=collected_at and parse_collected_at(collected_at),
            note=note,
        )
        for f in files
    ]
    with open_case(case_dir, actor=actor) as case, progress_bar("ingesting", len(requests)) as bar:
        outcomes = ingest(
            case, requests, workers=workers, progress=lambda _o: bar.advance(bar.task_ids[0])
        )
    report_ingest(outcomes, as_json)
    if any(o.status == "failed" for o in outcomes):
        raise typer.Exit(1)


def report_ingest(outcomes: list[IngestOutcome], as_json: bool) -> None:
    if as_json:
        print_json(
            [
                {
                    "path": str(o.path),
                    "evidence_id": o.evidence_id,
                    "sha256": o.sha256,
                    "status": o.status,
                    "message": o.message,
                }
                for o in outcomes
            ]
        )
        return
    for o in outcomes:
        if o.status == "failed":
            err.print(f"[red]error:[/red] {o.path}: {o.message}", highlight=False)
    counts = {s: sum(o.status == s for o in outcomes) for s in ("new", "acquired", "unchanged")}
    out.print(
        f"{len(outcomes)} file(s): {counts['new']} new, {counts['acquired']} already stored "
        f"(new acquisition recorded), {counts['unchanged']} unchanged, "
        f"{sum(o.status == 'failed' for o in outcomes)} failed"
    )


@app.command()
@user_errors
def verify(case_dir: CaseOpt = None, as_json: JsonOpt = False) -> None:
    """Re-hash every stored object and walk the custody chain."""
    with open_case(case_dir) as case, progress_bar("verifying", 0) as bar:

        def advance(done: int, total: int) -> None:
            bar.update(bar.task_ids[0], completed=done, total=total)

        report = verify_case(case, advance)
    if as_json:
        print_json(
            {
                "intact": report.intact,
                "objects_checked": report.objects_checked,
                "bytes_checked": report.bytes_checked,
                "events_checked": report.events_checked,
                "problems": report.problems,
                "notes": report.notes,
            }
        )
    else:
        for problem in report.problems:
            out.print(problem, highlight=False)
        for note in report.notes:
            err.print(f"note: {note}", highlight=False)
        if report.intact:
            out.print(
                f"intact: {report.objects_checked} objects ({report.bytes_checked} bytes) "
                f"and {report.events_checked} custody events verified"
            )
    if not report.intact:
        raise typer.Exit(1)


@app.command("log")
@user_errors
def log_command(
    subject: Annotated[str | None, typer.Option(help="Only events about this id.")] = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the custody log."""
    with open_case(case_dir) as case:
        events = custody_log(case, subject=subject)
    if as_json:
        print_json(events)
        return
    table = Table("seq", "recorded (UTC)", "actor", "action", "subject", "hash")
    for e in events:
        table.add_row(
            str(e["seq"]),
            e["recorded_at"],
            e["actor"],
            e["action"],
            e["subject"] or "",
            e["hash"][:16] + "…",
        )
    out.print(table)


@evidence_app.command("list")
@user_errors
def evidence_list(case_dir: CaseOpt = None, as_json: JsonOpt = False) -> None:
    """List evidence items."""
    with open_case(case_dir) as case:
        items = list_evidence(case)
    if as_json:
        print_json(items)
        return
    table = Table("id", "kind", "name", "sha256", "captured", "GPS", "acq.", "errors")
    for i in items:
        gps = i["gps"]
        table.add_row(
            i["id"],
            i["kind"] or "",
            i["original_name"],
            i["sha256"][:12] + "…",
            i["captured_at"] or "",
            f"{gps['lat']:.5f}, {gps['lon']:.5f}" if gps else "",
            str(i["acquisitions"]),
            str(i["extraction_errors"] or ""),
        )
    out.print(table)


@evidence_app.command("show")
@user_errors
def evidence_show(
    ref: Annotated[str, typer.Argument(help="Evidence id or SHA-256 prefix.")],
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Everything stored about one evidence item."""
    with open_case(case_dir) as case:
        record = show_evidence(case, ref)
    if as_json:
        print_json(record)
        return
    print_record(record, skip={"metadata_raw"})
    out.print(f"({len(record['metadata_raw'])} raw metadata tags: use --json to see them)")


def print_record(record: dict[str, Any], *, skip: set[str]) -> None:
    for key, value in record.items():
        if key in skip:
            continue
        if isinstance(value, (dict, list)):
            text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
            out.print(f"[bold]{key}:[/bold]", text, highlight=False)
        else:
            out.print(f"[bold]{key}:[/bold] {value}", highlight=False)


@app.command("import")
@user_errors
def import_command(
    file: Annotated[Path, typer.Argument(help="Case file (.yaml, .yml or .json).")],
    case_dir: CaseOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a case file: sources, incidents, and the evidence files it names."""
    with open_case(case_dir, actor=actor) as case, progress_bar("importing evidence", 0) as bar:
        result = import_case_file(case, file, progress=lambda _o: bar.advance(bar.task_ids[0]))
    if as_json:
        print_json(result)
        return
    evidence = result["evidence"]
    out.print(
        f"imported {file}: {result['sources']} sources, {result['incidents']} incidents, "
        f"evidence {evidence['new']} new, {evidence['acquired']} newly acquired, "
        f"{evidence['unchanged']} unchanged"
    )


@app.command("export")
@user_errors
def export_command(
    fmt: Annotated[str, typer.Option("--format", help="What to export: case.")] = "case",
    syntax: Annotated[str, typer.Option("--syntax", help="yaml or json.")] = "yaml",
    case_dir: CaseOpt = None,
) -> None:
    """Write the case in the case file format to standard output (the export is logged)."""
    if fmt != "case":
        raise CaseError(f"--format {fmt}: unknown export format (available: case)")
    if syntax not in ("yaml", "json"):
        raise CaseError(f"--syntax {syntax}: must be yaml or json")
    with open_case(case_dir) as case:
        text = export_case_text(case, syntax)
    sys.stdout.write(text)


@app.command()
@user_errors
def summary(case_dir: CaseOpt = None, as_json: JsonOpt = False) -> None:
    """Key figures of the case and its finding sentence."""
    with open_case(case_dir) as case:
        result = case_summary(case)
    if as_json:
        print_json(result)
        return
    print_summary(result)


def print_summary(result: dict[str, Any]) -> None:
    out.print(f"[bold]{result['title']}[/bold]")
    out.print(result["finding"], highlight=False)
    table = Table("incident", "start (local)", "place", "weapon", "killed ≥", "injured ≥")
    for i in result["per_incident"]:
        table.add_row(
            i["id"],
            (i["start"] or "") + (" (approx.)" if i["approximate"] else ""),
            i["place"] or "",
            i["weapon"] or "not identified",
            _figure(i["killed_min"]),
            _figure(i["injured_min"]),
        )
    out.print(table)
    out.print(
        f"{result['evidence_items']} evidence items, {result['sources']} sources, "
        f"{result['custody_events']} custody events"
    )


def _figure(value: int | None) -> str:
    return "no figure" if value is None else str(value)


@incident_app.command("list")
@user_errors
def incident_list(case_dir: CaseOpt = None, as_json: JsonOpt = False) -> None:
    """List incidents with their supported minimum casualty figures."""
    with open_case(case_dir) as case:
        items = list_incidents(case)
    if as_json:
        print_json(items)
        return
    table = Table("id", "title", "start (local)", "place", "killed ≥", "injured ≥", "evidence")
    for i in items:
        table.add_row(
            i["id"],
            i["title"],
            i["start"] or "",
            i["place"] or "",
            _figure(i["killed_min"]),
            _figure(i["injured_min"]),
            str(i["evidence"]),
        )
    out.print(table)


@incident_app.command("show")
@user_errors
def incident_show(
    incident_id: Annotated[str, typer.Argument(help="Incident id.")],
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Everything recorded about one incident, and its derived casualty figures."""
    with open_case(case_dir) as case:
        record = show_incident(case, incident_id)
    if as_json:
        print_json(record)
    else:
        print_record(record, skip=set())


@app.command()
@user_errors
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the demo case.")] = Path(
        "demo-case"
    ),
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Build the built-in demo case (three incidents of 24 February 2022) and report on it."""
    with progress_bar("ingesting demo evidence", 0) as bar:
        result = build_demo(out_dir, actor=actor, progress=lambda _o: bar.advance(bar.task_ids[0]))
    if as_json:
        print_json(result)
        return
    print_summary(result["summary"])
    out.print(f"case folder: {result['case']}")
    out.print(f"report: {result['report']}")


@app.command()
@user_errors
def report(
    out_file: Annotated[Path, typer.Option("--out", help="HTML file to write.")] = Path(
        "report.html"
    ),
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write an HTML report of the case."""
    with open_case(case_dir) as case:
        written = write_report(case, out_file)
    if as_json:
        print_json({"report": str(written)})
    else:
        out.print(f"report: {written}")


EvidenceOpt = Annotated[
    str | None, typer.Option("--evidence", help="Store the run as a finding on this item.")
]
HeightOpt = Annotated[float, typer.Option("--object-height", help="Object height, m.")]
LengthOpt = Annotated[float, typer.Option("--shadow-length", help="Shadow length, m.")]
HeightErrOpt = Annotated[float, typer.Option("--height-uncertainty", help="± m.")]
LengthErrOpt = Annotated[float, typer.Option("--length-uncertainty", help="± m.")]
AzimuthOpt = Annotated[
    float | None,
    typer.Option("--shadow-azimuth", help="Direction the shadow points, degrees from true north."),
]
AzimuthTolOpt = Annotated[float, typer.Option("--azimuth-tolerance", help="± degrees.")]
TzOpt = Annotated[
    str | None, typer.Option("--tz", help="Time zone for local times (default: the place's).")
]


def finish_run(run: dict[str, Any], evidence: str | None, case_dir: Path | None) -> dict[str, Any]:
    """Store a chronolocation run as a finding when asked; the run plus where it went."""
    if evidence is not None:
        from evidencelab.service.findings import record_finding

        with open_case(case_dir) as case:
            run = {**run, "stored": record_finding(case, evidence, run)}
    return run


@sun_app.command("position")
@user_errors
def sun_position(
    lat: Annotated[float, typer.Option("--lat", help="Latitude, degrees north.")],
    lon: Annotated[float, typer.Option("--lon", help="Longitude, degrees east.")],
    time: Annotated[str, typer.Option("--time", help="ISO 8601 with offset.")],
    elevation: Annotated[float, typer.Option("--elevation", help="Metres above sea level.")] = 0,
    pressure: Annotated[float | None, typer.Option("--pressure", help="hPa.")] = None,
    temperature: Annotated[float, typer.Option("--temperature", help="°C.")] = 12,
    tz: TzOpt = None,
    evidence: EvidenceOpt = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Where the sun stood (NREL SPA), with that day's sunrise, solar noon and sunset."""
    from evidencelab.service.chronolocation import sun_position_run  # pvlib loads slowly

    run = sun_position_run(
        lat,
        lon,
        time,
        elevation_m=elevation,
        pressure_hpa=pressure,
        temperature_c=temperature,
        tz=tz,
    )
    run = finish_run(run, evidence, case_dir)
    if as_json:
        print_json(run)
        return
    r = run["result"]
    out.print(
        f"{_seconds(r['time_local'])} ({_seconds(r['time_utc'])}): sun at "
        f"{r['apparent_elevation_deg']:.3f}° apparent elevation, "
        f"azimuth {r['azimuth_deg']:.3f}° from true north",
        highlight=False,
    )
    out.print(
        f"sunrise {_seconds(r['sunrise'])}, solar noon {_seconds(r['solar_noon'])}, "
        f"sunset {_seconds(r['sunset'])}",
        highlight=False,
    )
    print_stored(run)


@sun_app.command("times")
@user_errors
def sun_times_command(
    lat: Annotated[float, typer.Option("--lat", help="Latitude, degrees north.")],
    lon: Annotated[float, typer.Option("--lon", help="Longitude, degrees east.")],
    date: Annotated[str, typer.Option("--date", help="Local date, YYYY-MM-DD.")],
    object_height: HeightOpt,
    shadow_length: LengthOpt,
    height_uncertainty: HeightErrOpt = 0,
    length_uncertainty: LengthErrOpt = 0,
    shadow_azimuth: AzimuthOpt = None,
    azimuth_tolerance: AzimuthTolOpt = 5,
    tz: TzOpt = None,
    evidence: EvidenceOpt = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Times of day at a known place consistent with a measured shadow."""
    from evidencelab.service.chronolocation import shadow_times_run  # pvlib loads slowly

    run = shadow_times_run(
        lat,
        lon,
        date,
        object_height_m=object_height,
        shadow_length_m=shadow_length,
        height_uncertainty_m=height_uncertainty,
        length_uncertainty_m=length_uncertainty,
        shadow_azimuth_deg=shadow_azimuth,
        azimuth_tolerance_deg=azimuth_tolerance,
        tz=tz,
    )
    run = finish_run(run, evidence, case_dir)
    if as_json:
        print_json(run)
        return
    e = run["result"]["sun_elevation_deg"]
    out.print(f"sun elevation {e['estimate']}° (from {e['low']}° to {e['high']}°)")
    windows = run["result"]["windows"]
    if not windows:
        out.print("no time on that date is consistent with this shadow")
    for w in windows:
        out.print(
            f"{_seconds(w['start'])} to {_seconds(w['end'])} ({w['part_of_day']}; "
            f"{w['minutes_per_degree']} min per degree of elevation)",
            highlight=False,
        )
        for note in w["notes"]:
            out.print(f"  note: {note}", highlight=False)
    print_stored(run)


@sun_app.command("places")
@user_errors
def sun_places(
    time: Annotated[
        str, typer.Option("--time", help="ISO 8601 with offset (or see --local-clock).")
    ],
    object_height: HeightOpt,
    shadow_length: LengthOpt,
    out_file: Annotated[Path, typer.Option("--out", help="GeoJSON file to write.")],
    png: Annotated[Path | None, typer.Option("--png", help="Also write a PNG map.")] = None,
    height_uncertainty: HeightErrOpt = 0,
    length_uncertainty: LengthErrOpt = 0,
    shadow_azimuth: AzimuthOpt = None,
    azimuth_tolerance: AzimuthTolOpt = 5,
    bbox: Annotated[
        str, typer.Option("--bbox", help="west,south,east,north in degrees.")
    ] = "-180,-60,180,85",
    step: Annotated[float, typer.Option("--step", help="Grid step, degrees.")] = 0.5,
    local_clock: Annotated[
        bool, typer.Option("--local-clock", help="--time is a wall clock in each cell's zone.")
    ] = False,
    evidence: EvidenceOpt = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Places where a measured shadow fits at a known time (ShadowFinder method)."""
    from evidencelab.service.chronolocation import shadow_places_run  # pvlib loads slowly

    try:
        west, south, east, north = (float(v) for v in bbox.split(","))
    except ValueError:
        raise CaseError(f"--bbox {bbox}: must be four numbers west,south,east,north") from None
    run = shadow_places_run(
        time,
        object_height_m=object_height,
        shadow_length_m=shadow_length,
        height_uncertainty_m=height_uncertainty,
        length_uncertainty_m=length_uncertainty,
        shadow_azimuth_deg=shadow_azimuth,
        azimuth_tolerance_deg=azimuth_tolerance,
        bbox=(west, south, east, north),
        step_deg=step,
        local_clock=local_clock,
        out_geojson=out_file,
        out_png=png,
    )
    run = finish_run(run, evidence, case_dir)
    if as_json:
        print_json(run)
        return
    r = run["result"]
    out.print(
        f"{r['cells']} grid cells consistent (latitudes {r['lat_range']}, longitudes "
        f"{r['lon_range']}); GeoJSON: {r['geojson']}" + (f"; PNG: {r['png']}" if r["png"] else ""),
        highlight=False,
    )
    print_stored(run)


context_app = typer.Typer(
    help="Protected objects and possible military objectives from map extracts.",
    no_args_is_help=True,
)
app.add_typer(context_app, name="context")


@context_app.command("near")
@user_errors
def context_near(
    file: Annotated[
        Path, typer.Argument(help="OSM extract (.osm, .osm.bz2, .osm.pbf) or GeoJSON.")
    ],
    lat: Annotated[float, typer.Option("--lat", help="Latitude, degrees north.")],
    lon: Annotated[float, typer.Option("--lon", help="Longitude, degrees east.")],
    radius: Annotated[float, typer.Option("--radius", help="Metres.")] = 1000,
    kinds: Annotated[
        str | None, typer.Option("--kinds", help="Comma-separated kinds, e.g. hospital,school.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """What stands within a radius of a place, with geodesic distances to object edges."""
    from evidencelab.analysis.context import ContextDataError
    from evidencelab.service.context import objects_near

    try:
        found = objects_near(file, lat, lon, radius, kinds.split(",") if kinds else None)
    except ContextDataError as error:
        raise CaseError(str(error)) from None
    if as_json:
        print_json(found)
        return
    table = Table("distance (m)", "kinds", "category", "name", "OSM")
    for hit in found["within"]:
        table.add_row(
            f"{hit['distance_m']:.0f}",
            ", ".join(hit["kinds"]),
            hit["category"],
            hit["name"] or "",
            hit["ref"],
        )
    out.print(f"within {radius:g} m of {lat}, {lon}:")
    out.print(table)


RadiusOpt = Annotated[
    int, typer.Option("--radius", help="PDQ match distance, bits (upstream advice: 31).")
]


@app.command()
@user_errors
def duplicates(radius: RadiusOpt = 31, case_dir: CaseOpt = None, as_json: JsonOpt = False) -> None:
    """Groups of near-duplicate items (PDQ), with each group's earliest appearance."""
    from evidencelab.service.duplicates import find_near_duplicates

    with open_case(case_dir) as case:
        clusters = find_near_duplicates(case, radius=radius)
    if as_json:
        print_json(clusters)
        return
    if not clusters:
        out.print(f"no near-duplicates within {radius} bits")
    for cluster in clusters:
        reference = cluster["reference"]
        out.print(
            f"group {cluster['cluster']}: {cluster['size']} items, diameter "
            f"{cluster['diameter_bits']} bits; earliest {reference['evidence_id']} "
            f"(by {reference['basis']})",
            highlight=False,
        )
        for member in cluster["members"]:
            out.print(
                f"  {member['evidence_id']}  {member['distance_to_reference_bits']:>3} bits",
                highlight=False,
            )


@evidence_app.command("similar")
@user_errors
def evidence_similar(
    ref: Annotated[str, typer.Argument(help="Evidence id or SHA-256 prefix.")],
    radius: RadiusOpt = 31,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Items that look like this one (PDQ within the radius), nearest first."""
    from evidencelab.service.duplicates import similar_to

    with open_case(case_dir) as case:
        found = similar_to(case, ref, radius=radius)
    if as_json:
        print_json(found)
        return
    if not found:
        out.print(f"nothing within {radius} bits")
    for item in found:
        out.print(f"{item['evidence_id']}  {item['distance_bits']:>3} bits", highlight=False)


@munitions_app.command("list")
@user_errors
def munitions_list(as_json: JsonOpt = False) -> None:
    """List catalogue entries."""
    from evidencelab.service.munitions import list_munitions

    entries = list_munitions()
    if as_json:
        print_json(entries)
        return
    table = Table("id", "class", "names")
    for m in entries:
        table.add_row(m["id"], m["class"], ", ".join(m["names"]))
    out.print(table)


@munitions_app.command("show")
@user_errors
def munitions_show(
    name: Annotated[str, typer.Argument(help="Any name: 9M79, Tochka-U, Точка, SS-21…")],
    as_json: JsonOpt = False,
) -> None:
    """One catalogue entry, with every figure's source, URL and reliability flag."""
    from evidencelab.service.munitions import munition_record

    record = munition_record(name)
    if as_json:
        print_json(record)
    else:
        print_record(record, skip={"format"})


@app.command()
@user_errors
def accuracy(
    cep: Annotated[float, typer.Option("--cep", help="Circular error probable, m.")],
    aim_name: Annotated[str, typer.Option("--aim-name", help="What was aimed at.")] = (
        "the aim point"
    ),
    object_name: Annotated[
        str | None, typer.Option("--object-name", help="A protected object nearby.")
    ] = None,
    object_distance: Annotated[
        float | None, typer.Option("--object-distance", help="Its distance from the aim, m.")
    ] = None,
    within: Annotated[float, typer.Option("--within", help="Radius around the object, m.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """What a CEP means: R90/R95/R99, and the chance of landing near another object."""
    from evidencelab.service.munitions import accuracy_record

    record = accuracy_record(
        cep,
        aim_name=aim_name,
        object_name=object_name,
        object_distance_m=object_distance,
        within_m=within,
    )
    if as_json:
        print_json(record)
    else:
        out.print(record["sentence"], highlight=False)


def _seconds(iso: str | None) -> str:
    """An ISO 8601 time to the second, for reading; JSON output keeps full precision."""
    if iso is None:
        return "none (polar day or night)"
    return datetime.fromisoformat(iso).isoformat(timespec="seconds")


def print_stored(run: dict[str, Any]) -> None:
    if "stored" in run:
        s = run["stored"]
        out.print(f"stored as finding {s['finding']} on evidence {s['evidence']}", highlight=False)


def main() -> None:
    app()
