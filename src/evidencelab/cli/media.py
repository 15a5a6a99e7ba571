"""Evidence as media: an item's display preview written to a file (`evidence preview`)."""

from pathlib import Path
from typing import Annotated

import typer

from evidencelab.cli.common import (
    CaseOpt,
    JsonOpt,
    evidence_app,
    open_case,
    out,
    print_json,
    progress_bar,
    user_errors,
)


@evidence_app.command("preview")
@user_errors
def preview_command(
    ref: Annotated[str, typer.Argument(help="Evidence id or SHA-256 prefix.")],
    out_file: Annotated[Path, typer.Option("--out", help="JPEG file to write.")],
    size: Annotated[
        str, typer.Option("--size", help="small (256 px) or large (960 px), the longest side.")
    ] = "small",
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write an item's display preview (the thumbnail, poster or first page the workbench
    shows; a display copy, never evidence). An item flagged as graphic has none."""
    from evidencelab.service.evidence.media import save_preview

    with open_case(case_dir) as case, progress_bar("making the preview", 1) as bar:
        saved = save_preview(case, ref, out_file, size, sensitive=True)
        bar.update(bar.task_ids[0], completed=1)
    if as_json:
        print_json(saved)
        return
    out.print(
        f"{saved['out']}: preview of {saved['evidence']}, at most {saved['max_side']} px,"
        f" {saved['size_bytes']} bytes (a display copy, not evidence)",
        highlight=False,
    )
