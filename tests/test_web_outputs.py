"""Outputs from the browser: report, bundle and exports made in the background and
downloaded; public editions only for roles without read_sensitive; refusals beside their
field with the case unchanged; a report PDF downloaded in Chromium and read back."""

from __future__ import annotations

import html
import io
import re
import sqlite3
import subprocess
import threading
import time
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from evidencelab.locker.case import open_case
from evidencelab.service.integrity.custody import custody_log
from test_web_support import Shots, browser_log_in, log_in, served

pytestmark = pytest.mark.long

TITLE = "Indiscriminate attacks, 24 February 2022 (demo)"
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
JOB = re.compile(r"/outputs/jobs/([\w-]+)$")


def _state(root: Path) -> tuple[int, list[str]]:
    """Custody events and files of the outputs folder: what a refusal must leave as it was."""
    with open_case(root) as case:
        events = len(custody_log(case))
    folder = root / "outputs"
    return events, sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def _start(client: TestClient, csrf: str, **fields: str) -> str:
    response = client.post("/outputs", data={"csrf_token": csrf, **fields})
    assert response.status_code == 303, html.unescape(response.text)
    match = JOB.search(response.headers["location"])
    assert match, response.headers["location"]
    return response.headers["location"]


def _finished(client: TestClient, job: str, timeout: float = 120) -> str:
    """The job page once the job is done or failed (it refreshes itself until then)."""
    deadline = time.monotonic() + timeout
    while True:
        page = client.get(job)
        assert page.status_code == 200
        if 'http-equiv="refresh"' not in page.text:
            return html.unescape(page.text)
        assert time.monotonic() < deadline, "output not finished in time"
        time.sleep(0.2)


def _download_link(page: str) -> str:
    match = re.search(r'id="download" href="(/outputs/files/[^"]+)"', page)
    assert match, page
    return match.group(1)


def test_internal_report_is_made_in_the_background_logged_and_downloaded(
    client: TestClient, demo: Path
) -> None:
    csrf = log_in(client, "ivan")
    job = _start(client, csrf, kind="report", format="html", public="0")
    done = _finished(client, job)
    assert "Ready: made in" in done
    link = _download_link(done)
    name = link.rsplit("/", 1)[1]
    assert name.startswith("report-internal-") and name.endswith(".html")
    response = client.get(link)
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment")
    assert TITLE in response.text
    with open_case(demo) as case:
        event = custody_log(case)[-1]
    assert (event["action"], event["actor"]) == ("report", "ivan")
    assert event["payload"]["file"] == name and event["payload"]["public"] is False
    assert name in client.get("/outputs").text  # listed among the files made


def test_exports_and_bundle_are_written_whole(client: TestClient, demo: Path) -> None:
    csrf = log_in(client, "ivan")
    csv = _finished(client, _start(client, csrf, kind="export", format="csv", public="1"))
    text = client.get(_download_link(csv)).text
    assert "vuhledar-2022-02-24" in text and len(text.splitlines()) == 4  # header, 3 incidents
    case_file = _finished(
        client, _start(client, csrf, kind="export", format="case", syntax="json", public="0")
    )
    link = _download_link(case_file)
    assert link.endswith(".json") and client.get(link).json()["title"] == TITLE
    bundle = _finished(client, _start(client, csrf, kind="bundle", public="1"))
    archive = zipfile.ZipFile(io.BytesIO(client.get(_download_link(bundle)).content))
    assert {"case.yaml", "manifest.json", "incidents.geojson"} <= set(archive.namelist())
    assert not any(n.startswith("objects/") for n in archive.namelist())  # public: hashes only


def test_viewer_is_refused_the_internal_edition_beside_the_field(
    client: TestClient, demo: Path
) -> None:
    csrf = log_in(client, "vic")
    page = client.get("/outputs").text
    assert "Your role (viewer) may make and download only the" in page
    assert re.search(r'id="report-internal"[^>]* disabled', page)
    before = _state(demo)
    response = client.post(
        "/outputs", data={"csrf_token": csrf, "kind": "report", "format": "html", "public": "0"}
    )
    assert response.status_code == 400
    text = html.unescape(response.text)
    assert re.search(
        r'id="report-public-error" role="alert">public: your role \(viewer\) may make only the '
        r"public edition<",
        text,
    )
    assert '<option value="html" selected>' in text  # the typed value is kept
    assert _state(demo) == before


