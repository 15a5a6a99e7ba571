"""Incident workflow (service and command line): statuses of the case's list, assignee and
due date set for one or many incidents in one transaction, each change a custody event and
a logged record that `verify` compares; the filtered, sorted, paginated list in SQL."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest
from sqlalchemy import select

from cli_helpers import run_cli
from evidencelab.locker.case import Case, open_case
from evidencelab.locker.errors import InputError, InputErrors
from evidencelab.service.access import users
from evidencelab.service.evidence.sources import add_source
from evidencelab.service.incidents.incident_edit import add_casualty_report, create_incident
from evidencelab.service.incidents.review import review_fact
from evidencelab.service.incidents.workflow import (
    assign,
    incident_workflow,
    set_status,
    set_status_list,
    set_workflow,
    status_list,
)
from evidencelab.service.incidents.workflow_list import incident_page, parse_query
from evidencelab.service.integrity.verify import verify_whole_case
from evidencelab.store.tables import CustodyEvent

TODAY = date(2024, 6, 1)


@pytest.fixture
def workflow_case(case: Case) -> Case:
    """Twelve incidents (strike-00 … strike-11), two users (ana, ben; carl disabled)."""
    for name in ("ana", "ben", "carl"):
        users.add_user(case, name, f"{name}-password-1", "investigator")
    users.disable_user(case, "carl")
    for n in range(12):
        create_incident(
            case,
            f"strike-{n:02d}",
            {
                "title": f"Strike {n:02d} on {'Kharkiv' if n % 2 else 'Odesa'}",
                "time": {"start": f"2022-03-{n + 1:02d}T10:00:00+02:00"},
                "weapon": {"munition": "9M79 Tochka" if n < 4 else "Kh-101"},
            },
        )
    return case


def _events(case: Case, action: str) -> list[CustodyEvent]:
    with case.sessions() as session:
        query = select(CustodyEvent).where(CustodyEvent.action == action)
        return list(session.scalars(query.order_by(CustodyEvent.seq)))


def test_new_and_existing_incidents_start_at_to_do(workflow_case: Case) -> None:
    current = incident_workflow(workflow_case, "strike-00")
    assert current["status"] == "to do" and current["assignee"] is None and current["due"] is None
    assert current["statuses"] == ["to do", "in progress", "ready for review", "done"]
    assert current["assignees"] == ["ana", "ben"]  # carl is disabled
    assert status_list(workflow_case)["statuses"][0] == {"name": "to do", "incidents": 12}


def test_a_bulk_change_is_one_transaction_with_an_event_per_incident(workflow_case: Case) -> None:
    ids = [f"strike-{n:02d}" for n in range(10)]
    records_before = len(_events(workflow_case, "records"))
    result = set_workflow(workflow_case, ids, {"status": "in progress", "assignee": "ana"})
    assert len(result["changes"]) == 20
    status_events = _events(workflow_case, "incident_status")
    assert [e.subject for e in status_events] == ids
    assert json.loads(status_events[0].payload) == {"from": "to do", "to": "in progress"}
    assert len(_events(workflow_case, "incident_assign")) == 10
    assert len(_events(workflow_case, "records")) == records_before + 1  # one transaction
    again = set_status(workflow_case, ids, "in progress")
    assert again["changes"] == []  # nothing changed: no event


def test_bad_values_are_all_named_and_nothing_is_written(workflow_case: Case) -> None:
    with pytest.raises(InputErrors) as refused:
        set_workflow(
            workflow_case,
            ["strike-00", "strike-99"],
            {"status": "finished", "assignee": "carl", "due": "2024-02-30"},
        )
    messages = [str(e) for e in refused.value.errors]
    assert messages == [
        "incidents strike-99: no such incident in the case",
        "status 'finished': must be one of to do, in progress, ready for review, done",
        "assignee 'carl': no such active user (users: ana, ben)",
        "due '2024-02-30': not a date (YYYY-MM-DD)",
    ]
    assert incident_workflow(workflow_case, "strike-00")["status"] == "to do"
    assert _events(workflow_case, "incident_status") == []
    with pytest.raises(InputError, match="name at least one incident"):
        assign(workflow_case, [], "ana")


def test_the_case_defines_its_statuses_and_one_in_use_stays(workflow_case: Case) -> None:
    set_status(workflow_case, ["strike-03"], "ready for review")
    with pytest.raises(InputError, match="ready for review: in use by 1 incident"):
        set_status_list(workflow_case, ["to do", "in progress", "done"])
    with pytest.raises(InputError, match="statuses Done: given twice"):
        set_status_list(workflow_case, ["triage", "ready for review", "done", "Done"])
    listed = set_status_list(workflow_case, ["triage", "to do", "ready for review", "closed"])
    assert listed["custom"] is True
    # Incidents never given a status stay at the one they were at (the old first).
    assert [s["incidents"] for s in listed["statuses"]] == [0, 11, 1, 0]
    assert incident_workflow(workflow_case, "strike-00")["status"] == "to do"
    event = _events(workflow_case, "workflow_statuses")[-1]
    assert json.loads(event.payload)["to"] == ["triage", "to do", "ready for review", "closed"]
    create_incident(workflow_case, "strike-new", {"title": "A later strike"})
    assert incident_workflow(workflow_case, "strike-new")["status"] == "triage"


def test_verify_names_a_workflow_value_changed_outside(workflow_case: Case) -> None:
    set_workflow(workflow_case, ["strike-01"], {"status": "done", "due": "2024-05-01"})
    root = workflow_case.root
    workflow_case.close()
    with open_case(root) as case:
        assert verify_whole_case(case).problems == []
    with sqlite3.connect(root / "case.sqlite", isolation_level=None) as connection:
        connection.execute("UPDATE incident SET status = 'to do' WHERE id = 'strike-01'")
        connection.execute("UPDATE incident SET assignee = 'ben' WHERE id = 'strike-02'")
    with open_case(root) as case:
        problems = verify_whole_case(case).problems
    assert any(
        p.startswith('incident strike-01: field status is "to do", custody event')
        and p.endswith('logged "done"')
        for p in problems
    ), problems
    assert any(
        p.startswith('incident strike-02: field assignee is "ben", custody event')
        and p.endswith("logged null")
        for p in problems
    ), problems


def test_the_list_filters_sorts_and_pages_in_sql(workflow_case: Case) -> None:
    set_workflow(
        workflow_case, ["strike-02", "strike-05"], {"assignee": "ana", "due": "2024-05-01"}
    )
    set_status(workflow_case, ["strike-05"], "done")
    add_source(workflow_case, {"id": "press", "kind": "media", "reliability": "medium"})
    add_casualty_report(
        workflow_case,
        "strike-07",
        {
            "source": "press",
            "scope": "incident",
            "civilian": True,
            "killed": {"count": 5, "qualifier": "at_least"},
        },
    )

    def ids(raw: dict[str, str], me: str | None = None) -> list[str]:
        page = incident_page(workflow_case, parse_query(raw), me=me, today=TODAY)
        return [row["id"] for row in page["rows"]]

    assert ids({"mine": "on"}, me="ana") == ["strike-02", "strike-05"]
    assert ids({"overdue": "on"}) == ["strike-02"]  # strike-05 is done: never overdue
    assert ids({"status": "done"}) == ["strike-05"]
    assert ids({"weapon": "9M79 Tochka", "sort": "title", "descending": "on"}) == [
        "strike-03",
        "strike-02",
        "strike-01",
        "strike-00",
    ]
    assert ids({"date_from": "2022-03-11", "date_to": "2022-03-12"}) == ["strike-10", "strike-11"]
    assert ids({"text": "kharkiv", "page_size": "2", "page": "2"}) == ["strike-05", "strike-07"]
    assert ids({"sort": "casualties", "descending": "on", "page_size": "1"}) == ["strike-07"]
    assert ids({"sort": "due", "page_size": "2"}) == ["strike-02", "strike-05"]
    workflow_case.actor = "another reviewer"  # the author cannot review his own facts
    for fact in ("time", "weapon"):
        review_fact(workflow_case, "strike-00", fact, "reviewed")
    review_fact(workflow_case, "strike-01", "weapon", "disputed", "The remnant is not shown.")
    assert ids({"review": "reviewed"}) == ["strike-00"]
    assert ids({"review": "disputed"}) == ["strike-01"]
    assert len(ids({"review": "awaiting review"})) == 10
    page = incident_page(workflow_case, parse_query({"page_size": "5", "page": "9"}), today=TODAY)
    assert (page["total"], page["pages"], page["page"]) == (12, 3, 3)  # past the end: the last
    row = next(
        r for r in incident_page(workflow_case, {}, today=TODAY)["rows"] if r["id"] == "strike-07"
    )
    assert row["killed_min"] == 5 and row["review"] == "awaiting review"


def test_bad_list_parameters_are_named() -> None:
    with pytest.raises(InputErrors) as refused:
        parse_query({"page": "0", "page_size": "500", "sort": "size", "date_to": "March"})
    assert [str(e) for e in refused.value.errors] == [
        "page '0': not a whole number from 1 to 1,000,000",
        "page_size '500': not a whole number from 1 to 200",
        "sort 'size': must be one of date, title, status, due, casualties",
        "date_to 'March': not a date (YYYY-MM-DD)",
    ]


def test_command_line(workflow_case: Case) -> None:
    root = str(workflow_case.root)
    workflow_case.close()
    moved = run_cli(
        "incident",
        "status",
        "strike-00",
        "strike-01",
        "--set",
        "in progress",
        "--case",
        root,
        "--json",
    )
    assert moved.returncode == 0, moved.stderr
    assert [c["incident"] for c in json.loads(moved.stdout)["changes"]] == [
        "strike-00",
        "strike-01",
    ]
    assigned = run_cli("incident", "assign", "strike-00", "--to", "ben", "--case", root)
    assert assigned.stdout.startswith("strike-00: assignee none → ben (custody event")
    due = run_cli("incident", "due", "strike-00", "--on", "2030-01-31", "--case", root, "--json")
    assert json.loads(due.stdout)["changes"][0]["after"] == "2030-01-31"
    listed = run_cli(
        "incident", "list", "--status", "in progress", "--assignee", "ben", "--case", root, "--json"
    )
    page = json.loads(listed.stdout)
    assert [(r["id"], r["status"], r["assignee"], r["due"]) for r in page["rows"]] == [
        ("strike-00", "in progress", "ben", "2030-01-31")
    ]
    refused = run_cli("incident", "status", "strike-00", "--set", "finished", "--case", root)
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "error: --set 'finished': must be one of to do, in progress, ready for review, done"
    )
    unknown = run_cli("incident", "assign", "nope", "--to", "zed", "--case", root)
    assert (
        "incident nope: no such incident in the case; --to 'zed': no such active user"
        in unknown.stderr
    )
    bad_page = run_cli("incident", "list", "--page", "x", "--case", root)
    assert bad_page.returncode == 1
    assert "--page 'x': not a whole number from 1 to 1,000,000" in bad_page.stderr
