"""User management for admins: add, change a role, disable; the last active admin stays."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from evidencelab.locker.case import CaseError, open_case
from evidencelab.service.access import users
from evidencelab.service.integrity.custody import custody_log
from test_web_support import PASSWORDS, client_for, empty_case_with_users, log_in


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return empty_case_with_users(tmp_path / "case")


@pytest.fixture
def admin(root: Path) -> Iterator[tuple[TestClient, str]]:
    with client_for(root) as client:
        yield client, log_in(client, "alice")


def _events(root: Path, action: str) -> list[tuple[str, str | None, dict[str, object]]]:
    with open_case(root) as case:
        return [
            (e["actor"], e["subject"], e["payload"])
            for e in custody_log(case)
            if e["action"] == action
        ]


def _role(root: Path, name: str) -> tuple[str, bool]:
    with open_case(root) as case:
        record = next(u for u in users.list_users(case) if u["name"] == name)
    return record["role"], record["disabled"]


def test_list_shows_users_roles_state_and_live_sessions(admin: tuple[TestClient, str]) -> None:
    client, _csrf = admin
    page = client.get("/users").text
    for name, (role, _pw) in PASSWORDS.items():
        row = page.split(f'id="user-{name}"')[1].split("</tr>")[0]
        assert f"<option selected>{role}</option>" in row
    alice_row = page.split('id="user-alice"')[1].split("</tr>")[0]
    assert "UTC" in alice_row  # alice is signed in now
    vic_row = page.split('id="user-vic"')[1].split("</tr>")[0]
    assert "–" in vic_row and "active" in vic_row


def test_admin_adds_a_user_who_can_log_in(admin: tuple[TestClient, str], root: Path) -> None:
    client, csrf = admin
    form = {
        "csrf_token": csrf,
        "name": "nadia",
        "role": "reviewer",
        "password": "nadia-password-1",
        "password_again": "nadia-password-1",
    }
    assert client.post("/users", data=form).status_code == 303
    assert _events(root, "user_add")[-1] == ("alice", "nadia", {"role": "reviewer"})
    with client_for(root) as other:
        log_in(other, "nadia", "nadia-password-1")
        assert "(reviewer)" in other.get("/").text


def test_password_typed_differently_twice_adds_nobody(
    admin: tuple[TestClient, str], root: Path
) -> None:
    client, csrf = admin
    form = {
        "csrf_token": csrf,
        "name": "nadia",
        "role": "viewer",
        "password": "nadia-password-1",
        "password_again": "nadia-password-2",
    }
    response = client.post("/users", data=form)
    assert response.status_code == 400
    assert "the two entries differ" in response.text
    short = form | {"password": "short", "password_again": "short"}
    response = client.post("/users", data=short)
    assert response.status_code == 400
    assert "at least 10 characters" in response.text
    with open_case(root) as case:
        assert "nadia" not in [u["name"] for u in users.list_users(case)]


def test_role_change_applies_to_the_users_next_request(
    admin: tuple[TestClient, str], root: Path
) -> None:
    client, csrf = admin
    with client_for(root) as vic:
        log_in(vic, "vic")
        assert vic.get("/upload").status_code == 403
        response = client.post("/users/vic/role", data={"csrf_token": csrf, "role": "investigator"})
        assert response.status_code == 303
        assert vic.get("/upload").status_code == 200
    assert _role(root, "vic") == ("investigator", False)
    change = {"role": "investigator", "previous": "viewer"}
    assert _events(root, "user_role") == [("alice", "vic", change)]
    response = client.post("/users/vic/role", data={"csrf_token": csrf, "role": "boss"})
    assert response.status_code == 400 and "must be one of" in response.text


def test_disable_ends_the_users_session(admin: tuple[TestClient, str], root: Path) -> None:
    client, csrf = admin
    with client_for(root) as vic:
        log_in(vic, "vic")
        assert client.post("/users/vic/disable", data={"csrf_token": csrf}).status_code == 303
        assert vic.get("/").status_code == 303  # back to the login page
    assert _role(root, "vic") == ("viewer", True)
    assert _events(root, "user_disable") == [("alice", "vic", {})]
    assert client.post("/users/nobody/disable", data={"csrf_token": csrf}).status_code == 400


def test_last_active_admin_cannot_disable_or_demote_themselves(
    admin: tuple[TestClient, str], root: Path
) -> None:
    client, csrf = admin
    for url, data in (
        ("/users/alice/disable", {}),
        ("/users/alice/role", {"role": "viewer"}),
    ):
        response = client.post(url, data={"csrf_token": csrf, **data})
        assert response.status_code == 400
        assert "is the last active admin" in response.text
    assert _role(root, "alice") == ("admin", False)
    assert _events(root, "user_role") == [] and _events(root, "user_disable") == []
    # With a second admin, alice may step down, and then no longer manages users.
    assert client.post("/users/ivan/role", data={"csrf_token": csrf, "role": "admin"}).is_redirect
    assert client.post("/users/alice/role", data={"csrf_token": csrf, "role": "viewer"}).is_redirect
    assert client.get("/users").status_code == 403
    assert _role(root, "alice") == ("viewer", False)


def test_a_disabled_admin_does_not_count_as_the_other_admin(root: Path) -> None:
    with open_case(root, actor="setup") as case:
        users.set_role(case, "ivan", "admin")
        users.disable_user(case, "ivan")
        with pytest.raises(CaseError, match="last active admin"):
            users.set_role(case, "alice", "reviewer")
