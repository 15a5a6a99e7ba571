"""Malformed input to every route never gives a 5xx and never changes the case.

Generated from the app's route table and its OpenAPI document: every POST form (found on
the pages, or in HAND_FORMS), every JSON body, every query parameter and every path
parameter is sent wrong types, empty and huge strings, NUL bytes, bad numbers and dates,
unknown ids, bad JSON and wrong content types, by the admin (who holds every permission)
with a valid CSRF token. No answer may be a 5xx; after a 4xx the database rows, the
custody log head and the object store must be exactly as before. A route added later is
probed without a change here; a form route the generator cannot fill fails, naming it.
(tests/test_web_numbers.py checks that bad numbers are named in the message.)
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from case_copies import copy_case
from evidencelab.locker.case import DATABASE_NAME
from evidencelab.web.app import route_table
from test_web_security import PATH_SAMPLES
from test_web_support import client_for, log_in

pytestmark = pytest.mark.long

# Rows that record who is logged in, not the case: a login or logout changes them.
SESSION_TABLES = frozenset({"web_session", "login_failure"})
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
BAD_TEXT = {
    "empty": "",
    "blank": "   ",
    "huge": "x" * 100_000,
    "NUL": "a\x00b",
    "negative": "-1",
    "NaN": "nan",
    "infinite": "-inf",
    "overflow": "1e400",
    "bad date": "2022-02-30T25:61:00",
    "unknown id": "no-such-thing-\u2603",
    "markup": "<script>alert(1)</script>",
}
BAD_JSON_VALUES: dict[str, Any] = {
    "number": 123,
    "float": 1.5,
    "boolean": True,
    "null": None,
    "list": ["x"],
    "object": {"x": 1},
    "empty": "",
    "huge": "x" * 100_000,
    "NUL": "a\x00b",
    "unknown id": "no-such-thing",
}
# Whole bodies that are not a JSON object, or not JSON at all.
BAD_BODIES = {
    "no body": b"",
    "null": b"null",
    "list": b"[]",
    "truncated": b'{"id": ',
    "not JSON": b"not json",
    "NaN": b'{"x": NaN, "y": Infinity}',
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    "invalid UTF-8": b'{"id": "\xff\xfe"}',
}
BAD_PATH_VALUES = {
    # Not BAD_JSON_VALUES' unknown id: a JSON body may create a record of that id, and the
    # module's tests share one case in whatever order xdist gives them.
    "unknown id": "absent-from-the-case",
    "long id": "a" * 3000,
    "negative": "-1",
    "overflow": "99999999999999999999999",
    "NUL": "%00",
    "traversal": "..%2F..%2Fcase.sqlite",
}
# Free-form objects of the JSON API (case-file fields): what to corrupt inside each.
NESTED_PROBES: dict[str, list[dict[str, Any]]] = {
    "time": [
        {"start": "2022-02-30T25:61:00"},
        {"start": 5},
        {"start": "2022-02-24T10:00:00", "end": "2022-02-23T10:00:00"},
        {"approximate": "yes"},
    ],
    "place": [
        {"lat": float("nan"), "lon": float("inf")},
        {"lat": 91, "lon": 0},
        {"lat": "x", "lon": []},
        {"precision_m": -5},
        {"name": "a\x00b"},
    ],
    "weapon": [{"munition": 5}, {"confidence": "certain"}, {"basis": ["x"]}, {"x": None}],
}
# Form routes no page shows a form for in the demo case (the form appears only once
# something exists), with the fields their form would send.
HAND_FORMS: dict[str, dict[str, str]] = {
    "geolocation_review": {"state": "reviewed", "comment": "", "back": "/"},
    "incident_place_apply": {},
    "evidence_clearance_set": {"decision": "clear", "clearance_reason": "probe"},
    # The demo holds no comment to edit or delete, and its items' credentials are read.
    "comment_update": {"body": "probe"},
    "comment_delete": {},
    "evidence_credentials_read": {},
}
# The simplest valid value of each JSON Schema type, for a body's required fields.
SIMPLEST: dict[str, Any] = {
    "string": lambda name: f"probe-{name}",
    "array": lambda _name: [],
    "boolean": lambda _name: False,
    "integer": lambda _name: 1,
    "number": lambda _name: 1,
}
FILE_ROUTES = frozenset({"evidence_original", "evidence_derivative", "output_download"})


@pytest.fixture(scope="module")
def probed(
    web_demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, str, Path]]:
    """One copy of the demo case and the admin's client (server errors answered as 500)."""
    root = copy_case(web_demo_template, tmp_path_factory.mktemp("malformed") / "demo")
    with client_for(root) as client:
        quiet = TestClient(client.app, follow_redirects=False, raise_server_exceptions=False)
        yield quiet, log_in(quiet, "alice"), root


