"""Commands on the case file, incidents, the summary, the report and the demo."""

import sys
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
    incident_app,
    open_case,
    out,
    print_json,
    print_record,
    progress_bar,
    user_errors,
)
from evidencelab.locker.errors import CaseError, InputError

# Services are imported inside each command: the science stack (pvlib, pandas, scipy,
# rasterio) is loaded only by the commands that use it, so the others start quickly.


@app.command("import")
@user_errors
def import_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="Case file (.yaml, .yml or .json), or a .zip archive holding one and its media."
        ),
    ],
    case_dir: CaseOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a case file: sources, incidents, and the evidence files it names."""
    from evidencelab.service.exchange.case_archive import import_case_archive
    from evidencelab.service.exchange.casefile import import_case_file

    archive = file.suffix.lower() == ".zip"
    with open_case(case_dir, actor=actor) as case, progress_bar("importing evidence", 0) as bar:

        def advance(_outcome: object) -> None:
            bar.advance(bar.task_ids[0])

        if archive:
            result = import_case_archive(case, file, progress=advance)["imported"]
        else:
            result = import_case_file(case, file, progress=advance)
    if as_json:
        print_json(result)
        return
    evidence = result["evidence"]
    out.print(
        f"imported {file}: {result['sources']} sources, {result['incidents']} incidents, "
        f"evidence {evidence['new']} new, {evidence['acquired']} newly acquired, "
        f"{evidence['unchanged']} unchanged"
    )
    found = {severity: n for severity, n in result["checks"].items() if n and severity != "info"}
    if found:
        counts = ", ".join(f"{n} {severity}" for severity, n in found.items())
        out.print(f"consistency checks of the new evidence: {counts} (see `evidencelab checks`)")


@app.command("export")
@user_errors
def export_command(
    fmt: Annotated[
        str, typer.Option("--format", help="case, geojson (incidents) or csv (ACLED-style).")
    ] = "case",
    syntax: Annotated[str, typer.Option("--syntax", help="For case: yaml or json.")] = "yaml",
    public: Annotated[
        bool, typer.Option("--public", help="CSV: protect sensitive source ids.")
    ] = False,
    case_dir: CaseOpt = None,
) -> None:
    """Write the case to standard output as a case file, GeoJSON or CSV (the export is logged)."""
    from evidencelab.service.outputs.exports import export_text

    with open_case(case_dir) as case:
        text = export_text(case, fmt, syntax=syntax, public=public)
    sys.stdout.write(text)


@app.command()
@user_errors
def bundle(
    out_file: Annotated[Path, typer.Option("--out", help="Zip file to write.")],
    public: Annotated[
        bool, typer.Option("--public", help="Hashes only, sensitive sources and fields removed.")
    ] = False,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write a verifiable bundle: originals (or their hashes), manifest, custody log, exports."""
    from evidencelab.service.outputs.bundle import write_bundle

    with open_case(case_dir) as case:
        summary = write_bundle(case, out_file, public=public)
    if as_json:
        print_json(
            {
                "path": str(summary.path),
                "sha256": summary.sha256,
                "size": summary.size,
                "public": summary.public,
                "objects_included": summary.objects_included,
            }
        )
    else:
        out.print(
            f"{summary.path}: {summary.size} bytes, SHA-256 {summary.sha256}, "
            f"{summary.objects_included} originals included",
            highlight=False,
        )


@app.command("check-bundle")
@user_errors
def check_bundle_command(
    file: Annotated[Path, typer.Argument(help="A bundle written by `evidencelab bundle`.")],
    as_json: JsonOpt = False,
) -> None:
    """Check a bundle: every hash against its manifest, the custody chain and the captures'
    WACZ signatures. Needs no case."""
    from evidencelab.service.outputs.bundle import bundle_check, bundle_head

    if not file.is_file():
        raise CaseError(f"{file}: no such file")
    checked = bundle_check(file)
    problems, signatures = checked["problems"], checked["signatures"]
    head = bundle_head(file)
    if as_json:
        head_json = None if head is None else {"seq": head.seq, "hash": head.hash}
        print_json(
            {
                "intact": not problems,
                "head": head_json,
                "problems": problems,
                "signatures": signatures,
            }
        )
    else:
        for problem in problems:
            out.print(problem, highlight=False)
        if not problems:
            out.print(f"intact: {file}")
        for line in _signature_lines(signatures):
            out.print(line, highlight=False)
        if head is not None:
            out.print(
                f"custody log at event {head.seq}, head hash {head.hash}"
                + ("" if not problems else " (as its manifest records it)"),
                highlight=False,
            )
    if problems:
        raise typer.Exit(1)


