"""Captures of every page of the loopback fixture site (tests/capture_site.py), one each in
one case: the WACZ validates and its files match its datapackage, the locker holds it under
its hash, media are extracted and linked, the custody log holds the capture, replaying the
WARC through the WACZ's CDXJ index gives back the bytes the server sent; a 404 is kept with
its status, pages that never finish loading or scroll forever are kept up to the bound that
stopped them, and a download is refused with nothing recorded."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser
from sqlalchemy import func, select
from warcio.archiveiterator import ArchiveIterator

from capture_site import COOKIE, PHOTO, PHOTO_2, PHOTO_3, SERVED, VIDEO, serve_site
from cli_helpers import run_cli
from evidencelab.collect.browser import chromium
from evidencelab.collect.signing import (
    new_private_key_pem,
    public_key_b64,
    sign_wacz,
    signature_problem,
)
from evidencelab.locker.case import Case, init_case
from evidencelab.locker.errors import InputError
from evidencelab.service.capture.capturing import capture_url
from evidencelab.service.capture.keys import KEY_FILE, capture_public_key, create_capture_key
from evidencelab.service.capture.records import CaptureRecord
from evidencelab.service.evidence.items import show_evidence
from evidencelab.service.integrity.verify import verify_whole_case
from evidencelab.service.outputs.bundle import bundle_check, check_bundle, write_bundle
from evidencelab.service.outputs.files import check_request, make_output
from evidencelab.store.tables import CustodyEvent, EvidenceItem

pytestmark = pytest.mark.long

PAGES = {  # what is captured: path asked for, and the time bound in seconds
    "chain": ("/hop-1", 30.0),
    "video": ("/video", 30.0),
    "never_loads": ("/never-loads", 4.0),
    "endless": ("/endless", 30.0),
    "cookies": ("/cookies", 30.0),
    "gone": ("/gone", 30.0),  # the last: captured after the case's key was made, so signed
}
SIGNED = "gone"


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serve_site() as base:
        yield base


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    with init_case(tmp_path_factory.mktemp("site") / "case", actor="analyst") as opened:
        yield opened


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium for the module's captures (each still gets a context of its own)."""
    with chromium() as running:
        yield running


@pytest.fixture(scope="module")
def captures(site: str, case: Case, browser: Browser) -> dict[str, CaptureRecord]:
    taken = {}
    for name, (path, timeout_s) in PAGES.items():
        if name == SIGNED:
            create_capture_key(case)
        started = time.monotonic()
        taken[name] = capture_url(
            case, site + path, allow_private=True, timeout_s=timeout_s, browser=browser
        )
        print(f"capture of {path}: {time.monotonic() - started:.1f} s")
    return taken


def _object(case: Case, record: CaptureRecord, role: str = "wacz") -> Path:
    [item] = [i for i in record["items"] if i["role"] == role]
    return case.root / "objects" / item["sha256"][:2] / item["sha256"][2:]


def _media(record: CaptureRecord) -> dict[str, str]:
    return {str(i["url"]): i["sha256"] for i in record["items"] if i["role"] == "media"}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _replayed(case: Case, record: CaptureRecord) -> dict[str, tuple[int, bytes, Any]]:
    """Each URL the WACZ's CDXJ index names, resolved to its WARC record by offset and
    length: status, payload, the record's request headers' Cookie (for requests)."""
    with zipfile.ZipFile(_object(case, record)) as package:
        index = gzip.decompress(package.read("indexes/index.cdx.gz")).decode()
        warcs = {n: package.read(n) for n in package.namelist() if n.startswith("archive/")}
    found: dict[str, tuple[int, bytes, Any]] = {}
    for line in index.splitlines():
        entry = json.loads(line.split(" ", 2)[2])
        if entry.get("mime") == "warc/revisit" or "status" not in entry:
            continue
        start = int(entry["offset"])
        chunk = warcs[f"archive/{entry['filename']}"][start : start + int(entry["length"])]
        warc_record = next(iter(ArchiveIterator(BytesIO(chunk))))  # read before moving on
        assert warc_record.rec_headers.get_header("WARC-Target-URI") == entry["url"]
        status = int(warc_record.http_headers.get_statuscode())
        found[entry["url"]] = (status, warc_record.content_stream().read(), entry)
    return found


