"""The JSON API answers with the service layer's records: OpenAPI describes every answer's
fields, and every read route answers the demo case in that shape for each role."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from evidencelab.locker.case import open_case
from evidencelab.service.access import users
from evidencelab.service.evidence.items import list_evidence
from evidencelab.web import api, credentials_api, discussion_api, workflow_api
from test_web_support import log_in

SAMPLE_IDS = {"incident_id": "uman-2022-02-24"}


def _api_routes() -> list[APIRoute]:
    routers = (api.router, workflow_api.router, discussion_api.router, credentials_api.router)
    return [
        route
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute) and route.path != "/api/openapi.json"
    ]


def test_openapi_describes_each_answer_by_a_named_record(client: TestClient) -> None:
    log_in(client, "vic")
    document = client.get("/api/openapi.json").json()
    routes = _api_routes()
    assert len(routes) >= 10
    for route in routes:
        for method in route.methods:
            operation = document["paths"][route.path][method.lower()]
            status = str(route.status_code or 200)
            schema = operation["responses"][status]["content"]["application/json"]["schema"]
            named = schema.get("$ref") or schema.get("items", {}).get("$ref")
            assert named, f"{method} {route.path}: answer has no record schema ({schema})"
    fields = document["components"]["schemas"]["ApiIncident"]["properties"]
    assert {"casualty_figures", "facts", "imagery", "history"} <= fields.keys()


@pytest.mark.parametrize("user", ["vic", "ivan"])  # without and with read_sensitive
def test_every_read_route_answers_the_demo_in_its_record_shape(
    client: TestClient, demo: Path, user: str
) -> None:
    with open_case(demo) as case:
        token = users.create_token(case, user)
        evidence_id = list_evidence(case)[0]["id"]
    headers = {"Authorization": f"Bearer {token}"}
    ids = SAMPLE_IDS | {"evidence_id": evidence_id}
    for route in _api_routes():
        if "GET" not in route.methods:
            continue
        answer = client.get(route.path.format(**ids), headers=headers)
        assert answer.status_code == 200, f"{user} GET {route.path}: {answer.text[:300]}"
