"""Satellite imagery: scenes, chips, before/after comparison, catalogue search."""

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from evidencelab.cli.common import (
    CaseOpt,
    JsonOpt,
    app,
    err,
    open_case,
    out,
    print_json,
    print_record,
    user_errors,
)

imagery_app = typer.Typer(
    help="Satellite scenes: footprints, links to incidents, chips, change maps, annotations, "
    "catalogue search.",
    no_args_is_help=True,
)
app.add_typer(imagery_app, name="imagery")

IncidentOpt = Annotated[str, typer.Option("--incident", help="Incident id.")]
RadiusOpt = Annotated[
    float, typer.Option("--radius", help="Half-side of the square around the place, metres.")
]
OutOpt = Annotated[Path, typer.Option("--out", help="PNG file to write.")]
CatalogOpt = Annotated[
    str | None,
    typer.Option(
        "--catalog",
        help="STAC API URL (default: $EVIDENCELAB_STAC_URL, else Earth Search).",
    ),
]
CollectionOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--collection",
        help="Collection, repeatable (default: $EVIDENCELAB_STAC_COLLECTIONS, else "
        "sentinel-2-l2a and landsat-c2-l2).",
    ),
]


def _scene_line(record: Mapping[str, Any]) -> list[str]:
    bounds = record["lonlat_bounds"]
    label = [record["label"]] if "label" in record else []
    return [
        record["id"],
        *label,
        record["acquired_at"] or "unknown",
        f"{record['resolution_m']:.2f}" if record["resolution_m"] else "-",
        record["crs"] or "not georeferenced",
        ", ".join(f"{v:.4f}" for v in bounds) if bounds else "-",
        "yes" if record["publishable"] else "no",
        record["attribution"] or "",
    ]


