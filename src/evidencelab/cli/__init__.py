"""Command line: a thin face over evidencelab.service and the locker."""

import gc
from importlib import import_module

from evidencelab.cli.common import app

# Importing a module registers its commands; this order is the order of `--help`.
for _module in (
    "locker",
    "anchor",
    "timestamps",
    "casefile",
    "workflow",
    "sources",
    "sun",
    "verify",
    "safety",
    "checks",
    "analysis",
    "context",
    "maps",
    "assess",
    "imagery",
    "discussion",
    "capture",
    "credentials",
    "media",
    "web",
):
    import_module(f"evidencelab.cli.{_module}")


def main() -> None:
    """The `evidencelab` script."""
    try:
        app()
    finally:
        # The process ends next. Its last garbage collection would walk every object the
        # imports made, about 0.2 s of CPU after a command that reads a case, only to free
        # memory the operating system takes back anyway; frozen objects are skipped.
        gc.freeze()
