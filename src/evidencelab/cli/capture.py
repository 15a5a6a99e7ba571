"""`evidencelab capture URL...` and `evidencelab captures [ID]`: web pages captured as
evidence (WACZ, screenshot, embedded media) with their capture record."""

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from evidencelab.cli.common import (
    ActorOpt,
    CaseOpt,
    JsonOpt,
    app,
    open_case,
    out,
    print_json,
    progress_bar,
    user_errors,
)
from evidencelab.locker.errors import CaseError, InputError

if TYPE_CHECKING:
    from evidencelab.locker.case import Case
    from evidencelab.service.capture.records import CaptureRecord

key_app = typer.Typer(help="The case's key that signs its captures' WACZ packages.")
app.add_typer(key_app, name="capture-key", no_args_is_help=True)


@app.command("capture")
@user_errors
def capture_command(
    urls: Annotated[list[str], typer.Argument(help="http(s) URLs to capture.")],
    source: Annotated[str | None, typer.Option(help="Source id the pages came from.")] = None,
    incident: Annotated[str | None, typer.Option(help="Incident id to link the items to.")] = None,
    note: Annotated[str | None, typer.Option(help="Free-text note on this capture.")] = None,
    collector: Annotated[
        str | None, typer.Option(help="Who collected it (default: the actor).")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds allowed for each page.")] = 60.0,
    case_dir: CaseOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Capture each URL in a headless Chromium: its traffic as WARC, a full-page
    screenshot, DOM, MHTML, text and every embedded image and video, packaged as WACZ and
    stored with the capture record.

    Internal addresses (loopback, private networks) are refused unless the environment
    sets EVIDENCELAB_CAPTURE_ALLOW_PRIVATE=1.
    """
    from evidencelab.service.capture.requests import STEPS_PER_PAGE, private_allowed

    allow = private_allowed()
    records: list[CaptureRecord] = []
    with (
        open_case(case_dir, actor=actor) as case,
        progress_bar("capturing", STEPS_PER_PAGE * len(urls)) as bar,
    ):
        for url in urls:

            def step(name: str, url: str = url) -> None:
                bar.update(bar.task_ids[0], description=f"{url}: {name}", advance=1)

            records.append(
                _captured(
                    case,
                    url,
                    source_id=source,
                    incident_id=incident,
                    note=note,
                    collector=collector,
                    allow_private=allow,
                    timeout_s=timeout,
                    progress=step,
                )
            )
    if as_json:
        print_json(records)
        return
    for record in records:
        _print_capture(record)


@app.command("captures")
@user_errors
def captures_command(
    capture_id: Annotated[str | None, typer.Argument(help="A capture id: show it.")] = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The web captures of the case, newest first; or one capture's record in full."""
    from evidencelab.service.capture.reading import get_capture, list_captures

    with open_case(case_dir) as case:
        if capture_id is not None:
            record = get_capture(case, capture_id)
            print_json(record) if as_json else _print_capture(record)
            return
        captures = list_captures(case)
    if as_json:
        print_json(captures)
        return
    table = Table("capture", "finished (UTC)", "status", "items", "URL", "title")
    for c in captures:
        table.add_row(
            c["id"],
            c["finished_at"],
            str(c["http_status"]),
            str(c["items"]),
            c["url_final"],
            c["title"] or "",
        )
    out.print(table)


@key_app.command("create")
@user_errors
def capture_key_create_command(
    case_dir: CaseOpt = None, actor: ActorOpt = None, as_json: JsonOpt = False
) -> None:
    """Create the case's capture signing key (ECDSA P-256, kept in the case folder, mode
    0600; its public key goes into the custody log): every later capture's WACZ is signed
    with it (WACZ Signing and Verification)."""
    from evidencelab.service.capture.keys import create_capture_key

    with open_case(case_dir, actor=actor) as case:
        key = create_capture_key(case)
    if as_json:
        print_json(key)
        return
    out.print(f"capture key {key['path']}; public key SHA-256 {key['sha256']}", highlight=False)


def _captured(case: "Case", url: str, **options: Any) -> "CaptureRecord":
    """:func:`capture_url`, a refusal of the URL named as the argument it came from."""
    from evidencelab.service.capture.capturing import capture_url

    try:
        return capture_url(case, url, **options)
    except InputError as error:
        if error.field != "url":
            raise
        raise CaseError(error.naming("URL")) from None


def _print_capture(record: "CaptureRecord") -> None:
    redirected = f" (from {record['url_entered']})" if record["redirects"] else ""
    out.print(f"{record['id']}: {record['url_final']}{redirected}", highlight=False)
    out.print(f"  HTTP {record['http_status']}, title: {record['title'] or '—'}", highlight=False)
    for name in ("platform", "post_id", "author", "posted_at"):
        if record[name]:
            out.print(f"  {name.replace('_', ' ')}: {record[name]}", highlight=False)
    clock = record["clock"]
    out.print(
        f"  captured {record['started_at']} by {record['captured_by']}; clock synchronised: "
        f"{clock['synchronised']}",
        highlight=False,
    )
    for bound in record["bounds_reached"]:
        out.print(f"  stopped short at its {bound} bound", highlight=False)
    for item in record["items"]:
        where = f" from {item['url']}" if item["role"] == "media" else ""
        out.print(
            f"  {item['role']}: {item['evidence_id']} {item['name']} "
            f"({item['media_type'] or 'unknown type'}){where}",
            highlight=False,
        )
