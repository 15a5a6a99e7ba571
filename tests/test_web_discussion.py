"""Web discussion and search: comment forms (errors beside the field, author-only
changes), the activity feed and its header count, the search page's filters, and the
browser journey "a mention appears in the other user's feed"."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from test_web_support import Shots, browser_log_in, log_in, served

INCIDENT = "vuhledar-2022-02-24"


def test_comment_form_keeps_the_text_and_names_an_unknown_mention(client: TestClient) -> None:
    csrf = log_in(client, "alice")
    form = {"csrf_token": csrf, "subject_kind": "incident", "subject_id": INCIDENT}
    bad = client.post("/comments/new", data=form | {"body": "see @zed now"})
    assert bad.status_code == 400
    assert 'id="body-error">body @zed: no such user to mention<' in bad.text
    assert "see @zed now</textarea>" in bad.text
    good = client.post("/comments/new", data=form | {"body": "see @rita now"})
    assert good.status_code == 303 and good.headers["location"].endswith("#comments")
    page = client.get(f"/incidents/{INCIDENT}").text
    assert "see @rita now" in page and "/edit" in page


def test_only_the_author_may_change_and_a_delete_is_confirmed(client: TestClient) -> None:
    csrf = log_in(client, "alice")
    form = {"csrf_token": csrf, "subject_kind": "incident", "subject_id": INCIDENT}
    client.post("/comments/new", data=form | {"body": "mine"})
    assert "Delete your comment?" in client.get("/comments/1/delete").text
    client.post("/comments/1/delete", data={"csrf_token": csrf})
    assert "comment deleted" in client.get(f"/incidents/{INCIDENT}").text
    log_in(client, "rita")
    assert client.get("/comments/1/edit").status_code in (400, 404)


def test_search_page_filters_and_bad_date(client: TestClient) -> None:
    log_in(client, "vic")
    found = client.get("/search", params={"q": "Вугледар", "kind": "incident"})
    assert found.status_code == 200 and f'href="/incidents/{INCIDENT}"' in found.text
    assert "<mark>" in found.text
    bad = client.get("/search", params={"q": "x", "date_from": "2022-02-30"})
    assert bad.status_code == 400 and "date_from 2022-02-30: not a date" in bad.text
    hidden = client.get("/search", params={"q": "local-source-vuhledar"})
    assert "/sources/local-source-vuhledar" not in hidden.text


def test_a_mention_appears_in_the_other_users_feed(demo: Path, page: Page, tmp_path: Path) -> None:
    shots = Shots(tmp_path)
    with served(demo) as base:
        browser_log_in(page, base, "alice")
        page.goto(f"{base}/incidents/{INCIDENT}#comments")
        page.get_by_label("Comment (plain text; @name mentions a user)").fill(
            "@rita could you review the time of this strike?"
        )
        page.get_by_role("button", name="Add comment").click()
        expect(page.locator("#comments")).to_contain_text("could you review the time")
        page.get_by_role("button", name="Log out").click()
        browser_log_in(page, base, "rita")
        expect(page.locator(".dsc-badge")).to_be_visible()
        page.get_by_role("link", name="Activity").click()
        mentions = page.locator(
            "section", has=page.get_by_role("heading", name="Comments that mention you (1)")
        )
        expect(mentions).to_contain_text("could you review the time")
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            shots(page, f"activity-{width}")
            overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
            assert not overflow, f"horizontal overflow at {width} px"
        page.get_by_role("button", name="Mark all seen").click()
        expect(page.get_by_role("status")).to_contain_text("All marked seen")
        expect(page.locator(".dsc-badge")).to_have_count(0)
    shots.publish()
