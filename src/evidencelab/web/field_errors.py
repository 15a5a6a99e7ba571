"""The API's answer to values a service refused: status 422 and each field's message, so
that a script can show every problem beside the value it sent, as a form does."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from evidencelab.locker.errors import InputError, InputErrors


class ApiFieldErrors(BaseModel):
    """Values refused: every message on one line, and each field's."""

    detail: str
    errors: dict[str, str] = Field(description="field -> its message(s)")


# For a route's ``responses``: OpenAPI names the 422 answer's record.
REFUSED: dict[int | str, dict[str, Any]] = {
    422: {"model": ApiFieldErrors, "description": "a value refused, named by its field"}
}


def field_errors(error: InputError | InputErrors) -> JSONResponse:
    """The 422 answer naming every value ``error`` refused, by field."""
    named = error.errors if isinstance(error, InputErrors) else [error]
    errors: dict[str, str] = {}
    for each in named:
        errors[each.field] = "; ".join(filter(None, (errors.get(each.field), str(each))))
    return JSONResponse({"detail": str(error), "errors": errors}, status_code=422)