def test_every_wacz_validates_and_matches_the_locker(
    captures: dict[str, CaptureRecord], case: Case
) -> None:
    for record in captures.values():
        path = _object(case, record)
        [wacz] = [i for i in record["items"] if i["role"] == "wacz"]
        assert _sha(path.read_bytes()) == wacz["sha256"]
        with zipfile.ZipFile(path) as package:
            listed = json.loads(package.read("datapackage.json"))["resources"]
            for resource in listed:
                assert resource["hash"] == "sha256:" + _sha(package.read(resource["path"]))
    said = subprocess.run(
        [sys.executable, "-m", "wacz", "validate", "-f", str(_object(case, captures["chain"]))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert said.returncode == 0 and "is valid" in said.stdout, said.stdout + said.stderr


def test_redirect_chain_article_replays_the_served_bytes(
    captures: dict[str, CaptureRecord], case: Case, site: str
) -> None:
    record = captures["chain"]
    assert record["redirects"] == [
        {"url": f"{site}/hop-1", "status": 301},
        {"url": f"{site}/hop-2", "status": 301},
    ]
    assert (record["url_final"], record["http_status"]) == (f"{site}/article", 200)
    assert record["bounds_reached"] == []
    replayed = _replayed(case, record)
    assert replayed[f"{site}/hop-1"][0] == replayed[f"{site}/hop-2"][0] == 301
    for path in ("/article", "/media/school-1.jpg", "/media/school-2.jpg"):
        status, payload, _entry = replayed[site + path]
        assert (status, payload) == (200, SERVED[path][2]), path
    assert _media(record) == {
        f"{site}/media/school-1.jpg": _sha(PHOTO_2),
        f"{site}/media/school-2.jpg": _sha(PHOTO_3),
    }


def test_video_page_keeps_the_video_and_its_poster(
    captures: dict[str, CaptureRecord], case: Case, site: str
) -> None:
    record = captures["video"]
    assert _media(record) == {
        f"{site}/media/strike.mp4": _sha(VIDEO),
        f"{site}/media/poster.jpg": _sha(PHOTO_3),
    }
    assert _replayed(case, record)[f"{site}/media/strike.mp4"][:2] == (200, VIDEO)
    [video] = [i for i in record["items"] if i["url"] == f"{site}/media/strike.mp4"]
    shown = show_evidence(case, video["evidence_id"])
    assert shown["kind"] == "video" and shown["metadata"]  # extracted as any ingest


def test_a_404_is_kept_with_its_status(
    captures: dict[str, CaptureRecord], case: Case, site: str
) -> None:
    record = captures["gone"]
    assert (record["http_status"], record["title"]) == (404, "Post not found")
    assert "This post is no longer available" in record["page_text"]
    assert {i["role"] for i in record["items"]} == {"wacz", "screenshot"}
    assert _replayed(case, record)[f"{site}/gone"][:2] == (404, SERVED["/gone"][2])


def test_a_page_that_never_finishes_is_kept_at_the_time_bound(
    captures: dict[str, CaptureRecord], site: str
) -> None:
    record = captures["never_loads"]
    assert record["bounds_reached"] == ["time"]
    assert any(
        t.startswith("capture stopped at its time bound: ") for t in record["transformations"]
    )
    assert "The text is here already." in record["page_text"]
    assert _media(record) == {f"{site}/media/photo.jpg": _sha(PHOTO)}
    [hung] = [r for r in record["requests"] if r["url"] == f"{site}/hang.jpg"]
    assert hung["status"] is None and hung["failure"]


def test_an_endless_scroll_is_kept_at_the_scroll_bound(captures: dict[str, CaptureRecord]) -> None:
    record = captures["endless"]
    assert record["bounds_reached"] == ["scroll"]
    # 12 screens of 900 px load posts of 300 px each beyond the first 5, then stop.
    assert "Post 30" in record["page_text"] and "Post 60" not in record["page_text"]


def test_cookies_set_by_the_page_are_sent_back(
    captures: dict[str, CaptureRecord], case: Case, site: str
) -> None:
    record = captures["cookies"]
    assert _media(record) == {f"{site}/media/members.jpg": _sha(PHOTO_2)}
    with zipfile.ZipFile(_object(case, record)) as package:
        warc = package.read("archive/capture.warc.gz")
    cookies = [
        r.http_headers.get_header("Cookie")
        for r in ArchiveIterator(BytesIO(warc))
        if r.rec_type == "request"
        and r.rec_headers.get_header("WARC-Target-URI") == f"{site}/media/members.jpg"
    ]
    assert cookies == [COOKIE]


def test_custody_log_holds_each_capture(captures: dict[str, CaptureRecord], case: Case) -> None:
    with case.sessions() as session:
        for record in captures.values():
            event = session.get(CustodyEvent, record["custody_seq"])
            assert event is not None and event.action == "web_capture"
            assert event.subject == record["id"]
    assert verify_whole_case(case).problems == []


def test_a_download_is_refused_with_nothing_recorded(
    site: str, case: Case, browser: Browser
) -> None:
    with case.sessions() as session:
        before = (
            session.scalar(select(func.count()).select_from(EvidenceItem)),
            session.scalar(select(func.count()).select_from(CustodyEvent)),
        )
    with pytest.raises(InputError) as refused:
        capture_url(case, f"{site}/download", allow_private=True, browser=browser)
    assert str(refused.value) == (
        f"url {site}/download: could not be loaded (the server sent a file to download, "
        "not a page; ingest the file instead)"
    )
    with case.sessions() as session:
        after = (
            session.scalar(select(func.count()).select_from(EvidenceItem)),
            session.scalar(select(func.count()).select_from(CustodyEvent)),
        )
    assert after == before


def test_a_case_key_signs_later_captures(
    captures: dict[str, CaptureRecord], case: Case, tmp_path: Path
) -> None:
    key = capture_public_key(case)
    assert key is not None
    assert (case.root / KEY_FILE).stat().st_mode & 0o777 == 0o600
    with case.sessions() as session:
        [event] = session.scalars(
            select(CustodyEvent).where(CustodyEvent.action == "capture_key_create")
        )
    assert json.loads(event.payload)["public_key"] == key
    with pytest.raises(InputError, match="the case has a capture key already"):
        create_capture_key(case)
    signed = _object(case, captures[SIGNED])
    assert signature_problem(signed, key) is None
    assert signature_problem(_object(case, captures["chain"])) == (
        "datapackage-digest.json holds no signature"  # captured before the key was made
    )
    said = subprocess.run(
        [sys.executable, "-m", "wacz", "validate", "-f", str(signed)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert said.returncode == 0 and "is valid" in said.stdout, said.stdout + said.stderr
    tampered = tmp_path / "tampered.wacz"
    tampered.write_bytes(_tampered(signed.read_bytes(), "datapackage.json"))
    assert signature_problem(tampered, key) == (
        "datapackage.json was changed after signing (its SHA-256 differs from the signed one)"
    )


def _tampered(wacz: bytes, member: str) -> bytes:
    """``wacz`` with one character of ``member`` changed: a title in datapackage.json, a
    letter of the signature in datapackage-digest.json."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(wacz)) as source, zipfile.ZipFile(out, "w") as changed:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == member == "datapackage.json":
                data = data.replace(b'"title"', b'"title" ', 1)
            elif info.filename == member:
                digest = json.loads(data)
                text = digest["signedData"]["signature"]
                swapped = "B" if text[10] == "A" else "A"
                digest["signedData"]["signature"] = text[:10] + swapped + text[11:]
                data = json.dumps(digest).encode()
            changed.writestr(info, data)
    return out.getvalue()


def test_a_bundle_carries_the_logged_key_and_check_bundle_verifies_signatures(
    captures: dict[str, CaptureRecord], case: Case, tmp_path: Path
) -> None:
    bundle = tmp_path / "bundle.zip"
    write_bundle(case, bundle)
    with case.sessions() as session:
        [event] = session.scalars(
            select(CustodyEvent).where(CustodyEvent.action == "capture_key_create")
        )
    with zipfile.ZipFile(bundle) as archive:
        logged = json.loads(event.payload)
        assert json.loads(archive.read("capture-keys.json")) == [
            {
                "public_key": logged["public_key"],
                "sha256": logged["sha256"],
                "custody_seq": event.seq,
            }
        ]
    assert bundle_check(bundle) == {
        "problems": [],
        "signatures": {"signed": 1, "unsigned": len(PAGES) - 1, "not_held": 0, "problems": []},
    }
    said = run_cli("check-bundle", str(bundle))
    assert said.returncode == 0, said.stdout
    assert "1 capture WACZ signature(s) verified with the capture key the custody log" in (
        said.stdout.replace("\n", " ")
    )
    record = captures[SIGNED]
    wacz = f"objects/{_wacz_sha(record)}"
    package = _object(case, record).read_bytes()
    other_key = tmp_path / "other.wacz"
    other_key.write_bytes(package)
    sign_wacz(other_key, new_private_key_pem())
    for changed, problem in (
        (_tampered(package, "datapackage.json"), "datapackage.json was changed after signing"),
        (_tampered(package, "datapackage-digest.json"), "the signature in"),
        (other_key.read_bytes(), "signed with a key the custody log does not record"),
    ):
        bad = _with_entry(bundle, tmp_path / "bad.zip", wacz, changed)
        [line] = [p for p in check_bundle(bad) if "(WACZ of" in p]
        assert line.startswith(f"{wacz} (WACZ of {record['id']}): {problem}"), line
        said = run_cli("check-bundle", str(bad))
        assert said.returncode == 1 and line in said.stdout.replace("\n", " ")
    forged = json.dumps([{"public_key": public_key_b64(new_private_key_pem())}]).encode()
    problems = check_bundle(_with_entry(bundle, tmp_path / "bad.zip", "capture-keys.json", forged))
    assert "capture-keys.json: a key the custody log does not record" in "\n".join(problems)
    assert "capture-keys.json: the key of the custody log is missing" in "\n".join(problems)


def test_a_public_bundle_says_signatures_were_not_checked(
    captures: dict[str, CaptureRecord], case: Case, tmp_path: Path
) -> None:
    public = tmp_path / "public.zip"
    write_bundle(case, public, public=True)
    assert bundle_check(public)["signatures"] == {
        "signed": 0,
        "unsigned": 0,
        "not_held": len(PAGES),
        "problems": [],
    }
    said = run_cli("check-bundle", str(public), "--json")
    assert said.returncode == 0 and json.loads(said.stdout)["signatures"]["not_held"] == len(PAGES)
    said = run_cli("check-bundle", str(public))
    assert (
        f"{len(PAGES)} capture WACZ not held (public bundle): their signatures could not be "
        "checked without the objects"
    ) in said.stdout.replace("\n", " ")


def test_the_private_key_never_leaves_the_case(
    captures: dict[str, CaptureRecord], case: Case
) -> None:
    private_pem = (case.root / KEY_FILE).read_bytes()
    secrets = [b"PRIVATE KEY", b"".join(private_pem.splitlines()[1:-1])]
    secrets += [line for line in private_pem.splitlines()[1:-1] if len(line) >= 32]
    requests = [("report", "html", "yaml"), ("bundle", "bundle", "yaml")]
    requests += [("export", fmt, "yaml") for fmt in ("geojson", "csv")]
    made = [
        make_output(case, check_request(kind, fmt, syntax, public))
        for kind, fmt, syntax in requests
        for public in (False, True)
    ]
    made += [
        make_output(case, check_request("export", "case", syntax, False))
        for syntax in ("yaml", "json")
    ]
    assert len(made) == 10
    for record in made:
        data = (case.root / "outputs" / record["name"]).read_bytes()
        for name, content in _contents(record["name"], data):
            assert "keys/" not in name and "signing-key" not in name, name
            assert not any(secret in content for secret in secrets), name
    assert verify_whole_case(case).problems == []  # keys/ is no stranger to the case folder


def _contents(name: str, data: bytes) -> Iterator[tuple[str, bytes]]:
    """``data`` and, for a zip, every member (WACZ inside a bundle too), decompressed."""
    yield name, data
    if name.endswith(".gz"):
        yield name, gzip.decompress(data)
    elif zipfile.is_zipfile(BytesIO(data)):
        with zipfile.ZipFile(BytesIO(data)) as archive:
            for info in archive.infolist():
                yield from _contents(f"{name}/{info.filename}", archive.read(info))


def _wacz_sha(record: CaptureRecord) -> str:
    [item] = [i for i in record["items"] if i["role"] == "wacz"]
    return item["sha256"]


def _with_entry(bundle: Path, out: Path, name: str, data: bytes) -> Path:
    """A copy of ``bundle`` whose entry ``name`` holds ``data`` (the manifest unchanged)."""
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(out, "w") as copy:
        for info in source.infolist():
            copy.writestr(info, data if info.filename == name else source.read(info))
    return out
