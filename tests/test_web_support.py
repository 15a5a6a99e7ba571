"""Shared parts of the web tests: a demo case (or an empty one) with one user per role,
logged-in clients, and the app served on loopback for a real browser.

(No tests here; the module is imported by the other test_web_* files.)
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from evidencelab.locker.case import init_case, open_case
from evidencelab.service.access import users
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
CHROMIUM = "/usr/bin/chromium"


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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(case_root: Path) -> Iterator[str]:
    """The app over ``case_root`` on a free loopback port, in a thread; its base URL."""
    port = _free_port()
    config = uvicorn.Config(create_app(case_root), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(timeout=10)


class Shots:
    """Full-page screenshots for people to look at, taken only when $EVIDENCELAB_ARTEFACTS
    names a folder to copy them to: a full-page shot costs up to a second, and nothing
    in the suite reads them."""

    def __init__(self, folder: Path, *, wanted: bool = False) -> None:
        """``wanted``: take them also without $EVIDENCELAB_ARTEFACTS (a test that copies
        one into docs/)."""
        self.folder = folder
        self.taken: list[Path] = []
        self.wanted = wanted or bool(os.environ.get("EVIDENCELAB_ARTEFACTS"))

    def __call__(self, page: Page, name: str) -> None:
        if not self.wanted:
            return
        path = self.folder / f"web-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)

    def publish(self) -> None:
        target = os.environ.get("EVIDENCELAB_ARTEFACTS")
        if target:
            Path(target).mkdir(parents=True, exist_ok=True)
            for path in self.taken:
                shutil.copy2(path, Path(target) / path.name)


def browser_log_in(page: Page, base: str, name: str) -> None:
    """Log ``name`` in through the login page of the app served at ``base``."""
    page.goto(base + "/")
    expect(page).to_have_url(f"{base}/login?next=%2F")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Password").fill(PASSWORDS[name][1])
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".who")).to_contain_text(name)
