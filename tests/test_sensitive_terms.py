"""Sensitive terms: a witness's name and phone number declared on a source are withheld
wherever they appear in public outputs (report HTML and PDF, bundle, exports), round-trip
through import and export, move into their column when an older case is migrated, and
are shown in the web API only to roles that may read sensitive material."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from evidencelab.locker.case import Case, CaseError, init_case, open_case
from evidencelab.model.casefile import dump_case_file
from evidencelab.publish.terms import Term, TermMatcher, term_locations, text_locations
from evidencelab.service.exchange.casefile import export_case, import_case_file
from evidencelab.service.outputs.bundle import check_bundle, write_bundle
from evidencelab.service.outputs.exports import export_text
from evidencelab.service.outputs.report import render, write_report
from evidencelab.store import db
from test_web_support import client_for, empty_case_with_users, log_in

TERMS = ["Olena Kovalenko", "+380 44 123 4567"]

# The name in an incident's notes, another source's description and a casualty report's
# note, in other case and spacing, in Cyrillic, and the number written differently.
CASE_YAML = """\
format: evidencelab/case@1
title: Sensitive terms test case
sources:
  - id: witness-1
    kind: witness
    description: Nurse at the district hospital
    sensitive_terms: ["Olena Kovalenko", "+380 44 123 4567"]
  - id: ngo-report
    kind: researcher
    description: "NGO field report; its author met OLENA   kovalenko at the hospital"
  - id: local-paper
    kind: media
    description: Local newspaper
    sensitive_terms: ["Sumska 14"]
evidence:
  - id: crater-photo
    path: files/crater.jpg
    kind: photo
    source: ngo-report
    note: "Photo sent by olena kovalenko from +380-44-123-45-67"
incidents:
  - id: strike-1
    title: Strike on the district hospital
    time: {start: 2022-03-01T09:15:00+02:00}
    place: {name: Kharkiv, lat: 49.99, lon: 36.23, precision_m: 100}
    notes: "The nurse Olena Kovalenko also saw this strike from her flat at SUMSKA 14."
    casualties:
      - source: ngo-report
        scope: incident
        civilian: true
        killed: {count: 2, qualifier: at_least}
        notes: "Figure confirmed by phone with olena
          Kovalenko (+380441234567)"
      - source: witness-1
        scope: incident
        civilian: true
        injured: {count: 3, qualifier: at_least}
    evidence: [crater-photo]
  - id: strike-2
    title: Shelling reported by Олена Коваленко
    time: {start: 2022-03-02T07:00:00+02:00}
    place: {name: Kharkiv, lat: 49.98, lon: 36.25, precision_m: 500}
