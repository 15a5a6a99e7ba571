"""Evidence as media: previews (thumbnails, video posters, first pages) and their cache, the
sensitivity rule on previews, Range requests on originals, human formats, internal names
in words, and pages that fit a 390 px screen."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from playwright.sync_api import Page

from case_copies import checkpoint, copy_case
from evidencelab.extract.previews import PreviewError, image_preview
from evidencelab.locker.case import open_case
from evidencelab.locker.ingest import IngestRequest, ingest
from evidencelab.web import formats
from test_web_support import CORPUS, Shots, browser_log_in, client_for, log_in, served

pytestmark = pytest.mark.long

TURNED = CORPUS / "exif-samples" / "jpg" / "orientation" / "landscape_6.jpg"  # Rotate 90 CW
CLIP = CORPUS / "pdq-threatexchange" / "tmk" / "sample-videos" / "doorknob-hd-no-bar.mp4"
PHOTO_ITEM = "vuhledar-remnant-1"
INCIDENT = "vuhledar-2022-02-24"


@pytest.fixture(scope="module")
def media_template(web_demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The web demo with a turned photo, a video, a PDF, a broken JPEG and a sensitive
    photo ingested, the video linked to an incident: a template to copy."""
    folder = tmp_path_factory.mktemp("media")
    root = copy_case(web_demo_template, folder / "case")
    pdf = folder / "statement.pdf"
    Image.new("RGB", (600, 800), "white").save(pdf)  # a one-page PDF written by Pillow
    broken = folder / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(3000))  # a JPEG start, then noise
    requests = [
        IngestRequest(path=TURNED, evidence_id="turned"),
        IngestRequest(path=CLIP, evidence_id="clip"),
        IngestRequest(path=pdf, evidence_id="statement"),
        IngestRequest(path=broken, evidence_id="broken"),
        IngestRequest(path=CORPUS / "exif-samples" / "jpg" / "Reconyx_HC500_Hyperfire.jpg",
                      evidence_id="witness-photo", sensitive=True),
    ]  # fmt: skip
    with open_case(root, actor="collector") as case:
        outcomes = ingest(case, requests)
    assert [o.status for o in outcomes] == ["new"] * len(requests)
    with client_for(root) as client:
        csrf = log_in(client, "ivan")
        linked = client.post(
            f"/incidents/{INCIDENT}/evidence",
            data={"csrf_token": csrf, "evidence": "clip"},
        )
        assert linked.status_code == 303, linked.text
    checkpoint(root)
    return root


@pytest.fixture
def media_case(media_template: Path, tmp_path: Path) -> Path:
    return copy_case(media_template, tmp_path / "case")


@pytest.fixture
def viewer(media_case: Path) -> Iterator[TestClient]:
    with client_for(media_case) as client:
        log_in(client, "vic")
        yield client


def _jpeg_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        return image.size


# --- previews -------------------------------------------------------------------------


def test_a_photo_preview_is_a_small_jpeg_kept_in_the_cache(
    viewer: TestClient, media_case: Path
) -> None:
    first = viewer.get(f"/evidence/{PHOTO_ITEM}/thumbnail")
    assert first.status_code == 200
    assert first.headers["content-type"] == "image/jpeg"
    assert max(_jpeg_size(first.content)) == 256
    assert first.headers["cache-control"] == "private, max-age=3600"
    cached = list((media_case / "cache" / "previews").glob("*-256.jpg"))
    assert len(cached) == 1 and cached[0].read_bytes() == first.content
    # A second request is a file read: with every stored object gone, the same bytes.
    shutil.rmtree(media_case / "objects")
    again = viewer.get(f"/evidence/{PHOTO_ITEM}/thumbnail")
    assert again.status_code == 200 and again.content == first.content


def test_the_original_is_never_changed_by_a_preview(viewer: TestClient, media_case: Path) -> None:
    before = {p: p.read_bytes() for p in (media_case / "objects").rglob("*") if p.is_file()}
    for item in ("turned", "clip", "statement", "broken", PHOTO_ITEM):
        for size in ("small", "large"):
            assert viewer.get(f"/evidence/{item}/thumbnail", params={"size": size}).is_success
    after = {p: p.read_bytes() for p in (media_case / "objects").rglob("*") if p.is_file()}
    assert after == before
    with open_case(media_case) as case:
        assert not list(case.objects.root.glob("*.jpg"))


def test_a_turned_photo_is_previewed_as_viewers_show_it() -> None:
    with Image.open(TURNED) as stored:
        assert stored.size == (450, 600)  # stored upright, shown turned 90° (Orientation 6)
    width, height = _jpeg_size(image_preview(TURNED, 256, max_pixels=10_000_000))
    assert (width, height) == (256, 192)


