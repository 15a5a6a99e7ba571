"""Commands on the locker: create a case, ingest, verify, the custody log, evidence."""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from evidencelab.cli.common import (
    ActorOpt,
    CaseOpt,
    JsonOpt,
    app,
    err,
    evidence_app,
    init_case,
    open_case,
    out,
    print_json,
    print_record,
    progress_bar,
    user_errors,
)
from evidencelab.cli.credentials import print_credentials

if TYPE_CHECKING:
    from evidencelab.locker.ingest import IngestOutcome
    from evidencelab.locker.verify import VerifyReport

LINK_SKIPPED = "symbolic link inside a folder, not followed (name it to ingest what it points to)"

# Services are imported inside each command: the science stack (pvlib, pandas, scipy,
# rasterio) is loaded only by the commands that use it, so the others start quickly.


@app.command()
@user_errors
def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the new case.")],
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a new, empty case folder."""
    init_case(directory, actor=actor).close()
    if as_json:
        print_json({"case": str(directory)})
    else:
        out.print(f"created case in {directory}")


@app.command("ingest")
@user_errors
def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (recursive).")],
    source: Annotated[str | None, typer.Option(help="Source id the files came from.")] = None,
    url: Annotated[str | None, typer.Option(help="Where the files were found.")] = None,
    collector: Annotated[str | None, typer.Option(help="Who collected them.")] = None,
    collected_at: Annotated[
        str | None, typer.Option(help="When they were collected (ISO 8601).")
    ] = None,
    note: Annotated[str | None, typer.Option(help="Free-text note on this acquisition.")] = None,
    kind: Annotated[
        str | None, typer.Option(help="photo, video, satellite, document, web_capture, testimony.")
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: cores).")] = None,
    case_dir: CaseOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Preserve files in the locker, extract their metadata, and log the acquisition.

    Symbolic links named here are followed; inside folders they are skipped, one line each.
    """
    from evidencelab.locker.ingest import (
        IngestOutcome,
        IngestRequest,
        check_kind,
        expand_paths,
        parse_collected_at,
    )
    from evidencelab.service.intake import take_in

    expanded = expand_paths(paths)
    requests = [
        IngestRequest(
            path=f,
            kind=kind and check_kind(kind),
            source_id=source,
            url=url,
            collector=collector,
            collected_at=collected_at and parse_collected_at(collected_at),
            note=note,
        )
        for f in expanded.files
    ]
    with open_case(case_dir, actor=actor) as case, progress_bar("ingesting", len(requests)) as bar:
        intake = take_in(
            case, requests, workers=workers, progress=lambda _o: bar.advance(bar.task_ids[0])
        )
    outcomes, checks = intake.outcomes, intake.checks
    skipped = [
        IngestOutcome(link, None, None, "skipped", LINK_SKIPPED) for link in expanded.links_skipped
    ]
    report_ingest(outcomes + skipped, checks, as_json)
    if intake.timestamps is not None:
        report_timestamps(intake.timestamps, as_json)
    if any(o.status == "failed" for o in outcomes):
        raise typer.Exit(1)


def report_ingest(
    outcomes: "list[IngestOutcome]", checks: Sequence[Mapping[str, Any]], as_json: bool
) -> None:
    if as_json:
        print_json(
            [
                {
                    "path": str(o.path),
                    "evidence_id": o.evidence_id,
                    "sha256": o.sha256,
                    "status": o.status,
                    "message": o.message,
                    "checks": [c for c in checks if c["evidence"] == o.evidence_id],
                }
                for o in outcomes
            ]
        )
        return
    for o in outcomes:
        if o.status == "failed":
            err.print(f"[red]error:[/red] {o.path}: {o.message}", highlight=False)
        elif o.status == "skipped":
            err.print(f"skipped: {o.path}: {o.message}", highlight=False)
    counts = {
        s: sum(o.status == s for o in outcomes)
        for s in ("new", "acquired", "unchanged", "failed", "skipped")
    }
    out.print(
        f"{len(outcomes) - counts['skipped']} file(s): {counts['new']} new, "
        f"{counts['acquired']} already stored (new acquisition recorded), "
        f"{counts['unchanged']} unchanged, {counts['failed']} failed"
        + (f", {counts['skipped']} symbolic link(s) skipped" if counts["skipped"] else "")
    )
    for check in checks:
        if check["severity"] != "info":
            out.print(
                f"{check['severity']}: {check['evidence']}: {check['check']}: {check['message']}",
                highlight=False,
            )


