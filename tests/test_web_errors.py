"""An unexpected error (a bug, not a bad input) answers a page or JSON with a reference to
quote, never a traceback; the log holds the traceback under that reference, and the case
is left as it was."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from evidencelab.locker.case import open_case
from evidencelab.service.case_cache import CaseReadings
from evidencelab.service.integrity.custody import custody_log
from evidencelab.web.app import create_app
from test_web_support import log_in


def _boom(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("a bug in a service")


def test_an_unexpected_error_shows_a_reference_and_logs_the_traceback(
    demo: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with open_case(demo) as case:
        events = len(custody_log(case))
    monkeypatch.setattr(CaseReadings, "summary", _boom)  # the overview's and the API's
    app = create_app(demo)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        log_in(client, "ivan")
        with caplog.at_level(logging.ERROR, logger="evidencelab.web.app"):
            page = client.get("/")
            answer = client.get("/api/summary")
    assert page.status_code == 500 and answer.status_code == 500
    shown = re.search(r"reference ([0-9a-f]{8})", page.text)
    assert shown, page.text
    assert "a bug in a service" not in page.text and "Traceback" not in page.text
    assert re.fullmatch(
        r"an unexpected error; nothing was changed \(reference [0-9a-f]{8}\)",
        answer.json()["detail"],
    )
    logged = [r for r in caplog.records if shown.group(1) in r.getMessage()]
    assert logged and logged[0].exc_info is not None  # the traceback, under the reference
    with open_case(demo) as case:
        assert len(custody_log(case)) == events  # nothing written (a log-in is not logged)
