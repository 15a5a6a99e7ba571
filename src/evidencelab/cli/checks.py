"""Consistency checks and corroboration counts.

Checks report findings about the material, not failures of the command: `checks` exits
with status 0 whatever it finds (1 only for bad input, such as an unknown id).
"""

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

import typer
from rich.markup import escape

from evidencelab.cli.common import CaseOpt, JsonOpt, app, open_case, out, print_json, user_errors
from evidencelab.locker.errors import CaseError

_STYLE = {"problem": "bold red", "warning": "yellow", "info": "cyan"}
_SCOPES = {"evidence": "per item", "incident": "per incident", "link": "item vs incident"}


@app.command("checks")
@user_errors
def checks_command(
    evidence: Annotated[
        str | None, typer.Option("--evidence", help="Only this item (id or SHA-256 prefix).")
    ] = None,
    incident: Annotated[
        str | None, typer.Option("--incident", help="Only this incident and its items.")
    ] = None,
    check: Annotated[
        list[str] | None, typer.Option("--check", help="Run only this check (repeatable).")
    ] = None,
    list_checks: Annotated[
        bool, typer.Option("--list", help="List the checks with their severity and meaning.")
    ] = False,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Consistency checks per evidence item and per incident, each with its severity.

    Exit status is 0 even when checks report problems: they are findings, not errors.
    """
    from evidencelab.service.verification.checks import (
        check_catalogue,
        run_checks,
        summarise_checks,
    )

    if list_checks:
        catalogue = check_catalogue()
        if as_json:
            print_json(catalogue)
            return
        for entry in catalogue:
            scopes = ", ".join(_SCOPES[s] for s in entry["scopes"])
            out.print(
                f"[{_STYLE[entry['severity']]}]{entry['check']}[/] ({entry['severity']}; "
                f"{scopes}): {escape(entry['explanation'])}",
                highlight=False,
            )
        return
    if evidence is not None and incident is not None:
        raise CaseError("--evidence and --incident: give one of them, or neither for all")
    with open_case(case_dir) as case:
        results = run_checks(case, evidence_id=evidence, incident_id=incident, codes=check)
    if as_json:
        print_json(results)
        return
    _print_checks(results)
    counts = summarise_checks(results)
    out.print(
        f"{counts['problem']} problem(s), {counts['warning']} warning(s), {counts['info']} "
        "info; checks are findings about the material, not errors (exit status 0)",
        highlight=False,
    )


def _print_checks(results: Sequence[Mapping[str, Any]]) -> None:
    """Results grouped under their evidence item, then incident-only results."""
    headings: dict[str, list[Mapping[str, Any]]] = {}
    for result in results:
        heading = (
            f"evidence {result['evidence']}"
            if result["evidence"]
            else f"incident {result['incident']}"
        )
        headings.setdefault(heading, []).append(result)
    for heading, entries in headings.items():
        out.print(f"[bold]{heading}[/bold]", highlight=False)
        for r in entries:
            against = f" (incident {r['incident']})" if r["evidence"] and r["incident"] else ""
            out.print(
                f"  [{_STYLE[r['severity']]}]{r['severity']:<7}[/] {r['check']}{against}: "
                f"{escape(r['message'])}",
                highlight=False,
            )


@app.command("corroboration")
@user_errors
def corroboration_command(
    incident_id: Annotated[str, typer.Argument(help="Incident id.")],
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Independent sources supporting and contradicting each fact of an incident."""
    from evidencelab.service.assessment.corroboration import corroboration

    with open_case(case_dir) as case:
        record = corroboration(case, incident_id)
    if as_json:
        print_json(record)
        return
    out.print(f"[bold]incident {record['incident']}[/bold]: {record['title']}", highlight=False)
    out.print(f"counting: {record['method']}", highlight=False)
    for fact in record["facts"]:
        _print_fact(fact)


def _print_fact(fact: Mapping[str, Any]) -> None:
    out.print(
        f"\n[bold]{fact['fact']}[/bold]: {fact['claim'] or '(not stated)'}\n"
        f"  supporting: {fact['supporting']} independent, contradicting: "
        f"{fact['contradicting']}",
        highlight=False,
    )
    for number, group in enumerate(fact["groups"], start=1):
        members = list(dict.fromkeys(group["supporting"] + group["contradicting"]))
        out.print(f"  group {number}: {', '.join(members)}", highlight=False)
        for why in group["joined_because"]:
            out.print(f"    counts once: {why}", highlight=False)
        for statement in fact["statements"]:
            if statement["member"] in members:
                mark = "+" if statement["stance"] == "supports" else "-"
                out.print(
                    f"    {mark} {statement['member']} {statement['stance']}: "
                    f"{escape(statement['reason'])}",
                    highlight=False,
                )
    for conflict in fact.get("conflicts", []):
        out.print(
            f"  conflict ({conflict['figure']}): {conflict['sources'][0]} "
            f"{conflict['ranges'][0]} vs {conflict['sources'][1]} {conflict['ranges'][1]}",
            highlight=False,
        )
    for entry in fact["excluded"]:
        out.print(f"  left out: {entry['member']} ({entry['reason']})", highlight=False)
    for note in fact["notes"]:
        out.print(f"  note: {note}", highlight=False)
