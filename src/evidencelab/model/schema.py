"""The published JSON Schema of the case file format, and plain-English validation.

The schema (Draft 2020-12) ships as package data, `case-v1.schema.json`. jsonschema's
messages are written for programmers; `schema_problems` turns them into short sentences
an investigator can act on, e.g. `must be between -90 and 90`.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from evidencelab.model.errors import Problem

SCHEMA_RESOURCE = "case-v1.schema.json"

_TYPE_NAMES = {
    "object": "a mapping of fields",
    "array": "a list",
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


@cache
def case_schema() -> dict[str, Any]:
    """The case file JSON Schema, as a dict."""
    text = files("evidencelab.model").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> Draft202012Validator:
    checker = FormatChecker(formats=())
    checker.checks("date-time")(_is_real_datetime)
    checker.checks("evidencelab:date-time")(_is_real_datetime)
    return Draft202012Validator(case_schema(), format_checker=checker)


def _is_real_datetime(value: object) -> bool:
    """False only for well-formed text that is no real date or time (month 13, 25:00).

    Badly laid out text is left to `pattern`, so that each mistake is reported once.
    """
    layout = case_schema()["$defs"]["localDateTime"]["pattern"]
    if not isinstance(value, str) or not re.search(layout, value):
        return True
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


@cache
def _pattern_messages() -> dict[str, str]:
    defs = case_schema()["$defs"]
    return {
        defs["id"]["pattern"]: (
            "must start with a letter or digit and contain only letters, digits, "
            "'.', '_', ':' and '-'"
        ),
        defs["localDateTime"]["pattern"]: (
            "must be an ISO 8601 date and time, e.g. 2022-02-24T10:30:00+02:00"
        ),
        defs["offsetDateTime"]["pattern"]: (
            "must be an ISO 8601 date and time with a UTC offset, e.g. 2022-02-24T14:00:00Z"
        ),
        defs["place"]["properties"]["country"]["pattern"]: (
            "must be a two-letter ISO 3166-1 country code in capitals, e.g. 'UA'"
        ),
        defs["source"]["properties"]["sensitive_terms"]["items"]["pattern"]: "must not be blank",
    }


def schema_problems(document: dict[str, Any]) -> set[Problem]:
    """Every way `document` (plain JSON data) breaks the schema, in plain English."""
    problems: set[Problem] = set()
    for error in _validator().iter_errors(document):
        location = tuple(error.absolute_path)
        problems.update(Problem(location, message) for message in _messages(error))
    return problems


def _messages(error: ValidationError) -> list[str]:
    # The stubs type these as possibly unset; a reported error always has them.
    keyword: Any = error.validator
    expected: Any = error.validator_value
    instance: Any = error.instance
    if keyword == "required":
        return [f"missing required field '{key}'" for key in expected if key not in instance]
    if keyword == "dependentRequired":
        return [
            f"missing required field '{needed}' (needed with '{key}')"
            for key, needs in expected.items()
            if key in instance
            for needed in needs
            if needed not in instance
        ]
    if keyword == "type":
        return [_type_message(expected, instance)]
    if keyword == "enum":
        # true and false as a case file spells them, not as Python prints them
        choices = ", ".join(
            json.dumps(v) if isinstance(v, bool) else str(v) for v in expected if v is not None
        )
        return [f"must be one of: {choices}" + (" (or null)" if None in expected else "")]
    if keyword == "const":
        return [f"must be '{expected}'"]
    if keyword in ("minimum", "maximum"):
        return [_range_message(error.schema)]
    if (keyword == "minLength" and expected == 1) or (keyword == "pattern" and instance == ""):
        return ["must not be empty"]
    if keyword == "pattern":
        return [_pattern_messages().get(expected, f"must match the pattern {expected}")]
    if keyword == "format":
        return ["is not a real date and time"]
    if keyword == "uniqueItems":
        return ["must not list the same item twice"]
    return [error.message]


def _type_message(expected: str | list[str], instance: object) -> str:
    names = [expected] if isinstance(expected, str) else list(expected)
    message = "must be " + " or ".join(_TYPE_NAMES.get(n, n) for n in names)
    if "string" in names and isinstance(instance, bool | int | float):
        # YAML reads `id: 12`, `country: NO` or `on` as numbers or booleans.
        message += "; put it in quotes"
    return message


def _range_message(schema: Any) -> str:
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        return f"must be between {low} and {high}"
    if low is not None:
        return f"must be at least {low}"
    return f"must be at most {high}"