@imagery_app.command("scenes")
@user_errors
def scenes(
    incident: Annotated[
        str | None, typer.Option("--incident", help="Only scenes covering this incident.")
    ] = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Scenes in the case (rasters ingested are recorded here on first use)."""
    from evidencelab.service.imagery.scenes import list_scenes

    with open_case(case_dir) as case:
        records = list_scenes(case, incident)
    if as_json:
        print_json(records)
        return
    label = ["label"] if incident is not None else []
    table = Table(
        "scene", *label, "acquired", "m/px", "CRS", "lon/lat bounds", "public", "attribution"
    )
    for record in records:
        table.add_row(*_scene_line(record))
    out.print(table)


@imagery_app.command("show")
@user_errors
def show(scene: str, case_dir: CaseOpt = None, as_json: JsonOpt = False) -> None:
    """Everything recorded about one scene."""
    from evidencelab.service.imagery.scenes import show_scene

    with open_case(case_dir) as case:
        record = show_scene(case, scene)
    if as_json:
        print_json(record)
    else:
        print_record(record, skip={"footprint"})


@imagery_app.command("set")
@user_errors
def set_(
    scene: str,
    acquired_at: Annotated[
        str | None, typer.Option("--acquired-at", help="Acquisition time, ISO 8601 with offset.")
    ] = None,
    licence: Annotated[str | None, typer.Option("--licence", help="Licence or terms.")] = None,
    attribution: Annotated[
        str | None, typer.Option("--attribution", help="Credit line to show with the image.")
    ] = None,
    publishable: Annotated[
        bool | None,
        typer.Option("--publishable/--not-publishable", help="Whether public reports may show it."),
    ] = None,
    sensor: Annotated[str | None, typer.Option("--sensor", help="Sensor or instrument.")] = None,
    provider: Annotated[
        str | None, typer.Option("--provider", help="Satellite operator or platform.")
    ] = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record what is known about a scene (a custody event with old and new values)."""
    from evidencelab.service.imagery.scenes import set_scene

    with open_case(case_dir) as case:
        record = set_scene(
            case,
            scene,
            acquired_at=acquired_at,
            licence=licence,
            attribution=attribution,
            publishable=publishable,
            sensor=sensor,
            provider=provider,
        )
    if as_json:
        print_json(record)
    else:
        print_record(record, skip={"footprint"})


@imagery_app.command("link")
@user_errors
def link(case_dir: CaseOpt = None, as_json: JsonOpt = False) -> None:
    """Link every scene to the incidents whose place its footprint covers."""
    from evidencelab.service.imagery.scenes import link_all

    with open_case(case_dir) as case:
        links = link_all(case)
    if as_json:
        print_json(links)
        return
    for entry in links:
        out.print(f"linked scene {entry['scene']} to incident {entry['incident']}", highlight=False)
    if not links:
        out.print("no new links")


@imagery_app.command("chip")
@user_errors
def chip(
    incident: IncidentOpt,
    output: OutOpt,
    radius: RadiusOpt = 500.0,
    scene: Annotated[
        str | None, typer.Option("--scene", help="Scene id (default: chosen).")
    ] = None,
    annotations: Annotated[
        bool,
        typer.Option("--annotations", help="Draw the scene's annotations on it, numbered."),
    ] = False,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """North-up chip of a scene around an incident, stored in the locker and written out."""
    from evidencelab.service.imagery.chips import make_chip

    with open_case(case_dir) as case:
        result = make_chip(
            case,
            incident,
            radius_m=radius,
            scene_ref=scene,
            out=output,
            annotations=annotations,
        )
    if as_json:
        print_json(result)
        return
    params = result["params"]
    out.print(
        f"{output}: {params['width']}x{params['height']} px, {params['pixel_m']:.2f} m/px, "
        f"EPSG:{params['epsg']}; scene {result['scene']} ({result['label']}, "
        f"{result['acquired_at'] or 'acquisition time unknown'}); sha256 {result['sha256']}"
        f"{'' if result['new'] else ' (stored already)'}",
        highlight=False,
    )
    for drawn in result["annotations"]:
        out.print(
            f"  {drawn['number']}. annotation {drawn['id']}: {drawn['kind']}", highlight=False
        )


@imagery_app.command("compare")
@user_errors
def compare(
    incident: IncidentOpt,
    output: OutOpt,
    radius: RadiusOpt = 500.0,
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", help="Change threshold, standard deviations (default 2)."),
    ] = None,
    before: Annotated[str | None, typer.Option("--before", help="Before scene id.")] = None,
    after: Annotated[str | None, typer.Option("--after", help="After scene id.")] = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Before/after pair on a common grid and a thresholded change map."""
    from evidencelab.service.imagery.chips import compare as compare_scenes

    with open_case(case_dir) as case:
        result = compare_scenes(
            case,
            incident,
            radius_m=radius,
            threshold=threshold,
            before_ref=before,
            after_ref=after,
            out=output,
        )
    if as_json:
        print_json(result)
        return
    out.print(
        f"{output}: before {result['before']['scene']} ({result['before']['acquired_at']}), "
        f"after {result['after']['scene']} ({result['after']['acquired_at']})",
        highlight=False,
    )
    out.print(
        f"changed: {result['changed_pixels']} of {result['valid_pixels']} pixels "
        f"({result['changed_fraction']:.2%}, {result['changed_area_m2']:.0f} m²) above "
        f"{result['threshold_sigma']:g} σ; {len(result['regions'])} regions",
        highlight=False,
    )
    for region in result["regions"][:10]:
        lat, lon = region["centre"]
        out.print(
            f"  region at {lat:.6f}, {lon:.6f}: "
            f"{region['width_m']:.0f} × {region['height_m']:.0f} m",
            highlight=False,
        )


@imagery_app.command("annotate")
@user_errors
def annotate(
    scene: str,
    kind: Annotated[
        str, typer.Option("--kind", help="crater, damaged_building, burn_scar or other.")
    ],
    geometry: Annotated[
        Path | None, typer.Option("--geometry", help="GeoJSON file (WGS84) with one geometry.")
    ] = None,
    point: Annotated[
        tuple[float, float] | None, typer.Option("--point", help="LAT LON of a point.")
    ] = None,
    diameter: Annotated[
        float | None, typer.Option("--diameter", help="Diameter in metres (a crater).")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Free-text note.")] = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Draw a crater, damaged building or burn scar on a scene (geodesic measures)."""
    from evidencelab.service.imagery.annotations import annotate as add_annotation
    from evidencelab.service.imagery.annotations import read_geometry_file

    shape = read_geometry_file(geometry) if geometry is not None else None
    with open_case(case_dir) as case:
        record = add_annotation(
            case, scene, kind=kind, geometry=shape, point=point, diameter_m=diameter, note=note
        )
    if as_json:
        print_json(record)
    else:
        print_record(record, skip=set())


@imagery_app.command("annotations")
@user_errors
def annotations_(
    scene: Annotated[str | None, typer.Option("--scene", help="Only this scene's.")] = None,
    geojson: Annotated[
        bool, typer.Option("--geojson", help="Print a GeoJSON FeatureCollection.")
    ] = False,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Annotations drawn on scenes."""
    from evidencelab.service.imagery.annotations import annotations_geojson, list_annotations

    with open_case(case_dir) as case:
        if geojson:
            print_json(annotations_geojson(case, scene))
            return
        records = list_annotations(case, scene)
    if as_json:
        print_json(records)
        return
    table = Table("id", "scene", "kind", "geometry", "diameter m", "measures", "author", "note")
    for r in records:
        measures = ", ".join(f"{k} {v:.1f}" for k, v in r["measures"].items())
        diameter = f"{r['diameter_m']:.1f}" if r["diameter_m"] is not None else ""
        table.add_row(
            str(r["id"]),
            r["scene"],
            r["kind"],
            r["geometry"]["type"],
            diameter,
            measures,
            r["author"],
            r["note"] or "",
        )
    out.print(table)


@imagery_app.command("search")
@user_errors
def search(
    incident: IncidentOpt,
    days_before: Annotated[
        float, typer.Option("--days-before", help="Days before the incident's start.")
    ] = 30,
    days_after: Annotated[
        float, typer.Option("--days-after", help="Days after the incident's end.")
    ] = 30,
    catalog: CatalogOpt = None,
    collection: CollectionOpt = None,
    fetch: Annotated[
        str | None, typer.Option("--fetch", help="Download a window of this item id.")
    ] = None,
    asset: Annotated[
        str | None,
        typer.Option("--asset", help="Asset to fetch (default: visual, else a GeoTIFF)."),
    ] = None,
    radius: RadiusOpt = 1000.0,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Scenes in a STAC catalogue covering an incident's place around its time; with
    --fetch, store a window of one of them (HTTP range reads) in the locker."""
    from evidencelab.service.imagery.catalogue import fetch_item, search_catalogue

    with open_case(case_dir) as case:
        if fetch is not None:
            result = fetch_item(
                case,
                incident,
                fetch,
                catalog=catalog,
                collections=collection,
                asset=asset,
                radius_m=radius,
                progress=lambda message: err.print(message, highlight=False),
            )
            if as_json:
                print_json(result)
            else:
                scene = result["scene"]
                out.print(
                    f"stored window {result['window']} of {result['item']} ({result['asset']}) "
                    f"as scene {scene['id']} ({result['status']}), acquired "
                    f"{scene['acquired_at']}, licence {scene['licence']}",
                    highlight=False,
                )
            return
        found = search_catalogue(
            case,
            incident,
            days_before=days_before,
            days_after=days_after,
            catalog=catalog,
            collections=collection,
        )
    if as_json:
        print_json(found)
        return
    out.print(
        f"{len(found['items'])} items in {found['catalog']} ({', '.join(found['collections'])}) "
        f"from {found['from']} to {found['to']}",
        highlight=False,
    )
    table = Table("item", "collection", "acquired", "label", "cloud %", "link")
    for item in found["items"]:
        cloud = item["cloud_cover"]
        table.add_row(
            item["id"],
            item["collection"] or "",
            item["acquired_at"] or "",
            item["label"],
            f"{cloud:.1f}" if isinstance(cloud, int | float) else "",
            item["self"] or "",
        )
    out.print(table)
