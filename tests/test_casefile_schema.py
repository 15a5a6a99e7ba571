"""The published JSON Schema: valid Draft 2020-12, described, usable by any validator."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from evidencelab.model import case_file_to_dict, case_schema, load_case_text

DOC = Path(__file__).resolve().parents[1] / "docs" / "case-file-format.md"


def demo_yaml() -> str:
    """The full example of docs/case-file-format.md."""
    section = DOC.read_text(encoding="utf-8").split("## Full example", 1)[1]
    return section.split("```yaml\n", 1)[1].split("```", 1)[0]


def test_schema_ships_as_package_data_and_is_valid_draft_2020_12() -> None:
    text = files("evidencelab.model").joinpath("case-v1.schema.json").read_text("utf-8")
    schema = json.loads(text)
    assert schema == case_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_every_property_is_described() -> None:
    undescribed: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for name, prop in node.get("properties", {}).items():
                if "description" not in prop:
                    undescribed.append(f"{where}.{name}")
            for key, value in node.items():
                walk(value, f"{where}.{key}")

    schema = case_schema()
    walk(schema, "")
    assert undescribed == []
    assert all("description" in d for d in schema["$defs"].values())


def test_a_plain_validator_accepts_what_evidencelab_writes() -> None:
    case = load_case_text(demo_yaml(), "yaml", origin="demo.yaml")
    validator = Draft202012Validator(case_schema())
    assert list(validator.iter_errors(case_file_to_dict(case))) == []
    assert (
        list(
            validator.iter_errors(json.loads(json.dumps(yaml.safe_load(demo_yaml()), default=str)))
        )
        == []
    )


def test_schema_bounds() -> None:
    defs = case_schema()["$defs"]
    place = defs["place"]["properties"]
    assert (place["lat"]["minimum"], place["lat"]["maximum"]) == (-90, 90)
    assert (place["lon"]["minimum"], place["lon"]["maximum"]) == (-180, 180)
    assert place["precision_m"]["minimum"] == 0
    count = defs["count"]["properties"]
    assert count["count"] == {**count["count"], "type": "integer", "minimum": 0}
    assert count["qualifier"]["enum"] == ["exact", "at_least", "approx", "at_most"]
    scope = defs["casualtyReport"]["properties"]["scope"]["enum"]
    assert scope == ["incident", "site", "city_day", "region_period"]
    assert defs["id"]["pattern"] == "^[A-Za-z0-9][A-Za-z0-9._:-]*$"
