"""The workbench in a real browser: Debian's Chromium driven by Playwright, against uvicorn
on a free loopback port. The case starts empty with one admin; the admin adds the team on
the users page, an investigator imports the demo case as a zip through the import page,
and the investigation goes on from there. With $EVIDENCELAB_ARTEFACTS set, screenshots of
the key pages are copied there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from evidencelab.demo_media import write_demo_case
from evidencelab.locker.case import init_case
from evidencelab.service.access import users
from test_case_archive import zip_folder
from test_web_support import PASSWORDS, PHOTO, Shots, browser_log_in, served

pytestmark = pytest.mark.long

INCIDENT = "vuhledar-2022-02-24"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """The app over an empty case whose only user is the admin."""
    case_root = tmp_path / "case"
    with init_case(case_root, actor="setup") as case:
        users.add_user(case, "alice", PASSWORDS["alice"][1], PASSWORDS["alice"][0])
    with served(case_root) as url:
        yield url


def _log_out(page: Page, base: str) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{base}/login")
    page.goto(base + "/incidents")
    expect(page).to_have_url(f"{base}/login?next=%2Fincidents")


def _add_user(page: Page, name: str) -> None:
    role, password = PASSWORDS[name]
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Role", exact=True).select_option(role)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password again").fill(password)
    page.get_by_role("button", name="Add user").click()
    expect(page.locator(f"#user-{name}")).to_contain_text("active")


def test_investigation_in_the_browser(server: str, page: Page, tmp_path: Path) -> None:
    shots = Shots(tmp_path)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    inputs = tmp_path / "inputs"
    write_demo_case(inputs)
    archive = zip_folder(inputs, tmp_path / "demo-case.zip")

    browser_log_in(page, server, "alice")
    page.get_by_role("link", name="Users", exact=True).click()
    _add_user(page, "ivan")
    _add_user(page, "rita")
    shots(page, "users")
    _log_out(page, server)

    browser_log_in(page, server, "ivan")
    page.get_by_role("link", name="Import", exact=True).click()
    page.get_by_label("Case archive").set_input_files(str(archive))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Imported: demo-case.zip")
    counts = page.locator("#import-counts div")
    expect(counts.filter(has_text="Incidents").locator("dd")).to_have_text("3")
    expect(counts.filter(has_text="New evidence items").locator("dd")).to_have_text("6")
    expect(page.locator("#imported-incidents li")).to_have_count(3)
    shots(page, "imported")
    page.get_by_role("link", name="Overview", exact=True).click()
    expect(page.locator(".finding").first).to_contain_text("at least")
    shots(page, "overview")

    page.get_by_role("link", name="Incidents", exact=True).click()
    page.locator(f'a[href="/incidents/{INCIDENT}"]').click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    marker = page.locator(f'.leaflet-marker-icon[data-incident="{INCIDENT}"]')
    expect(marker).to_be_visible()
    expect(page.locator("#map")).to_have_attribute("data-markers", "1")
    expect(page.locator("#map path.leaflet-interactive")).to_have_count(1)  # precision circle
    shots(page, "incident")

    page.get_by_role("link", name="Upload new evidence for this incident").click()
    page.get_by_label("File").set_input_files(str(PHOTO))
    page.get_by_label("Kind").select_option("photo")
    page.get_by_role("button", name="Upload").click()
    received = page.locator("#received-sha256")
    expect(received).to_have_text(__import__("hashlib").sha256(PHOTO.read_bytes()).hexdigest())
    expect(page.get_by_text("match", exact=True)).to_be_visible()
    shots(page, "uploaded")
    page.get_by_role("link", name="Open the evidence page").click()
    expect(page.locator("table.kv").first).to_contain_text("41.853")
    expect(page.locator("img.viewer")).to_be_visible()
    shots(page, "evidence")

    page.get_by_role("link", name="Evidence", exact=True).click()
    page.get_by_label("GPS in metadata").select_option("yes")  # htmx swaps the table
    expect(page.locator("#evidence-table")).to_contain_text("iPhone")
    expect(page).to_have_url(f"{server}/evidence?kind=&source=&status=&gps=yes&duplicates=")
    shots(page, "evidence-list")
    _log_out(page, server)

    browser_log_in(page, server, "rita")
    page.goto(f"{server}/incidents/{INCIDENT}")
    page.get_by_label("Fact", exact=True).select_option("location")
    page.get_by_label("Mark as").select_option("reviewed")
    page.get_by_label("Comment (required when disputing)").fill("Matches the satellite image")
    page.locator("#review").get_by_role("button", name="Record review").click()
    row = page.locator("#review tr", has_text="location")
    expect(row).to_contain_text("reviewed by rita")
    expect(row.locator(".state")).to_have_text("reviewed")
    page.locator("#review").scroll_into_view_if_needed()
    shots(page, "review")
    page.goto(f"{server}/custody")
    expect(page.locator("tbody tr").first).to_contain_text("fact_review")
    rows = page.locator("tbody tr")
    expect(rows.filter(has_text="import").locator("td").nth(2)).to_have_text("ivan")
    expect(rows.filter(has_text="user_add").filter(has_text="rita")).to_contain_text("alice")
    shots(page, "custody")
    page.goto(f"{server}/map")
    expect(page.locator(".leaflet-marker-icon")).to_have_count(3)
    shots(page, "map")
    page.goto(f"{server}/timeline")
    shots(page, "timeline")
    _log_out(page, server)
    shots(page, "login")

    assert errors == []
    shots.publish()