def _signature_lines(signatures: Mapping[str, Any]) -> list[str]:
    lines = []
    if signatures["signed"] and not signatures["problems"]:
        lines.append(
            f"{signatures['signed']} capture WACZ signature(s) verified with the capture key "
            "the custody log records"
        )
    if signatures["not_held"]:
        lines.append(
            f"{signatures['not_held']} capture WACZ not held (public bundle): their signatures "
            "could not be checked without the objects"
        )
    return lines


@app.command()
@user_errors
def summary(case_dir: CaseOpt = None, as_json: JsonOpt = False) -> None:
    """Key figures of the case and its finding sentence."""
    from evidencelab.service.incidents.listing import case_summary

    with open_case(case_dir) as case:
        result = case_summary(case)
    if as_json:
        print_json(result)
        return
    print_summary(result)


_STATUS_UNKNOWN_COLUMNS = {
    "status_unknown_killed_min": "status unknown, killed ≥",
    "status_unknown_injured_min": "status unknown, injured ≥",
}


def print_summary(result: Mapping[str, Any]) -> None:
    out.print(f"[bold]{result['title']}[/bold]")
    out.print(result["finding"], highlight=False)
    # People of unknown civilian status get columns of their own, never added to civilians;
    # shown only when some report gives them.
    unknown = {
        key: heading
        for key, heading in _STATUS_UNKNOWN_COLUMNS.items()
        if any(i.get(key) is not None for i in result["per_incident"])
    }
    table = Table("incident", "start (local)", "place", "weapon", "killed ≥", "injured ≥")
    for heading in unknown.values():
        table.add_column(heading)
    for i in result["per_incident"]:
        table.add_row(
            i["id"],
            (i["start"] or "") + (" (approx.)" if i["approximate"] else ""),
            i["place"] or "",
            i["weapon"] or "not identified",
            _figure(i["killed_min"]),
            _figure(i["injured_min"]),
            *(_figure(i[key]) for key in unknown),
        )
    out.print(table)
    for sentence in result.get("likely_double_counts", []):
        out.print(sentence, highlight=False, markup=False)
    out.print(
        f"{result['evidence_items']} evidence items, {result['sources']} sources, "
        f"{result['custody_events']} custody events"
    )
    for problem in result.get("problems", []):
        err.print(f"problem: {problem}", highlight=False, markup=False)


def _figure(value: int | None) -> str:
    return "no figure" if value is None else str(value)