def test_a_video_preview_is_a_frame_and_the_page_plays_it_with_a_poster(
    viewer: TestClient,
) -> None:
    poster = viewer.get("/evidence/clip/thumbnail", params={"size": "large"})
    assert poster.headers["content-type"] == "image/jpeg"
    width, height = _jpeg_size(poster.content)
    assert width > height  # the clip is 16:9
    page = viewer.get("/evidence/clip").text
    assert '<video class="viewer" controls preload="metadata" ' in page
    assert 'poster="/evidence/clip/thumbnail?size=large"' in page
    assert 'data-evidence-id="clip"' in page


def test_a_pdf_is_previewed_by_its_first_page(viewer: TestClient) -> None:
    preview = viewer.get("/evidence/statement/thumbnail")
    assert preview.headers["content-type"] == "image/jpeg"
    width, height = _jpeg_size(preview.content)
    assert height == 256 and width < height  # the page is portrait


def test_a_broken_file_shows_a_placeholder_and_is_tried_once(
    viewer: TestClient, media_case: Path
) -> None:
    first = viewer.get("/evidence/broken/thumbnail")
    assert first.status_code == 200
    assert first.headers["content-type"] == "image/svg+xml"
    assert b"no preview" in first.content
    failed = list((media_case / "cache" / "previews").glob("*.failed"))
    assert len(failed) == 1 and "cannot be decoded" in failed[0].read_text()
    assert viewer.get("/evidence/broken/thumbnail").content == first.content
    assert viewer.get("/evidence/broken").status_code == 200  # the page still shows


def test_a_preview_follows_the_rule_of_the_original(media_case: Path) -> None:
    with client_for(media_case) as client:
        assert client.get("/evidence/turned/thumbnail").status_code in (303, 307)  # log in
        log_in(client, "ivan")  # investigator: reads sensitive items
        assert client.get("/evidence/witness-photo/thumbnail").status_code == 200
        log_in(client, "vic")  # viewer: the item is not there, nor is its preview
        assert client.get("/evidence/witness-photo/thumbnail").status_code == 404
        assert client.get("/evidence/witness-photo/original").status_code == 404
        assert "witness-photo" not in client.get("/evidence").text


def test_an_unknown_preview_size_is_named(viewer: TestClient) -> None:
    response = viewer.get("/evidence/turned/thumbnail", params={"size": "huge"})
    assert response.status_code == 400
    assert "size huge: unknown preview size; one of small, large" in response.text


