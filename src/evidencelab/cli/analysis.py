"""Analysis commands: near-duplicates, munitions, accuracy."""

from collections.abc import Mapping
from typing import Annotated, Any

import typer
from rich.table import Table

from evidencelab.cli.common import (
    CaseOpt,
    JsonOpt,
    app,
    evidence_app,
    munitions_app,
    open_case,
    out,
    print_json,
    print_record,
    user_errors,
)

RadiusOpt = Annotated[
    int, typer.Option("--radius", help="PDQ match distance, bits (upstream advice: 31).")
]


@app.command()
@user_errors
def duplicates(radius: RadiusOpt = 31, case_dir: CaseOpt = None, as_json: JsonOpt = False) -> None:
    """Groups of near-duplicate items (PDQ), with each group's earliest appearance."""
    from evidencelab.service.verification.duplicates import find_near_duplicates

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


@munitions_app.command("list")
@user_errors
def munitions_list(as_json: JsonOpt = False) -> None:
    """List catalogue entries."""
    from evidencelab.service.assessment.munitions import list_munitions

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
    from evidencelab.service.assessment.munitions import munition_record

    record = munition_record(name)
    if as_json:
        print_json(record)
    else:
        print_record(record, skip={"format"})


@munitions_app.command("resolve")
@user_errors
def munitions_resolve(
    text: Annotated[
        str, typer.Argument(help="A weapon name as a report writes it: '9K79-1 Tochka-U…'")
    ],
    as_json: JsonOpt = False,
) -> None:
    """The catalogue entry and warhead variant a weapon name points to, and how it matched;
    candidates (and exit 1) when the text fits several entries or none."""
    from evidencelab.service.assessment.munitions import resolve_record

    record = resolve_record(text)
    if as_json:
        print_json(record)
    else:
        for line in _resolution_lines(record):
            out.print(line, highlight=False)
    if record["status"] != "resolved":
        raise typer.Exit(1)


def _resolution_lines(record: Mapping[str, Any]) -> list[str]:
    if record["status"] == "resolved":
        head = f"{record['text']} -> {record['munition']}"
    elif record["status"] == "ambiguous":
        head = f"{record['text']}: ambiguous, candidates {', '.join(record['candidates'])}"
    else:
        head = f"{record['text']}: not in the catalogue (see `evidencelab munitions list`)"
    lines = [head, f"variant: {record['variant'] or 'not marked'} ({record['variant_basis']})"]
    lines += [f"  '{m['words']}': {m['how']} of {m['munition']}" for m in record["matches"]]
    if record["unmatched"]:
        lines.append(f"designations not in the catalogue: {', '.join(record['unmatched'])}")
    return lines


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
    from evidencelab.service.assessment.munitions import accuracy_record

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


@evidence_app.command("similar")
@user_errors
def evidence_similar(
    ref: Annotated[str, typer.Argument(help="Evidence id or SHA-256 prefix.")],
    radius: RadiusOpt = 31,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Items that look like this one (PDQ within the radius), nearest first."""
    from evidencelab.service.verification.duplicates import similar_to

    with open_case(case_dir) as case:
        found = similar_to(case, ref, radius=radius)
    if as_json:
        print_json(found)
        return
    if not found:
        out.print(f"nothing within {radius} bits")
    for item in found:
        out.print(f"{item['evidence_id']}  {item['distance_bits']:>3} bits", highlight=False)