def report_timestamps(run: Mapping[str, Any], as_json: bool) -> None:
    """The automatic timestamp of an ingest: each token on stdout (not with --json), each
    failing authority as a warning on stderr (the ingest stands)."""
    if not as_json:
        for t in run["timestamps"]:
            out.print(
                f"timestamped by {t['authority']}: genTime {t['gen_time']}, serial {t['serial']}",
                highlight=False,
            )
    for f in run["failures"]:
        by = f" by {f['authority']}" if f["authority"] else ""
        err.print(f"[yellow]warning:[/yellow] not timestamped{by}: {f['problem']}", highlight=False)


@app.command("verify")
@user_errors
def verify_command(
    anchor: Annotated[
        list[Path] | None,
        typer.Option(
            "--anchor",
            help="An anchor file kept outside the case to compare the log with (repeatable).",
        ),
    ] = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Re-hash every stored object, walk the custody chain and compare it with every anchor."""
    from evidencelab.service.integrity.verify import verify_whole_case

    with open_case(case_dir) as case, progress_bar("verifying", 0) as bar:

        def advance(done: int, total: int) -> None:
            bar.update(bar.task_ids[0], completed=done, total=total)

        report = verify_whole_case(case, advance, anchor or [])
    head = None if report.head is None else {"seq": report.head.seq, "hash": report.head.hash}
    if as_json:
        print_json(
            {
                "intact": report.intact,
                "objects_checked": report.objects_checked,
                "bytes_checked": report.bytes_checked,
                "events_checked": report.events_checked,
                "head": head,
                "anchors": report.anchors,
                "problems": report.problems,
                "notes": report.notes,
            }
        )
    else:
        print_verify_report(report)
    if not report.intact:
        raise typer.Exit(1)


def print_verify_report(report: "VerifyReport") -> None:
    """Problems, then the verdict line, the head and each anchor that matches; notes on
    stderr."""
    for problem in report.problems:
        out.print(problem, highlight=False)
    for note in report.notes:
        err.print(f"note: {note}", highlight=False)
    if report.intact:
        out.print(
            f"intact: {report.objects_checked} objects ({report.bytes_checked} bytes) "
            f"and {report.events_checked} custody events verified"
        )
    if report.head is not None:
        out.print(
            f"custody log at event {report.head.seq}, head hash {report.head.hash}",
            highlight=False,
        )
    for anchor in report.anchors:
        if anchor["matches"]:
            origin = "" if anchor["from"] == "anchor file" else f" ({anchor['from']})"
            out.print(
                f"anchor written to {anchor['location']} at {anchor['written_at']}{origin}: "
                f"event {anchor['seq']} matches the log",
                highlight=False,
            )


@app.command("log")
@user_errors
def log_command(
    subject: Annotated[str | None, typer.Option(help="Only events about this id.")] = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the custody log."""
    from evidencelab.service.integrity.custody import custody_log

    with open_case(case_dir) as case:
        events = custody_log(case, subject=subject)
    if as_json:
        print_json(events)
        return
    table = Table("seq", "recorded (UTC)", "actor", "action", "subject", "hash")
    for e in events:
        table.add_row(
            str(e["seq"]),
            e["recorded_at"],
            e["actor"],
            e["action"],
            e["subject"] or "",
            e["hash"][:16] + "…",
        )
    out.print(table)


@evidence_app.command("list")
@user_errors
def evidence_list(case_dir: CaseOpt = None, as_json: JsonOpt = False) -> None:
    """List evidence items."""
    from evidencelab.service.evidence.items import list_evidence

    with open_case(case_dir) as case:
        items = list_evidence(case)
    if as_json:
        print_json(items)
        return
    table = Table("id", "kind", "name", "sha256", "captured", "GPS", "acq.", "errors")
    for i in items:
        gps = i["gps"]
        table.add_row(
            i["id"],
            i["kind"] or "",
            i["original_name"],
            i["sha256"][:12] + "…",
            i["captured_at"] or "",
            f"{gps['lat']:.5f}, {gps['lon']:.5f}" if gps else "",
            str(i["acquisitions"]),
            str(i["extraction_errors"] or ""),
        )
    out.print(table)


@evidence_app.command("show")
@user_errors
def evidence_show(
    ref: Annotated[str, typer.Argument(help="Evidence id or SHA-256 prefix.")],
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Everything stored about one evidence item."""
    from evidencelab.service.evidence.items import show_evidence

    with open_case(case_dir) as case:
        record = show_evidence(case, ref)
    if as_json:
        print_json(record)
        return
    print_record(record, skip={"metadata_raw", "content_credentials"})
    out.print(f"({len(record['metadata_raw'])} raw metadata tags: use --json to see them)")
    print_credentials(record["content_credentials"])