def test_viewer_neither_sees_nor_downloads_internal_outputs(client: TestClient) -> None:
    csrf = log_in(client, "ivan")
    internal = _download_link(
        _finished(client, _start(client, csrf, kind="export", format="geojson", public="0"))
    )
    public = _download_link(
        _finished(client, _start(client, csrf, kind="export", format="geojson", public="1"))
    )
    client.cookies.clear()
    log_in(client, "vic")
    listing = client.get("/outputs").text
    assert public.rsplit("/", 1)[1] in listing and internal.rsplit("/", 1)[1] not in listing
    refused = client.get(internal)
    assert refused.status_code == 403
    assert "your role (viewer) may download only public outputs" in html.unescape(refused.text)
    assert client.get(public).status_code == 200


def test_a_public_case_file_export_is_refused_beside_the_edition(
    client: TestClient, demo: Path
) -> None:
    csrf = log_in(client, "ivan")
    before = _state(demo)
    response = client.post(
        "/outputs",
        data={
            "csrf_token": csrf,
            "kind": "export",
            "format": "case",
            "syntax": "json",
            "public": "1",
        },
    )
    assert response.status_code == 400
    text = html.unescape(response.text)
    assert (
        'id="export-public-error" role="alert">public: a public case file comes in the public'
        in text
    )
    assert '<option value="case" selected>' in text and '<option value="json" selected>' in text
    assert _state(demo) == before


def test_bad_values_are_named_beside_their_field(client: TestClient, demo: Path) -> None:
    csrf = log_in(client, "ivan")
    before = _state(demo)
    cases = [
        (
            {"kind": "report", "format": "docx", "public": "1"},
            "report-format-error",
            "format docx: unknown report format (available: html, pdf)",
        ),
        (
            {"kind": "export", "format": "kml", "public": "1"},
            "export-format-error",
            "format kml: unknown export format",
        ),
        (
            {"kind": "export", "format": "case", "syntax": "toml", "public": "0"},
            "export-syntax-error",
            "syntax toml: must be yaml or json",
        ),
        (
            {"kind": "bundle", "public": "maybe"},
            "bundle-public-error",
            "public maybe: choose the public or internal edition",
        ),
    ]
    for fields, where, message in cases:
        response = client.post("/outputs", data={"csrf_token": csrf, **fields})
        assert response.status_code == 400, fields
        assert f'id="{where}" role="alert">{message}' in html.unescape(response.text), fields
    unknown = client.post("/outputs", data={"csrf_token": csrf, "kind": "slides", "public": "1"})
    assert unknown.status_code == 400
    assert "kind slides: unknown output (available: report, bundle, export)" in html.unescape(
        unknown.text
    )
    assert _state(demo) == before


def _write_outside(root: Path, sql: str) -> None:
    """An edit by another program, with the foreign keys off as SQLite allows."""
    with sqlite3.connect(root / "case.sqlite", isolation_level=None) as connection:
        connection.execute("PRAGMA foreign_keys = OFF")
        assert connection.execute(sql).rowcount == 1


def test_a_case_with_unreadable_records_gets_no_output(client: TestClient, demo: Path) -> None:
    _write_outside(demo, "UPDATE evidence SET source_id = 'typo' WHERE id = 'uman-street-1'")
    before = _state(demo)
    csrf = log_in(client, "ivan")
    report = _finished(client, _start(client, csrf, kind="report", format="html", public="0"))
    assert "Not made: the case holds records that are not valid, so no report is written" in report
    assert "typo" in report  # named to a role that may see sensitive material
    export = _finished(client, _start(client, csrf, kind="export", format="csv", public="0"))
    assert "Not made: the case holds records that are not valid, so no export is written" in export
    client.cookies.clear()
    csrf = log_in(client, "vic")
    public = _finished(client, _start(client, csrf, kind="bundle", public="1"))
    assert (
        "Not made: the case holds 1 record(s) that are not valid, so no bundle is written" in public
    )
    assert "typo" not in public
    assert _state(demo) == before


def test_a_changed_output_file_is_not_served(client: TestClient, demo: Path) -> None:
    csrf = log_in(client, "ivan")
    link = _download_link(
        _finished(client, _start(client, csrf, kind="export", format="geojson", public="1"))
    )
    path = demo / "outputs" / link.rsplit("/", 1)[1]
    path.write_text(path.read_text().replace("Vuhledar", "Elsewhere"))
    response = client.get(link)
    assert response.status_code == 404
    assert "does not match any output in the custody log" in html.unescape(response.text)
    forged = demo / "outputs" / "report-public-20220224T083000Z-0123abcd.html"
    forged.write_text("<p>not made here</p>")
    assert client.get("/outputs/files/" + forged.name).status_code == 404
    assert client.get("/outputs/files/..%2Fcase.sqlite").status_code == 404


