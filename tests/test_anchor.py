"""Anchors of the custody head kept outside the case: a chain rewritten by someone with
write access to the case folder is consistent with itself, but not with its anchors."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from cli_helpers import run_cli
from evidencelab.locker.anchors import anchor_head, anchors_path, list_anchors
from evidencelab.locker.case import Case, CaseError, open_case
from evidencelab.locker.custody import GENESIS_HASH, chain_problems, hash_of, read_head
from evidencelab.locker.ingest import IngestRequest, ingest
from evidencelab.locker.verify import verify_case
from evidencelab.service.outputs.bundle import write_bundle
from evidencelab.service.outputs.report import write_report
from evidencelab.store.tables import CustodyEvent

COLUMNS = ("seq", "recorded_at", "actor", "action", "subject", "payload", "prev_hash", "hash")
Rows = list[dict[str, object]]


@pytest.fixture
def filled(case: Case, loose_files: list[Path]) -> Case:
    ingest(case, [IngestRequest(path=p) for p in loose_files[:2]], extractors=[])
    return case


def record_export(case: Case) -> int:
    """A legitimate event that no record depends on (so deleting it touches only the log)."""
    with case.transaction() as session:
        event = case.record(session, "export", None, {"format": "csv", "sha256": "0" * 64})
        return event.seq


def log_events(case: Case) -> list[CustodyEvent]:
    with case.sessions() as session:
        return list(session.scalars(select(CustodyEvent).order_by(CustodyEvent.seq)))


def rewrite_chain(root: Path, edit: Callable[[Rows], Rows]) -> None:
    """What someone with write access to the case folder can do: edit or delete events,
    renumber what follows, recompute every hash and rewrite the head file."""
    db = sqlite3.connect(root / "case.sqlite", isolation_level=None)
    try:
        rows: Rows = [
            dict(zip(COLUMNS, row, strict=True))
            for row in db.execute(f"SELECT {', '.join(COLUMNS)} FROM custody_event ORDER BY seq")
        ]
        db.execute("PRAGMA foreign_keys = OFF")
        db.execute("BEGIN IMMEDIATE")
        db.execute("DELETE FROM custody_event")
        prev = GENESIS_HASH
        for seq, row in enumerate(edit(rows), start=1):
            event = CustodyEvent(**{**row, "seq": seq, "prev_hash": prev})
            event.hash = hash_of(event)
            values = [getattr(event, c) for c in COLUMNS]
            db.execute(f"INSERT INTO custody_event VALUES ({', '.join('?' * 8)})", values)
            prev = event.hash
        db.execute("COMMIT")
    finally:
        db.close()
    (root / "custody.head").write_text(json.dumps({"seq": seq, "hash": prev}) + "\n")


def forge_actor(seq: int) -> Callable[[Rows], Rows]:
    return lambda rows: [r | {"actor": "mallory"} if r["seq"] == seq else r for r in rows]


def drop(*seqs: int) -> Callable[[Rows], Rows]:
    return lambda rows: [r for r in rows if r["seq"] not in seqs]


def chain_alone(root: Path) -> list[str]:
    with open_case(root) as case:
        return chain_problems(log_events(case), read_head(case.head_path))


def test_anchor_writes_the_file_a_custody_event_and_anchors_json(
    filled: Case, tmp_path: Path
) -> None:
    before = log_events(filled)[-1]
    result = anchor_head(filled, tmp_path / "lawyer.json")
    document = json.loads((tmp_path / "lawyer.json").read_text())
    assert document == {
        "format": "evidencelab/anchor@1",
        "case": "case",
        "seq": before.seq,
        "hash": before.hash,
        "written_at": result["written_at"],
        "actor": "tester",
        "evidencelab": document["evidencelab"],
    }
    event = log_events(filled)[-1]
    assert (event.seq, event.action) == (before.seq + 1, "anchor")
    assert json.loads(event.payload) == {
        "location": str(tmp_path / "lawyer.json"),
        "seq": before.seq,
        "hash": before.hash,
        "written_at": result["written_at"],
    }
    assert list_anchors(filled) == [
        {**json.loads(event.payload), "actor": "tester", "event": event.seq}
    ]
    assert anchors_path(filled.root) == filled.root / "anchors.json"
    report = verify_case(filled)
    assert report.intact, report.problems
    assert report.head is not None and (report.head.seq, report.head.hash) == (
        event.seq,
        event.hash,
    )
    assert [(a["seq"], a["matches"]) for a in report.anchors] == [(before.seq, True)]


def test_a_folder_gets_a_named_anchor_file(filled: Case, tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    result = anchor_head(filled, usb)
    assert result["location"] == str(usb / "case-anchor.json")
    assert json.loads((usb / "case-anchor.json").read_text())["seq"] == result["seq"]


def test_rewritten_chain_passes_the_chain_check_but_not_the_anchor(
    filled: Case, tmp_path: Path
) -> None:
    anchored = anchor_head(filled, tmp_path / "anchor.json")
    filled.close()
    rewrite_chain(filled.root, forge_actor(1))

    assert chain_alone(filled.root) == []  # the premise: the chain alone cannot tell
    with open_case(filled.root) as case:
        report = verify_case(case)
    line = (
        f"custody log: event {anchored['seq']} differs from the anchor written to "
        f"{tmp_path / 'anchor.json'} at {anchored['written_at']}: "
        f"the log was rewritten at or before event {anchored['seq']}"
    )
    assert report.problems == [line]


def test_without_anchors_json_a_given_anchor_file_still_names_the_rewrite(
    filled: Case, tmp_path: Path
) -> None:
    anchored = anchor_head(filled, tmp_path / "anchor.json")
    filled.close()
    # The rewrite also removes every trace of the anchor from the case.
    rewrite_chain(filled.root, lambda rows: forge_actor(2)(drop(anchored["event"])(rows)))
    anchors_path(filled.root).unlink()

    with open_case(filled.root) as case:
        assert verify_case(case).intact  # nothing in the case leads to the anchor
        report = verify_case(case, anchor_files=[tmp_path / "anchor.json"])
    assert report.problems == [
        f"custody log: event {anchored['seq']} differs from the anchor written to "
        f"{tmp_path / 'anchor.json'} at {anchored['written_at']}: "
        f"the log was rewritten at or before event {anchored['seq']}"
    ]


def test_deleted_event_before_the_anchor_is_named(filled: Case, tmp_path: Path) -> None:
    exported = record_export(filled)
    anchored = anchor_head(filled, tmp_path / "anchor.json")
    filled.close()
    rewrite_chain(filled.root, drop(exported))
    assert chain_alone(filled.root) == []
    with open_case(filled.root) as case:
        problems = verify_case(case).problems
    # The event now numbered like the anchored one is another event: its hash differs.
    assert problems[0] == (
        f"custody log: event {anchored['seq']} differs from the anchor written to "
        f"{tmp_path / 'anchor.json'} at {anchored['written_at']}: "
        f"the log was rewritten at or before event {anchored['seq']}"
    )


def test_anchor_past_the_end_of_the_log_names_the_deleted_events(
    filled: Case, tmp_path: Path
) -> None:
    record_export(filled)
    record_export(filled)
    anchored = anchor_head(filled, tmp_path / "anchor.json")
    seq = anchored["seq"]
    filled.close()
    rewrite_chain(filled.root, drop(seq - 1, seq, anchored["event"]))
    assert chain_alone(filled.root) == []
    with open_case(filled.root) as case:
        problems = verify_case(case).problems
    assert problems[0] == (
        f"custody log: ends at event {seq - 2} but the anchor written to "
        f"{tmp_path / 'anchor.json'} at {anchored['written_at']} records event {seq}: "
        f"events {seq - 1} to {seq} were deleted from the log"
    )


def test_the_log_growing_after_an_anchor_is_fine(
    filled: Case, tmp_path: Path, loose_files: list[Path]
) -> None:
    anchor_head(filled, tmp_path / "first.json")
    ingest(filled, [IngestRequest(path=loose_files[2])], extractors=[])
    anchor_head(filled, tmp_path / "second.json")
    record_export(filled)
    report = verify_case(filled, anchor_files=[tmp_path / "first.json"])
    assert report.intact, report.problems
    assert report.notes == []
    assert [a["matches"] for a in report.anchors] == [True, True]


def test_unreachable_anchor_is_a_note_and_its_record_is_still_compared(
    filled: Case, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    anchored = anchor_head(filled, usb / "anchor.json")
    (usb / "anchor.json").unlink()
    report = verify_case(filled)
    assert report.intact
    assert report.notes == [
        f"anchor at {usb / 'anchor.json'} not reachable: not checked "
        f"([Errno 2] No such file or directory: '{usb / 'anchor.json'}')"
    ]
    # A rewrite that forgot anchors.json is still caught by the record in the case.
    filled.close()
    rewrite_chain(filled.root, forge_actor(1))
    with open_case(filled.root) as case:
        problems = verify_case(case).problems
    assert problems == [
        f"custody log: event {anchored['seq']} differs from the anchor written to "
        f"{usb / 'anchor.json'} at {anchored['written_at']} (as recorded in anchors.json): "
        f"the log was rewritten at or before event {anchored['seq']}"
    ]


def test_anchor_of_another_case_is_named(filled: Case, tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    anchor_head(filled, other)
    document = json.loads(other.read_text())
    other.write_text(json.dumps(document | {"case": "Another case", "hash": "a" * 64}))
    report = verify_case(filled, anchor_files=[other])
    assert any(f"differs from the anchor written to {other}" in p for p in report.problems)
    assert f"anchor at {other} is for the case 'Another case', not 'case'" in report.notes


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda case, tmp: case.root / "anchor.json", "inside the case folder"),
        (lambda case, tmp: tmp / "missing" / "anchor.json", "does not exist"),
        (lambda case, tmp: _file(tmp / "notes.txt"), "exists and is not an anchor file"),
    ],
)
def test_refused_places_leave_the_case_as_it_was(
    filled: Case,
    tmp_path: Path,
    make: Callable[[Case, Path], Path],
    message: str,
) -> None:
    before = [e.hash for e in log_events(filled)]
    target = make(filled, tmp_path)
    with pytest.raises(CaseError, match=message):
        anchor_head(filled, target)
    assert [e.hash for e in log_events(filled)] == before
    assert not anchors_path(filled.root).exists()
    if target.name == "notes.txt":
        assert target.read_text() == "not an anchor\n"


def _file(path: Path) -> Path:
    path.write_text("not an anchor\n")
    return path


def test_a_broken_chain_is_not_anchored(filled: Case, tmp_path: Path) -> None:
    filled.close()
    db = sqlite3.connect(filled.root / "case.sqlite", isolation_level=None)
    db.execute("UPDATE custody_event SET actor = 'mallory' WHERE seq = 1")
    db.close()
    with open_case(filled.root) as case, pytest.raises(CaseError, match="does not verify"):
        anchor_head(case, tmp_path / "anchor.json")
    assert not (tmp_path / "anchor.json").exists()


def test_cli_anchor_verify_and_list(tmp_path: Path, loose_files: list[Path]) -> None:
    case = tmp_path / "cli-case"
    assert run_cli("init", str(case)).returncode == 0
    assert run_cli("ingest", str(loose_files[0]), "--case", str(case)).returncode == 0
    anchor_file = tmp_path / "anchor.json"
    made = run_cli("anchor", "--to", str(anchor_file), "--case", str(case), "--json")
    assert made.returncode == 0, made.stderr
    anchored = json.loads(made.stdout)
    listed = json.loads(run_cli("anchor", "list", "--case", str(case), "--json").stdout)
    assert [a["location"] for a in listed] == [str(anchor_file)]

    ok = run_cli("verify", "--case", str(case), "--json")
    verified = json.loads(ok.stdout)
    assert ok.returncode == 0 and verified["intact"]
    assert verified["head"]["seq"] == anchored["event"]
    assert verified["anchors"][0]["seq"] == anchored["seq"]

    rewrite_chain(case, lambda rows: forge_actor(1)(drop(anchored["event"])(rows)))
    anchors_path(case).unlink()
    plain = run_cli("verify", "--case", str(case))
    assert plain.returncode == 0 and plain.stdout.startswith("intact")
    named = run_cli("verify", "--case", str(case), "--anchor", str(anchor_file))
    assert named.returncode == 1
    assert named.stdout.splitlines()[0].startswith(
        f"custody log: event {anchored['seq']} differs from the anchor written to {anchor_file}"
    )
    head = read_head(case / "custody.head")
    assert head is not None
    assert f"custody log at event {head.seq}, head hash {head.hash}" in named.stdout

    missing = run_cli("verify", "--case", str(case), "--anchor", str(tmp_path / "nope.json"))
    assert missing.returncode == 1
    assert missing.stderr.strip() == f"error: --anchor {tmp_path / 'nope.json'}: no such file"
    no_place = run_cli("anchor", "--case", str(case))
    assert no_place.returncode == 1 and "give --to PATH" in no_place.stderr


def test_head_is_printed_in_the_report_and_the_bundle_manifest(
    filled: Case, tmp_path: Path
) -> None:
    head = log_events(filled)[-1]
    html = write_report(filled, tmp_path / "report.html").read_text()
    assert f"Custody log at event {head.seq}, head hash <code>{head.hash}</code>" in html

    head = log_events(filled)[-1]  # the HTML report added its event
    pdf = write_report(filled, tmp_path / "report.pdf", fmt="pdf")
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    # The hash may wrap; its characters are all there, in order, on the first page.
    first_page = "".join(text.split("\f")[0].split())
    assert f"Custodylogatevent{head.seq},headhash{head.hash}" in first_page

    head = log_events(filled)[-1]
    write_bundle(filled, tmp_path / "case.zip")
    with zipfile.ZipFile(tmp_path / "case.zip") as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["custody_head"] == {"seq": head.seq, "hash": head.hash}
