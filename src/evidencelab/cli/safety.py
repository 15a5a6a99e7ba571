"""Sensitivity flags, clearance for publication and "reviewed by" notes (docs/safety.md)."""

from collections.abc import Mapping
from typing import Annotated, Any

import typer

from evidencelab.cli.common import (
    ActorOpt,
    CaseOpt,
    JsonOpt,
    evidence_app,
    open_case,
    out,
    print_json,
    user_errors,
)

# Written out for the options' help (the model is not loaded for --help); equal to
# model.sensitivity.FLAGS (tested).
FLAGS = (
    "graphic_violence",
    "dead_or_injured",
    "personal_information",
    "minors",
    "deleted_by_source",
    "possibly_deceptive",
)
IdsArg = Annotated[list[str], typer.Argument(help="Evidence ids or SHA-256 prefixes.")]
IdArg = Annotated[str, typer.Argument(help="Evidence id or SHA-256 prefix.")]
ReasonOpt = Annotated[str | None, typer.Option("--reason", help="Why (required).")]
AddOpt = Annotated[
    list[str] | None, typer.Option("--add", help=f"A flag to add (repeat): {', '.join(FLAGS)}.")
]
RemoveOpt = Annotated[list[str] | None, typer.Option("--remove", help="A flag to remove (repeat).")]


def _print_changes(changes: list[Any], asked: int) -> None:
    for change in changes:
        moved = [f"+{f}" for f in change["added"]] + [f"-{f}" for f in change["removed"]]
        out.print(
            f"{change['evidence']}: {' '.join(moved)} → {', '.join(change['flags']) or 'no flags'}"
            f" (custody event {change['custody_event']})",
            highlight=False,
        )
    if len(changes) < asked:
        out.print(f"{asked - len(changes)} item(s) already as asked: unchanged", highlight=False)


@evidence_app.command("flag")
@user_errors
def flag_command(
    evidence_ids: IdsArg,
    add: AddOpt = None,
    remove: RemoveOpt = None,
    reason: ReasonOpt = None,
    actor: ActorOpt = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add (or remove) sensitivity flags on items: one custody event per item changed."""
    from evidencelab.service.evidence.sensitivity import set_sensitivity

    with open_case(case_dir, actor=actor) as case:
        changes = set_sensitivity(
            case, evidence_ids, add=add or (), remove=remove or (), reason=reason
        )
    if as_json:
        print_json(changes)
    else:
        _print_changes(changes, len(set(evidence_ids)))


@evidence_app.command("unflag")
@user_errors
def unflag_command(
    evidence_ids: IdsArg,
    remove: RemoveOpt = None,
    reason: ReasonOpt = None,
    actor: ActorOpt = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Remove sensitivity flags from items: one custody event per item changed."""
    from evidencelab.service.evidence.sensitivity import set_sensitivity

    with open_case(case_dir, actor=actor) as case:
        changes = set_sensitivity(case, evidence_ids, remove=remove or (), reason=reason)
    if as_json:
        print_json(changes)
    else:
        _print_changes(changes, len(set(evidence_ids)))


@evidence_app.command("clear")
@user_errors
def clear_command(
    evidence_id: IdArg,
    reason: ReasonOpt = None,
    withdraw: Annotated[
        bool, typer.Option("--withdraw", help="Withdraw the item's clearance instead.")
    ] = False,
    actor: ActorOpt = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Clear a flagged item's media for publication (a reviewer's decision), or withdraw
    the clearance; public reports then show it with its warning."""
    from evidencelab.service.evidence.sensitivity import clear_for_publication, withdraw_clearance

    decide = withdraw_clearance if withdraw else clear_for_publication
    with open_case(case_dir, actor=actor) as case:
        record = decide(case, evidence_id, reason=reason)
    if as_json:
        print_json(record)
    else:
        _print_sensitivity(record)


@evidence_app.command("reviewed")
@user_errors
def reviewed_command(
    evidence_id: IdArg,
    note: Annotated[str | None, typer.Option("--note", help="What you saw, briefly.")] = None,
    actor: ActorOpt = None,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Note that you watched an item in full, so that others need not (a custody event)."""
    from evidencelab.service.evidence.sensitivity import record_review

    with open_case(case_dir, actor=actor) as case:
        record = record_review(case, evidence_id, note=note)
    if as_json:
        print_json(record)
    else:
        out.print(
            f"{evidence_id}: reviewed by {record['by']} at {record['at']} "
            f"(custody event {record['custody_event']})",
            highlight=False,
        )


@evidence_app.command("sensitivity")
@user_errors
def sensitivity_command(
    evidence_id: IdArg, case_dir: CaseOpt = None, as_json: JsonOpt = False
) -> None:
    """An item's flags (who set each and why), clearance and review notes."""
    from evidencelab.service.evidence.sensitivity import item_sensitivity

    with open_case(case_dir) as case:
        record = item_sensitivity(case, evidence_id)
    if as_json:
        print_json(record)
    else:
        _print_sensitivity(record)


def _print_sensitivity(record: Mapping[str, Any]) -> None:
    out.print(f"evidence {record['evidence']}: {record['warning'] or 'no cover'}", highlight=False)
    for flag in record["flag_records"]:
        out.print(
            f"  {flag['flag']}: {flag['reason']} ({flag['by']}, {flag['at']})", highlight=False
        )
    clearance = record["clearance"]
    if clearance:
        out.print(
            f"  cleared for publication by {clearance['by']} ({clearance['at']}): "
            f"{clearance['reason']}",
            highlight=False,
        )
    out.print(f"  public reports: {'shown' if record['publishable'] else 'withheld'}")
    for review in record["reviews"]:
        out.print(
            f"  reviewed by {review['by']} ({review['at']}) {review['note']}", highlight=False
        )
