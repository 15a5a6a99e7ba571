"""Shared parts of the command line: the app, its option types, output and errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from evidencelab.case import CaseError
from evidencelab.model.errors import CaseFileError

app = typer.Typer(
    help="Document attacks on civilians from digital evidence, verifiably.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


evidence_app = typer.Typer(help="Browse evidence items.", no_args_is_help=True)


app.add_typer(evidence_app, name="evidence")


incident_app = typer.Typer(help="Browse incidents.", no_args_is_help=True)


app.add_typer(incident_app, name="incident")


source_app = typer.Typer(help="Declare and list sources.", no_args_is_help=True)


app.add_typer(source_app, name="source")


sun_app = typer.Typer(
    help="Chronolocation by the sun: its position, and times or places that fit a shadow.",
    no_args_is_help=True,
)


app.add_typer(sun_app, name="sun")


munitions_app = typer.Typer(
    help="The munitions catalogue: every figure with its source and reliability flag.",
    no_args_is_help=True,
)


app.add_typer(munitions_app, name="munitions")


# Scripts read whole rows: when piped, print at a width tables need rather than 80.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)


err = Console(stderr=True, soft_wrap=True)


CaseOpt = Annotated[
    Path | None,
    typer.Option("--case", help="Case folder (default: found upward from the current folder)."),
]


JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


ActorOpt = Annotated[
    str | None,
    typer.Option("--actor", help="Who is acting (default: $EVIDENCELAB_ACTOR or login)."),
]


P = ParamSpec("P")


R = TypeVar("R")


USER_ERRORS: tuple[type[Exception], ...] = (CaseError, CaseFileError)


def user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn expected failures into one line on stderr and exit status 1."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except USER_ERRORS as error:
            err.print(f"[red]error:[/red] {error}", highlight=False)
            raise typer.Exit(1) from None

    return wrapper


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")


def progress_bar(description: str, total: int) -> Progress:
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        # Off a terminal the bar cannot be erased: it would leave an empty line on stderr.
        disable=not err.is_terminal,
    )
    progress.add_task(description, total=total)
    return progress


def print_record(record: dict[str, Any], *, skip: set[str]) -> None:
    for key, value in record.items():
        if key in skip:
            continue
        if isinstance(value, (dict, list)):
            text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
            out.print(f"[bold]{key}:[/bold]", text, highlight=False)
        else:
            out.print(f"[bold]{key}:[/bold] {value}", highlight=False)


context_app = typer.Typer(
    help="Protected objects and possible military objectives: map extracts and objects added"
    " by hand, and what stands near a place.",
    no_args_is_help=True,
)


app.add_typer(context_app, name="context")
