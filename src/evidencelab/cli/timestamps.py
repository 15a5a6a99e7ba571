"""Trusted timestamps (RFC 3161): timestamp the new items, list tokens, configure
authorities."""

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from evidencelab.cli.common import (
    ActorOpt,
    CaseOpt,
    JsonOpt,
    app,
    err,
    open_case,
    out,
    print_json,
    progress_bar,
    user_errors,
)
from evidencelab.locker.errors import InputError

timestamp_app = typer.Typer(
    help="Trusted timestamps (RFC 3161): `timestamp` has the items added since the last "
    "timestamp signed by each configured authority; `timestamp list`, `timestamp authority`.",
    invoke_without_command=True,
)
app.add_typer(timestamp_app, name="timestamp")
authority_app = typer.Typer(
    help="Time-stamping authorities: where to ask, and the roots their tokens must chain to.",
    no_args_is_help=True,
)
timestamp_app.add_typer(authority_app, name="authority")


@timestamp_app.callback()
@user_errors
def timestamp_command(
    ctx: typer.Context,
    tsa: Annotated[
        list[str] | None,
        typer.Option(
            "--tsa", help="A configured authority's name or URL (repeatable; default: all)."
        ),
    ] = None,
    actor: ActorOpt = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Ask each authority to sign a manifest of the items added since the last timestamp
    (their SHA-256 and the custody head); record every token that checks out."""
    from evidencelab.service.timestamps.stamping import timestamp_case

    if ctx.invoked_subcommand is not None:
        return
    wanted = tsa or []
    with open_case(case_dir, actor=actor) as case, progress_bar("timestamping", 0) as bar:

        def advance(done: int, total: int) -> None:
            bar.update(bar.task_ids[0], completed=done, total=total)

        run = timestamp_case(case, wanted, advance)
    if as_json:
        print_json(run)
    else:
        print_run(run)
    if run["failures"]:
        raise typer.Exit(1)


def print_run(run: Mapping[str, Any]) -> None:
    """A timestamping in lines: nothing new, or the manifest and each token; failures on
    stderr."""
    if run["manifest_sha256"] is None and not run["failures"]:
        out.print("nothing to timestamp: every item is covered by an earlier timestamp")
    elif run["manifest_sha256"] is not None:
        out.print(f"manifest {run['manifest_sha256']} of {run['items']} item(s)", highlight=False)
    for t in run["timestamps"]:
        out.print(
            f"  {t['authority']}: genTime {t['gen_time']}, serial {t['serial']}, "
            f"policy {t['policy']} (custody event {t['custody_event']})",
            highlight=False,
        )
    for f in run["failures"]:
        err.print(f"[red]error:[/red] authority {f['authority']}: {f['problem']}", highlight=False)


@timestamp_app.command("list")
@user_errors
def timestamp_list(case_dir: CaseOpt = None, as_json: JsonOpt = False) -> None:
    """The timestamps recorded, newest first."""
    from evidencelab.service.timestamps.stamping import list_timestamps

    with open_case(case_dir) as case:
        records = list_timestamps(case)
    if as_json:
        print_json(records)
        return
    if not records:
        out.print("no timestamps recorded")
        return
    table = Table("id", "authority", "genTime (UTC)", "serial", "items", "manifest", "event")
    for t in records:
        table.add_row(
            str(t["id"]),
            t["authority"],
            t["gen_time"],
            t["serial"],
            str(t["items"]),
            t["manifest_sha256"][:16] + "…",
            str(t["custody_event"]),
        )
    out.print(table)


def _read_root(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise InputError("root", path, "no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError("root", path, f"not readable as PEM text ({error})") from None


@authority_app.command("add")
@user_errors
def authority_add(
    name: Annotated[str, typer.Argument(help="A short name for the authority.")],
    url: Annotated[str, typer.Argument(help="Its RFC 3161 address (http:// or https://).")],
    root: Annotated[
        list[Path],
        typer.Option(
            "--root", help="PEM file of a root certificate its tokens chain to (repeatable)."
        ),
    ],
    policy: Annotated[
        str | None, typer.Option("--policy", help="Policy OID its tokens must carry.")
    ] = None,
    actor: ActorOpt = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Configure an authority (a custody event); ingests then timestamp new items with it."""
    from evidencelab.service.timestamps.authorities import add_authority

    roots = {str(path): _read_root(path) for path in root}
    with open_case(case_dir, actor=actor) as case:
        record = add_authority(case, name, url, roots, policy)
    if as_json:
        print_json(record)
        return
    out.print(f"authority {record['name']} added: {record['url']}", highlight=False)
    for subject in record["roots"]:
        out.print(f"  root: {subject}", highlight=False)


@authority_app.command("list")
@user_errors
def authority_list(case_dir: CaseOpt = None, as_json: JsonOpt = False) -> None:
    """The authorities configured, and those removed (kept for their tokens)."""
    from evidencelab.service.timestamps.authorities import list_authorities

    with open_case(case_dir) as case:
        records = list_authorities(case)
    if as_json:
        print_json(records)
        return
    if not records:
        out.print("no time-stamping authority configured")
        return
    table = Table("name", "URL", "roots", "policy", "added (UTC)", "removed (UTC)")
    for a in records:
        table.add_row(
            a["name"],
            a["url"],
            "\n".join(a["roots"]),
            a["policy"] or "",
            a["added_at"],
            a["removed_at"] or "",
        )
    out.print(table)


@authority_app.command("remove")
@user_errors
def authority_remove(
    name: Annotated[str, typer.Argument(help="The authority's name.")],
    actor: ActorOpt = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Stop asking an authority (a custody event); its tokens are still checked."""
    from evidencelab.service.timestamps.authorities import remove_authority

    with open_case(case_dir, actor=actor) as case:
        record = remove_authority(case, name)
    if as_json:
        print_json(record)
    else:
        out.print(f"authority {record['name']} removed; its tokens stay in the case")
