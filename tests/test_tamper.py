"""Direct database tampering, generated from the table definitions: for every column of
every logged table a changed value, and for every logged table a deleted and an inserted
row, each named by verify with the table, the record and the field.

A new table or column is covered without writing a test for it; a new table that the
fixture case holds no row of makes ``test_every_logged_table_is_exercised`` fail until the
fixture writes one (or the table is listed in ``UNLOGGED`` with its reason).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, UniqueConstraint, select, text
from sqlalchemy.orm import Session

from capture_site import serve_site
from case_copies import checkpoint, copy_case
from evidencelab.locker.case import open_case
from evidencelab.locker.ingest import IngestRequest, ingest
from evidencelab.locker.records import UNLOGGED, logged_tables, record_problems, row_key
from evidencelab.service.access import users
from evidencelab.service.assessment.indicators import sign_off
from evidencelab.service.capture.capturing import capture_url
from evidencelab.service.context.importing import import_context
from evidencelab.service.evidence import status
from evidencelab.service.evidence.sensitivity import (
    clear_for_publication,
    record_review,
    set_sensitivity,
)
from evidencelab.service.imagery.annotations import annotate
from evidencelab.service.imagery.scenes import register_scenes
from evidencelab.service.incidents import review
from evidencelab.service.incidents.workflow import set_status_list
from evidencelab.service.timestamps.authorities import add_authority
from evidencelab.service.timestamps.stamping import timestamp_case
from evidencelab.service.verification import geolocation
from evidencelab.store.tables import Base, CustodyEvent
from local_tsa import local_tsa

CORPUS = Path(__file__).parent / "corpus"
HOSPITAL = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"amenity": "hospital", "name": "City hospital"},
            "geometry": {"type": "Point", "coordinates": [37.2495, 47.7801]},
        }
    ],
}


@pytest.fixture(scope="module")
def every_record(web_demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo case with users, plus one row of every other logged table, each written by
    its service."""
    root = copy_case(web_demo_template, tmp_path_factory.mktemp("tamper") / "case")
    geojson = root.parent / "hospital.geojson"
    geojson.write_text(json.dumps(HOSPITAL))
    with open_case(root, actor="analyst") as case:
        status.set_evidence_status(case, "vuhledar-remnant-1", "verified", "Matches the site.")
        placed = geolocation.add_geolocation(
            case,
            evidence_id="vuhledar-remnant-1",
            lat=47.7792,
            lon=37.2483,
            precision_m=30,
            method="satellite_landmark",
            reasoning="The water tower and the road bend match the satellite image.",
        )
        users.create_token(case, "alice")
        import_context(case, geojson)
        sign_off(case, "vuhledar-2022-02-24", "PROTECTED_OBJECT_NEARBY", "accept", "Checked.")
        (stored,) = ingest(case, [IngestRequest(path=CORPUS / "rasterio" / "RGB.byte.tif")])
        assert stored.evidence_id is not None
        register_scenes(case, [stored.evidence_id])
        annotate(case, stored.evidence_id, kind="crater", point=(24.5, -77.7), diameter_m=12)
        set_sensitivity(case, ["uman-street-1"], add=["dead_or_injured"], reason="A body.")
        record_review(case, "uman-street-1", note="Watched it whole.")
        set_status_list(case, ["to do", "in progress", "ready for review", "done", "parked"])
        with serve_site() as site:
            capture_url(case, site + "/post", allow_private=True)
        with local_tsa(root.parent / "tsa") as tsa:
            add_authority(case, "local", tsa.url, {"root.pem": tsa.root.read_text()})
            timestamp_case(case)
    with open_case(root, actor="reviewer") as case:
        review.review_fact(case, "vuhledar-2022-02-24", "location", "reviewed", "Matches.")
        geolocation.review_geolocation(case, placed["id"], "reviewed", "Same landmarks.")
        clear_for_publication(case, "uman-street-1", reason="Needed to show the harm.")
    checkpoint(root)
    return root


@pytest.fixture(scope="module")
def tampering(every_record: Path) -> Iterator[Session]:
    """A session over the case in which each test tampers and then rolls back."""
    with open_case(every_record) as case, case.sessions() as session:
        yield session


def _events(session: Session) -> list[CustodyEvent]:
    return list(session.scalars(select(CustodyEvent).order_by(CustodyEvent.seq)))


