"""Ids that name no record: refused at every entry point before anything is written; a row
written outside the software that names one is named by verify, and reading the case
(summary, overview page, API) shows the problem instead of failing."""

from __future__ import annotations

import hashlib
import html
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cli_helpers import run_cli
from evidencelab.locker.case import open_case
from evidencelab.service.access import users
from evidencelab.service.integrity.verify import verify_whole_case
from evidencelab.store import db
from test_web_support import PHOTO, log_in

INCIDENT = "uman-2022-02-24"


def _state(root: Path) -> tuple[list[tuple[object, ...]], list[str]]:
    """The custody log and the stored objects: what a refused command must leave as is."""
    with sqlite3.connect(root / "case.sqlite") as connection:
        events = connection.execute("SELECT * FROM custody_event ORDER BY seq").fetchall()
    return events, sorted(str(p) for p in (root / "objects").rglob("*") if p.is_file())


def test_ingest_refuses_an_undeclared_source(demo: Path) -> None:
    before = _state(demo)
    result = run_cli("ingest", str(PHOTO), "--source", "no-such-source", "--case", str(demo))
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "source 'no-such-source': not in this case (it holds " in lines[0]
    assert "amnesty-press-release-2022-02" in lines[0]  # the ids that exist
    assert _state(demo) == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("source", "no-such-source", "source 'no-such-source': not in this case"),
        ("incident", "no-such-incident", "incident 'no-such-incident': not in this case"),
    ],
)
def test_upload_refuses_an_undeclared_id(
    client: TestClient, demo: Path, field: str, value: str, message: str
) -> None:
    csrf = log_in(client, "ivan")
    before = _state(demo)
    response = client.post(
        "/upload",
        data={"csrf_token": csrf, "kind": "photo", field: value},
        files={"file": ("photo.jpg", PHOTO.read_bytes(), "image/jpeg")},
    )
    assert 400 <= response.status_code < 500
    assert message in html.unescape(response.text)
    assert _state(demo) == before
    assert client.get("/").status_code == 200


def _write_outside(root: Path, sql: str) -> None:
    """An edit by another program, with the foreign keys off as SQLite allows."""
    with sqlite3.connect(root / "case.sqlite", isolation_level=None) as connection:
        connection.execute("PRAGMA foreign_keys = OFF")
        assert connection.execute(sql).rowcount == 1


def test_a_row_naming_an_undeclared_source_is_named_and_does_not_break_reading(
    client: TestClient, demo: Path
) -> None:
    _write_outside(demo, "UPDATE evidence SET source_id = 'typo' WHERE id = 'uman-street-1'")
    with open_case(demo) as case:
        problems = verify_whole_case(case).problems
    assert 'evidence uman-street-1: source_id "typo" names no source in the case' in problems

    summary = run_cli("summary", "--json", "--case", str(demo))
    assert summary.returncode == 0, summary.stderr
    assert "unknown source 'typo'" in summary.stdout  # among the summary's problems

    log_in(client, "ivan")  # may see sensitive material: the record is named
    overview = client.get("/")
    assert overview.status_code == 200
    assert "Records that could not be read" in overview.text and "typo" in overview.text
    api = client.get("/api/summary")
    assert api.status_code == 200 and "typo" in str(api.json()["problems"])

    client.cookies.clear()
    log_in(client, "vic")  # a viewer learns that a record is left out, not which
    overview = client.get("/")
    assert overview.status_code == 200
    assert "Records that could not be read" in overview.text and "typo" not in overview.text
    api = client.get("/api/summary").json()
    assert api["problems"][0].startswith("1 record(s) could not be read")
    report = run_cli("report", "--out", str(demo.parent / "r.html"), "--case", str(demo))
    assert report.returncode != 0 and "no report is written" in report.stderr


def test_an_older_case_with_a_dangling_reference_upgrades_and_verify_names_it(
    tmp_path: Path,
) -> None:
    root = tmp_path / "case"
    run_cli("init", str(root))
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(PHOTO.read_bytes())
    sha256 = hashlib.sha256(photo.read_bytes()).hexdigest()
    assert run_cli("ingest", str(photo), "--case", str(root)).returncode == 0
    engine = db.make_engine(db.sqlite_url(str(root / "case.sqlite")))
    db.downgrade(engine, "0010")  # back to before references were keys, evidence and all
    engine.dispose()
    _write_outside(root, f"UPDATE evidence SET source_id = 'gone' WHERE sha256 = '{sha256}'")
    with open_case(root) as case:  # migrated to the newest schema on open
        assert db.schema_is_current(case.engine)
        problems = verify_whole_case(case).problems
    assert any('source_id "gone" names no source in the case' in p for p in problems)


@pytest.mark.parametrize(
    ("incident", "evidence", "message"),
    [
        ("no-such-incident", "uman-street-1", "incident no-such-incident"),
        (INCIDENT, "no-such-evidence", "no-such-evidence"),
    ],
)
def test_the_api_refuses_to_link_an_undeclared_id(
    client: TestClient, demo: Path, incident: str, evidence: str, message: str
) -> None:
    with open_case(demo) as case:
        token = users.create_token(case, "ivan")
    before = _state(demo)
    response = client.post(
        f"/api/incidents/{incident}/evidence",
        json={"evidence": evidence},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert 400 <= response.status_code < 500, response.text
    assert message in response.text
    after = _state(demo)
    assert after[1] == before[1]  # no object stored
    assert [e for e in after[0] if e[3] not in ("token_create", "records")] == [
        e for e in before[0] if e[3] not in ("token_create", "records")
    ]


def test_a_geolocation_precision_beyond_range_is_refused(demo: Path) -> None:
    before = _state(demo)
    result = run_cli(
        "geolocate", "add", "--incident", INCIDENT, "--lat", "48.75", "--lon", "30.22",
        "--precision", "1e300", "--method", "other", "--reasoning", "typo",
        "--case", str(demo),
    )  # fmt: skip
    assert result.returncode != 0
    assert "at most 1,000,000" in result.stderr
    assert _state(demo) == before
