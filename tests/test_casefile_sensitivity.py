"""Sensitivity flags, clearances for publication and "reviewed by" notes in the case file:
an export carries them, an import into a fresh case writes them with their authors and
times and a custody event each, as the services do; a re-import changes nothing; a bad
flag name is one line naming the item and the value; old case files stay valid; `verify`
names a flag changed outside the software after an import."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from evidencelab.locker.case import Case, init_case
from evidencelab.locker.custody import event_payload
from evidencelab.model.casefile import dump_case_file, load_case_text
from evidencelab.model.errors import CaseFileError
from evidencelab.service.evidence.sensitivity import (
    clear_for_publication,
    item_sensitivity,
    record_review,
    set_sensitivity,
)
from evidencelab.service.exchange.casefile import export_case, import_case_file
from evidencelab.service.integrity.verify import verify_whole_case
from evidencelab.service.reading import load_case
from evidencelab.store.tables import CustodyEvent

SAFETY_ACTIONS = ("evidence_flag", "evidence_clearance", "evidence_reviewed")


def _case_file(folder: Path, evidence: list[dict[str, object]]) -> Path:
    """A case file of two small files with the evidence entries given (ids a and b)."""
    (folder / "files").mkdir(parents=True, exist_ok=True)
    for name in ("a", "b"):
        (folder / "files" / f"{name}.bin").write_bytes(f"bytes of {name}".encode())
    document = {"format": "evidencelab/case@1", "title": "Safeguards", "evidence": evidence}
    path = folder / "case.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def _plain(evidence_id: str, **fields: object) -> dict[str, object]:
    return {"id": evidence_id, "path": f"files/{evidence_id}.bin", "kind": "video", **fields}


def _events(case: Case) -> list[tuple[str, str | None, str, dict[str, object]]]:
    with case.sessions() as session:
        query = select(CustodyEvent).where(CustodyEvent.action.in_(SAFETY_ACTIONS))
        return [
            (e.action, e.subject, e.actor, event_payload(e))
            for e in session.scalars(query.order_by(CustodyEvent.seq))
        ]


def _safeguards(case: Case, evidence_id: str) -> tuple[object, ...]:
    """What an item's safeguards say, without the custody event numbers (a fresh case
    numbers its own events)."""
    record = item_sensitivity(case, evidence_id)

    def strip(entry: dict[str, object]) -> dict[str, object]:
        return {k: v for k, v in entry.items() if k != "custody_event"}

    clearance = record["clearance"]
    return (
        [strip(dict(f)) for f in record["flag_records"]],
        None if clearance is None else strip(dict(clearance)),
        [strip(dict(r)) for r in record["reviews"]],
        record["publishable"],
    )


def test_export_then_import_into_a_fresh_case_keeps_flags_clearance_and_notes(
    tmp_path: Path,
) -> None:
    source = _case_file(tmp_path / "in", [_plain("a"), _plain("b")])
    first = init_case(tmp_path / "first", actor="ivan")
    import_case_file(first, source)
    set_sensitivity(first, ["a"], add=["graphic_violence"], reason="bodies at 0:03")
    set_sensitivity(first, ["a"], add=["minors"], reason="a child in the crowd")
    set_sensitivity(first, ["b"], add=["possibly_deceptive"], reason="reused from 2014")
    clear_for_publication(first, "a", reason="needed to show the strike; faces blurred")
    record_review(first, "a", note="watched all 4 s; the worst is at 0:03")
    record_review(first, "b", note=None)
    exported = source.parent / "exported.yaml"
    exported.write_text(dump_case_file(export_case(first)), encoding="utf-8")

    written = yaml.safe_load(exported.read_text(encoding="utf-8"))["evidence"][0]
    assert [f["flag"] for f in written["flags"]] == ["graphic_violence", "minors"]
    assert written["clearance"]["flags"] == ["graphic_violence", "minors"]
    assert written["reviewed_by"][0]["note"] == "watched all 4 s; the worst is at 0:03"

    second = init_case(tmp_path / "second", actor="importer")
    import_case_file(second, exported)
    for item in ("a", "b"):
        assert _safeguards(second, item) == _safeguards(first, item)
    assert item_sensitivity(second, "a")["flag_records"][0]["by"] == "ivan"
    # Written as the services write them: one event per change, by the importer.
    events = _events(second)
    assert [(action, subject, actor) for action, subject, actor, _ in events] == [
        ("evidence_flag", "a", "importer"),
        ("evidence_flag", "a", "importer"),
        ("evidence_clearance", "a", "importer"),
        ("evidence_reviewed", "a", "importer"),
        ("evidence_flag", "b", "importer"),
        ("evidence_reviewed", "b", "importer"),
    ]
    assert events[0][3] == {
        "added": ["graphic_violence"],
        "removed": [],
        "flags": ["graphic_violence"],
        "reason": "bodies at 0:03",
    }
    assert dump_case_file(export_case(second)) == exported.read_text(encoding="utf-8")

    # Importing the same file again records nothing new.
    import_case_file(second, exported)
    assert len(_events(second)) == len(events)
    assert verify_whole_case(second).intact
    first.close()
    second.close()


def test_a_flag_changed_outside_the_software_after_an_import_is_named(tmp_path: Path) -> None:
    flags = [{"flag": "dead_or_injured", "reason": "a wounded man", "by": "rita"}]
    source = _case_file(tmp_path / "in", [_plain("a", flags=flags), _plain("b")])
    case = init_case(tmp_path / "case", actor="importer")
    import_case_file(case, source)
    assert verify_whole_case(case).intact
    database = sqlite3.connect(case.root / "case.sqlite")
    with database:
        database.execute("UPDATE evidence_flag SET flag = 'gore' WHERE evidence_id = 'a'")
    database.close()
    report = verify_whole_case(case)
    assert not report.intact
    assert any(line.startswith("evidence_flag a/") for line in report.problems), report.problems
    # The reading leaves the bad flag out and says so, rather than failing.
    problems = load_case(case).problems
    assert any("'gore' is not a sensitivity flag" in line for line in problems)
    case.close()


def test_a_hand_written_file_flags_with_the_importer_and_clears_its_covering_flags(
    tmp_path: Path,
) -> None:
    flags = [
        {"flag": "graphic_violence", "reason": "blood"},
        {"flag": "deleted_by_source", "reason": "gone from the channel"},
    ]
    entry = _plain("a", flags=flags, clearance={"reason": "needed"}, reviewed_by=[{"by": "vic"}])
    case = init_case(tmp_path / "case", actor="importer")
    import_case_file(case, _case_file(tmp_path / "in", [entry, _plain("b")]))
    record = item_sensitivity(case, "a")
    assert [(f["flag"], f["by"]) for f in record["flag_records"]] == [
        ("graphic_violence", "importer"),
        ("deleted_by_source", "importer"),
    ]
    assert record["clearance"] is not None and record["clearance"]["flags"] == ["graphic_violence"]
    assert record["publishable"]
    assert [(r["by"], r["note"]) for r in record["reviews"]] == [("vic", "")]
    # Two reasons: two events, one per reason, author and time.
    assert [e[0] for e in _events(case)].count("evidence_flag") == 2
    case.close()


def test_a_bad_flag_name_is_one_line_naming_the_item_and_the_value(tmp_path: Path) -> None:
    flags = [{"flag": "gore", "reason": "blood"}]
    source = _case_file(tmp_path / "in", [_plain("a"), _plain("b", flags=flags)])
    case = init_case(tmp_path / "case")
    with pytest.raises(CaseFileError) as refused:
        import_case_file(case, source)
    assert str(refused.value) == (
        f"{source}: evidence[1].flags[0].flag: evidence 'b': 'gore' is not a sensitivity flag "
        "(one of: graphic_violence, dead_or_injured, personal_information, minors, "
        "deleted_by_source, possibly_deceptive)"
    )
    assert export_case(case).evidence == ()  # nothing imported
    case.close()


@pytest.mark.parametrize(
    ("fields", "line"),
    [
        (
            {"clearance": {"flags": ["minor"], "reason": "ok"}},
            "evidence[0].clearance.flags[0]: evidence 'a': 'minor' is not a sensitivity flag",
        ),
        (
            {"flags": [{"flag": "minors", "reason": "x"}, {"flag": "minors", "reason": "y"}]},
            "evidence[0].flags[1].flag: evidence 'a': 'minors' is listed twice",
        ),
        ({"flags": [{"flag": "minors", "reason": " "}]}, "evidence[0].flags[0].reason: must not"),
        ({"flags": [{"flag": "minors"}]}, "evidence[0].flags[0]: missing required field 'reason'"),
        ({"reviewed_by": [{"note": "x"}]}, "evidence[0].reviewed_by[0]: missing required field"),
    ],
)
def test_bad_safeguards_are_named_where_they_are(fields: dict[str, object], line: str) -> None:
    document = {
        "format": "evidencelab/case@1",
        "title": "t",
        "evidence": [{"id": "a", "kind": "photo", **fields}],
    }
    with pytest.raises(CaseFileError) as refused:
        load_case_text(yaml.safe_dump(document), "yaml", origin="c.yaml")
    assert str(refused.value).startswith(f"c.yaml: {line}")
    assert "\n" not in str(refused.value)


def test_a_clearance_with_nothing_to_clear_and_an_overlong_reason_import_nothing(
    tmp_path: Path,
) -> None:
    entries = [
        _plain("a", clearance={"reason": "ok"}),
        _plain("b", flags=[{"flag": "minors", "reason": "x" * 2001}]),
    ]
    source = _case_file(tmp_path / "in", entries)
    case = init_case(tmp_path / "case")
    with pytest.raises(CaseFileError) as refused:
        import_case_file(case, source)
    assert str(refused.value).splitlines() == [
        f"{source}: evidence[0].clearance: the item has no covering flag to clear; name its flags",
        f"{source}: evidence[1].flags[0].reason: longer than 2000 characters",
    ]
    assert export_case(case).evidence == ()
    case.close()


def test_case_files_without_safeguards_are_unchanged() -> None:
    text = "format: evidencelab/case@1\ntitle: t\nevidence:\n- {id: a, kind: photo}\n"
    case = load_case_text(text, "yaml", origin="old.yaml")
    assert case.evidence[0].flags == () and case.evidence[0].clearance is None
    assert "flags" not in dump_case_file(case) and "reviewed_by" not in dump_case_file(case)
