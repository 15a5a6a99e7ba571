"""Web capture in the workbench: the "Capture a URL" form refuses bad URLs, internal
addresses and unknown ids beside their field with every value kept and nothing recorded;
viewers may not capture; the API starts a job, follows it and reads the capture (a URL
that cannot be loaded named with its problem, the other kept); a sensitive capture is
absent for a viewer; and in Chromium an investigator captures the loopback article from
the form, watches the progress and reads the result page (screenshot, text, media), each
page at 1366 and 390 px with no serious axe-core finding."""

from __future__ import annotations

import html
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from capture_site import serve_site
from evidencelab.locker.case import open_case
from evidencelab.service.integrity.custody import custody_log
from evidencelab.store.tables import EvidenceItem
from test_web_accessibility import axe_violations
from test_web_support import Shots, browser_log_in, log_in, served

pytestmark = pytest.mark.long

ALLOW = "EVIDENCELAB_CAPTURE_ALLOW_PRIVATE"
INCIDENT = "uman-2022-02-24"
OVERFLOW = "document.documentElement.scrollWidth"
DOCS_IMG = Path(__file__).parent.parent / "docs" / "img"


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serve_site() as base:
        yield base


def _events(root: Path) -> int:
    with open_case(root) as case:
        return len(custody_log(case))


