"""External anchors of the custody head: write one, list them."""

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from evidencelab.cli.common import (
    ActorOpt,
    CaseOpt,
    JsonOpt,
    app,
    open_case,
    out,
    print_json,
    user_errors,
)
from evidencelab.locker.errors import CaseError

anchor_app = typer.Typer(
    help="Anchor the custody head outside the case: `anchor --to PATH` writes one, "
    "`anchor list` shows those recorded.",
    invoke_without_command=True,
)
app.add_typer(anchor_app, name="anchor")


@anchor_app.callback()
@user_errors
def anchor_command(
    ctx: typer.Context,
    to: Annotated[
        Path | None,
        typer.Option(
            "--to",
            help="Anchor file to write, or a folder to write it in, outside the case "
            "(a USB drive, a shared drive, a git repository).",
        ),
    ] = None,
    actor: ActorOpt = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the custody head (seq and hash) to an anchor file outside the case and record
    it (a custody event and anchors.json); `verify` compares the log with it."""
    from evidencelab.locker.anchors import anchor_head

    if ctx.invoked_subcommand is not None:
        return
    if to is None:
        raise CaseError("anchor: give --to PATH (where to write the anchor), or `anchor list`")
    with open_case(case_dir, actor=actor) as case:
        result = anchor_head(case, to)
    if as_json:
        print_json(result)
        return
    out.print(
        f"anchored custody log at event {result['seq']}, head hash {result['hash']}",
        highlight=False,
    )
    out.print(
        f"written to {result['location']} at {result['written_at']} "
        f"(recorded as custody event {result['event']})",
        highlight=False,
    )


@anchor_app.command("list")
@user_errors
def anchor_list(case_dir: CaseOpt = None, as_json: JsonOpt = False) -> None:
    """The anchors recorded in the case, oldest first."""
    from evidencelab.locker.anchors import list_anchors

    with open_case(case_dir) as case:
        anchors: list[dict[str, Any]] = list_anchors(case)
    if as_json:
        print_json(anchors)
        return
    if not anchors:
        out.print("no anchors recorded: `evidencelab anchor --to PATH` writes one")
        return
    table = Table("event", "written (UTC)", "by", "head seq", "head hash", "location")
    for a in anchors:
        table.add_row(
            str(a.get("event", "")),
            str(a.get("written_at")),
            str(a.get("actor", "")),
            str(a.get("seq")),
            str(a.get("hash")),
            str(a.get("location")),
        )
    out.print(table)
