"""Graphic-content safeguards in the browser: a flagged video opens greyscale, blurred and
muted behind a warning naming its flags, reveal and unmute are deliberate (keyboard-usable)
clicks, and the flag change is a custody event with its author; the contact sheet scrubs by
arrow keys; a bulk flag of 50 items is one request and 50 custody events; preferences are
per user; roles are checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect
from sqlalchemy import select

from evidencelab.locker.case import open_case
from evidencelab.locker.custody import event_payload
from evidencelab.locker.ingest import IngestRequest
from evidencelab.service.intake import take_in
from evidencelab.store.tables import CustodyEvent
from test_web_support import CORPUS, Shots, browser_log_in, log_in, served

VIDEO = CORPUS / "pdq-threatexchange" / "tmk" / "sample-videos" / "doorknob-hd-no-bar.mp4"
NARROW, WIDE = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
OVERFLOWING = """() => {
  const edge = document.documentElement.clientWidth + 1;
  const boxed = (el) => ["auto", "scroll", "hidden"].includes(getComputedStyle(el).overflowX);
  const scrolls = (el) => el && (boxed(el) || scrolls(el.parentElement));
  return [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > edge && !scrolls(el.parentElement))
    .map((el) => `${el.tagName}#${el.id}.${el.className}`);
}"""


def _add_files(demo: Path, paths: list[Path]) -> list[str]:
    with open_case(demo, actor="importer") as case:
        return take_in(case, [IngestRequest(path=p) for p in paths]).stored_ids


def _events(demo: Path, action: str) -> list[CustodyEvent]:
    with open_case(demo) as case, case.sessions() as session:
        query = select(CustodyEvent).where(CustodyEvent.action == action)
        return list(session.scalars(query.order_by(CustodyEvent.seq)))


def _filter(page: Page, selector: str) -> str:
    return str(page.eval_on_selector(selector, "el => getComputedStyle(el).filter"))


def test_a_flagged_video_opens_covered_and_reveal_is_deliberate(
    demo: Path, page: Page, tmp_path: Path
) -> None:
    (video,) = _add_files(demo, [VIDEO])
    shots = Shots(tmp_path)
    with served(demo) as base:
        browser_log_in(page, base, "ivan")
        page.goto(f"{base}/evidence/{video}")
        # Unflagged: greyscale and blurred by default, muted, with a reveal button.
        assert "grayscale(1)" in _filter(page, ".safety-cover video")
        page.get_by_label("graphic violence").check()
        page.get_by_label("dead or injured people").check()
        page.get_by_label("Why (recorded in the custody log)").fill("a wounded man at 0:02")
        page.get_by_role("button", name="Save flags").click()
        expect(page.get_by_text("Flags saved.")).to_be_visible()

        cover = page.locator(".safety-cover.flagged").first
        warning = "Warning: graphic violence, dead or injured people"
        expect(cover.locator(".safety-warning")).to_contain_text(warning)
        assert _filter(page, ".safety-cover video") == "grayscale(1) blur(16px)"
        assert page.eval_on_selector(".safety-cover video", "v => v.muted") is True
        assert (
            page.eval_on_selector(".safety-cover video", "v => v.hasAttribute('poster')") is False
        )
        page.set_viewport_size(WIDE)
        page.locator("#view-h").scroll_into_view_if_needed()
        shots(page, "safety-before-reveal")

        reveal = page.get_by_role("button", name="Reveal flagged media")
        reveal.focus()
        page.keyboard.press("Enter")  # a deliberate act, keyboard-usable
        expect(cover.locator(".safety-veil")).to_be_hidden()
        assert _filter(page, ".safety-cover video") == "none"
        assert page.eval_on_selector(".safety-cover video", "v => v.muted") is True
        unmute = cover.get_by_role("button", name="Unmute")
        unmute.click()
        assert page.eval_on_selector(".safety-cover video", "v => v.muted") is False
        expect(cover.get_by_role("button", name="Mute")).to_have_attribute("aria-pressed", "true")
        shots(page, "safety-after-reveal")

        # The contact sheet: behind its own cover, scrubbed by arrow keys once shown.
        page.get_by_role("button", name="Show the contact sheet").click()
        sheet = page.get_by_role("slider")
        # FFmpeg makes the sheet on first request: one seek per frame, slower when loaded.
        expect(sheet).to_have_attribute("aria-valuemax", re.compile(r"[2-9]"), timeout=60_000)
        sheet.focus()
        page.keyboard.press("ArrowRight")
        expect(sheet).to_have_attribute("aria-valuenow", "2")

        page.set_viewport_size(NARROW)
        page.goto(f"{base}/evidence/{video}")
        assert page.evaluate(OVERFLOWING) == []
        shots(page, "safety-before-reveal-390")
        page.goto(f"{base}/evidence")
        expect(page.locator(f'.safety-placeholder[data-evidence-id="{video}"]')).to_contain_text(
            warning
        )
        assert page.locator(f'img[src="/evidence/{video}/thumbnail"]').count() == 0
        assert page.evaluate(OVERFLOWING) == []
        shots(page, "safety-evidence-list-390")
    shots.publish()
    (event,) = _events(demo, "evidence_flag")
    assert (event.subject, event.actor) == (video, "ivan")
    assert event_payload(event)["reason"] == "a wounded man at 0:02"


@pytest.fixture
def fifty(demo: Path, tmp_path: Path) -> list[str]:
    """Fifty items: the demo's six and 44 short statements."""
    folder = tmp_path / "statements"
    folder.mkdir()
    paths = []
    for index in range(44):
        paths.append(folder / f"statement-{index:02}.txt")
        paths[-1].write_text(f"What witness {index} saw.\n", encoding="utf-8")
    _add_files(demo, paths)
    with open_case(demo) as case, case.sessions() as session:
        ids = [row.subject for row in session.scalars(
            select(CustodyEvent).where(CustodyEvent.action == "ingest")
        )]  # fmt: skip
    assert len(ids) == 50
    return ids