def _field_error(page: str, field: str) -> str:
    match = re.search(rf'class="field-error" id="{field}-error">([^<]*)<', page)
    assert match, f"no message beside {field}"
    return match.group(1)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _job_done(client: TestClient, job_id: str, timeout: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = client.get(f"/api/captures/jobs/{job_id}").json()
        if job["state"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.5)


def test_form_refusals_are_shown_beside_their_field_with_values_kept(
    client: TestClient, demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW, raising=False)
    csrf = log_in(client, "ivan")
    form = client.get("/captures/new").text
    assert 'name="collector" value="ivan"' in form  # the collector defaults to who captures
    before = _events(demo)
    response = client.post(
        "/captures",
        data={
            "csrf_token": csrf,
            "urls": "file:///etc/passwd\nhttp://127.0.0.1/\n",
            "source": "no-such-source",
            "incident": INCIDENT,
            "note": "seen on a channel",
            "collector": "ivan <field team>",
        },
    )
    assert response.status_code == 400
    page = html.unescape(response.text)
    urls = _field_error(page, "urls")
    assert "URL file:///etc/passwd: file: is not captured; only http and https URLs are" in urls
    assert "URL http://127.0.0.1/: resolves to the internal address 127.0.0.1" in urls
    assert _field_error(page, "source").startswith("source 'no-such-source': not in this case")
    assert "file:///etc/passwd\nhttp://127.0.0.1/" in page  # the textarea keeps the URLs
    for value in (INCIDENT, "seen on a channel", "ivan <field team>"):
        assert f'value="{value}"' in page
    assert _events(demo) == before  # nothing recorded, no job started
    empty = client.post("/captures", data={"csrf_token": csrf, "urls": "  \n"})
    assert empty.status_code == 400
    assert _field_error(html.unescape(empty.text), "urls") == (
        "URL: enter at least one http or https URL"
    )


def test_viewer_may_read_captures_but_not_capture(client: TestClient) -> None:
    csrf = log_in(client, "vic")
    assert client.get("/captures/new").status_code == 403
    refused = client.post("/captures", data={"csrf_token": csrf, "urls": "https://example.org/"})
    assert refused.status_code == 403
    api = client.post(
        "/api/captures", json={"urls": ["https://example.org/"]}, headers={"X-CSRF-Token": csrf}
    )
    assert api.status_code == 403
    listing = client.get("/captures")
    assert listing.status_code == 200 and "No web page captured yet." in listing.text
    assert "/captures/new" not in listing.text
    document = client.get("/api/openapi.json").json()
    for path, method, status, record in (
        ("/api/captures", "post", "202", "CaptureJobRecord"),
        ("/api/captures/jobs/{job_id}", "get", "200", "CaptureJobRecord"),
        ("/api/captures", "get", "200", "CaptureSummary"),
        ("/api/captures/{capture_id}", "get", "200", "CaptureRecord"),
    ):  # each answer is described by its record
        answer = document["paths"][path][method]["responses"][status]["content"]
        schema = answer["application/json"]["schema"]
        assert (schema.get("$ref") or schema["items"]["$ref"]).endswith("/" + record)


def test_api_captures_in_the_background_and_names_a_failure(
    client: TestClient, demo: Path, site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ALLOW, "1")
    csrf = log_in(client, "ivan")
    headers = {"X-CSRF-Token": csrf}
    bad = client.post("/api/captures", json={"urls": [f"{site}/post"], "incident": "nope"},
                      headers=headers)  # fmt: skip
    assert bad.status_code == 400
    assert bad.json()["detail"].startswith("incident 'nope': not in this case")
    closed = f"http://127.0.0.1:{_closed_port()}/"
    started = client.post(
        "/api/captures",
        json={"urls": [f"{site}/old", closed], "incident": INCIDENT, "note": "from the API"},
        headers=headers,
    )
    assert started.status_code == 202, started.text
    assert started.json()["steps"] == 14  # seven steps a page
    job = _job_done(client, started.json()["id"])
    captured, failed = job["results"]
    assert job["state"] == "done" and job["steps_done"] == job["steps"]
    assert failed["capture_id"] is None
    assert failed["error"].startswith(f"URL {closed}: could not be loaded (net::ERR_CONNECTION")
    # The job's page names the failure beside the URL field of the form shown again, with
    # the failed URL and the other values kept, and links the capture made.
    page = html.unescape(client.get(f"/captures/jobs/{job['id']}").text)
    assert _field_error(page, "urls") == failed["error"]
    assert re.search(rf'<textarea id="c-urls"[^>]*>{re.escape(closed)}</textarea>', page)
    assert 'value="from the API"' in page and f'value="{INCIDENT}"' in page
    assert f'href="/captures/{captured["capture_id"]}"' in page
    [summary] = client.get("/api/captures").json()
    assert summary["id"] == captured["capture_id"] and summary["url_final"] == f"{site}/post"
    record = client.get(f"/api/captures/{captured['capture_id']}").json()
    assert (record["url_entered"], record["incident"], record["note"]) == (
        f"{site}/old",
        INCIDENT,
        "from the API",
    )
    assert (record["collector"], record["captured_by"]) == ("ivan", "ivan")
    assert sorted(i["role"] for i in record["items"]) == ["media", "media", "screenshot", "wacz"]
    photo = next(i for i in record["items"] if i["url"] == f"{site}/media/photo.jpg")
    evidence_page = client.get(f"/evidence/{photo['evidence_id']}").text
    assert f'href="/captures/{record["id"]}"' in evidence_page  # the media item links back
    assert client.get("/api/captures/capture-nope").status_code == 404
    other = client.get("/api/captures/jobs/no-such-job")
    assert other.status_code == 404
    # A capture whose web archive is sensitive is absent for a viewer, as the item is.
    wacz = next(i for i in record["items"] if i["role"] == "wacz")
    with open_case(demo, actor="tester") as case, case.sessions() as session:
        item = session.get(EvidenceItem, wacz["evidence_id"])
        assert item is not None
        item.sensitive = True
        session.commit()
    log_in(client, "vic")
    assert client.get("/api/captures").json() == []
    assert client.get(f"/captures/{record['id']}").status_code == 404
    assert f"/captures/{record['id']}" not in client.get(f"/evidence/{photo['evidence_id']}").text
    log_in(client, "ivan")
    assert client.get(f"/captures/{record['id']}").status_code == 200


def test_investigator_captures_an_article_from_the_form(
    page: Page,
    demo: Path,
    site: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    monkeypatch.setenv(ALLOW, "1")
    shots = Shots(tmp_path, wanted=request.config.getoption("--update-docs"))
    with served(demo) as base:
        browser_log_in(page, base, "ivan")
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(base + "/upload")
        page.get_by_role("link", name="Capture a URL").click()
        expect(page.get_by_role("heading", name="Capture a URL")).to_be_visible()
        expect(page.get_by_label("Collector")).to_have_value("ivan")
        page.get_by_label("URLs").fill(f"{site}/post")
        page.get_by_label("Link to incident").fill(INCIDENT)
        page.get_by_label("Note").fill("seen on a channel")
        shots(page, "capture-form-1366")
        assert axe_violations(page) == []
        page.get_by_role("button", name="Capture", exact=True).click()
        expect(page).to_have_url(re.compile(r"/captures/jobs/[\w-]+$"))
        expect(page.locator("#capture-progress")).to_be_visible(timeout=30_000)
        expect(page.locator("#capture-job .state")).to_contain_text(f"Capturing {site}/post")
        shots(page, "capture-progress-1366")
        assert axe_violations(page) == []
        link = page.get_by_role("link", name="View the capture of Strike on the market")
        expect(link).to_be_visible(timeout=240_000)  # the page polls until the job is done
        link.click()
        expect(page).to_have_url(re.compile(r"/captures/capture-[0-9a-f]{12}$"))
        expect(page.get_by_role("heading", name="Strike on the market", level=1)).to_be_visible()
        facts = page.locator("dl.capture-facts")
        for text in ("@witness_ua", "1497", "2022-02-24T09:12:00+02:00", "seen on a channel"):
            expect(facts).to_contain_text(text)
        expect(page.locator(".capture-text")).to_contain_text("Photo and video from the scene.")
        shot = page.locator(".capture-shot img.viewer")
        expect(shot).to_be_visible()
        # Not page.wait_for_function: its polling evaluates a string, which the page's
        # Content-Security-Policy refuses whenever the image is not complete at once.
        expect(shot).to_have_js_property("complete", True)
        # The whole page: at least the capturing browser's 1366 px viewport wide.
        assert shot.evaluate("i => i.naturalWidth") >= 1366
        thumbs = page.locator(".capture-media .media-thumb img")
        expect(thumbs).to_have_count(2)
        expect(page.locator("#wacz-download")).to_have_attribute("href", re.compile("/original$"))
        page.wait_for_load_state("networkidle")
        shots(page, "capture-result-1366")  # as a page opens: media covered until revealed
        assert axe_violations(page) == []
        page.get_by_role("button", name="Reveal media").first.click()
        expect(page.locator(".capture-shot .safety-cover.revealed")).to_be_visible()
        page.locator(".capture-shot").evaluate("box => box.scrollTo(0, 0)")
        shots(page, "capture-result-revealed-1366")
        page.set_viewport_size({"width": 390, "height": 900})
        assert page.evaluate(OVERFLOW) <= 390
        shots(page, "capture-result-390")
        assert axe_violations(page) == []
        page.goto(base + "/captures")
        assert page.evaluate(OVERFLOW) <= 390
        shots(page, "capture-list-390")
        assert axe_violations(page) == []
        page.goto(base + "/captures/new")
        assert page.evaluate(OVERFLOW) <= 390
        shots(page, "capture-form-390")
    shots.publish()
    if request.config.getoption("--update-docs"):  # the screenshot docs/capture.md shows
        (DOCS_IMG / "web-capture.png").write_bytes(
            (tmp_path / "web-capture-result-1366.png").read_bytes()
        )
