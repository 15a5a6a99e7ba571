"""Oversized, negative and non-numeric numbers never give a 5xx: every integer query
parameter of every route, and every numeric field of every form the pages show, is tried
with bad values; each answers 4xx with a message naming the parameter, and the case is
left as it was."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from evidencelab.locker.case import open_case
from evidencelab.service.integrity.custody import custody_log
from evidencelab.web.app import route_table
from evidencelab.web.params import INTEGER_BOUNDS
from test_web_security import PATH_SAMPLES
from test_web_support import client_for, log_in

HUGE = "12345678901234567890123"  # 23 digits: beyond any 64-bit integer
BAD_QUERY_VALUES = (HUGE, "-" + HUGE, "-1", "0", "abc", "1.5", "1e400", "²")
BAD_FORM_VALUES = (HUGE, "-" + HUGE, "abc", "1e400", "nan", "inf", "²")
# Values for empty text fields a form needs before it reaches its numbers.
FILLERS = {"id": "probe-incident", "title": "Probe", "place_name": "Probe"}


@pytest.fixture
def admin(demo: Path) -> Iterator[tuple[TestClient, str]]:
    """A client logged in as the admin, showing server errors as 500 answers."""
    with client_for(demo) as client:
        quiet = TestClient(client.app, follow_redirects=False, raise_server_exceptions=False)
        yield quiet, log_in(quiet, "alice")


def _concrete(path: str) -> str:
    for parameter in re.findall(r"{(\w+)}", path):
        path = path.replace("{" + parameter + "}", PATH_SAMPLES[parameter])
    return path


def _api_routes(routes: Sequence[BaseRoute], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) of every route, including those of included routers (as
    route_table walks them)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        nested = getattr(route, "original_router", None)
        if nested is not None:
            context = getattr(route, "include_context", None)
            yield from _api_routes(nested.routes, prefix + getattr(context, "prefix", ""))


def _integer_parameters(client: TestClient) -> list[tuple[str, str]]:
    """(concrete path, parameter) for every integer query parameter of every GET route:
    typed int, or parsed by the page from text within INTEGER_BOUNDS."""
    found = []
    for path, route in _api_routes(client.app.routes):  # type: ignore[attr-defined]
        if "GET" not in (route.methods or ()):
            continue
        for field in route.dependant.query_params:
            annotation = str(field.field_info.annotation)
            if "int" in annotation or field.name in INTEGER_BOUNDS:
                found.append((_concrete(path), field.name))
    return found


def test_the_integer_parameters_are_found(admin: tuple[TestClient, str]) -> None:
    client, _csrf = admin
    found = set(_integer_parameters(client))
    assert {("/evidence", "page"), ("/custody", "before")} <= found
    assert {
        ("/api/evidence", "page"),
        ("/api/custody", "before"),
        ("/api/custody", "limit"),
    } <= found


def test_bad_integer_query_parameters_answer_4xx_with_a_message(
    admin: tuple[TestClient, str], demo: Path
) -> None:
    client, _csrf = admin
    events = len(_log(demo))
    for path, parameter in _integer_parameters(client):
        for value in BAD_QUERY_VALUES:
            response = client.get(path, params={parameter: value})
            where = f"GET {path}?{parameter}={value}"
            assert 400 <= response.status_code < 500, f"{where}: {response.status_code}"
            assert parameter in _message(response), where
    assert len(_log(demo)) == events


def test_in_range_values_still_work(admin: tuple[TestClient, str]) -> None:
    client, _csrf = admin
    assert client.get("/evidence", params={"page": "1000000"}).status_code == 200
    assert client.get("/custody", params={"before": "3"}).status_code == 200
    events = client.get("/api/custody", params={"before": "5", "limit": "2"}).json()["events"]
    assert [e["seq"] for e in events] == [4, 3]


def test_bad_numbers_in_every_form_answer_4xx_with_a_message(
    admin: tuple[TestClient, str], demo: Path
) -> None:
    client, csrf = admin
    forms = _numeric_forms(client)
    assert {(action, field) for action, field, _f in forms} >= {
        ("/incidents/uman-2022-02-24/casualties", "killed_count"),
        ("/incidents/uman-2022-02-24/casualties", "injured_count"),
        ("/incidents/uman-2022-02-24/edit", "precision_m"),
        ("/incidents/new", "lat"),
    }
    events = len(_log(demo))
    for action, field, fields in forms:
        for value in BAD_FORM_VALUES:
            data = fields | {field: value, "csrf_token": csrf}
            response = client.post(action, data=data)
            where = f"POST {action} {field}={value}"
            assert 400 <= response.status_code < 500, f"{where}: {response.status_code}"
            message = _message(response)
            assert field in message or field.replace("_", " ") in message, f"{where}: {message}"
    assert len(_log(demo)) == events


def _numeric_forms(client: TestClient) -> list[tuple[str, str, dict[str, str]]]:
    """(action, numeric field, the form's other fields) for every POST form with a numeric
    input (inputmode numeric or decimal) on any page reachable by GET."""
    found = []
    seen = set()
    for name, path, methods in route_table(client.app.routes):  # type: ignore[attr-defined]
        if "GET" not in methods or path.startswith("/api/") or name.startswith("evidence_"):
            continue
        page = client.get(_concrete(path))
        for form in re.findall(r'<form[^>]*method="post"[^>]*>.*?</form>', page.text, re.S):
            action = html.unescape(re.search(r'action="([^"]*)"', form).group(1))  # type: ignore[union-attr]
            fields = _fields(form)
            for numeric in re.findall(r'<input[^>]*inputmode="(?:numeric|decimal)"[^>]*>', form):
                field = re.search(r'name="([^"]+)"', numeric).group(1)  # type: ignore[union-attr]
                if (action, field) not in seen:
                    seen.add((action, field))
                    found.append((action, field, fields))
    return found


def _fields(form: str) -> dict[str, str]:
    """A form's fields with their values (the first option of a select); empty text fields
    the form needs are filled from FILLERS."""
    fields: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="checkbox"' not in tag:
            fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        first = re.search(r'<option(?: value="([^"]*)")?[^>]*>([^<]*)', options)
        fields[name] = (first.group(1) or first.group(2)) if first else ""
    return {k: v or FILLERS.get(k, "") for k, v in fields.items()}


def _message(response: Any) -> str:
    if response.headers["content-type"].startswith("application/json"):
        return str(response.json()["detail"])
    match = re.search(r'<p class="error" role="alert">(.*?)</p>', response.text, re.S)
    assert match, f"no error message in the page ({response.status_code})"
    return html.unescape(match.group(1))


def _log(demo: Path) -> list[dict[str, Any]]:
    with open_case(demo) as case:
        return custody_log(case)