@incident_app.command("list")
@user_errors
def incident_list(
    status: Annotated[str | None, typer.Option(help="Only incidents at this status.")] = None,
    assignee: Annotated[
        str | None, typer.Option(help="Only incidents assigned to this user.")
    ] = None,
    mine: Annotated[bool, typer.Option(help="Only incidents assigned to the actor.")] = False,
    overdue: Annotated[bool, typer.Option(help="Only incidents past their due date.")] = False,
    review: Annotated[
        str | None, typer.Option(help="awaiting review, reviewed, disputed or nothing to review.")
    ] = None,
    weapon: Annotated[str | None, typer.Option(help="Only incidents with this weapon.")] = None,
    date_from: Annotated[
        str | None, typer.Option(help="Local start date from (YYYY-MM-DD).")
    ] = None,
    date_to: Annotated[str | None, typer.Option(help="Local start date to (YYYY-MM-DD).")] = None,
    text: Annotated[str | None, typer.Option(help="Words in the title.")] = None,
    sort: Annotated[str, typer.Option(help="date, title, status, due or casualties.")] = "date",
    desc: Annotated[bool, typer.Option("--desc", help="Sort in descending order.")] = False,
    page: Annotated[str, typer.Option(help="Page number.")] = "1",
    page_size: Annotated[str, typer.Option(help="Incidents per page (at most 200).")] = "50",
    case_dir: CaseOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List incidents (filtered, sorted, a page at a time) with workflow, review status and
    supported minimum casualty figures."""
    from evidencelab.service.incidents.workflow_list import incident_page, parse_query

    given = {
        "status": status,
        "assignee": assignee,
        "mine": "yes" if mine else None,
        "overdue": "yes" if overdue else None,
        "review": review,
        "weapon": weapon,
        "date_from": date_from,
        "date_to": date_to,
        "text": text,
        "sort": sort,
        "descending": "yes" if desc else None,
        "page": page,
        "page_size": page_size,
    }
    query = parse_query({k: v for k, v in given.items() if v is not None})
    with open_case(case_dir, actor=actor) as case:
        listing = incident_page(case, query, me=case.actor)
    if as_json:
        print_json(listing)
        return
    table = Table("id", "title", "start (local)", "status", "assignee", "due", "review", "killed ≥")
    for i in listing["rows"]:
        table.add_row(
            i["id"],
            i["title"],
            i["start"] or "",
            i["status"],
            i["assignee"] or "",
            (i["due"] or "") + (" (overdue)" if i["overdue"] else ""),
            i["review"],
            _figure(i["killed_min"]),
        )
    out.print(table)
    out.print(
        f"page {listing['page']} of {listing['pages']}, {listing['total']} incident(s)",
        highlight=False,
    )


@incident_app.command("show")
@user_errors
def incident_show(
    incident_id: Annotated[str, typer.Argument(help="Incident id.")],
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Everything recorded about one incident, and its derived casualty figures."""
    from evidencelab.service.incidents.listing import show_incident

    with open_case(case_dir) as case:
        record = show_incident(case, incident_id)
    if as_json:
        print_json(record)
    else:
        print_record(record, skip=set())


@app.command()
@user_errors
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the demo case.")] = Path(
        "demo-case"
    ),
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Build the built-in demo case (three incidents of 24 February 2022) and report on it."""
    from evidencelab.service.demo import build_demo

    with progress_bar("ingesting demo evidence", 0) as bar:
        result = build_demo(out_dir, actor=actor, progress=lambda _o: bar.advance(bar.task_ids[0]))
    if as_json:
        print_json(result)
        return
    print_summary(result["summary"])
    out.print(f"case folder: {result['case']}")
    out.print(f"report: {result['report']}")


@app.command()
@user_errors
def report(
    out_file: Annotated[
        Path, typer.Option("--out", help="File to write (report.html or report.pdf by default).")
    ] = Path("report.html"),
    fmt: Annotated[str, typer.Option("--format", help="html or pdf.")] = "html",
    public: Annotated[
        bool,
        typer.Option(
            "--public",
            help="Public version: protected sources, witness identities, sensitive evidence "
            "and fields marked sensitive removed.",
        ),
    ] = False,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the report of the case (HTML or PDF; --public for the redacted version)."""
    from evidencelab.service.outputs.report import write_report

    if fmt == "pdf" and out_file == Path("report.html"):
        out_file = Path("report.pdf")
    with open_case(case_dir) as case:
        written = write_report(case, out_file, fmt=fmt, public=public)
    size = written.stat().st_size
    if as_json:
        print_json({"report": str(written), "format": fmt, "public": public, "bytes": size})
    else:
        edition = "public" if public else "internal"
        out.print(f"report ({fmt}, {edition}, {size:,} bytes): {written}")


CountOpt = Annotated[
    int | None, typer.Option(min=0, help="How many, as the source gave it (blank: not given).")
]
QualifierOpt = Annotated[
    str, typer.Option(help="exact, at_least, at_most or approximate, as the source gave it.")
]
ScopeOpt = Annotated[str, typer.Option(help="incident, or a wider scope the source gave.")]
CivilianOpt = Annotated[str, typer.Option(help="Civilians: yes, no or unknown.")]
ReportedAtOpt = Annotated[str | None, typer.Option(help="When the source gave them (ISO 8601).")]
ReportedZoneOpt = Annotated[
    str | None, typer.Option(help="IANA time zone of --reported-at if it has no offset.")
]
NotesOpt = Annotated[str | None, typer.Option(help="Notes on the figures.")]


def _report_fields(
    *,
    source: str | None,
    scope: str,
    civilian: str,
    killed_count: int | None,
    killed_qualifier: str,
    injured_count: int | None,
    injured_qualifier: str,
    reported_at: str | None,
    reported_zone: str | None,
    notes: str | None,
) -> dict[str, str]:
    """The options as the text fields the incident page's casualty form sends, so that both
    faces are read by one parser (casualty_report_from_form) with the same messages."""
    if civilian not in ("yes", "no", "unknown"):
        raise InputError("civilian", repr(civilian), "must be yes, no or unknown")
    fields = {
        "source": source,
        "scope": scope,
        "civilian": civilian,
        "killed_count": None if killed_count is None else str(killed_count),
        "killed_qualifier": killed_qualifier,
        "injured_count": None if injured_count is None else str(injured_count),
        "injured_qualifier": injured_qualifier,
        "reported_at": reported_at,
        "reported_zone": reported_zone,
        "notes": notes,
    }
    return {k: v for k, v in fields.items() if v is not None}


