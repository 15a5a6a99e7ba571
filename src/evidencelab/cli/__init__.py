"""Command line: a thin face over evidencelab.service and the locker."""

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
    app()
