"""Shared fixtures: a fresh case, a few real corpus files, and the demo case built once per
session (copied for each test that uses it)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings
from playwright.sync_api import Page, expect, sync_playwright

from case_copies import DemoTemplate, checkpoint, copy_case
from cli_helpers import run_cli
from evidencelab.locker.case import Case, init_case, open_case
from evidencelab.service.exchange.casefile import import_case_file
from test_geolocation import write_case_file
from test_web_support import CHROMIUM, build_demo_with_users, client_for

# Property tests check what holds, not how fast: Hypothesis' per-example deadline is a
# wall-clock limit that a loaded two-core machine trips at random.
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")
# The same for the browser: with two workers each driving Chromium on two cores, a page
# whose scripts then load a section (htmx) took longer than Playwright's default 5 s once.
# A wait ends as soon as its condition holds, so passing tests are no slower.
expect.set_options(timeout=15_000)

CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture(autouse=True)
def _actor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVIDENCELAB_ACTOR", "tester")


@pytest.fixture(scope="session")
def empty_case_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new, empty case made once by the suite's actor (its schema migrated, its "create"
    event logged): a template to copy, never to open."""
    root = tmp_path_factory.mktemp("empty-case") / "case"
    init_case(root, actor="tester").close()
    checkpoint(root)
    return root


@pytest.fixture
def case(empty_case_template: Path, tmp_path: Path) -> Iterator[Case]:
    """A new, empty case: a copy of the template, which costs a fiftieth of migrating a
    new database."""
    opened = open_case(copy_case(empty_case_template, tmp_path / "case"))
    yield opened
    opened.close()


@pytest.fixture
def loose_files(tmp_path: Path) -> list[Path]:
    """Three small files of arbitrary bytes in a nested folder."""
    folder = tmp_path / "incoming"
    (folder / "sub").mkdir(parents=True)
    paths = [folder / "a.bin", folder / "b.bin", folder / "sub" / "c.bin"]
    for index, path in enumerate(paths):
        path.write_bytes(os.urandom(1000 + index))
    return paths


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> DemoTemplate:
    """The demo case and its report, built once as the README's first command builds it
    (by the command-line actor): a template to copy, never to open."""
    folder = tmp_path_factory.mktemp("demo-template")
    built = run_cli("demo", "--out", "demo-case", cwd=folder)
    assert built.returncode == 0, built.stderr
    checkpoint(folder / "demo-case")
    return DemoTemplate(folder / "demo-case", built.stdout)


@pytest.fixture(scope="session")
def zadar_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """test_geolocation's case file (two real corpus photos, one with GPS, and a statement;
    two incidents) imported by "tester", built once: extraction runs ExifTool, so each test
    copies it."""
    folder = tmp_path_factory.mktemp("zadar-template")
    with init_case(folder / "case", actor="tester") as case:
        import_case_file(case, write_case_file(folder / "input"))
    return folder / "case"


@pytest.fixture(scope="session")
def web_demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo case imported by "importer" with one user per role, built once: a template
    to copy, never to open."""
    root = build_demo_with_users(tmp_path_factory.mktemp("web-demo") / "demo")
    checkpoint(root)
    return root


@pytest.fixture
def demo(web_demo_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the web demo case (one user per role). Modules testing the plain
    demo define their own ``demo``, which takes precedence."""
    return copy_case(web_demo_template, tmp_path / "demo")


@pytest.fixture
def client(demo: Path) -> Iterator[TestClient]:
    """A test client of the web app over ``demo``."""
    with client_for(demo) as test_client:
        yield test_client


@pytest.fixture
def page() -> Iterator[Page]:
    """A page of Debian's Chromium driven by Playwright."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        yield context.new_page()
        browser.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules marked `long` run first, each in its own order: the workers take tests in
    order, and a long test taken last keeps one worker busy after the other has finished."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-docs",
        action="store_true",
        help="rewrite the console examples of README.md and docs/*.md from a real run",
    )