"""

# Every spelling of a term the case holds, as it is written there.
SPELLINGS = [
    "Olena Kovalenko",
    "OLENA   kovalenko",
    "olena kovalenko",
    "Олена Коваленко",
    "Sumska 14",
    "SUMSKA 14",
]
PHONE_DIGITS = "380441234567"


def _assert_no_term(text: str, where: str) -> None:
    flat = re.sub(r"\s+", " ", text).casefold()
    for spelling in SPELLINGS:
        assert re.sub(r"\s+", " ", spelling).casefold() not in flat, f"{spelling!r} in {where}"
    joined = re.sub(r"(?<=\d)[\s\-.()]+(?=\d)", "", text)
    assert PHONE_DIGITS not in joined, f"the phone number in {where}"


def _write_input(folder: Path) -> Path:
    (folder / "files").mkdir(parents=True)
    (folder / "files" / "crater.jpg").write_bytes(bytes(range(256)) * 40)
    (folder / "case.yaml").write_text(CASE_YAML, encoding="utf-8")
    return folder / "case.yaml"


@pytest.fixture
def filled(case: Case, tmp_path: Path) -> Case:
    import_case_file(case, _write_input(tmp_path / "input"))
    return case


def test_public_report_withholds_every_spelling_and_the_internal_report_keeps_them(
    filled: Case,
) -> None:
    internal = render(filled).decode("utf-8")
    assert "The nurse Olena Kovalenko also saw this strike" in internal
    assert "Олена Коваленко" in internal and "+380441234567" in internal
    public = render(filled, public=True).decode("utf-8")
    _assert_no_term(public, "the public report")
    assert "The nurse [withheld] also saw this strike from her flat at [withheld]." in public
    assert "Shelling reported by [withheld]" in public


def test_public_pdf_text_holds_no_term(filled: Case, tmp_path: Path) -> None:
    out = write_report(filled, tmp_path / "public.pdf", fmt="pdf", public=True)
    pdf_text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(out), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "[withheld] also saw this strike" in re.sub(r"\s+", " ", pdf_text)
    _assert_no_term(pdf_text, "the public PDF")


def test_public_bundle_holds_no_term_in_any_file(filled: Case, tmp_path: Path) -> None:
    internal = write_bundle(filled, tmp_path / "internal.zip").path
    with zipfile.ZipFile(internal) as archive:
        assert b"Olena Kovalenko" in archive.read("case.yaml")  # the test sees real data
    public = write_bundle(filled, tmp_path / "public.zip", public=True).path
    assert check_bundle(public) == []
    with zipfile.ZipFile(public) as archive:
        members = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    assert {"case.yaml", "incidents.geojson", "incidents.csv", "custody/log.jsonl"} <= set(members)
    for name, data in members.items():
        _assert_no_term(data, name)
    assert "sensitive_terms" not in members["case.yaml"]
    assert "The nurse [withheld] also saw this strike" in members["case.yaml"]


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_public_exports_hold_no_term(filled: Case, fmt: str) -> None:
    assert "Олена Коваленко" in export_text(filled, fmt)
    public = export_text(filled, fmt, public=True)
    _assert_no_term(public, f"the public {fmt} export")
    assert "Shelling reported by [withheld]" in public


def test_import_export_import_keeps_the_terms(filled: Case, tmp_path: Path) -> None:
    exported = dump_case_file(export_case(filled))
    again = tmp_path / "again"
    _write_input(again)
    (again / "case.yaml").write_text(exported, encoding="utf-8")
    with init_case(tmp_path / "second") as second:
        import_case_file(second, again / "case.yaml")
        assert dump_case_file(export_case(second)) == exported
        sources = {s.id: s for s in export_case(second).sources}
    assert sources["witness-1"].sensitive_terms == tuple(TERMS)
    assert sources["local-paper"].sensitive_terms == ("Sumska 14",)
    assert sources["ngo-report"].sensitive_terms == ()
    assert sources["witness-1"].extra == {}  # a field of its own, not an unknown one


def test_a_case_at_0009_is_migrated_and_its_terms_move_into_the_column(tmp_path: Path) -> None:
    # A case database at 0009, where a source's unknown fields, sensitive_terms among them,
    # lived in `extra` (built directly: downgrading would run every later migration too).
    root = tmp_path / "old-case"
    root.mkdir()
    engine = db.make_engine(db.sqlite_url(str(root / "case.sqlite")))
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", db.MIGRATIONS)
        config.attributes["connection"] = connection
        command.upgrade(config, "0009")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO source (id, position, kind, sensitive, extra) "
                "VALUES ('witness-1', 0, 'witness', 0, :extra)"
            ),
            {"extra": json.dumps({"sensitive_terms": TERMS, "interviewed_by": "team B"})},
        )
    engine.dispose()
    with open_case(root) as reopened:
        assert db.schema_revision(reopened.engine) == db.SCHEMA_REVISION
        with reopened.engine.connect() as connection:
            row = connection.execute(
                text("SELECT extra, sensitive_terms FROM source WHERE id = 'witness-1'")
            ).one()
        assert json.loads(row[0]) == {"interviewed_by": "team B"}
        assert json.loads(row[1]) == TERMS
        [source] = export_case(reopened).sources
    assert source.sensitive_terms == tuple(TERMS)
    assert source.extra == {"interviewed_by": "team B"}


def test_a_term_inside_an_id_stops_the_public_outputs_naming_the_field(
    case: Case, tmp_path: Path
) -> None:
    path = _write_input(tmp_path / "input")
    path.write_text(CASE_YAML.replace("id: strike-2", "id: kovalenko-house"), encoding="utf-8")
    path.write_text(
        path.read_text(encoding="utf-8").replace('"Sumska 14"', '"Sumska 14", "Kovalenko"'),
        encoding="utf-8",
    )
    import_case_file(case, path)
    out = tmp_path / "public.zip"
    message = r"incidents\[1\]\.id holds sensitive term 2 of source 'local-paper'"
    with pytest.raises(CaseError, match=message):
        write_bundle(case, out, public=True)
    with pytest.raises(CaseError, match=message):
        export_text(case, "csv", public=True)
    assert not out.exists()


def test_matching_folds_case_width_spacing_script_and_phone_separators() -> None:
    matcher = TermMatcher([Term("Olena Kovalenko", "w", 1), Term("+380 44 123 4567", "w", 2)])
    assert matcher.redact("ＯＬＥＮＡ\u00a0Kovalenko, Олена Коваленко", "[x]") == "[x], [x]"
    phones = "call 380-44-123-45-67 or +380 (44) 123-45-67"
    assert matcher.redact(phones, "[x]") == "call [x] or [x]"
    # Whole words only; a longer number is another number.
    assert matcher.redact("Olena Kovalenkova; 13804412345678", "[x]") == (
        "Olena Kovalenkova; 13804412345678"
    )
    assert matcher.redact("Olena Kovalenko's flat", "[x]") == "[x]'s flat"


def test_leak_checks_name_the_place_and_the_term_by_number_only() -> None:
    matcher = TermMatcher([Term("Olena Kovalenko", "witness-1", 1)])
    found = term_locations({"incidents": [{"id": "x", "notes": "saw olena kovalenko"}]}, matcher)
    assert [(where, t.label) for where, t in found] == [
        ("incidents[0].notes", "sensitive term 1 of source 'witness-1'")
    ]
    wrapped = "notes: a\n  b Olena\n  Kovalenko\n"  # a YAML writer folds long text
    assert [w for w, _ in text_locations("case.yaml", wrapped, matcher)] == ["case.yaml, line 2"]


def test_web_api_shows_terms_only_to_roles_that_read_sensitive_material(tmp_path: Path) -> None:
    root = empty_case_with_users(tmp_path / "web-case")
    with open_case(root) as case:
        import_case_file(case, _write_input(tmp_path / "input"))
    client = client_for(root)
    log_in(client, "vic")  # viewer
    viewer = client.get("/api/incidents/strike-1").json()
    assert all(r["source_record"]["sensitive_terms"] is None for r in viewer["casualty_reports"])
    assert "+380 44 123 4567" not in json.dumps(viewer, ensure_ascii=False)
    log_in(client, "ivan")  # investigator
    investigator = client.get("/api/incidents/strike-1").json()
    records = {
        r["source_record"]["id"]: r["source_record"] for r in investigator["casualty_reports"]
    }
    assert records["witness-1"]["sensitive_terms"] == TERMS
