"""Chronolocation commands: the sun's position, and times or places that fit a shadow."""

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from evidencelab.cli.common import (
    CaseOpt,
    JsonOpt,
    open_case,
    out,
    print_json,
    sun_app,
    user_errors,
)
from evidencelab.locker.errors import CaseError

if TYPE_CHECKING:
    from evidencelab.service.verification.records import RunT

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


def finish_run(run: "RunT", evidence: str | None, case_dir: Path | None) -> "RunT":
    """Store a chronolocation run as a finding when asked; the run plus where it went."""
    if evidence is not None:
        from evidencelab.service.verification.findings import record_finding

        with open_case(case_dir) as case:
            run["stored"] = record_finding(case, evidence, run)
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
    from evidencelab.service.verification.chronolocation import (
        sun_position_run,  # pvlib loads slowly
    )

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
    from evidencelab.service.verification.chronolocation import (
        shadow_times_run,  # pvlib loads slowly
    )

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
    from evidencelab.service.verification.chronolocation import (
        shadow_places_run,  # pvlib loads slowly
    )

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


def _seconds(iso: str | None) -> str:
    """An ISO 8601 time to the second, for reading; JSON output keeps full precision."""
    if iso is None:
        return "none (polar day or night)"
    return datetime.fromisoformat(iso).isoformat(timespec="seconds")


def print_stored(run: Mapping[str, Any]) -> None:
    if "stored" in run:
        s = run["stored"]
        out.print(f"stored as finding {s['finding']} on evidence {s['evidence']}", highlight=False)