def test_the_original_answers_range_requests_so_a_video_can_be_scrubbed(
    viewer: TestClient,
) -> None:
    whole = viewer.get("/evidence/clip/original")
    assert whole.status_code == 200 and whole.headers["accept-ranges"] == "bytes"
    size = len(whole.content)
    part = viewer.get("/evidence/clip/original", headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 1000-1999/{size}"
    assert part.content == whole.content[1000:2000]
    tail = viewer.get("/evidence/clip/original", headers={"Range": f"bytes={size - 10}-"})
    assert tail.status_code == 206 and tail.content == whole.content[-10:]
    beyond = viewer.get("/evidence/clip/original", headers={"Range": f"bytes={size}-"})
    assert beyond.status_code == 416


def test_pages_show_thumbnails_names_and_human_sizes(viewer: TestClient) -> None:
    listing = viewer.get("/evidence").text
    assert 'src="/evidence/turned/thumbnail" width="64" height="64" loading="lazy"' in listing
    assert ">landscape_6.jpg</a>" in listing
    assert "<summary>SHA-256</summary>" in listing
    assert "60.9 kB" in listing  # vuhledar-remnant-1.jpg, 60,949 bytes
    incident = viewer.get(f"/incidents/{INCIDENT}").text
    assert 'src="/evidence/clip/thumbnail" width="96" height="96" loading="lazy"' in incident
    assert ">doorknob-hd-no-bar.mp4</a>" in incident
    # The incident's time, stated with its offset, in the place's zone and in UTC.
    assert "2022-02-24 10:30:00 UTC+02:00 (Europe/Kyiv)" in incident
    assert "2022-02-24 08:30:00 UTC</span>" in incident


# --- internal names in words ----------------------------------------------------------


def test_metadata_and_custody_actions_are_in_words_the_raw_form_a_click_away(
    viewer: TestClient, media_case: Path
) -> None:
    page = viewer.get(f"/evidence/{PHOTO_ITEM}").text
    assert '<th scope="row">Capture time without time zone (camera clock only)</th>' in page
    assert '<th scope="row">captured_at_naive</th>' not in page
    assert "2022-02-24 10:50:00 UTC+02:00" in page
    assert "Metadata as stored" in page and '"captured_at_naive": false' in page
    assert "Evidence ingested" in page
    with client_for(media_case) as editor:
        csrf = log_in(editor, "ivan")
        done = editor.post(f"/incidents/{INCIDENT}/evidence/clip/unlink", data={"csrf_token": csrf})
        assert done.status_code == 303, done.text
    custody = viewer.get("/custody").text
    assert "Evidence unlinked from incident" in custody
    assert "<dt>Evidence</dt><dd>clip</dd>" in custody or "<dd>clip</dd>" in custody
    assert "<summary>raw</summary>" in custody


def test_filesize_in_si_units() -> None:
    assert formats.filesize(0) == "0 bytes"
    assert formats.filesize(1) == "1 byte"
    assert formats.filesize(999) == "999 bytes"
    assert formats.filesize(1000) == "1.0 kB"
    assert formats.filesize(60_949) == "60.9 kB"
    assert formats.filesize(2_400_000) == "2.4 MB"
    assert formats.filesize(999_950) == "1.0 MB"  # rounds into the next unit, not "1000 kB"
    assert formats.filesize(123_456_789) == "123 MB"
    assert formats.filesize(-5) == "-5"
    assert formats.filesize(None) == "None"


def test_durations_as_a_player_shows_them() -> None:
    assert formats.duration(0.4) == "0.4 s"
    assert formats.duration(42) == "0:42"
    assert formats.duration(185.6) == "3:06"
    assert formats.duration(3723) == "1:02:03"
    assert formats.duration("n/a") == "n/a"


def test_times_keep_the_zone_as_stored() -> None:
    assert formats.moment("2022-02-24T10:50:00+02:00") == "2022-02-24 10:50:00 UTC+02:00"
    assert formats.moment("2026-12-04T20:33:38.507132Z") == "2026-12-04 20:33:38 UTC"
    assert formats.moment("2022-02-24T10:50:00") == "2022-02-24 10:50:00 (no time zone)"
    assert formats.moment("2022-02-24T10:50:00-03:30") == "2022-02-24 10:50:00 UTC-03:30"
    assert formats.moment("yesterday") == "yesterday"
    assert formats.moment(None) == ""


def test_names_in_words() -> None:
    assert formats.field_label("captured_at_naive") == (
        "Capture time without time zone (camera clock only)"
    )
    assert formats.field_label("lens_model") == "Lens model"
    assert formats.action_words("evidence_unlink") == "Evidence unlinked from incident"
    assert formats.action_words("imagery.chip") == "Scene chip made"
    assert formats.metadata_value(90, "rotation_deg") == "90° clockwise"
    assert formats.metadata_value(12.5, "duration_s") == "0:12"
    gps = {"lat": 47.77917, "lon": 37.24833, "direction_deg": 40.0, "direction_ref": "true"}
    assert formats.metadata_value(gps, "gps") == "47.77917, 37.24833 · facing 40.0° from true north"
    assert formats.plain({"state": "verified", "by": None}) == "state: verified; by: —"


def test_a_payload_in_words() -> None:
    rows = [{"table": "source", "key": f"s{n}", "op": "insert", "new": {}} for n in range(14)]
    payload = {"changes": rows, "public": False, "sha256": "ab", "size_bytes": 60_949}
    fields = dict(formats.payload_fields(payload))
    assert fields["SHA-256"] == "ab" and fields["Size"] == "60.9 kB"
    lines = fields["Changes"].splitlines()
    assert lines[0] == "insert source s0" and len(lines) == formats.MAX_ROWS_SHOWN + 1
    assert lines[-1] == "and 2 more (in the raw form)"
    assert fields["Public"] == "no"


def test_a_preview_error_is_one_line(tmp_path: Path) -> None:
    noise = tmp_path / "noise.jpg"
    noise.write_bytes(b"\xff\xd8" + bytes(100))
    with pytest.raises(PreviewError) as raised:
        image_preview(noise, 256, max_pixels=1_000_000)
    assert "\n" not in str(raised.value)


# --- in a browser ----------------------------------------------------------------------

OVERFLOW = "document.documentElement.scrollWidth"


def test_media_pages_fit_390_px_and_show_their_previews(
    page: Page, media_case: Path, tmp_path: Path
) -> None:
    shots = Shots(tmp_path)
    with served(media_case) as base:
        browser_log_in(page, base, "ivan")
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            for name, path in (
                ("evidence-list", "/evidence"),
                ("evidence-photo", f"/evidence/{PHOTO_ITEM}"),
                ("evidence-video", "/evidence/clip"),
                ("incident", f"/incidents/{INCIDENT}"),
                ("custody", "/custody"),
            ):
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                assert page.evaluate(OVERFLOW) <= width, (name, width)
                shots(page, f"media-{name}-{width}")
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(base + "/evidence")
        thumbs = page.locator(".media-thumb img")
        thumbs.last.scroll_into_view_if_needed()
        page.wait_for_load_state("networkidle")
        loaded = page.evaluate(
            "[...document.querySelectorAll('.media-thumb img')].map(i => i.naturalWidth)"
        )
        assert loaded and all(w > 0 for w in loaded)
        page.goto(base + "/evidence/clip")
        # Awaited in one evaluation, not polled by page.wait_for_function: its polling
        # evaluates a string, which the page's Content-Security-Policy refuses.
        page.locator("video").evaluate(
            "v => v.readyState >= 1 || new Promise(done => v.addEventListener("
            "'loadedmetadata', () => done(true), {once: true}))"
        )
        seekable = page.evaluate("document.querySelector('video').seekable.length")
        assert seekable >= 1
        page.goto(base + "/evidence")
        shots(page, "media-docs")
    shots.publish()
