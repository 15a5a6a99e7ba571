"""`evidencelab source add|list`: sources declared one at a time."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from evidencelab.cli.common import (
    ActorOpt,
    CaseOpt,
    JsonOpt,
    open_case,
    out,
    print_json,
    source_app,
    user_errors,
)


@source_app.command("add")
@user_errors
def source_add(
    source_id: Annotated[str, typer.Argument(help="The source's id, as ingest --source names it.")],
    kind: Annotated[
        str, typer.Option(help="witness, social_media, media, official, satellite or researcher.")
    ],
    description: Annotated[str | None, typer.Option(help="Who or what the source is.")] = None,
    reliability: Annotated[str | None, typer.Option(help="high, medium or low.")] = None,
    sensitive: Annotated[
        bool, typer.Option(help="Identity protected: never named in public outputs.")
    ] = False,
    url: Annotated[str | None, typer.Option(help="Where the source published.")] = None,
    notes: Annotated[str | None, typer.Option(help="Why this grade; what is known.")] = None,
    case_dir: CaseOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Declare a source, so that evidence, casualty reports and claims can name it."""
    from evidencelab.service.evidence.records import SourceDeclaration
    from evidencelab.service.evidence.sources import add_source

    record: SourceDeclaration = {
        "id": source_id,
        "kind": kind,
        "description": description,
        "reliability": reliability,
        "sensitive": sensitive or None,
        "url": url,
        "notes": notes,
    }
    with open_case(case_dir, actor=actor) as case:
        added = add_source(case, record)
    if as_json:
        print_json(added)
    else:
        out.print(f"source {source_id} declared", highlight=False)


@source_app.command("list")
@user_errors
def source_list(case_dir: CaseOpt = None, as_json: JsonOpt = False) -> None:
    """The declared sources, in the order they were declared."""
    from evidencelab.service.evidence.sources import list_sources

    with open_case(case_dir) as case:
        sources = list_sources(case)
    if as_json:
        print_json(sources)
        return
    table = Table("id", "kind", "reliability", "sensitive", "description")
    for s in sources:
        table.add_row(
            s["id"], s["kind"], s["reliability"] or "", "yes" if s["sensitive"] else "",
            s["description"] or "",
        )  # fmt: skip
    out.print(table)
