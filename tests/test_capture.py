"""Web capture: a page on a loopback server (OpenGraph and JSON-LD, an embedded JPEG and
MP4 from the corpus, reached through a redirect) captured by `evidencelab capture` into
a WACZ that `wacz validate` accepts, its media stored with the served bytes, the capture
record and its custody event; bad URLs refused in one line with nothing recorded."""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from capture_site import PHOTO, POST, VIDEO, serve_site
from cli_helpers import run_cli
from evidencelab.collect.browser import chromium
from evidencelab.collect.pagemeta import page_facts, platform_post
from evidencelab.locker.case import init_case, open_case
from evidencelab.locker.errors import InputError
from evidencelab.service.capture.capturing import capture_url
from evidencelab.service.evidence.items import show_evidence


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serve_site() as base:
        yield base


@pytest.fixture(scope="module")
def captured(site: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One capture of the redirecting URL by the command line, in a case of its own."""
    root = tmp_path_factory.mktemp("capture") / "case"
    init_case(root, actor="analyst").close()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("EVIDENCELAB_CAPTURE_ALLOW_PRIVATE", "1")
        started = time.monotonic()
        done = run_cli(
            "capture", f"{site}/old", "--note", "seen on a channel", "--json", "--case", str(root)
        )
        seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    print(f"capture of the test page: {seconds:.1f} s")
    [record] = json.loads(done.stdout)
    return {"root": root, "record": record}


@pytest.fixture(scope="module")
def empty_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A case of the refusals' own: each checks that its refusal recorded nothing."""
    root = tmp_path_factory.mktemp("refusals") / "case"
    init_case(root).close()
    return root


def test_page_facts_from_saved_markup() -> None:
    facts = page_facts(POST.decode(), "https://example.org/post")
    assert facts["title"] == "Market struck at dawn"
    assert facts["author"] == "@witness_ua"
    assert facts["posted_at"] == "2022-02-24T09:12:00+02:00"
    assert facts["post_id"] == "1497"
    assert facts["media_urls"] == ["https://example.org/media/photo.jpg"]
    assert facts["found_in"]["author"] == "json-ld author"
    plain = page_facts("<html><head><title> A  page </title></head></html>", "https://a.test/")
    assert (plain["title"], plain["author"], plain["found_in"]) == (
        "A page",
        None,
        {"title": "<title>"},
    )


def test_platform_post_urls() -> None:
    assert platform_post("https://x.com/witness_ua/status/1497") == {
        "platform": "x",
        "author": "witness_ua",
        "post": "1497",
    }
    assert platform_post("https://t.me/s/channel/42") == {
        "platform": "telegram",
        "author": "channel",
        "post": "42",
    }
    assert platform_post("https://www.youtube.com/watch?v=dQw4w9WgXcQ") == {
        "platform": "youtube",
        "post": "dQw4w9WgXcQ",
    }
    assert platform_post("https://example.org/news/1") is None
    facts = page_facts("<html></html>", "https://twitter.com/someone/status/99")
    assert (facts["platform"], facts["author"], facts["post_id"]) == ("x", "someone", "99")


def test_capture_record(captured: dict[str, Any], site: str) -> None:
    record = captured["record"]
    assert record["url_entered"] == f"{site}/old"
    assert record["url_final"] == f"{site}/post"
    assert record["redirects"] == [{"url": f"{site}/old", "status": 302}]
    assert record["http_status"] == 200
    assert record["title"] == "Strike on the market"
    assert (record["author"], record["post_id"]) == ("@witness_ua", "1497")
    assert record["posted_at"] == "2022-02-24T09:12:00+02:00"
    assert record["collector"] == "analyst" and record["captured_by"] == "analyst"
    assert record["note"] == "seen on a channel"
    assert "Photo and video from the scene." in record["page_text"]
    assert record["clock"]["synchronised"] in ("yes", "no", "unknown")
    assert record["user_agent"].startswith("Mozilla/5.0")
    assert record["viewport"] == {"width": 1366, "height": 900}
    assert {"chromium", "playwright", "warcio", "wacz", "evidencelab"} <= set(record["versions"])
    assert any("Content-Encoding" in t for t in record["transformations"])
    statuses = {(r["url"], r["status"]) for r in record["requests"]}
    assert {(f"{site}/post", 200), (f"{site}/media/photo.jpg", 200)} <= statuses


def test_media_are_items_with_the_served_bytes(captured: dict[str, Any], site: str) -> None:
    items = {i["role"]: i for i in captured["record"]["items"] if i["role"] != "media"}
    media = {i["url"]: i for i in captured["record"]["items"] if i["role"] == "media"}
    assert set(items) == {"wacz", "screenshot"}
    assert media[f"{site}/media/photo.jpg"]["sha256"] == hashlib.sha256(PHOTO).hexdigest()
    assert media[f"{site}/media/clip.mp4"]["sha256"] == hashlib.sha256(VIDEO).hexdigest()
    assert media[f"{site}/media/clip.mp4"]["name"] == "clip.mp4"  # the served name
    with open_case(captured["root"]) as case:
        photo = show_evidence(case, media[f"{site}/media/photo.jpg"]["evidence_id"])
    assert photo["metadata"].get("gps") is not None  # extracted by ExifTool as any ingest


def _wacz(captured: dict[str, Any]) -> Path:
    [wacz] = [i for i in captured["record"]["items"] if i["role"] == "wacz"]
    sha = wacz["sha256"]
    return Path(captured["root"]) / "objects" / sha[:2] / sha[2:]


def test_the_wacz_validates_and_holds_the_records(
    captured: dict[str, Any], site: str, tmp_path: Path
) -> None:
    copy = tmp_path / "capture.wacz"
    copy.write_bytes(_wacz(captured).read_bytes())
    said = subprocess.run(
        [sys.executable, "-m", "wacz", "validate", "-f", str(copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert said.returncode == 0 and "is valid" in said.stdout, said.stdout + said.stderr
    with zipfile.ZipFile(copy) as package:
        warc = package.read("archive/capture.warc.gz")
        pages = package.read("pages/pages.jsonl").decode().splitlines()
    assert json.loads(pages[1])["url"] == f"{site}/post"
    records = [
        (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"))
        for r in ArchiveIterator(BytesIO(warc))
    ]
    responses = {uri for kind, uri in records if kind == "response"}
    assert {
        f"{site}/old",
        f"{site}/post",
        f"{site}/media/photo.jpg",
        f"{site}/media/clip.mp4",
    } <= responses
    resources = {uri.split(":", 2)[1] for kind, uri in records if kind == "resource"}
    assert resources == {"view", "dom", "mhtml", "text", "pageinfo"}
    assert records[0][0] == "warcinfo"


def test_custody_event_and_verify(captured: dict[str, Any]) -> None:
    record = captured["record"]
    log = run_cli("log", "--subject", record["id"], "--json", "--case", str(captured["root"]))
    [event] = [e for e in json.loads(log.stdout) if e["action"] == "web_capture"]
    assert event["seq"] == record["custody_seq"]
    assert event["payload"]["url_final"] == record["url_final"]
    assert {i["evidence_id"] for i in event["payload"]["items"]} == {
        i["evidence_id"] for i in record["items"]
    }
    verified = run_cli("verify", "--case", str(captured["root"]))
    assert verified.returncode == 0 and verified.stdout.startswith("intact"), verified.stdout


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("file:///etc/passwd", "file: is not captured; only http and https URLs are"),
        ("javascript:alert(1)", "javascript: is not captured"),
        ("data:text/html,hi", "data: is not captured"),
        ("http://127.0.0.1/", "resolves to the internal address 127.0.0.1"),
    ],
)
def test_refused_before_a_browser_starts(url: str, problem: str, empty_case: Path) -> None:
    root = empty_case
    done = run_cli("capture", url, "--case", str(root))
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: URL {url}: {problem}"), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert run_cli("log", "--json", "--case", str(root)).stdout.count('"action"') == 1  # create


def test_unreachable_slow_and_large_pages_record_nothing(site: str, tmp_path: Path) -> None:
    with init_case(tmp_path / "case", actor="analyst") as case, chromium() as browser:
        refusals = []
        for url, limits in (
            (f"http://127.0.0.1:{_closed_port()}/", {}),
            (f"{site}/slow", {"timeout_s": 1.0}),  # the page answers after SLOW_S (6 s)
            (f"{site}/big", {"max_page_bytes": 100_000}),
        ):
            with pytest.raises(InputError) as refused:
                capture_url(case, url, allow_private=True, browser=browser, **limits)  # type: ignore[arg-type]
            refusals.append(str(refused.value))
        with case.sessions() as session:
            from sqlalchemy import func, select

            from evidencelab.store.tables import CustodyEvent, EvidenceItem

            assert session.scalar(select(func.count()).select_from(EvidenceItem)) == 0
            assert session.scalar(select(func.count()).select_from(CustodyEvent)) == 1
    assert "could not be loaded (net::ERR_CONNECTION_REFUSED" in refusals[0]
    assert refusals[1] == f"url {site}/slow: no page within 1 s"
    assert refusals[2].startswith(f"url {site}/big: is over the size limit (")
    assert [p for p in (tmp_path / "case" / "objects").rglob("*") if p.is_file()] == []