class CaseState:
    """What a request may not change: every row of the case database (sessions aside),
    the custody head file, and the names of the stored objects. The rows are digested
    again only when SQLite's data_version says another connection has committed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.connection = sqlite3.connect(f"file:{root / DATABASE_NAME}?mode=ro", uri=True)
        self.version = -1
        self.rows = ""

    def digest(self) -> str:
        version = self.connection.execute("PRAGMA data_version").fetchone()[0]
        if version != self.version:
            self.version, self.rows = version, self._rows()
        files = hashlib.sha256(self.rows.encode())
        files.update((self.root / "custody.head").read_bytes())
        for folder, subfolders, names in os.walk(self.root / "objects"):
            subfolders.sort()
            for name in sorted([*subfolders, *names]):
                files.update(os.path.join(folder, name).encode())
        return files.hexdigest()

    def _rows(self) -> str:
        digest = hashlib.sha256()
        tables = [
            r[0]
            for r in self.connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        for table in sorted(set(tables) - SESSION_TABLES):
            digest.update(table.encode())
            for row in self.connection.execute(f'SELECT * FROM "{table}" ORDER BY 1'):
                digest.update(repr(row).encode())
        return digest.hexdigest()


class Prober:
    """Sends requests, and collects each 5xx and each 4xx that changed the case."""

    def __init__(self, client: TestClient, csrf: str, root: Path) -> None:
        self.client, self.csrf = client, csrf
        self.problems: list[str] = []
        self.sent = 0
        self.case = CaseState(root)
        self.state = self.case.digest()

    def send(self, where: str, method: str, path: str, **kwargs: Any) -> int:
        headers = {"X-CSRF-Token": self.csrf} | kwargs.pop("headers", {})
        response = self.client.request(method, path, headers=headers, **kwargs)
        self.sent += 1
        status = response.status_code
        after = self.case.digest()
        if status >= 500:
            self.problems.append(f"{where}: {status} {_detail(response)}")
        elif status >= 400 and after != self.state:
            self.problems.append(f"{where}: {status} but the case changed")
        self.state = after
        return status

    def send_raw(self, where: str, method: str, path: str, body: bytes, content_type: str) -> int:
        return self.send(where, method, path, content=body, headers={"Content-Type": content_type})

    def close(self) -> None:
        self.case.connection.close()


def _detail(response: Any) -> str:
    text: str = response.text
    match = re.search(r'<p class="error" role="alert">(.*?)</p>', text, re.S)
    return (html.unescape(match.group(1)) if match else text)[:200]


def concrete(path: str) -> str:
    for parameter in re.findall(r"{(\w+)}", path):
        path = path.replace("{" + parameter + "}", PATH_SAMPLES[parameter])
    return path


def fillable(path: str) -> bool:
    """Whether every path parameter has a sample (test_web_security.PATH_SAMPLES)."""
    return set(re.findall(r"{(\w+)}", path)) <= set(PATH_SAMPLES)


def _template_regex(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"{\w+}", "[^/]+", path) + "$")


def all_routes(client: TestClient) -> list[tuple[str, str, set[str]]]:
    return route_table(client.app.routes)  # type: ignore[attr-defined]


def routes(client: TestClient) -> list[tuple[str, str, set[str]]]:
    """The routes whose path parameters can be filled (the others fail a test of their
    own)."""
    return [route for route in all_routes(client) if fillable(route[1])]


def page_forms(client: TestClient) -> dict[str, tuple[str, dict[str, str], bool]]:
    """Route name -> (action, fields, multipart) of the first POST form posting to it on
    any page reachable by GET (with the demo's path samples)."""
    table = routes(client)
    found: dict[str, tuple[str, dict[str, str], bool]] = {}
    for name, path, methods in table:
        if "GET" not in methods or path.startswith("/api/") or name in FILE_ROUTES:
            continue
        page = client.get(concrete(path)).text
        for form in re.findall(r"<form[^>]*>.*?</form>", page, re.S):
            opening = form[: form.index(">")]
            action = re.search(r'action="([^"]*)"', opening)
            if 'method="post"' not in opening or action is None:
                continue
            for target in [action.group(1), *re.findall(r'formaction="([^"]*)"', form)]:
                target = html.unescape(target).split("?")[0]
                for route, template, route_methods in table:
                    if "POST" in route_methods and _template_regex(template).match(target):
                        fields = form_fields(form)
                        found.setdefault(route, (target, fields, "multipart" in opening))
    return found


def form_fields(form: str) -> dict[str, str]:
    """A form's named fields with their values (a select's first option, a submit
    button's value; the CSRF token the page gave, the login form's own on the login
    page)."""
    fields: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="file"' not in tag:
            fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        fields[name] = html.unescape(text)
    for name, value in re.findall(r'<button[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form):
        fields.setdefault(name, html.unescape(value))
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        first = re.search(r'<option(?: value="([^"]*)")?[^>]*>([^<]*)', options)
        fields[name] = (first.group(1) or first.group(2)) if first else ""
    return fields


def test_every_path_parameter_has_a_sample(probed: tuple[TestClient, str, Path]) -> None:
    client, _csrf, _root = probed
    unfilled = [f"{name} {path}" for name, path, _m in all_routes(client) if not fillable(path)]
    assert not unfilled, "add a sample to test_web_security.PATH_SAMPLES for:\n" + "\n".join(
        unfilled
    )


def test_every_form_route_is_found_or_written_by_hand(
    probed: tuple[TestClient, str, Path],
) -> None:
    client, _csrf, _root = probed
    forms = page_forms(client)
    form_routes = {
        name
        for name, path, methods in routes(client)
        if methods - {"GET", "HEAD"} and not path.startswith("/api/")
    }
    assert form_routes - set(forms) - set(HAND_FORMS) == set(), "form routes with no inputs"
    assert set(HAND_FORMS) <= form_routes, "hand-written inputs for routes that do not exist"


def test_malformed_form_fields(probed: tuple[TestClient, str, Path]) -> None:
    client, csrf, root = probed
    with closing(Prober(client, csrf, root)) as prober:
        forms = page_forms(client)
        table = {name: (concrete(path), methods) for name, path, methods in routes(client)}
        for name, fields in HAND_FORMS.items():
            forms.setdefault(name, (table[name][0], fields | {"csrf_token": csrf}, False))
        for name, (action, fields, multipart) in sorted(forms.items(), key=_logout_last):
            files = {"file": ("probe.txt", b"probe", "text/plain")} if multipart else None
            for field in set(fields) - {"csrf_token"}:
                for label, value in BAD_TEXT.items():
                    data = fields | {field: value}
                    prober.send(f"{name} {field}={label}", "POST", action, data=data, files=files)
            prober.send(f"{name} no fields", "POST", action, data={"csrf_token": csrf})
            prober.send(f"{name} JSON body", "POST", action, json=fields)
            repeated = "&".join(f"{k}=1&{k}=x" for k in fields) + f"&csrf_token={csrf}"
            prober.send_raw(f"{name} repeated fields", "POST", action, repeated.encode(), FORM)
            prober.send_raw(f"{name} text body", "POST", action, b"a=\xff\x00", "text/plain")
            prober.send_raw(
                f"{name} broken multipart",
                "POST",
                action,
                b"--x\r\nbroken",
                "multipart/form-data; boundary=x",
            )
            if multipart:
                prober.send(
                    f"{name} empty file",
                    "POST",
                    action,
                    data=fields,
                    files={"file": ("e.bin", b"")},
                )
            if name == "logout":
                csrf = prober.csrf = log_in(client, "alice")
        print(f"{prober.sent} form requests")
        assert not prober.problems, "\n".join(prober.problems)


def _logout_last(item: tuple[str, Any]) -> tuple[bool, str]:
    return item[0] == "logout", item[0]


def openapi_bodies(client: TestClient) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(route name, method, concrete path, JSON schema of the body) of every route taking
    a JSON body."""
    document = client.get("/api/openapi.json").json()
    schemas = document["components"]["schemas"]
    names = {(path, method): name for name, path, methods in routes(client) for method in methods}
    found = []
    for path, operations in document["paths"].items():
        if not fillable(path):
            continue
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                schema = schemas[body["schema"]["$ref"].rsplit("/", 1)[1]]
                name = names[(path, method.upper())]
                found.append((name, method.upper(), concrete(path), schema))
    return found


def valid_body(schema: dict[str, Any]) -> dict[str, Any]:
    """The smallest body the schema accepts: its required fields, each with the simplest
    value of its type (a string: a new id; an enum: its first value; a list: empty, so
    that nothing such as a web capture starts)."""
    body: dict[str, Any] = {}
    for name in schema.get("required", []):
        field = schema["properties"][name]
        kind = field.get("type")
        if "enum" in field:
            body[name] = field["enum"][0]
        elif kind in SIMPLEST:
            body[name] = SIMPLEST[kind](name)
        else:
            pytest.fail(f"{schema['title']}.{name}: no valid value for {field}")
    return body


def test_malformed_json_bodies(probed: tuple[TestClient, str, Path]) -> None:
    client, csrf, root = probed
    with closing(Prober(client, csrf, root)) as prober:
        bodies = openapi_bodies(client)
        assert {name for name, *_ in bodies} >= {"api_incident_create", "api_fact_review"}
        for name, method, path, schema in bodies:
            base = valid_body(schema)
            for field, spec in schema["properties"].items():
                for label, value in BAD_JSON_VALUES.items():
                    prober.send(f"{name} {field}={label}", method, path, json=base | {field: value})
                if "enum" in spec:
                    prober.send(
                        f"{name} {field} not one of",
                        method,
                        path,
                        json=base | {field: "not-an-option"},
                    )
                if _is_free_object(spec):
                    assert field in NESTED_PROBES, f"{name}: nothing to probe in object {field}"
                    for nested in NESTED_PROBES[field]:
                        body = json.dumps(base | {field: nested}).encode()  # NaN as JSON
                        prober.send_raw(f"{name} {field}={nested}", method, path, body, JSON)
            for label, raw in BAD_BODIES.items():
                prober.send_raw(f"{name} body {label}", method, path, raw, JSON)
            prober.send(
                f"{name} form body", method, path, data={k: str(v) for k, v in base.items()}
            )
            prober.send_raw(
                f"{name} wrong content type", method, path, json.dumps(base).encode(), "text/csv"
            )
        print(f"{prober.sent} JSON requests")
        assert not prober.problems, "\n".join(prober.problems)


def _is_free_object(spec: dict[str, Any]) -> bool:
    options = spec.get("anyOf", [spec])
    return any(o.get("type") == "object" and "properties" not in o for o in options)


def query_parameters(client: TestClient) -> list[tuple[str, str]]:
    """(concrete path, parameter) of every query parameter of every GET route (declared in
    OpenAPI) and of every GET form on the pages."""
    document = client.get("/api/openapi.json").json()
    found = set()
    for path, operations in document["paths"].items():
        if not fillable(path):
            continue
        for parameter in operations.get("get", {}).get("parameters", []):
            if parameter["in"] == "query":
                found.add((concrete(path), parameter["name"]))
    for name, path, methods in routes(client):
        if "GET" in methods and not path.startswith("/api/") and name not in FILE_ROUTES:
            page = client.get(concrete(path)).text
            for form in re.findall(r'<form[^>]*method="get"[^>]*>.*?</form>', page, re.S):
                action = re.search(r'action="([^"]*)"', form)
                target = html.unescape(action.group(1)) if action else concrete(path)
                found |= {(target, field) for field in form_fields(form)}
    return sorted(found)


def test_malformed_query_parameters(probed: tuple[TestClient, str, Path]) -> None:
    client, csrf, root = probed
    with closing(Prober(client, csrf, root)) as prober:
        parameters = query_parameters(client)
        assert {("/search", "q"), ("/evidence", "kind"), ("/api/evidence", "gps")} <= set(
            parameters
        )
        for path, parameter in parameters:
            for label, value in (BAD_TEXT | {"huge": "x" * 20_000}).items():  # a URL's limit
                prober.send(
                    f"GET {path}?{parameter}={label}", "GET", path, params={parameter: value}
                )
            prober.send(
                f"GET {path}?{parameter} twice",
                "GET",
                path,
                params=[(parameter, "1"), (parameter, "x")],
            )
        print(f"{prober.sent} query requests")
        assert not prober.problems, "\n".join(prober.problems)


def test_path_parameters_that_do_not_exist(probed: tuple[TestClient, str, Path]) -> None:
    """Every route with a path parameter, each parameter in turn replaced by a value the
    case does not hold: a 4xx, never a 5xx, and nothing changed."""
    client, csrf, root = probed
    with closing(Prober(client, csrf, root)) as prober:
        accepted = []
        for name, path, methods in routes(client):
            for parameter in re.findall(r"{(\w+)}", path):
                for label, value in BAD_PATH_VALUES.items():
                    target = concrete(path.replace("{" + parameter + "}", value))
                    for method in sorted(methods - {"HEAD"}):
                        where = f"{method} {name} {parameter}={label}"
                        data = {"csrf_token": csrf} if method != "GET" else None
                        if prober.send(where, method, target, data=data) < 400:
                            accepted.append(where)
        print(f"{prober.sent} path requests")
        assert not prober.problems, "\n".join(prober.problems)
        assert not accepted, "answered as if the id existed:\n" + "\n".join(accepted)
