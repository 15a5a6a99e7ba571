"""`evidencelab source add|list`: sources declared one at a time."""

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


@source_app.command("edit")
@user_errors
def source_edit(
    source_id: Annotated[str, typer.Argument(help="The declared source to change.")],
    reliability: Annotated[
        str | None, typer.Option(help="high, medium or low (none: leave as it is).")
    ] = None,
    sensitive: Annotated[
        bool | None,
        typer.Option(
            "--sensitive/--not-sensitive", help="Identity protected (default: leave as it is)."
        ),
    ] = None,
    description: Annotated[str | None, typer.Option(help="Who or what the source is.")] = None,
    notes: Annotated[str | None, typer.Option(help="Why this grade; what is known.")] = None,
    url: Annotated[str | None, typer.Option(help="Where the source published.")] = None,
    case_dir: CaseOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a source's grade, sensitivity or description; the custody log keeps each field
    before and after (the workbench's sources page does the same)."""
    from evidencelab.service.evidence.sources import edit_source

    given = {
        "reliability": reliability,
        "sensitive": sensitive,
        "description": description,
        "notes": notes,
        "url": url,
    }
    with open_case(case_dir, actor=actor) as case:
        edited = edit_source(case, source_id, {k: v for k, v in given.items() if v is not None})
    if as_json:
        print_json(edited)
    elif not edited["changed"]:
        out.print(f"source {source_id}: nothing changed", highlight=False)
    else:
        fields = ", ".join(edited["changed"])
        out.print(
            f"source {source_id}: {fields} changed (custody event {edited['custody_event']})",
            highlight=False,
        )
