"""Shared parts of the web tests: a demo case (or an empty one) with one user per role, and
logged-in clients.

(No tests here; the module is imported by the other test_web_* files.)
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from evidencelab.case import init_case, open_case
from evidencelab.service import users
from evidencelab.service.demo import build_demo
from evidencelab.web import WebSettings, create_app

PASSWORDS = {
    "alice": ("admin", "alice-password-1"),
    "ivan": ("investigator", "ivan-password-1"),
    "rita": ("reviewer", "rita-password-1"),
    "vic": ("viewer", "vic-password-1"),
}
ROLE_USER = {role: name for name, (role, _pw) in PASSWORDS.items()}
CORPUS = Path(__file__).parent / "corpus"
PHOTO = CORPUS / "metadata-extractor-images" / "jpg" / "Apple iPhone 4.jpg"


def build_demo_with_users(folder: Path) -> Path:
    """The demo case in ``folder``, imported by "importer", with one user per role."""
    build_demo(folder, actor="importer")
    with open_case(folder, actor="setup") as case:
        for name, (role, password) in PASSWORDS.items():
            users.add_user(case, name, password, role)
    return folder


def empty_case_with_users(folder: Path) -> Path:
    """An empty case in ``folder`` with one user per role."""
    with init_case(folder, actor="setup") as case:
        for name, (role, password) in PASSWORDS.items():
            users.add_user(case, name, password, role)
    return folder


def copy_case(template: Path, folder: Path) -> Path:
    shutil.copytree(template, folder)
    return folder


def client_for(case_root: Path, settings: WebSettings | None = None) -> TestClient:
    return TestClient(create_app(case_root, settings=settings), follow_redirects=False)


def hidden_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no csrf_token field in the page"
    return match.group(1)


def login_token(html: str) -> str:
    """The CSRF token of the login form itself (the header's logout form has the session's)."""
    match = re.search(
        r'action="/login" method="post">\s*<input type="hidden" name="csrf_token" value="([^"]+)"',
        html,
    )
    assert match, "no login form in the page"
    return match.group(1)


def log_in(client: TestClient | httpx.Client, name: str, password: str | None = None) -> str:
    """Log ``name`` in through the login form; returns the session's CSRF token."""
    form = client.get("/login")
    response = client.post(
        "/login",
        data={
            "name": name,
            "password": password or PASSWORDS[name][1],
            "csrf_token": login_token(form.text),
            "next": "/",
        },
    )
    assert response.status_code == 303, response.text
    return hidden_token(client.get("/").text)