def test_a_bulk_flag_of_fifty_items_is_one_request_and_fifty_custody_events(
    client: TestClient, demo: Path, fifty: list[str]
) -> None:
    token = log_in(client, "rita")
    before = len(_events(demo, "records"))
    done = client.post(
        "/evidence-bulk/flags",
        data={
            "csrf_token": token,
            "selected": fifty,
            "flags": ["graphic_violence"],
            "mode": "add",
            "reason": "bodies visible",
        },
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/evidence?flagged=50"
    events = _events(demo, "evidence_flag")
    assert sorted(e.subject for e in events) == sorted(fifty)
    assert {e.actor for e in events} == {"rita"}
    assert len(_events(demo, "records")) == before + 1  # one transaction
    listing = client.get("/evidence?flagged=50")
    assert "Flags changed on 50 item(s), one custody event each." in listing.text


def test_a_bulk_flag_without_reason_comes_back_with_the_selection_kept(
    client: TestClient, demo: Path
) -> None:
    token = log_in(client, "ivan")
    selected = ["vuhledar-remnant-1", "uman-street-1"]
    refused = client.post(
        "/evidence-bulk/flags",
        data={"csrf_token": token, "selected": selected, "flags": ["minors"], "reason": " "},
    )
    assert refused.status_code == 400
    assert "reason: required: say why" in refused.text
    for ref in selected:
        assert f'name="selected" value="{ref}"' in refused.text
    assert re.search(r'value="minors" checked', refused.text)
    assert _events(demo, "evidence_flag") == []


def test_only_reviewers_clear_for_publication_and_viewers_flag_nothing(
    client: TestClient, demo: Path
) -> None:
    token = log_in(client, "vic")
    page = client.get("/evidence/vuhledar-hospital-1")
    assert 'action="/evidence/vuhledar-hospital-1/flags"' not in page.text
    flag = {"csrf_token": token, "flags": ["graphic_violence"], "reason": "blood"}
    assert client.post("/evidence/vuhledar-hospital-1/flags", data=flag).status_code == 403
    token = log_in(client, "ivan")
    flag["csrf_token"] = token
    assert client.post("/evidence/vuhledar-hospital-1/flags", data=flag).status_code == 303
    clear = {"csrf_token": token, "decision": "clear", "clearance_reason": "needed"}
    assert client.post("/evidence/vuhledar-hospital-1/clearance", data=clear).status_code == 403
    clear["csrf_token"] = log_in(client, "rita")
    assert client.post("/evidence/vuhledar-hospital-1/clearance", data=clear).status_code == 303
    (event,) = _events(demo, "evidence_clearance")
    assert (event.actor, event_payload(event)["flags"]) == ("rita", ["graphic_violence"])
    shown = client.get("/evidence/vuhledar-hospital-1")
    assert "Public reports: shown, with the warning (rita: needed)" in shown.text


def test_viewing_preferences_are_each_users_own(client: TestClient) -> None:
    token = log_in(client, "vic")
    assert 'class="safety-cover safe-grey safe-blur"' in client.get("/evidence/uman-street-1").text
    saved = client.post("/preferences", data={"csrf_token": token, "greyscale": "on"})
    assert saved.headers["location"] == "/preferences?done=saved"
    assert 'class="safety-cover safe-grey"' in client.get("/evidence/uman-street-1").text
    log_in(client, "ivan")
    assert 'class="safety-cover safe-grey safe-blur"' in client.get("/evidence/uman-street-1").text


def test_a_form_without_a_change_or_reason_is_refused_beside_its_field(
    client: TestClient, demo: Path
) -> None:
    token, item = log_in(client, "ivan"), "/evidence/uman-street-1"
    unchanged = client.post(f"{item}/flags", data={"csrf_token": token, "reason": "x"})
    assert unchanged.status_code == 400
    assert "these are the item&#39;s flags already" in unchanged.text
    no_reason = client.post(
        f"{item}/flags", data={"csrf_token": token, "flags": ["minors"], "reason": ""}
    )
    assert no_reason.status_code == 400
    assert 'id="reason-error">reason: required: say why' in no_reason.text
    assert 'value="minors" checked' in no_reason.text
    assert _events(demo, "evidence_flag") == []
    reviewed = client.post(f"{item}/reviewed", data={"csrf_token": token, "note": "ok"})
    assert reviewed.status_code == 303
    assert "Reviewed by: <strong>ivan</strong>" in client.get(item).text
