"""Command line: a thin face over evidencelab.service and the locker."""

import gc
import sys
from collections.abc import Sequence
from importlib import import_module

import typer

from evidencelab.cli.common import app

# Each command module, with the top-level commands and command groups it adds commands to.
# Running a command loads only the modules it needs (about 0.05 s of CPU less than loading
# all twenty); help loads all of them, in this order, which is the order of `--help`.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "locker": ("init", "ingest", "verify", "log", "evidence"),
    "anchor": ("anchor",),
    "timestamps": ("timestamp",),
    "casefile": (
        *("import", "export", "bundle", "check-bundle", "summary", "demo", "report"),
        "incident",
    ),
    "workflow": ("incident",),
    "sources": ("source",),
    "sun": ("sun",),
    "verify": ("evidence", "incident", "geolocate"),
    "safety": ("evidence",),
    "checks": ("checks", "corroboration"),
    "analysis": ("duplicates", "accuracy", "evidence", "munitions"),
    "context": ("context",),
    "maps": ("maps",),
    "assess": ("launch-area", "assess", "claim"),
    "imagery": ("imagery",),
    "discussion": ("search", "reindex", "activity", "comment"),
    "capture": ("capture", "captures", "capture-key"),
    "credentials": ("extract",),
    "media": ("evidence",),
    "web": ("serve", "user", "token"),
}


def load_commands(args: Sequence[str] = ()) -> typer.Typer:
    """The app, with the commands of the modules the command line `args` names by its first
    word (a command or a group); with every command when it names none of them."""
    word = next((arg for arg in args if not arg.startswith("-")), None)
    needed = [module for module, names in COMMAND_MODULES.items() if word in names]
    for module in needed or COMMAND_MODULES:
        import_module(f"evidencelab.cli.{module}")
    return app


# Start-up makes about 150,000 objects that live as long as the process (modules, classes,
# the ORM's mappings) and hardly any garbage. Run every 700 new objects, as by default, the
# cyclic collector walks them again and again: about 0.05 s of CPU for a command reading a
# case. Its first run waits until this many; from then on it runs as usual.
STARTUP_OBJECTS = 200_000


def _collect_late_at_startup() -> None:
    usual = gc.get_threshold()

    def as_usual(phase: str, info: dict[str, int]) -> None:
        gc.set_threshold(*usual)
        gc.callbacks.remove(as_usual)

    gc.set_threshold(STARTUP_OBJECTS, *usual[1:])
    gc.callbacks.append(as_usual)


def main() -> None:
    """The `evidencelab` script."""
    _collect_late_at_startup()
    load_commands(sys.argv[1:])
    try:
        app()
    finally:
        # The process ends next. Its last garbage collection would walk every object the
        # imports made, about 0.2 s of CPU after a command that reads a case, only to free
        # memory the operating system takes back anyway; frozen objects are skipped.
        gc.freeze()
