"""Verification: geolocation records, evidence status, consistency checks, corroboration."""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from evidencelab.cli.common import (
    ActorOpt,
    CaseOpt,
    JsonOpt,
    app,
    evidence_app,
    incident_app,
    open_case,
    out,
    print_json,
    user_errors,
)
from evidencelab.locker.errors import CaseError

# Named in the options' help, so written out here: the model that defines them loads slowly.
# Equal to model.GEOLOCATION_METHODS and model.STATUS_STATES (tested).
METHODS = ("metadata_gps", "satellite_landmark", "street_level", "witness", "other")
STATES = ("unverified", "verified", "disputed", "discounted")

geolocate_app = typer.Typer(
    help="Geolocation records: where an item was taken or an incident happened, and how.",
    no_args_is_help=True,
)
app.add_typer(geolocate_app, name="geolocate")

EvidenceOpt = Annotated[str | None, typer.Option("--evidence", help="Evidence id.")]
IncidentOpt = Annotated[str | None, typer.Option("--incident", help="Incident id.")]


def _with_times(geolocation: Mapping[str, Any]) -> dict[str, Any]:
    """The record plus its creation and review times in the point's local time and UTC."""
    from evidencelab.verify.geolocation import local_and_utc

    lat, lon = geolocation["lat"], geolocation["lon"]
    review_at = geolocation["review"]["at"]
    return {
        **geolocation,
        "times": {
            "created_at": local_and_utc(geolocation["created_at"], lat, lon),
            "reviewed_at": local_and_utc(review_at, lat, lon) if review_at else None,
        },
    }


def _both(times: Mapping[str, Any] | None) -> str:
    """Local time with its zone, then UTC, to the second."""
    if not times or times["utc"] is None:
        return ""
    utc = f"{datetime.fromisoformat(times['utc']):%Y-%m-%d %H:%M:%S} UTC"
    if not times["local"]:
        return utc
    local = datetime.fromisoformat(times["local"]).isoformat(timespec="seconds")
    return f"{local} {times['zone']} ({utc})"


def _subject(g: Mapping[str, Any]) -> str:
    return f"evidence {g['evidence']}" if g["evidence"] else f"incident {g['incident']}"


def _print_geolocation(g: Mapping[str, Any]) -> None:
    out.print(
        f"geolocation {g['id']} of {_subject(g)}: {g['lat']:.6f}, {g['lon']:.6f} "
        f"± {g['precision_m']:g} m ({g['method']})",
        highlight=False,
    )
    out.print(f"  by {g['author']} at {_both(g['times']['created_at'])}", highlight=False)
    if g["reference"]:
        out.print(f"  reference: {g['reference']}", highlight=False)
    out.print(f"  reasoning: {g['reasoning']}", highlight=False)
    review = g["review"]
    line = f"  review: {review['state']}"
    if review["by"]:
        line += f" by {review['by']} at {_both(g['times']['reviewed_at'])}"
    if review["comment"]:
        line += f" — {review['comment']}"
    out.print(line, highlight=False)
    if g.get("custody_event"):
        out.print(f"  custody event {g['custody_event']}", highlight=False)


