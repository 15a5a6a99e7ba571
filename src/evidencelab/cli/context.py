"""Context commands: map extracts and objects added by hand in the case, and what is near."""

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from evidencelab.cli.common import (
    CaseOpt,
    JsonOpt,
    context_app,
    err,
    open_case,
    out,
    print_json,
    user_errors,
)
from evidencelab.locker.errors import CaseError

KindOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--kind",
        "--kinds",
        help="A kind, e.g. hospital (repeat, or separate with commas).",
    ),
]


def _kinds(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [kind.strip() for value in values for kind in value.split(",") if kind.strip()]


def _distance_table(hits: Sequence[Mapping[str, Any]], *, with_origin: bool) -> Table:
    table = Table("distance (m)", "kinds", "category", "name", "id")
    if with_origin:
        table.add_column("origin")
    for hit in hits:
        row = [
            f"{hit['distance_m']:.0f}",
            ", ".join(hit["kinds"]),
            hit["category"] or "",
            hit["name"] or "",
            hit.get("id") or hit["ref"],
        ]
        table.add_row(*row, *([hit["origin"]] if with_origin else []))
    return table


@context_app.command("import")
@user_errors
def context_import(
    file: Annotated[
        Path, typer.Argument(help="OSM extract (.osm, .osm.bz2, .osm.pbf) or GeoJSON.")
    ],
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Read a map extract into the case (once: the same file again changes nothing)."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from evidencelab.service.context.importing import import_context

    with open_case(case_dir) as case:
        progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("{task.completed:,} objects read"),
            TimeElapsedColumn(),
            console=err.console,
            transient=True,
            disable=as_json,
        )
        with progress:
            task = progress.add_task(f"importing {file.name}", total=None)
            result = import_context(
                case, file, progress=lambda done: progress.update(task, completed=done)
            )
    if as_json:
        print_json(result)
        return
    if result["already_imported"]:
        out.print(
            f"{file}: already imported on {result['imported_at']} by {result['imported_by']}"
            f" (SHA-256 {result['sha256'][:16]}…); nothing changed",
            highlight=False,
        )
        return
    out.print(
        f"{file}: {result['objects']} objects imported (SHA-256 {result['sha256'][:16]}…,"
        f" custody event {result['custody_event']})",
        highlight=False,
    )
    for kind, count in result["by_kind"].items():
        out.print(f"  {kind:18} {count}", highlight=False)
    skipped = {k: v for k, v in result["skipped"].items() if v}
    if skipped:
        out.print(
            "  skipped: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in skipped.items()),
            highlight=False,
        )


def _read_geometry(path: Path) -> dict[str, Any]:
    """A GeoJSON geometry from a file holding a geometry, a Feature, or a FeatureCollection
    of one Feature."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CaseError(f"{path}: file not found") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CaseError(f"{path}: not GeoJSON ({exc})") from None
    if isinstance(document, dict) and document.get("type") == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list) or len(features) != 1:
            raise CaseError(f"{path}: a FeatureCollection must hold exactly one Feature here")
        document = features[0]
    if isinstance(document, dict) and document.get("type") == "Feature":
        document = document.get("geometry")
    if not isinstance(document, dict):
        raise CaseError(f"{path}: no GeoJSON geometry found")
    return document


@context_app.command("add")
@user_errors
def context_add(
    kind: Annotated[
        list[str], typer.Option("--kind", help="A kind, e.g. military_airfield (repeatable).")
    ],
    name: Annotated[str, typer.Option("--name", help="Name of the object.")],
    basis: Annotated[
        str, typer.Option("--basis", help="Why it is recorded, e.g. the report naming it.")
    ],
    lat: Annotated[float | None, typer.Option("--lat", help="Latitude, degrees north.")] = None,
    lon: Annotated[float | None, typer.Option("--lon", help="Longitude, degrees east.")] = None,
    geometry: Annotated[
        Path | None,
        typer.Option("--geometry", help="GeoJSON file with a Point, Polygon or MultiPolygon."),
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="Id of a source.")] = None,
    object_id: Annotated[
        str | None, typer.Option("--id", help="Id in the case (default: from the name).")
    ] = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add an object known from reporting (a likely target, an unmapped hospital)."""
    from evidencelab.service.context.manual import add_context_object

    shape = _read_geometry(geometry) if geometry is not None else None
    with open_case(case_dir) as case:
        record = add_context_object(
            case,
            kinds=_kinds(kind) or [],
            name=name,
            basis=basis,
            lat=lat,
            lon=lon,
            geometry=shape,
            source=source,
            object_id=object_id,
        )
    if as_json:
        print_json(record)
        return
    where = (
        f"{record['lat']}, {record['lon']}"
        if record["geometry"] is None
        else record["geometry"]["type"]
    )
    out.print(
        f"added {record['id']} ({', '.join(record['kinds'])}) at {where}"
        f" (custody event {record['custody_event']})",
        highlight=False,
    )


@context_app.command("list")
@user_errors
def context_list(
    kinds: KindOpt = None,
    origin: Annotated[str | None, typer.Option("--origin", help="osm, geojson or manual.")] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", help="At most this many objects (default: all).")
    ] = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The case's map imports, its objects by kind, and the objects themselves."""
    from evidencelab.service.context.queries import context_summary, list_context_objects

    with open_case(case_dir) as case:
        summary = context_summary(case)
        objects = list_context_objects(case, _kinds(kinds), origin=origin, limit=limit)
    if as_json:
        print_json(summary | {"listed": objects})
        return
    for item in summary["imports"]:
        out.print(
            f"import {item['file']} ({item['format']}, SHA-256 {item['sha256'][:16]}…):"
            f" {item['objects']} objects, {item['imported_at']} by {item['imported_by']}",
            highlight=False,
        )
    origins = ", ".join(f"{k} {v}" for k, v in sorted(summary["by_origin"].items()))
    out.print(f"{summary['objects']} objects ({origins or 'none'})", highlight=False)
    table = Table("id", "kinds", "category", "name", "origin", "lat", "lon")
    for obj in objects:
        table.add_row(
            obj["id"],
            ", ".join(obj["kinds"]),
            obj["category"] or "",
            obj["name"] or "",
            obj["origin"],
            f"{obj['lat']:.6f}",
            f"{obj['lon']:.6f}",
        )
    out.print(table)


@context_app.command("near")
@user_errors
def context_near(
    file: Annotated[
        Path | None,
        typer.Argument(help="OSM extract or GeoJSON to read instead of the case (optional)."),
    ] = None,
    incident: Annotated[
        str | None, typer.Option("--incident", help="Use this incident's place.")
    ] = None,
    lat: Annotated[float | None, typer.Option("--lat", help="Latitude, degrees north.")] = None,
    lon: Annotated[float | None, typer.Option("--lon", help="Longitude, degrees east.")] = None,
    radius: Annotated[float, typer.Option("--radius", help="Metres.")] = 1000,
    kinds: KindOpt = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What stands within a radius of a place, with geodesic distances to object edges,
    and the nearest object of each kind at any distance."""
    wanted = _kinds(kinds)
    if file is not None:
        if incident is not None or lat is None or lon is None:
            raise CaseError("context near FILE: give --lat and --lon (not --incident)")
        found = _near_in_file(file, lat, lon, radius, wanted)
    else:
        if (incident is None) == (lat is None or lon is None):
            raise CaseError("context near: give --incident ID, or --lat and --lon")
        found = _near_in_case(case_dir, incident, lat, lon, radius, wanted)
    if as_json:
        print_json(found)
        return
    point = found["point"]
    place = (
        f"incident {incident} ({point['lat']}, {point['lon']})"
        if incident
        else (f"{point['lat']}, {point['lon']}")
    )
    out.print(f"within {radius:g} m of {place}:", highlight=False)
    out.print(_distance_table(found["within"], with_origin=file is None))
    if found["nearest_by_kind"]:
        out.print("nearest of each kind:", highlight=False)
        out.print(
            _distance_table(list(found["nearest_by_kind"].values()), with_origin=file is None)
        )


def _near_in_file(
    file: Path, lat: float, lon: float, radius: float, kinds: list[str] | None
) -> Mapping[str, Any]:
    from evidencelab.analysis.context.objects import ContextDataError
    from evidencelab.service.context.queries import objects_near

    try:
        return objects_near(file, lat, lon, radius, kinds)
    except ContextDataError as error:
        raise CaseError(str(error)) from None


def _near_in_case(
    case_dir: Path | None,
    incident: str | None,
    lat: float | None,
    lon: float | None,
    radius: float,
    kinds: list[str] | None,
) -> dict[str, Any]:
    from evidencelab.service.context.queries import (
        case_objects_near,
        incident_point,
        nearest_by_kind,
    )

    with open_case(case_dir) as case:
        if incident is not None:
            lat, lon = incident_point(case, incident)
        assert lat is not None and lon is not None
        within = case_objects_near(case, lat, lon, radius, kinds)
        nearest = nearest_by_kind(case, lat, lon, kinds)
    found: dict[str, Any] = {"point": {"lat": lat, "lon": lon}, "radius_m": radius}
    if incident is not None:
        found["incident"] = incident
    return found | {"within": within, "nearest_by_kind": nearest}


@context_app.command("export")
@user_errors
def context_export(
    out_path: Annotated[Path, typer.Option("--out", help="GeoJSON file to write.")],
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write every context object in the case as a GeoJSON FeatureCollection."""
    from evidencelab.service.context.queries import write_context_geojson

    with open_case(case_dir) as case:
        result = write_context_geojson(case, out_path)
    if as_json:
        print_json(result)
    else:
        out.print(f"{out_path}: {result['features']} objects written", highlight=False)
