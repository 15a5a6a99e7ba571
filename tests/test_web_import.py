"""The import page: a case archive uploaded through the browser form is imported with the
user as actor; hostile archives are refused on the page (400, one line), the case unchanged."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from evidencelab.demo_media import write_demo_case
from evidencelab.locker.case import open_case
from evidencelab.service.integrity.custody import custody_log
from evidencelab.web import WebSettings
from test_case_archive import CASE_YAML, HOSTILE, case_state, zip_folder
from test_web_support import client_for, empty_case_with_users, log_in

SMALL = WebSettings(archive_max_members=5, archive_max_bytes=50_000)


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    return empty_case_with_users(tmp_path / "case")


def test_investigator_imports_the_demo_archive(empty: Path, tmp_path: Path) -> None:
    archive = zip_folder(write_demo_case(tmp_path / "inputs").parent, tmp_path / "demo.zip")
    with client_for(empty) as client:
        csrf = log_in(client, "ivan")
        assert client.get("/import").status_code == 200
        response = client.post(
            "/import",
            data={"csrf_token": csrf},
            files={"archive": ("demo.zip", archive.read_bytes(), "application/zip")},
        )
        assert response.status_code == 200, response.text
        assert "Imported: demo.zip" in response.text
        assert "<dt>Incidents</dt><dd>3</dd>" in response.text
        assert 'href="/incidents/vuhledar-2022-02-24"' in response.text
        assert client.get("/incidents/vuhledar-2022-02-24").status_code == 200
    with open_case(empty) as case:
        log = custody_log(case)
    imports = [e for e in log if e["action"] == "import"]
    assert [e["actor"] for e in imports] == ["ivan"]
    ingests = [e for e in log if e["action"] == "ingest"]
    assert ingests and {e["actor"] for e in ingests} == {"ivan"}
    assert not [p for p in empty.iterdir() if p.name.startswith(("imports", "upload-"))]


def test_bare_case_file_is_imported(empty: Path) -> None:
    text = CASE_YAML + b"incidents:\n  - id: one\n    title: One strike\n"
    with client_for(empty) as client:
        csrf = log_in(client, "alice")
        response = client.post(
            "/import",
            data={"csrf_token": csrf},
            files={"archive": ("small.yaml", text, "application/yaml")},
        )
        assert response.status_code == 200, response.text
        assert 'href="/incidents/one"' in response.text


def test_hostile_archives_are_refused_on_the_page(empty: Path) -> None:
    with client_for(empty, SMALL) as client:
        csrf = log_in(client, "ivan")
        for rule, (build, expected) in sorted(HOSTILE.items()):
            with open_case(empty) as case:
                before = case_state(case)
            response = client.post(
                "/import",
                data={"csrf_token": csrf},
                files={"archive": ("upload.zip", build(), "application/zip")},
            )
            assert response.status_code == 400, rule
            error = response.text.split('id="import-error">')[1].split("</p>")[0]
            assert html.unescape(error).count(expected) == 1, (rule, error)
            assert "\n" not in error, rule
            with open_case(empty) as case:
                assert case_state(case) == before, rule


def test_missing_file_field_and_viewer_are_refused(empty: Path) -> None:
    with client_for(empty) as client:
        csrf = log_in(client, "ivan")
        response = client.post("/import", data={"csrf_token": csrf})
        assert response.status_code == 400
        assert "choose a .zip archive" in response.text
        log_in(client, "vic")
        assert client.get("/import").status_code == 403
        assert "/import" not in client.get("/").text  # no menu entry without the permission


def test_archive_over_the_upload_limit_is_refused_while_streaming(
    empty: Path, tmp_path: Path
) -> None:
    settings = WebSettings(max_upload_bytes=50_000)
    archive = zip_folder(write_demo_case(tmp_path / "inputs").parent, tmp_path / "demo.zip")
    with client_for(empty, settings) as client:
        csrf = log_in(client, "ivan")
        with open_case(empty) as case:
            before = case_state(case)
        response = client.post(
            "/import",
            data={"csrf_token": csrf},
            files={"archive": ("demo.zip", archive.read_bytes(), "application/zip")},
        )
        assert response.status_code == 413
        with open_case(empty) as case:
            assert case_state(case) == before