@incident_app.command("add-report")
@user_errors
def incident_add_report(
    incident_id: Annotated[str, typer.Argument(help="The incident the figures are about.")],
    source: Annotated[str, typer.Option(help="The source that gave the figures (its id).")],
    killed_count: CountOpt = None,
    killed_qualifier: QualifierOpt = "exact",
    injured_count: CountOpt = None,
    injured_qualifier: QualifierOpt = "exact",
    scope: ScopeOpt = "incident",
    civilian: CivilianOpt = "yes",
    reported_at: ReportedAtOpt = None,
    reported_zone: ReportedZoneOpt = None,
    notes: NotesOpt = None,
    case_dir: CaseOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a casualty report, as its source gave it, to an incident (the incident page's
    "Add a casualty report" does the same)."""
    from evidencelab.service.incidents.incident_edit import (
        add_casualty_report,
        casualty_report_from_form,
    )

    report = casualty_report_from_form(
        _report_fields(
            source=source,
            scope=scope,
            civilian=civilian,
            killed_count=killed_count,
            killed_qualifier=killed_qualifier,
            injured_count=injured_count,
            injured_qualifier=injured_qualifier,
            reported_at=reported_at,
            reported_zone=reported_zone,
            notes=notes,
        )
    )
    with open_case(case_dir, actor=actor) as case:
        added = add_casualty_report(case, incident_id, report)
    if as_json:
        print_json(added)
    else:
        out.print(
            f"incident {incident_id}: report {added['position']} added"
            f" (custody event {added['custody_event']})",
            highlight=False,
        )


@incident_app.command("correct-report")
@user_errors
def incident_correct_report(
    incident_id: Annotated[str, typer.Argument(help="The incident the report belongs to.")],
    position: Annotated[
        int, typer.Argument(help="The report's position in the incident (0 first).", min=0)
    ],
    reason: Annotated[str, typer.Option(help="Why the figures are corrected.")],
    killed_count: CountOpt = None,
    killed_qualifier: QualifierOpt = "exact",
    injured_count: CountOpt = None,
    injured_qualifier: QualifierOpt = "exact",
    scope: ScopeOpt = "incident",
    civilian: CivilianOpt = "yes",
    reported_at: ReportedAtOpt = None,
    reported_zone: ReportedZoneOpt = None,
    notes: NotesOpt = None,
    case_dir: CaseOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Correct a casualty report: the corrected figures become a new report of the same
    source that supersedes the old one, which is kept unchanged with the reason (the
    incident page's "Correct" does the same)."""
    from evidencelab.service.incidents.incident_edit import (
        casualty_report_from_form,
        correct_casualty_report,
    )

    report = casualty_report_from_form(
        _report_fields(
            source=None,
            scope=scope,
            civilian=civilian,
            killed_count=killed_count,
            killed_qualifier=killed_qualifier,
            injured_count=injured_count,
            injured_qualifier=injured_qualifier,
            reported_at=reported_at,
            reported_zone=reported_zone,
            notes=notes,
        )
    )
    with open_case(case_dir, actor=actor) as case:
        corrected = correct_casualty_report(case, incident_id, position, report, reason)
    if as_json:
        print_json(corrected)
    else:
        out.print(
            f"incident {incident_id}: report {position} corrected by report"
            f" {corrected['position']} ({corrected['report']}; custody event"
            f" {corrected['custody_event']})",
            highlight=False,
        )


@incident_app.command("withdraw-report")
@user_errors
def incident_withdraw_report(
    incident_id: Annotated[str, typer.Argument(help="The incident the report belongs to.")],
    position: Annotated[
        int, typer.Argument(help="The report's position in the incident (0 first).", min=0)
    ],
    reason: Annotated[str, typer.Option(help="Why the source's figures are withdrawn.")],
    case_dir: CaseOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Withdraw a casualty report: its figures stay, struck through with the reason, and are
    never used again (the incident page's "Withdraw" does the same)."""
    from evidencelab.service.incidents.incident_edit import withdraw_casualty_report

    with open_case(case_dir, actor=actor) as case:
        withdrawn = withdraw_casualty_report(case, incident_id, position, reason)
    if as_json:
        print_json(withdrawn)
    else:
        out.print(
            f"incident {incident_id}: report {position} withdrawn"
            f" (custody event {withdrawn['custody_event']})",
            highlight=False,
        )
