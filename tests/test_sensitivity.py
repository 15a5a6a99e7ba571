"""Sensitivity flags, clearance for publication and reviewed-by notes: the service (one
transaction, one custody event per item, with who and why), `verify` noticing a flag changed
outside the software, the command line (--json, one-line refusals), the public report
leaving out graphic media until a reviewer clears it, and video contact sheets."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from case_copies import checkpoint, copy_case
from cli_helpers import ACTOR, run_cli
from evidencelab.cli.safety import FLAGS as CLI_FLAGS
from evidencelab.extract.contact_sheet import FRAME_WIDTH, frame_times
from evidencelab.locker.case import Case, CaseError, init_case, open_case
from evidencelab.locker.custody import event_payload
from evidencelab.locker.errors import InputError
from evidencelab.locker.ingest import IngestRequest
from evidencelab.model.sensitivity import FLAGS, publishable, warning_text
from evidencelab.service.evidence.contact_sheets import video_contact_sheet
from evidencelab.service.evidence.sensitivity import (
    auto_flag,
    clear_for_publication,
    item_sensitivity,
    record_review,
    set_sensitivity,
    withdraw_clearance,
)
from evidencelab.service.intake import take_in
from evidencelab.service.integrity.verify import verify_whole_case
from evidencelab.service.outputs.report import render
from evidencelab.store.tables import CustodyEvent

CORPUS = Path(__file__).parent / "corpus"
PHOTO = CORPUS / "metadata-extractor-images" / "jpg" / "Apple iPhone 4.jpg"
VIDEO = CORPUS / "pdq-threatexchange" / "tmk" / "sample-videos" / "doorknob-hd-no-bar.mp4"


def _ingest(case: Case, paths: list[Path]) -> list[str]:
    return take_in(case, [IngestRequest(path=p) for p in paths]).stored_ids


@pytest.fixture(scope="module")
def fifty_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A case holding fifty small distinct files, built once for the module: a template to
    copy, never to open."""
    folder = tmp_path_factory.mktemp("fifty")
    (folder / "many").mkdir()
    paths = []
    for index in range(50):
        path = folder / "many" / f"note-{index:02}.txt"
        path.write_text(f"statement {index}\n", encoding="utf-8")
        paths.append(path)
    with init_case(folder / "case", actor="tester") as case:
        ids = _ingest(case, paths)
    assert len(ids) == 50
    checkpoint(folder / "case")
    return folder / "case", ids


@pytest.fixture
def fifty_case(fifty_template: tuple[Path, list[str]], tmp_path: Path) -> Iterator[Case]:
    """A fresh copy of the fifty-item case."""
    with open_case(copy_case(fifty_template[0], tmp_path / "case")) as case:
        yield case


@pytest.fixture
def fifty(fifty_template: tuple[Path, list[str]]) -> list[str]:
    """The ids of the fifty items, in the order they were stored."""
    return fifty_template[1]


def _events(case: Case, action: str) -> list[CustodyEvent]:
    with case.sessions() as session:
        query = select(CustodyEvent).where(CustodyEvent.action == action)
        return list(session.scalars(query.order_by(CustodyEvent.seq)))


def test_flagging_fifty_items_is_fifty_custody_events_with_author_and_reason(
    fifty_case: Case, fifty: list[str]
) -> None:
    fifty_case.actor = "rita"
    changes = set_sensitivity(
        fifty_case, fifty, add=["dead_or_injured", "graphic_violence"], reason="bodies in frame"
    )
    assert len(changes) == 50
    events = _events(fifty_case, "evidence_flag")
    assert [e.subject for e in events] == fifty
    assert {e.actor for e in events} == {"rita"}
    assert event_payload(events[0]) == {
        "added": ["graphic_violence", "dead_or_injured"],
        "removed": [],
        "flags": ["graphic_violence", "dead_or_injured"],
        "reason": "bodies in frame",
    }
    record = item_sensitivity(fifty_case, fifty[7])
    assert record["flags"] == ["graphic_violence", "dead_or_injured"]
    assert record["warning"] == "Warning: graphic violence, dead or injured people"
    assert record["flag_records"][0]["by"] == "rita"
    assert record["publishable"] is False
    assert verify_whole_case(fifty_case).problems == []


