"""Shared parts of the command line: the app, its option types, output and errors.

Nothing here, nor at the top of any command module, loads the database layer or the case
file model: they load when a command runs, so that `--help` starts in a fraction of the
time a command working on a case needs."""

import json
import sys
from collections.abc import Callable, Mapping
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, ParamSpec, TextIO, TypeVar

import typer
from rich.console import Console

from evidencelab.locker.errors import CaseError, InputError, InputErrors, NoCaseHere

if TYPE_CHECKING:
    from rich.progress import Progress

    from evidencelab.locker.case import Case

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


class StreamConsole:
    """A rich console on standard output (or error) as it is when printing: one made once
    at import would keep the stream, colours and width of whatever was standard output
    then (a caller that redirects it, as a test runner does, would see nothing)."""

    def __init__(self, *, stderr: bool) -> None:
        self._stderr = stderr
        self._made: tuple[TextIO, Console] | None = None

    @property
    def console(self) -> Console:
        stream = sys.stderr if self._stderr else sys.stdout
        if self._made is None or self._made[0] is not stream:
            self._made = (stream, self._make(stream))
        return self._made[1]

    def _make(self, stream: TextIO) -> Console:
        if self._stderr:
            return Console(file=stream, soft_wrap=True)
        # Scripts read whole rows: when piped, print at a width tables need rather than 80.
        return Console(file=stream, soft_wrap=True, width=None if stream.isatty() else 160)

    def print(self, *objects: Any, **options: Any) -> None:
        self.console.print(*objects, **options)


out = StreamConsole(stderr=False)


err = StreamConsole(stderr=True)


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


def user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn expected failures (a case error, an invalid case file) into one line on stderr
    and exit status 1."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except CaseError as error:
            _fail(error)
        except ValueError as error:
            if not _is_case_file_error(error):
                raise
            _fail(error)

    return wrapper


def _is_case_file_error(error: ValueError) -> bool:
    # Imported only once something failed: the case file model loads JSON Schema and YAML.
    from evidencelab.model.errors import CaseFileError

    return isinstance(error, CaseFileError)


def _as_option(error: InputError) -> str:
    return error.naming("--" + error.field.replace("_", "-"))


def _fail(error: Exception) -> NoReturn:
    if isinstance(error, NoCaseHere):
        error = CaseError(f"{error}; run `evidencelab init DIR` or pass --case DIR")
    named = error.errors if isinstance(error, InputErrors) else [error]
    if all(isinstance(e, InputError) for e in named):  # named as the options that gave them
        error = CaseError("; ".join(_as_option(e) for e in named if isinstance(e, InputError)))
    err.print(f"[red]error:[/red] {error}", highlight=False)
    raise typer.Exit(1) from None


def open_case(path: Path | None = None, *, actor: str | None = None) -> "Case":
    """`evidencelab.locker.case.open_case`, loaded when a command opens a case."""
    from evidencelab.locker.case import open_case as open_existing

    return open_existing(path, actor=actor)


def init_case(root: Path, *, actor: str | None = None) -> "Case":
    """`evidencelab.locker.case.init_case`, loaded when a command creates a case."""
    from evidencelab.locker.case import init_case as create

    return create(root, actor=actor)


def find_case_root(start: Path) -> Path:
    """`evidencelab.locker.case.find_case_root`, loaded when a command looks for a case."""
    from evidencelab.locker.case import find_case_root as find

    return find(start)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")


def progress_bar(description: str, total: int) -> "Progress":
    # Loaded for long work only, as the command modules load the case's layers.
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err.console,
        transient=True,
        # Off a terminal the bar cannot be erased: it would leave an empty line on stderr.
        disable=not err.console.is_terminal,
    )
    progress.add_task(description, total=total)
    return progress


def print_record(record: Mapping[str, Any], *, skip: set[str]) -> None:
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
