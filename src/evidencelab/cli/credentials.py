"""Content credentials (C2PA): read stored items again (`extract c2pa`)."""

from typing import TYPE_CHECKING, Annotated

import typer

from evidencelab.cli.common import (
    ActorOpt,
    CaseOpt,
    JsonOpt,
    app,
    open_case,
    out,
    print_json,
    progress_bar,
    user_errors,
)

if TYPE_CHECKING:
    from evidencelab.service.evidence.records import CredentialsRecord

extract_app = typer.Typer(
    help="Extract again from stored items: `extract c2pa` reads their content credentials.",
    no_args_is_help=True,
)
app.add_typer(extract_app, name="extract")


@extract_app.command("c2pa")
@user_errors
def extract_c2pa(
    refs: Annotated[
        list[str] | None,
        typer.Argument(help="Evidence ids or SHA-256 prefixes (default: every item not read)."),
    ] = None,
    actor: ActorOpt = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Read the content credentials (C2PA manifests) of stored items, offline, against the
    pinned trust anchors; record each reading in the custody log."""
    from evidencelab.service.evidence.credentials import read_credentials_again

    with open_case(case_dir, actor=actor) as case, progress_bar("reading C2PA", 0) as bar:

        def advance(done: int, total: int) -> None:
            bar.update(bar.task_ids[0], completed=done, total=total)

        outcomes = read_credentials_again(case, refs or [], sensitive=True, progress=advance)
    if as_json:
        print_json(outcomes)
        return
    for outcome in outcomes:
        out.print(
            f"{outcome['evidence_id']}: {outcome['after']} (was {outcome['before']})",
            highlight=False,
        )
    out.print(f"{len(outcomes)} item{'' if len(outcomes) == 1 else 's'} read", highlight=False)


def print_credentials(record: "CredentialsRecord") -> None:
    """An item's content credentials in a few lines (the whole record is under --json)."""
    out.print(f"[bold]content credentials (C2PA):[/bold] {record['state_words']}", highlight=False)
    facts = [
        ("signer", record["signer"]),
        ("signed at", record["signed_at"]),
        ("claim generator", record["claim_generator"]),
        ("actions", ", ".join(a["action"] for a in record["actions"])),
        ("ingredients", ", ".join(i["title"] or "untitled" for i in record["ingredients"])),
        ("could not be read", record["problem"]),
    ]
    for label, value in facts:
        if value:
            out.print(f"  {label}: {value}", highlight=False)
    for result in record["results"]:
        if result["outcome"] == "failure":
            out.print(f"  {result['code']}: {result['words']}", highlight=False)