def test_a_job_is_seen_only_by_its_owner(client: TestClient) -> None:
    csrf = log_in(client, "ivan")
    job = _start(client, csrf, kind="export", format="csv", public="1")
    _finished(client, job)
    client.cookies.clear()
    log_in(client, "rita")
    assert client.get(job).status_code == 404


def test_a_user_has_at_most_three_outputs_waiting(client: TestClient, demo: Path) -> None:
    csrf = log_in(client, "ivan")
    release = threading.Event()
    # Keep the single worker busy so that the jobs stay queued.
    client.app.state.output_jobs._executor.submit(release.wait)  # type: ignore[attr-defined]
    try:
        jobs = [_start(client, csrf, kind="export", format="csv", public="1") for _ in range(3)]
        assert "Queued: 2 outputs to make first" in client.get(jobs[2]).text
        refused = client.post(
            "/outputs", data={"csrf_token": csrf, "kind": "export", "format": "csv", "public": "1"}
        )
        assert refused.status_code == 400
        assert "you already have 3 outputs being made" in html.unescape(refused.text)
    finally:
        release.set()
    for job in jobs:
        assert "Ready" in _finished(client, job)


def _pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_report_pdf_downloaded_in_the_browser(demo: Path, page: Page, tmp_path: Path) -> None:
    """Journey: an investigator makes the internal PDF report, waits for the link and
    downloads it; a viewer can make and download only the public one."""
    shots = Shots(tmp_path)
    with served(demo) as base:
        page.set_viewport_size({"width": 1366, "height": 900})
        browser_log_in(page, base, "ivan")
        page.get_by_role("link", name="Outputs", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Outputs")
        shots(page, "outputs")
        form = page.locator("#make-report")
        form.get_by_label("Format").select_option("pdf")
        form.get_by_label("internal").check()
        form.get_by_role("button", name="Make the report").click()
        expect(page.locator("#job")).to_contain_text(re.compile("Queued|Being made"))
        shots(page, "output-running")
        link = page.locator("#download")
        expect(link).to_be_visible(timeout=180_000)
        shots(page, "output-ready")
        with page.expect_download() as download_info:
            link.click()
        download = download_info.value
        assert re.fullmatch(
            r"report-internal-\d{8}T\d{6}Z-[0-9a-f]{8}\.pdf", download.suggested_filename
        )
        pdf = tmp_path / download.suggested_filename
        download.save_as(pdf)
        assert pdf.read_bytes().startswith(b"%PDF")
        text = _pdf_text(pdf)
        assert "Indiscriminate attacks, 24 February 2022" in text

        page.get_by_role("button", name="Log out").click()
        page.set_viewport_size({"width": 390, "height": 844})
        browser_log_in(page, base, "vic")
        page.goto(base + "/outputs")
        expect(page.locator("#role-note")).to_contain_text("only the public editions")
        expect(page.locator("#report-internal")).to_be_disabled()
        expect(page.locator("#outputs")).to_have_count(0)  # the internal PDF is not listed
        shots(page, "outputs-390")
        overflow = page.evaluate(OVERFLOW)
        assert overflow <= 0, f"page wider than the viewport by {overflow} px"
        form = page.locator("#make-report")
        form.get_by_label("Format").select_option("pdf")
        form.get_by_role("button", name="Make the report").click()
        link = page.locator("#download")
        expect(link).to_be_visible(timeout=180_000)
        shots(page, "output-ready-390")
        with page.expect_download() as download_info:
            link.click()
        public = tmp_path / download_info.value.suggested_filename
        assert public.name.startswith("report-public-")
        download_info.value.save_as(public)
        assert public.read_bytes().startswith(b"%PDF")
        assert "Indiscriminate attacks, 24 February 2022" in _pdf_text(public)
        page.goto(base + "/outputs")
        expect(page.locator("#outputs tbody tr")).to_have_count(1)  # the public PDF only
        shots(page, "outputs-list-390")
        assert page.evaluate(OVERFLOW) <= 0
        page.set_viewport_size({"width": 1366, "height": 900})
        shots(page, "outputs-list")
    shots.publish()
