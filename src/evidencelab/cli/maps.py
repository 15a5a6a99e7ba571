"""Maps: the time zone at a place, and the offline basemap's layers as files."""

import sys
from typing import Annotated

import typer

from evidencelab.cli.common import JsonOpt, app, out, print_json, user_errors

maps_app = typer.Typer(
    help="The time zone at a place; the offline basemap's Natural Earth layers.",
    no_args_is_help=True,
)
app.add_typer(maps_app, name="maps")


@maps_app.command("zone")
@user_errors
def maps_zone(
    lat: Annotated[float, typer.Option("--lat", help="Latitude, degrees north.")],
    lon: Annotated[float, typer.Option("--lon", help="Longitude, degrees east.")],
    at: Annotated[
        str | None, typer.Option("--at", help="ISO 8601 time for the UTC offset (default: now).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """The IANA time zone at a place (offline) and its UTC offset then, as the incident
    form shows it."""
    from evidencelab.service.maps.views import place_time_zone

    found = place_time_zone(lat, lon, at)
    if as_json:
        print_json(found)
    elif found["zone"] is None:
        out.print(f"{lat}, {lon}: no time zone")
    else:
        out.print(f"{lat}, {lon}: {found['zone']} (UTC{found['utc_offset']})")


@maps_app.command("basemap")
@user_errors
def maps_basemap(
    layer: Annotated[
        str,
        typer.Option("--layer", help="countries, admin1, borders, coastlines or places."),
    ],
) -> None:
    """A layer of the offline basemap (Natural Earth, public domain) as GeoJSON on standard
    output."""
    from evidencelab.service.maps.views import basemap_layer

    sys.stdout.buffer.write(basemap_layer(layer))
