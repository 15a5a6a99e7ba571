"""`evidencelab incident status|assign|due|statuses`: the incident workflow."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from evidencelab.cli.common import (
    ActorOpt,
    CaseOpt,
    JsonOpt,
    incident_app,
    open_case,
    out,
    print_json,
    user_errors,
)
from evidencelab.locker.errors import CaseError, InputError, InputErrors

if TYPE_CHECKING:
    from evidencelab.service.incidents.records import WorkflowResult

IdsArg = Annotated[list[str], typer.Argument(help="Incident ids (one or many).")]


@contextmanager
def _named_as(option: str) -> Iterator[None]:
    """A refused value named as this command's option (or its incident argument)."""
    try:
        yield
    except (InputError, InputErrors) as error:
        named = error.errors if isinstance(error, InputErrors) else [error]
        words = [e.naming("incident" if e.field == "incidents" else option) for e in named]
        raise CaseError("; ".join(words)) from None


def _report(result: "WorkflowResult", as_json: bool) -> None:
    if as_json:
        print_json(result)
        return
    for change in result["changes"]:
        before, after = change["before"] or "none", change["after"] or "none"
        out.print(
            f"{change['incident']}: {change['field']} {before} → {after} "
            f"(custody event {change['custody_event']})",
            highlight=False,
            markup=False,
        )
    unchanged = len(result["incidents"]) - len({c["incident"] for c in result["changes"]})
    if unchanged:
        out.print(f"{unchanged} incident(s) already so: unchanged", highlight=False)


@incident_app.command("status")
@user_errors
def incident_status(
    incident_ids: IdsArg,
    status: Annotated[str, typer.Option("--set", help="A status of the case's list.")],
    case_dir: CaseOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Set the workflow status of one or many incidents (all or none)."""
    from evidencelab.service.incidents.workflow import set_status

    with open_case(case_dir, actor=actor) as case, _named_as("--set"):
        _report(set_status(case, incident_ids, status), as_json)


@incident_app.command("assign")
@user_errors
def incident_assign(
    incident_ids: IdsArg,
    user: Annotated[str, typer.Option("--to", help="A web user's name; empty: unassign.")],
    case_dir: CaseOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Assign one or many incidents to a user of the case (all or none)."""
    from evidencelab.service.incidents.workflow import assign

    with open_case(case_dir, actor=actor) as case, _named_as("--to"):
        _report(assign(case, incident_ids, user or None), as_json)


@incident_app.command("due")
@user_errors
def incident_due(
    incident_ids: IdsArg,
    on: Annotated[str, typer.Option("--on", help="Due date, YYYY-MM-DD; empty: none.")],
    case_dir: CaseOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Set the due date of one or many incidents."""
    from evidencelab.service.incidents.workflow import set_due

    with open_case(case_dir, actor=actor) as case, _named_as("--on"):
        _report(set_due(case, incident_ids, on or None), as_json)


@incident_app.command("statuses")
@user_errors
def incident_statuses(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="The case's new list of statuses, in order (none: show it)."),
    ] = None,
    case_dir: CaseOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the case's incident statuses, or replace them (a status in use stays)."""
    from evidencelab.service.incidents.workflow import set_status_list, status_list

    with open_case(case_dir, actor=actor) as case:
        listed = set_status_list(case, names) if names else status_list(case)
    if as_json:
        print_json(listed)
        return
    for choice in listed["statuses"]:
        out.print(f"{choice['name']}: {choice['incidents']} incident(s)", highlight=False)