def test_an_item_already_flagged_is_left_as_it_is(fifty_case: Case, fifty: list[str]) -> None:
    set_sensitivity(fifty_case, fifty[:2], add=["minors"], reason="children visible")
    changes = set_sensitivity(fifty_case, fifty[:3], add=["minors"], reason="children visible")
    assert [c["evidence"] for c in changes] == [fifty[2]]
    assert len(_events(fifty_case, "evidence_flag")) == 3


@pytest.mark.parametrize(
    ("add", "remove", "reason", "field", "message"),
    [
        (["gore"], [], "why", "add", "add gore: not a sensitivity flag"),
        (["minors"], ["minors"], "why", "remove", "remove minors: is also among the flags"),
        ([], [], "why", "add", "add: name at least one flag"),
        (["minors"], [], "  ", "reason", "reason: required"),
    ],
)
def test_a_bad_request_names_its_input_and_changes_nothing(
    fifty_case: Case,
    fifty: list[str],
    add: list[str],
    remove: list[str],
    reason: str,
    field: str,
    message: str,
) -> None:
    before = len(_events(fifty_case, "records"))
    with pytest.raises(InputError, match=message) as refused:
        set_sensitivity(fifty_case, fifty[:3], add=add, remove=remove, reason=reason)
    assert refused.value.field == field
    assert len(_events(fifty_case, "records")) == before
    assert _events(fifty_case, "evidence_flag") == []


def test_an_unknown_item_refuses_the_whole_selection(fifty_case: Case, fifty: list[str]) -> None:
    with pytest.raises(CaseError, match="evidence nope: no such evidence item"):
        set_sensitivity(fifty_case, [*fifty[:5], "nope"], add=["minors"], reason="children")
    assert _events(fifty_case, "evidence_flag") == []
    assert item_sensitivity(fifty_case, fifty[0])["flags"] == []


def test_clearance_is_for_the_flags_it_saw_and_a_new_flag_needs_another(
    fifty_case: Case, fifty: list[str]
) -> None:
    item = fifty[0]
    with pytest.raises(CaseError, match="no flag keeps it from publication"):
        clear_for_publication(fifty_case, item, reason="fine")
    set_sensitivity(fifty_case, [item], add=["graphic_violence", "possibly_deceptive"], reason="r")
    cleared = clear_for_publication(fifty_case, item, reason="essential to the finding")
    assert cleared["clearance"] is not None
    assert cleared["clearance"]["flags"] == ["graphic_violence"]
    assert cleared["publishable"] is True
    set_sensitivity(fifty_case, [item], add=["minors"], reason="a child at 0:02")
    assert item_sensitivity(fifty_case, item)["publishable"] is False
    withdrawn = withdraw_clearance(fifty_case, item, reason="under review again")
    assert withdrawn["clearance"] is None
    payloads = [event_payload(e) for e in _events(fifty_case, "evidence_clearance")]
    assert [p["cleared"] for p in payloads] == [True, False]


def test_a_review_note_is_recorded_with_its_author(fifty_case: Case, fifty: list[str]) -> None:
    fifty_case.actor = "ivan"
    note = record_review(fifty_case, fifty[1], note="watched in full; no one identifiable")
    assert note["by"] == "ivan"
    (event,) = _events(fifty_case, "evidence_reviewed")
    assert (event.subject, event.actor, event.seq) == (fifty[1], "ivan", note["custody_event"])
    assert item_sensitivity(fifty_case, fifty[1])["reviews"] == [note]


def test_verify_names_a_flag_removed_or_changed_outside_evidencelab(
    fifty_case: Case, fifty: list[str]
) -> None:
    set_sensitivity(fifty_case, fifty[:2], add=["graphic_violence"], reason="blood")
    database = sqlite3.connect(fifty_case.root / "case.sqlite")
    with database:
        database.execute("DELETE FROM evidence_flag WHERE evidence_id = ?", (fifty[0],))
        database.execute(
            "UPDATE evidence_flag SET reason = 'none' WHERE evidence_id = ?", (fifty[1],)
        )
    database.close()
    problems = verify_whole_case(fifty_case).problems
    assert any(
        p.startswith(f"evidence_flag {fifty[0]}/graphic_violence: deleted outside evidencelab")
        for p in problems
    ), problems
    assert any(
        p.startswith(f'evidence_flag {fifty[1]}/graphic_violence: field reason is "none"')
        for p in problems
    ), problems


class _EveryImage:
    """A classifier stand-in that sees graphic violence in every JPEG: enough to test the
    hook's rule that a classifier may only add flags."""

    name = "test-every-jpeg"

    def flags(self, path: str, media_type: str | None) -> set[str]:
        return {"graphic_violence"} if media_type == "image/jpeg" else set()


