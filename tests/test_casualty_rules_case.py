"""The casualty rules through a case: the rules case file imported, exported unchanged,
summarised with the unknown-status columns and the double count; and migration 0012,
which lets the database hold civilian status `unknown`."""

from __future__ import annotations

import html
import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from cli_helpers import run_cli
from evidencelab.analysis.casualties import incident_casualties_for_case
from evidencelab.locker.case import open_case
from evidencelab.model import dump_case_file, load_case_file
from evidencelab.service.integrity.verify import verify_whole_case
from evidencelab.service.outputs.bundle import public_case_file
from evidencelab.store import db
from test_web_support import client_for, empty_case_with_users, log_in

RULES = Path(__file__).parent / "cases" / "casualty-rules.yaml"


@pytest.fixture
def rules_case(tmp_path: Path) -> Path:
    root = tmp_path / "case"
    assert run_cli("init", str(root)).returncode == 0
    imported = run_cli("import", str(RULES), "--case", str(root))
    assert imported.returncode == 0, imported.stderr
    return root


def test_the_rules_case_exports_as_it_was_imported(rules_case: Path) -> None:
    exported = run_cli("export", "--format", "case", "--case", str(rules_case))
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == dump_case_file(load_case_file(RULES))


def test_summary_gives_unknown_status_apart_and_names_the_double_count(rules_case: Path) -> None:
    result = run_cli("summary", "--json", "--case", str(rules_case))
    summary = json.loads(result.stdout)
    per_incident = {i["id"]: i for i in summary["per_incident"]}
    assert per_incident["status-unknown"]["killed_min"] == 2
    assert per_incident["status-unknown"]["status_unknown_killed_min"] == 3
    assert summary["status_unknown_killed_min"] == 3
    # 5 + 3 + 4 + 4 + 4 + 6 + 2: the unknown-status 3 is not among the civilians
    assert summary["civilians_killed_min"] == 28
    assert summary["likely_double_counts"] == [
        "likely double count: the same report of channel (killed at least 4; same text and "
        "reported_at) is filed under incidents market-morning and market-evening"
    ]
    shown = run_cli("summary", "--case", str(rules_case)).stdout
    assert "status unknown" in shown and "likely double count" in shown


def test_incident_show_lists_struck_figures_with_their_reason(rules_case: Path) -> None:
    result = run_cli("incident", "show", "withdrawn", "--json", "--case", str(rules_case))
    [struck] = json.loads(result.stdout)["casualty_figures"]["struck"]
    assert struck == {
        "source": "local-news",
        "report": None,
        "outcome": "killed",
        "figure": "at least 12",
        "withdrawn": True,
        "reason": "withdrawn: retracted on 3 March, the figure was for another strike",
    }


def test_a_case_at_0011_keeps_its_civilian_flags_as_true_and_false(tmp_path: Path) -> None:
    root = tmp_path / "case"
    assert run_cli("init", str(root)).returncode == 0
    assert run_cli("import", str(RULES), "--case", str(root)).returncode == 0
    # status-unknown's second report is the only `unknown`: make it false, then go back to
    # 0011, where civilian was a boolean column, and forward again on open.
    with sqlite3.connect(root / "case.sqlite") as connection:
        connection.execute(
            "UPDATE casualty_report SET civilian = 'false' WHERE civilian = '\"unknown\"'"
        )
    engine = db.make_engine(db.sqlite_url(str(root / "case.sqlite")))
    db.downgrade(engine, "0011")
    with engine.connect() as connection:
        values = connection.execute(text("SELECT DISTINCT civilian FROM casualty_report")).all()
    engine.dispose()
    assert sorted(v for (v,) in values) == [0, 1]
    with open_case(root) as case:  # migrated to the newest schema on open
        assert db.schema_is_current(case.engine)
        with case.engine.connect() as connection:
            rows = connection.execute(text("SELECT DISTINCT civilian FROM casualty_report")).all()
        assert sorted(v for (v,) in rows) == ["false", "true"]
        problems = verify_whole_case(case).problems
    # The one field changed outside the software is named; nothing else differs.
    assert len(problems) == 1 and "field civilian is false" in problems[0], problems


def test_going_back_below_0012_is_refused_while_a_status_is_unknown(rules_case: Path) -> None:
    engine = db.make_engine(db.sqlite_url(str(rules_case / "case.sqlite")))
    with pytest.raises(RuntimeError, match="1 casualty report"):
        db.downgrade(engine, "0011")
    assert db.schema_revision(engine) == db.SCHEMA_REVISION
    engine.dispose()


def test_the_report_strikes_unused_figures_and_gives_unknown_status_apart(
    rules_case: Path,
) -> None:
    out = rules_case / "report.html"
    written = run_cli("report", "--out", str(out), "--case", str(rules_case))
    assert written.returncode == 0, written.stderr
    page = html.unescape(out.read_text(encoding="utf-8"))
    assert "<td><del>at least 12</del></td>" in page  # the withdrawn report's row
    assert (
        "<del>killed at least 12</del> (local-news): withdrawn: retracted on 3 March, the "
        "figure was for another strike; never used"
    ) in page
    assert "<del>killed exactly 7</del> (hospital): superseded by the report of" in page
    assert "<dt>Civilian status unknown, killed</dt><dd>at least 3" in page
    assert "incident, civilian status unknown" in page
    assert "likely double count: the same report of channel" in page


def test_the_incident_page_shows_the_status_and_the_withdrawal(tmp_path: Path) -> None:
    root = empty_case_with_users(tmp_path / "case")
    assert run_cli("import", str(RULES), "--case", str(root)).returncode == 0
    with client_for(root) as client:
        log_in(client, "vic")
        unknown = html.unescape(client.get("/incidents/status-unknown").text)
        withdrawn = html.unescape(client.get("/incidents/withdrawn").text)
    assert "<td>incident</td><td>unknown</td>" in unknown
    assert "<del>at least 12</del>" in withdrawn
    assert "withdrawn: retracted on 3 March, the figure was for another strike" in withdrawn


def test_a_public_bundle_keeps_what_decides_a_protected_sources_figures(
    rules_case: Path,
) -> None:
    text = RULES.read_text(encoding="utf-8")
    for source in ("hospital", "local-news"):
        text = text.replace(f"{{id: {source}, kind:", f"{{id: {source}, sensitive: true, kind:")
    protected = rules_case.parent / "protected.yaml"
    protected.write_text(text, encoding="utf-8")
    root = rules_case.parent / "protected-case"
    assert run_cli("init", str(root)).returncode == 0
    assert run_cli("import", str(protected), "--case", str(root)).returncode == 0
    with open_case(root) as case:
        public, _ = public_case_file(case)
    internal = incident_casualties_for_case(load_case_file(protected))
    for incident_id, figures in incident_casualties_for_case(public).items():
        mine = internal[incident_id]
        assert (figures.killed.minimum, figures.injured.minimum) == (
            mine.killed.minimum,
            mine.injured.minimum,
        ), incident_id
        assert [f.withdrawn for f in figures.struck] == [f.withdrawn for f in mine.struck]