@geolocate_app.command("add")
@user_errors
def geolocate_add(
    lat: Annotated[float, typer.Option("--lat", help="Latitude, WGS 84 degrees north.")],
    lon: Annotated[float, typer.Option("--lon", help="Longitude, WGS 84 degrees east.")],
    precision: Annotated[
        float, typer.Option("--precision", help="Radius in metres within which the point lies.")
    ],
    method: Annotated[str, typer.Option("--method", help=f"One of: {', '.join(METHODS)}.")],
    reasoning: Annotated[str, typer.Option("--reasoning", help="Why the point is there.")],
    reference: Annotated[
        str | None, typer.Option("--reference", help="Material used, e.g. a satellite scene.")
    ] = None,
    evidence: EvidenceOpt = None,
    incident: IncidentOpt = None,
    actor: ActorOpt = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a geolocation of an evidence item or an incident (a custody event)."""
    from evidencelab.service.verification.geolocation import add_geolocation

    with open_case(case_dir, actor=actor) as case:
        record = _with_times(
            add_geolocation(
                case,
                evidence_id=evidence,
                incident_id=incident,
                lat=lat,
                lon=lon,
                precision_m=precision,
                method=method,
                reference=reference,
                reasoning=reasoning,
            )
        )
    if as_json:
        print_json(record)
    else:
        _print_geolocation(record)


@geolocate_app.command("from-metadata")
@user_errors
def geolocate_from_metadata(
    evidence_id: Annotated[str, typer.Argument(help="Evidence id or SHA-256 prefix.")],
    record: Annotated[
        bool, typer.Option("--record", help="Store the proposal (default: only show it).")
    ] = False,
    actor: ActorOpt = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Propose a metadata_gps geolocation from the item's GPS metadata; --record stores it."""
    from evidencelab.service.verification.geolocation import geolocation_from_metadata

    with open_case(case_dir, actor=actor) as case:
        result: Mapping[str, Any] = geolocation_from_metadata(case, evidence_id, record=record)
    if record:
        result = _with_times(result)
    if as_json:
        print_json(result)
        return
    if record:
        _print_geolocation(result)
        return
    out.print(
        f"proposed for evidence {result['evidence_id']}: {result['lat']:.6f}, "
        f"{result['lon']:.6f} ± {result['precision_m']:g} m (metadata_gps)",
        highlight=False,
    )
    out.print(f"  reasoning: {result['reasoning']}", highlight=False)
    out.print("  not recorded: add --record to store it", highlight=False)


@geolocate_app.command("list")
@user_errors
def geolocate_list(
    evidence: EvidenceOpt = None,
    incident: IncidentOpt = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List geolocations: of an item, of an incident and its evidence, or of the whole case."""
    from evidencelab.service.verification.geolocation import geolocations_for

    if evidence is not None and incident is not None:
        raise CaseError("geolocate list: give --evidence or --incident, not both")
    with open_case(case_dir) as case:
        records = [
            _with_times(g)
            for g in geolocations_for(
                case, evidence_id=evidence, incident_id=incident, include_linked=True
            )
        ]
    if as_json:
        print_json(records)
        return
    table = Table("id", "of", "lat, lon", "± m", "method", "by", "created (local, UTC)", "review")
    for g in records:
        review = g["review"]
        table.add_row(
            str(g["id"]),
            _subject(g),
            f"{g['lat']:.6f}, {g['lon']:.6f}",
            f"{g['precision_m']:g}",
            g["method"],
            g["author"],
            _both(g["times"]["created_at"]),
            review["state"] + (f" by {review['by']}" if review["by"] else ""),
        )
    out.print(table)


@geolocate_app.command("review")
@user_errors
def geolocate_review(
    geolocation_id: Annotated[str, typer.Argument(help="Geolocation number.")],
    reviewed: Annotated[bool, typer.Option("--reviewed", help="It holds up.")] = False,
    disputed: Annotated[bool, typer.Option("--disputed", help="It does not hold up.")] = False,
    comment: Annotated[str | None, typer.Option("--comment", help="Why.")] = None,
    actor: ActorOpt = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Review someone else's geolocation: --reviewed or --disputed (a custody event)."""
    from evidencelab.service.verification.geolocation import review_geolocation

    if reviewed == disputed:
        raise CaseError(f"geolocation {geolocation_id}: give exactly one of --reviewed, --disputed")
    with open_case(case_dir, actor=actor) as case:
        state = "reviewed" if reviewed else "disputed"
        record = _with_times(review_geolocation(case, geolocation_id, state, comment))
    if as_json:
        print_json(record)
    else:
        _print_geolocation(record)


@incident_app.command("place")
@user_errors
def incident_place(
    incident_id: Annotated[str, typer.Argument(help="Incident id.")],
    apply: Annotated[
        bool, typer.Option("--apply", help="Write the derived place into the incident.")
    ] = False,
    actor: ActorOpt = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The incident place derived from reviewed geolocations, and where they disagree."""
    from evidencelab.service.verification.geolocation import (
        apply_incident_place,
        incident_place_from_geolocations,
    )

    with open_case(case_dir, actor=actor) as case:
        if apply:
            result: Mapping[str, Any] = apply_incident_place(case, incident_id)
        else:
            result = incident_place_from_geolocations(case, incident_id)
    if as_json:
        print_json(result)
        return
    place, current = result["place"], result["current_place"]
    if current and current.get("lat") is not None:
        out.print(
            f"incident {incident_id} is recorded at {current['lat']:.6f}, {current['lon']:.6f}"
            + (f" ± {current['precision_m']:g} m" if current.get("precision_m") else "")
            + (f" ({current['name']})" if current.get("name") else ""),
            highlight=False,
        )
    if place is None:
        out.print(f"incident {incident_id}: no reviewed geolocation yet", highlight=False)
    else:
        origin = place["derived_from"]
        out.print(
            f"derived: {place['lat']:.6f}, {place['lon']:.6f} "
            f"± {place['precision_m']:g} m, from geolocation {origin['geolocation']} "
            f"({origin['method']}), the most precise of reviewed {origin['reviewed']}",
            highlight=False,
        )
        out.print(f"  time zone there: {result['zone'] or 'none found'}", highlight=False)
        if result["incident_start"]:
            out.print(f"  incident start: {_both(result['incident_start'])}", highlight=False)
    for d in result["disagreements"]:
        out.print(f"  [yellow]disagreement:[/yellow] {d['message']}", highlight=False)
    for left in result["left_out"]:
        out.print(f"  left out: geolocation {left['id']} ({left['state']})", highlight=False)
    if apply:
        if result["applied"]:
            out.print(
                f"  written to the incident's place (custody event {result['custody_event']})",
                highlight=False,
            )
        else:
            out.print("  the incident's place already says this; nothing written")


@evidence_app.command("status")
@user_errors
def evidence_status_command(
    evidence_id: Annotated[str, typer.Argument(help="Evidence id or SHA-256 prefix.")],
    state: Annotated[
        str | None,
        typer.Argument(help=f"New status: {', '.join(STATES)} (omit to show the current one)."),
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why (required except for unverified).")
    ] = None,
    actor: ActorOpt = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show or set an item's verification status (setting it is a custody event)."""
    from evidencelab.service.evidence.status import (
        evidence_status,
        evidence_status_history,
        set_evidence_status,
    )

    with open_case(case_dir, actor=actor) as case:
        if state is not None:
            set_evidence_status(case, evidence_id, state, reason)
        elif reason is not None:
            raise CaseError(f"evidence {evidence_id}: --reason needs a STATE to go with it")
        current = evidence_status(case, evidence_id)
        history = evidence_status_history(case, evidence_id)
    result = {**current, "history": history}
    if as_json:
        print_json(result)
        return
    line = f"evidence {evidence_id}: {current['state']}"
    if current["by"] and current["at"]:
        line += f" (by {current['by']} at {_utc(current['at'])})"
    out.print(line, highlight=False)
    if current["reason"]:
        out.print(f"  reason: {current['reason']}", highlight=False)
    if len(history) > 1:
        out.print(f"  {len(history)} status changes recorded:", highlight=False)
        for h in history:
            out.print(
                f"    {h['state']} by {h['by']} at {_utc(h['at'])} — {h['reason'] or ''} "
                f"(custody event {h['custody_event']})",
                highlight=False,
            )


def _utc(time_iso: str) -> str:
    return f"{datetime.fromisoformat(time_iso).astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
