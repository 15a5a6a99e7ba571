"""Assessment commands: IHL indicators and sign-off, the claims register, launch areas."""

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from evidencelab.cli.common import CaseOpt, JsonOpt, app, open_case, out, print_json, user_errors
from evidencelab.locker.errors import CaseError

assess_app = typer.Typer(
    help="IHL indicators per incident, with rules, facts, numbers and sign-off.",
    invoke_without_command=True,
)
claim_app = typer.Typer(help="The claims register: public claims tested against the case.")
app.add_typer(assess_app, name="assess")
app.add_typer(claim_app, name="claim", no_args_is_help=True)


def _percent(p: float) -> str:
    from evidencelab.analysis.accuracy import format_percent

    # A probability that underflows to 0 in double precision is still a probability > 0.
    return format_percent(p) if p > 0 else "less than 0.001%"


def _reading_line(reading: dict[str, Any]) -> str:
    r90 = "–".join(f"{x:,.0f}" for x in dict.fromkeys(reading["r90_m"]))
    line = f"{reading['figure']}: R90 {r90} m"
    if "p_within_of_object" in reading:
        ps = "–".join(_percent(p) for p in dict.fromkeys(reading["p_within_of_object"]))
        line += (
            f"; {reading['separation_m']:,.0f} m from the aim point, P(within "
            f"{reading['within_m']:g} m of it) = {ps}"
        )
        if "p_within_of_object_at_nearest" in reading:
            near = reading["p_within_of_object_at_nearest"]
            line += (
                f"; at the nearest the recorded positions allow "
                f"({reading['nearest_separation_m']:,.0f} m): "
                + "–".join(_percent(p) for p in dict.fromkeys(near))
            )
    return line


def _say(text: str) -> None:
    """Print plain text (square brackets in data are not markup)."""
    out.print(escape(text), highlight=False)


def _print_incident(result: Mapping[str, Any]) -> None:
    out.print(f"[bold]{result['incident']}[/bold] — " + escape(result["title"]), highlight=False)
    out.print(
        f"  branch: [bold]{result['branch']}[/bold] ({result['branch_confidence']}): "
        + escape(result["branch_reason"]),
        highlight=False,
    )
    populated = result["populated_area"]
    value = {True: "yes", False: "no", None: "not established"}[populated["value"]]
    _say(f"  populated area: {value}")
    for basis in populated["bases"]:
        _say(f"    - {basis}")
    for indicator in result["indicators"]:
        if not indicator["fires"]:
            continue
        rules = ", ".join(r["code"] for r in indicator["rules"]) or "—"
        review = indicator["review"]["state"]
        out.print(
            f"  [bold]{indicator['code']}[/bold] ({indicator['confidence']}; review: {review})",
            highlight=False,
        )
        _say(f"    {indicator['statement']}")
        _say(f"    rules: {rules}")
        for reading in indicator["numbers"].get("readings", []):
            _say(f"    {_reading_line(reading)}")
    quiet = [i["code"] for i in result["indicators"] if not i["fires"]]
    if quiet:
        out.print(f"  not firing: {', '.join(quiet)}", highlight=False)
    for entry in result["conditional"]:
        if not entry["readings"]:
            continue
        to = f"; distance measured to {entry['separation_to']}" if entry["separation_to"] else ""
        _say(
            f"  if the weapon were {entry['if_the_weapon_were']} ({entry['catalogue_id']}; "
            f"{entry['branch']}{to}):"
        )
        for reading in entry["readings"]:
            _say(f"    {_reading_line(reading)}")
    for item in result["missing"]:
        _say(f"  missing: {item}")


