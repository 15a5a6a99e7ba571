"""Web security: the permission matrix over every route, CSRF, session fixation, IDOR,
login throttling, API tokens, sensitive material and the upload size limit."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from evidencelab.locker.case import open_case
from evidencelab.service.access import users
from evidencelab.service.evidence.items import list_evidence
from evidencelab.service.integrity.custody import custody_log
from evidencelab.web import WebSettings
from evidencelab.web.app import route_table
from evidencelab.web.auth import SESSION_COOKIE
from evidencelab.web.permissions import PUBLIC, ROUTE_PERMISSIONS, allowed
from test_web_support import (
    PASSWORDS,
    PHOTO,
    ROLE_USER,
    client_for,
    log_in,
    login_token,
)

# A value for each path parameter of any route, from the demo case.
PATH_SAMPLES = {
    "incident_id": "uman-2022-02-24",
    "evidence_id": "uman-street-1",
    "role": "thumbnail",
    "name": "vic",
    "geolocation_id": "1",
    "job_id": "no-such-job",
    "source_id": "amnesty-press-release-2022-02",
    "position": "0",
    "layer": "places",
    "capture_id": "capture-none",
    "comment_id": "1",
}


def _routes(client: TestClient) -> list[tuple[str, str, str]]:
    """(name, method, concrete path) of every route of the app; logout last."""
    found = []
    for name, template, methods in route_table(client.app.routes):  # type: ignore[attr-defined]
        path = template
        for parameter in re.findall(r"{(\w+)}", template):
            assert parameter in PATH_SAMPLES, f"{name}: no sample for {{{parameter}}}"
            path = path.replace("{" + parameter + "}", PATH_SAMPLES[parameter])
        for method in sorted(methods - {"HEAD"}):
            found.append((name, method, path))
    return sorted(found, key=lambda r: r[0] == "logout")


def test_every_route_has_a_rule_and_every_rule_a_route(client: TestClient) -> None:
    names = {name for name, _m, _p in _routes(client)}
    assert names - set(ROUTE_PERMISSIONS) == set(), "routes without an access rule"
    assert set(ROUTE_PERMISSIONS) - names == set(), "rules for routes that do not exist"


@pytest.mark.parametrize("role", [None, "admin", "investigator", "reviewer", "viewer"])
def test_permission_matrix(demo: Path, role: str | None) -> None:
    """Every route × this role: allowed, or refused (403; anonymous: login redirect or 401)."""
    with client_for(demo) as client:
        csrf = log_in(client, ROLE_USER[role]) if role else ""
        for name, method, path in _routes(client):
            permission = ROUTE_PERMISSIONS[name]
            if method == "GET":
                response = client.get(path)
            elif path.startswith("/api/"):
                response = client.request(method, path, json={}, headers={"X-CSRF-Token": csrf})
            else:
                response = client.request(method, path, data={"csrf_token": csrf})
            where = f"{role or 'anonymous'} {method} {path} ({name}: {permission})"
            if allowed(role, permission):
                assert response.status_code not in (401, 403), where
                assert not response.headers.get("location", "").startswith("/login?"), where
            elif role is None:
                expected = 401 if path.startswith("/api/") else 303
                assert response.status_code == expected, where
                if expected == 303:
                    assert response.headers["location"].startswith("/login?next="), where
            else:
                assert response.status_code == 403, where


def test_public_routes_are_only_the_login(client: TestClient) -> None:
    public = {name for name, permission in ROUTE_PERMISSIONS.items() if permission == PUBLIC}
    assert public == {"login_form", "login"}


def test_change_without_csrf_token_is_refused_and_changes_nothing(
    client: TestClient, demo: Path
) -> None:
    csrf = log_in(client, "ivan")
    url = "/incidents/uman-2022-02-24/evidence/uman-street-1/unlink"
    assert client.post(url, data={}).status_code == 403
    assert client.post(url, data={"csrf_token": "x" + csrf[1:]}).status_code == 403
    api = "/api/incidents/uman-2022-02-24/evidence"
    assert client.post(api, json={"evidence": "uman-street-1"}).status_code == 403
    with open_case(demo) as case:
        assert not [e for e in custody_log(case) if e["action"] == "evidence_unlink"]
    assert client.post(url, data={"csrf_token": csrf}).status_code == 303
    with open_case(demo) as case:
        unlinks = [e for e in custody_log(case) if e["action"] == "evidence_unlink"]
    assert [(e["actor"], e["subject"]) for e in unlinks] == [("ivan", "uman-2022-02-24")]


def test_login_form_needs_its_own_token(client: TestClient) -> None:
    """A login posted from another site (no login cookie) is refused."""
    name, (_role, password) = "vic", PASSWORDS["vic"]
    response = client.post("/login", data={"name": name, "password": password, "csrf_token": "x"})
    assert response.status_code == 403
    assert SESSION_COOKIE not in client.cookies


def test_session_id_changes_at_login_and_the_old_one_is_dead(client: TestClient) -> None:
    log_in(client, "vic")
    before = client.cookies[SESSION_COOKIE]
    log_in(client, "alice")
    after = client.cookies[SESSION_COOKIE]
    assert after != before
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, before)
    assert client.get("/").status_code == 303  # the pre-login id no longer logs anyone in
    client.cookies.set(SESSION_COOKIE, after)
    assert client.get("/").status_code == 200


def test_planted_session_id_is_not_adopted(client: TestClient) -> None:
    client.cookies.set(SESSION_COOKIE, "attacker-chosen-id", domain="testserver.local")
    log_in(client, "vic")
    assert client.cookies[SESSION_COOKIE] != "attacker-chosen-id"
    client.cookies.set(SESSION_COOKIE, "attacker-chosen-id", domain="testserver.local")
    assert client.get("/").status_code == 303


def test_session_cookie_flags(client: TestClient) -> None:
    form = client.get("/login")
    response = client.post(
        "/login",
        data={"name": "vic", "password": PASSWORDS["vic"][1], "csrf_token": login_token(form.text)},
    )
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback, no trusted proxy


def test_secure_cookie_behind_a_trusted_proxy_only(demo: Path) -> None:
    settings = WebSettings(trusted_proxies=("testclient",))
    headers = {"X-Forwarded-Proto": "https"}
    with client_for(demo, settings) as proxied, client_for(demo) as direct:
        assert "Secure" in proxied.get("/login", headers=headers).headers["set-cookie"]
        assert "Secure" not in direct.get("/login", headers=headers).headers["set-cookie"]


def test_logout_ends_the_session(client: TestClient) -> None:
    csrf = log_in(client, "vic")
    session_id = client.cookies[SESSION_COOKIE]
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 303
    client.cookies.set(SESSION_COOKIE, session_id)
    assert client.get("/").status_code == 303


def test_disabled_user_loses_the_session(client: TestClient, demo: Path) -> None:
    log_in(client, "vic")
    assert client.get("/").status_code == 200
    with open_case(demo) as case:
        users.disable_user(case, "vic")
    assert client.get("/").status_code == 303


def test_objects_of_another_case_are_not_found(
    client: TestClient, tmp_path: Path, demo: Path
) -> None:
    other = tmp_path / "other"
    from evidencelab.locker.case import init_case
    from evidencelab.locker.ingest import IngestRequest, ingest

    with init_case(other) as case:
        outcome = ingest(case, [IngestRequest(path=PHOTO, evidence_id="other-photo")])[0]
    assert outcome.evidence_id == "other-photo"
    log_in(client, "alice")
    sha = outcome.sha256
    assert sha is not None
    for path in (
        "/evidence/other-photo",
        "/evidence/other-photo/original",
        f"/evidence/{sha}",
        f"/evidence/{sha[:12]}/original",
        "/evidence/..%2F..%2Fcase.sqlite/original",
        "/incidents/not-in-this-case",
        "/api/evidence/other-photo",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert not response.headers["content-type"].startswith("image/"), path
        assert b"41.853" not in response.content, path  # the other photo's GPS latitude


def test_sensitive_material_is_withheld_from_roles_without_it(
    client: TestClient, demo: Path
) -> None:
    with open_case(demo) as case:
        sensitive_sources = [s for s in _sources(case) if s.sensitive and s.description]
    assert sensitive_sources, "the demo case has a sensitive source"
    source = sensitive_sources[0]
    incident = _incident_reporting(demo, source.id)
    log_in(client, "vic")
    page = client.get(f"/incidents/{incident}").text
    assert source.description not in page
    assert "withheld: sensitive source" in page
    log_in(client, "ivan")
    assert source.description in client.get(f"/incidents/{incident}").text


def test_sensitive_evidence_is_absent_for_viewers(client: TestClient, demo: Path) -> None:
    csrf = log_in(client, "ivan")
    response = client.post(
        "/upload",
        data={"csrf_token": csrf, "sensitive": "on", "kind": "photo"},
        files={"file": ("witness.jpg", PHOTO.read_bytes(), "image/jpeg")},
    )
    assert response.status_code == 200, response.text
    with open_case(demo) as case:
        item = next(e for e in list_evidence(case) if e["original_name"] == "witness.jpg")
    assert client.get(f"/evidence/{item['id']}").status_code == 200
    log_in(client, "vic")
    assert client.get(f"/evidence/{item['id']}").status_code == 404
    assert client.get(f"/evidence/{item['id']}/original").status_code == 404
    assert item["id"] not in client.get("/evidence").text
    assert item["id"] not in client.get("/search", params={"q": "witness"}).text
    custody = client.get("/api/custody").json()["events"]
    assert item["id"] not in str(custody)
    ingest = next(e for e in custody if e["action"] == "ingest")  # the upload, newest first
    assert ingest["subject"] == "withheld"
    assert ingest["payload"] == {"withheld": "names a sensitive item or source"}


def test_api_token_authenticates_scripts_with_the_same_rules(
    client: TestClient, demo: Path
) -> None:
    with open_case(demo) as case:
        viewer_token = users.create_token(case, "vic")
        reviewer_token = users.create_token(case, "rita")
    viewer = {"Authorization": f"Bearer {viewer_token}"}
    reviewer = {"Authorization": f"Bearer {reviewer_token}"}
    assert client.get("/api/incidents", headers=viewer).status_code == 200
    review = {"fact": "time", "state": "reviewed", "comment": "checked"}
    url = "/api/incidents/uman-2022-02-24/review"
    assert client.post(url, json=review, headers=viewer).status_code == 403
    response = client.post(url, json=review, headers=reviewer)
    assert response.status_code == 200, response.text
    assert response.json()["reviewer"] == "rita"
    bad = {"Authorization": "Bearer elt_not-a-token"}
    assert client.get("/api/incidents", headers=bad).status_code == 401
    assert client.get("/incidents", headers=viewer).status_code == 303  # tokens are for the API
    with open_case(demo) as case:
        users.disable_user(case, "vic")
    assert client.get("/api/incidents", headers=viewer).status_code == 401


def test_openapi_document_lists_the_api(client: TestClient) -> None:
    log_in(client, "vic")
    document = client.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert "/api/incidents/{incident_id}" in document["paths"]
    assert "post" in document["paths"]["/api/incidents/{incident_id}/review"]


def test_upload_over_the_limit_is_refused_and_nothing_is_stored(demo: Path) -> None:
    settings = WebSettings(max_upload_bytes=50_000)
    with client_for(demo, settings) as client:
        csrf = log_in(client, "ivan")
        with open_case(demo) as case:
            before = len(list_evidence(case))
        big = PHOTO.read_bytes()  # 338 kB
        response = client.post(
            "/upload",
            data={"csrf_token": csrf},
            files={"file": ("big.jpg", big, "image/jpeg")},
        )
        assert response.status_code == 413

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
            boundary = b"--b0undary"
            yield boundary + b'\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            yield csrf.encode() + b"\r\n" + boundary
            yield b'\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\n'
            yield b"Content-Type: image/jpeg\r\n\r\n"
            for start in range(0, len(big), 16_384):
                yield big[start : start + 16_384]
            yield b"\r\n" + boundary + b"--\r\n"

        response = client.post(
            "/upload",
            content=chunks(),
            headers={"Content-Type": "multipart/form-data; boundary=b0undary"},
        )
        assert response.status_code == 413
        small = PHOTO.read_bytes()[:20_000]
        response = client.post(
            "/upload",
            data={"csrf_token": csrf, "kind": "document"},
            files={"file": ("small.bin", small, "application/octet-stream")},
        )
        assert response.status_code == 200
        assert hashlib.sha256(small).hexdigest() in response.text
        with open_case(demo) as case:
            assert len(list_evidence(case)) == before + 1


def test_stored_files_cannot_run_as_pages(client: TestClient) -> None:
    csrf = log_in(client, "ivan")
    page = b"<html><script>alert(document.cookie)</script></html>"
    response = client.post(
        "/upload",
        data={"csrf_token": csrf},
        files={"file": ("page.html", page, "text/html")},
    )
    assert response.status_code == 200
    evidence_id = hashlib.sha256(page).hexdigest()[:12]
    original = client.get(f"/evidence/{evidence_id}/original")
    assert original.status_code == 200
    assert original.headers["content-type"] == "application/octet-stream"
    assert original.headers["content-disposition"].startswith("attachment")
    assert "sandbox" in original.headers["content-security-policy"]
    assert original.headers["x-content-type-options"] == "nosniff"


def _sources(case: object) -> list:  # type: ignore[type-arg]
    from sqlalchemy import select

    from evidencelab.store.tables import Source

    with case.sessions() as session:  # type: ignore[attr-defined]
        return list(session.scalars(select(Source)))


def _incident_reporting(demo: Path, source_id: str) -> str:
    from sqlalchemy import select

    from evidencelab.store.tables import CasualtyReportRow

    with open_case(demo) as case, case.sessions() as session:
        incident = session.scalar(
            select(CasualtyReportRow.incident_id).where(CasualtyReportRow.source_id == source_id)
        )
    assert incident is not None, f"no casualty report cites {source_id}"
    return incident
