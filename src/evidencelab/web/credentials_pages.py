"""Content credentials (C2PA) on an evidence item's page: the template global that the
"Content credentials" section (templates/_credentials_evidence.html) reads."""

from __future__ import annotations

from fastapi import Request
from jinja2 import Environment

from evidencelab.service.evidence.credentials import content_credentials
from evidencelab.service.evidence.records import CredentialsRecord
from evidencelab.web.auth import base_case


def install(env: Environment) -> None:
    """The template global ``content_credentials_of(request, evidence_id)``."""
    env.globals["content_credentials_of"] = _content_credentials_of


def _content_credentials_of(request: Request, evidence_id: str) -> CredentialsRecord:
    # Called only from the page of an item the reader was allowed to open.
    return content_credentials(base_case(request), evidence_id)