@assess_app.callback()
@user_errors
def assess(
    ctx: typer.Context,
    incident: Annotated[
        str | None, typer.Option("--incident", help="Only this incident (id).")
    ] = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Evaluate every incident (or one): accuracy branch, indicators, what is missing."""
    if ctx.invoked_subcommand is not None:
        return
    from evidencelab.service.assessment.indicators import assess_case

    with open_case(case_dir) as case:
        results = assess_case(case, incident)
    if as_json:
        print_json(results)
        return
    for index, result in enumerate(results):
        if index:
            out.print()
        _print_incident(result)


@assess_app.command("sign-off")
@user_errors
def sign_off_command(
    incident: Annotated[str, typer.Argument(help="Incident id.")],
    code: Annotated[str, typer.Argument(help="Indicator code, e.g. PROTECTED_OBJECT_NEARBY.")],
    accept: Annotated[bool, typer.Option("--accept", help="Accept the indicator.")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Reject the indicator.")] = False,
    comment: Annotated[str, typer.Option("--comment", help="Why (required).")] = "",
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Accept or reject an indicator; the sign-off goes stale if its facts change."""
    from evidencelab.service.assessment.indicators import sign_off

    if accept == reject:
        raise CaseError("give exactly one of --accept or --reject")
    with open_case(case_dir) as case:
        record = sign_off(case, incident, code, "accepted" if accept else "rejected", comment)
    if as_json:
        print_json(record)
        return
    out.print(
        f"{record['incident']} {record['code']}: {record['decision']} by {record['by']} "
        f"(was {record['previous_state']}; custody event {record['custody_event']})",
        highlight=False,
    )


@claim_app.command("add")
@user_errors
def claim_add(
    claimant: Annotated[str, typer.Option("--claimant", help="Who made the claim.")],
    text: Annotated[str, typer.Option("--text", help="The claim, as made.")],
    predicate: Annotated[
        str, typer.Option("--predicate", help="A predicate name (see `claim predicates`).")
    ],
    made_at: Annotated[
        str | None, typer.Option("--made-at", help="Date or ISO 8601 time with offset.")
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="Source id.")] = None,
    claim_id: Annotated[
        str | None, typer.Option("--id", help="Claim id (default: derived).")
    ] = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a public claim with the predicate that tests it."""
    from evidencelab.service.claims import add_claim

    with open_case(case_dir) as case:
        record = add_claim(
            case,
            claimant=claimant,
            text=text,
            predicate=predicate,
            made_at=made_at,
            source=source,
            claim_id=claim_id,
        )
    if as_json:
        print_json(record)
        return
    out.print(f"claim {record['id']} added (custody event {record['custody_event']})")


@claim_app.command("list")
@user_errors
def claim_list(case_dir: CaseOpt = None, as_json: JsonOpt = False) -> None:
    """The claims in the register."""
    from evidencelab.service.claims import list_claims

    with open_case(case_dir) as case:
        claims = list_claims(case)
    if as_json:
        print_json(claims)
        return
    if not claims:
        out.print("no claims in the register")
    for claim in claims:
        _say(
            f"{claim['id']}: {claim['claimant']} ({claim['made_at'] or 'date unknown'}): "
            f'"{claim["text"]}" [{claim["predicate"]}]'
        )


@claim_app.command("predicates")
@user_errors
def claim_predicates(as_json: JsonOpt = False) -> None:
    """The predicates a claim can name."""
    from evidencelab.assess.claims import PREDICATES

    records = [{"name": p.name, "description": p.description} for p in PREDICATES.values()]
    if as_json:
        print_json(records)
        return
    for record in records:
        out.print(f"{record['name']}: {record['description']}", highlight=False)


@claim_app.command("evaluate")
@user_errors
def claim_evaluate(case_dir: CaseOpt = None, as_json: JsonOpt = False) -> None:
    """Test every claim against the case: supported, contradicted or undetermined."""
    from evidencelab.service.assessment.indicators import evaluate_claims

    with open_case(case_dir) as case:
        results = evaluate_claims(case)
    if as_json:
        print_json(results)
        return
    if not results:
        out.print("no claims in the register")
    for result in results:
        out.print(
            f"{result['id']}: [bold]{result['result']}[/bold] — "
            + escape(f'{result["claimant"]}: "{result["text"]}"'),
            highlight=False,
        )
        deciding = ", ".join(result["deciding_incidents"]) or "none"
        _say(f"  deciding incidents: {deciding}")
        _say(f"  {result['explanation']}")


@app.command("launch-area")
@user_errors
def launch_area(
    lat: Annotated[float, typer.Option("--lat", help="Impact latitude, degrees north.")],
    lon: Annotated[float, typer.Option("--lon", help="Impact longitude, degrees east.")],
    bearing: Annotated[
        float,
        typer.Option("--bearing", help="From the impact towards the launch, degrees from north."),
    ],
    bearing_uncertainty: Annotated[
        float, typer.Option("--bearing-uncertainty", help="± degrees around the bearing.")
    ],
    out_path: Annotated[Path, typer.Option("--out", help="GeoJSON file to write.")],
    range_min: Annotated[
        float | None, typer.Option("--range-min", help="Minimum range, metres.")
    ] = None,
    range_max: Annotated[
        float | None, typer.Option("--range-max", help="Maximum range, metres.")
    ] = None,
    munition: Annotated[
        str | None, typer.Option("--munition", help="Take the range window from the catalogue.")
    ] = None,
    control: Annotated[
        Path | None, typer.Option("--control", help="Control-of-territory GeoJSON polygon.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """The candidate launch area behind an impact: an annular sector on the ellipsoid."""
    from evidencelab.service.assessment.indicators import launch_area_geojson

    result = launch_area_geojson(
        lat=lat,
        lon=lon,
        bearing_deg=bearing,
        uncertainty_deg=bearing_uncertainty,
        range_min_m=range_min,
        range_max_m=range_max,
        munition=munition,
        control_path=control,
        out=out_path,
    )
    if as_json:
        print_json(result["summary"])
        return
    summary = result["summary"]
    out.print(
        f"sector: {summary['range_min_m']:,.0f}–{summary['range_max_m']:,.0f} m at "
        f"{summary['bearing_deg']:g}° ± {summary['bearing_uncertainty_deg']:g}°, "
        f"{summary['area_km2']:,.1f} km²",
        highlight=False,
    )
    for line in summary["range_basis"]:
        _say(f"  {line}")
    if summary.get("within_control_km2") is not None:
        out.print(
            f"within the control area: {summary['within_control_km2']:,.1f} km² "
            f"({100 * summary['share_within_control']:.1f}% of the sector)",
            highlight=False,
        )
    out.print(f"written: {summary['file']}", highlight=False)