def _problems_after(session: Session, sql: str, params: dict[str, Any]) -> list[str]:
    """verify's comparison of rows with the log, run on the case as tampered; the
    tampering is rolled back."""
    session.rollback()
    session.execute(text("PRAGMA defer_foreign_keys = ON"))
    try:
        session.execute(text(sql), params)
        return record_problems(session, _events(session))
    finally:
        session.rollback()


def _first_row(session: Session, table: Table) -> dict[str, Any]:
    row = session.execute(select(table).limit(1)).mappings().first()
    assert row is not None, f"the fixture case holds no row of {table.name}"
    return dict(row)


def _other_value(value: Any) -> Any:
    """A value of the same kind as ``value`` that differs from it."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1000003
    if isinstance(value, float):
        return value + 0.5
    if isinstance(value, bytes):
        return value + b"\x00"
    if isinstance(value, str):
        return value + " (edited)"
    if isinstance(value, (dict, list)):
        return json.dumps({"edited": value})
    return "set outside evidencelab"


def _where(table: Table, row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    names = [column.name for column in table.primary_key.columns]
    return " AND ".join(f'"{n}" = :k_{n}' for n in names), {f"k_{n}": row[n] for n in names}


def _label(table: Table, row: dict[str, Any]) -> str:
    key = row_key(table, row)
    return f"{table.name} " + ("/".join(map(str, key)) if isinstance(key, list) else str(key))


COLUMNS = [(table.name, column.name) for table in logged_tables() for column in table.columns]
TABLES = [table.name for table in logged_tables()]


def test_every_logged_table_is_exercised(tampering: Session) -> None:
    empty = [t.name for t in logged_tables() if session_count(tampering, t) == 0]
    assert empty == [], "add a row of these tables to the fixture case"
    assert set(UNLOGGED) <= set(Base.metadata.tables), "UNLOGGED names a table that is gone"


def session_count(session: Session, table: Table) -> int:
    return len(session.execute(select(table)).all())


def test_the_untouched_case_verifies(tampering: Session) -> None:
    assert record_problems(tampering, _events(tampering)) == []


@pytest.mark.parametrize(("table_name", "column"), COLUMNS)
def test_a_changed_field_is_named(tampering: Session, table_name: str, column: str) -> None:
    table = Base.metadata.tables[table_name]
    row = _first_row(tampering, table)
    where, params = _where(table, row)
    value = _other_value(row[column])
    sql = f'UPDATE "{table_name}" SET "{column}" = :value WHERE {where}'
    problems = _problems_after(tampering, sql, params | {"value": value})
    if column in {c.name for c in table.primary_key.columns}:
        # A changed key: the logged row is gone and an unlogged one has appeared.
        assert f"{_label(table, row)}: deleted outside evidencelab" in " ".join(problems)
        changed = dict(row) | {column: value}
        assert f"{_label(table, changed)}: not in the custody log" in " ".join(problems)
    else:
        assert any(p.startswith(f"{_label(table, row)}: field {column}") for p in problems), (
            problems
        )


@pytest.mark.parametrize("table_name", TABLES)
def test_a_deleted_row_is_named(tampering: Session, table_name: str) -> None:
    table = Base.metadata.tables[table_name]
    row = _first_row(tampering, table)
    where, params = _where(table, row)
    problems = _problems_after(tampering, f'DELETE FROM "{table_name}" WHERE {where}', params)
    assert f"{_label(table, row)}: deleted outside evidencelab" in " ".join(problems), problems


@pytest.mark.parametrize("table_name", TABLES)
def test_an_inserted_row_is_named(tampering: Session, table_name: str) -> None:
    table = Base.metadata.tables[table_name]
    row = _first_row(tampering, table)
    forged = dict(row)
    for column in table.primary_key.columns:
        forged[column.name] = _other_value(row[column.name])
    for column in table.columns:  # unique columns other than the key must differ too
        if column.unique and not column.primary_key:
            forged[column.name] = _other_value(row[column.name])
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint) and constraint.columns:
            last = list(constraint.columns)[-1].name
            forged[last] = _other_value(row[last])
    forged = {n: json.dumps(v) if isinstance(v, (dict, list)) else v for n, v in forged.items()}
    names = ", ".join(f'"{n}"' for n in forged)
    values = ", ".join(f":{n}" for n in forged)
    problems = _problems_after(
        tampering, f'INSERT INTO "{table_name}" ({names}) VALUES ({values})', forged
    )
    assert f"{_label(table, forged)}: not in the custody log" in " ".join(problems), problems
