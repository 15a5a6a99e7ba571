"""docs/web.md's table of every route (method and path, the permission it needs, which
roles have it) is the app's own route table: generated from the routes the app serves and
ROUTE_PERMISSIONS, so a route added without its row, or a row whose route is gone, fails.
``pytest tests/test_web_route_table.py --update-docs`` rewrites the doc's table."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from evidencelab.web.app import route_table
from evidencelab.web.permissions import matrix_markdown

DOC = Path(__file__).resolve().parent.parent / "docs" / "web.md"
HEADER = "| method and path | permission |"


def doc_table(text: str) -> tuple[int, int]:
    """Where the route table starts and ends in the doc's text."""
    start = text.index(HEADER)
    end = text.find("\n\n", start)
    return start, len(text) if end < 0 else end


def test_the_route_table_of_the_docs_is_the_apps(
    client: TestClient, request: pytest.FixtureRequest
) -> None:
    generated = matrix_markdown(route_table(client.app.routes))  # type: ignore[attr-defined]
    text = DOC.read_text(encoding="utf-8")
    start, end = doc_table(text)
    if request.config.getoption("--update-docs"):
        text = text[:start] + generated + text[end:]
        DOC.write_text(text, encoding="utf-8")
        start, end = doc_table(text)
    documented = text[start:end].splitlines()
    rows = generated.splitlines()
    missing = [row for row in rows if row not in documented]
    stale = [row for row in documented if row not in rows]
    hint = "; rewrite it with: pytest tests/test_web_route_table.py --update-docs"
    assert not missing, "docs/web.md lacks these routes" + hint + "\n" + "\n".join(missing)
    assert not stale, "docs/web.md lists routes the app lacks" + hint + "\n" + "\n".join(stale)
    assert documented == rows, "docs/web.md lists the routes in another order" + hint


def test_a_route_without_a_rule_reads_refused_to_everyone() -> None:
    table = matrix_markdown([("login", "/login", {"GET", "HEAD"}), ("new_page", "/new", {"POST"})])
    assert table.splitlines()[2:] == [
        "| GET `/login` | public | yes | yes | yes | yes | yes |",
        "| POST `/new` | none (refused to everyone) | – | – | – | – | – |",
    ]