def test_an_automatic_flagger_only_adds(case: Case) -> None:
    (photo,) = _ingest(case, [PHOTO])
    set_sensitivity(case, [photo], add=["minors"], reason="by hand")
    changes = auto_flag(case, [photo], _EveryImage())
    assert changes[0]["added"] == ["graphic_violence"]
    assert changes[0]["removed"] == []
    assert item_sensitivity(case, photo)["flags"] == ["graphic_violence", "minors"]
    reason = event_payload(_events(case, "evidence_flag")[-1])["reason"]
    assert reason == "proposed by the automatic classifier test-every-jpeg"


@pytest.fixture
def zadar(zadar_template: Path, tmp_path: Path) -> Iterator[Case]:
    """Two photos linked to incident zadar-1 (the report shows their thumbnails)."""
    with open_case(copy_case(zadar_template, tmp_path / "zadar"), actor="tester") as case:
        yield case


def test_the_public_report_leaves_out_graphic_media_until_cleared(zadar: Case) -> None:
    jpeg = "data:image/jpeg;base64"
    assert render(zadar, public=True).decode().count(jpeg) == 2
    set_sensitivity(zadar, ["iphone-4"], add=["graphic_violence"], reason="injured man")
    public = render(zadar, public=True).decode()
    assert public.count(jpeg) == 1
    assert "graphic violence: not cleared for publication, not shown" in public
    internal = render(zadar).decode()
    assert internal.count(jpeg) == 2
    assert '<p class="content-warning">Warning: graphic violence</p>' in internal
    clear_for_publication(zadar, "iphone-4", reason="needed to show the injury; face blurred")
    cleared = render(zadar, public=True).decode()
    assert cleared.count(jpeg) == 2
    assert '<p class="content-warning">Warning: graphic violence</p>' in cleared


def test_publishable_and_warning_are_pure() -> None:
    assert publishable([], None)
    assert publishable(["deleted_by_source", "possibly_deceptive"], None)
    assert not publishable(["minors"], None)
    assert not publishable(["minors", "graphic_violence"], ["minors"])
    assert publishable(["minors", "graphic_violence"], ["graphic_violence", "minors"])
    assert warning_text(["minors", "graphic_violence"]) == "Warning: graphic violence, minors"
    assert CLI_FLAGS == FLAGS


def test_contact_sheet_of_a_video_is_a_strip_of_frames(case: Case) -> None:
    video, photo = _ingest(case, [VIDEO, PHOTO])
    events = len(_events(case, "records"))
    sheet = video_contact_sheet(case, video, sensitive=False, frames=4)
    assert sheet["frames"] == 4
    assert Path(sheet["path"]).read_bytes()[:2] == b"\xff\xd8"
    assert sheet["frame_width"] == FRAME_WIDTH
    assert frame_times(4.0, 4) == [0.5, 1.5, 2.5, 3.5]
    with pytest.raises(CaseError, match="not a video"):
        video_contact_sheet(case, photo, sensitive=False)
    assert len(_events(case, "records")) == events  # display data: nothing recorded


def test_command_line_flags_unflags_and_refuses_in_one_line(case: Case) -> None:
    (photo,) = _ingest(case, [PHOTO])
    root = str(case.root)
    done = run_cli(
        "evidence", "flag", photo, "--add", "graphic_violence", "--reason", "blood",
        "--case", root, "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (change,) = json.loads(done.stdout)
    assert change["flags"] == ["graphic_violence"]
    assert _events(case, "evidence_flag")[-1].actor == ACTOR
    refused = run_cli("evidence", "flag", photo, "--add", "gore", "--reason", "x", "--case", root)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        "error: --add gore: not a sensitivity flag (one of: " + ", ".join(FLAGS) + ")"
    ]
    missing = run_cli("evidence", "unflag", photo, "--remove", "graphic_violence", "--case", root)
    assert missing.stderr.strip() == "error: --reason: required: say why"
    removed = run_cli(
        "evidence", "unflag", photo, "--remove", "graphic_violence", "--reason", "mistaken",
        "--case", root, "--json",
    )  # fmt: skip
    assert json.loads(removed.stdout)[0]["removed"] == ["graphic_violence"]
    shown = run_cli("evidence", "sensitivity", photo, "--case", root, "--json")
    assert json.loads(shown.stdout)["flags"] == []
