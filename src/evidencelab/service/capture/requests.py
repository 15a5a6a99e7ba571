"""A capture request checked before any page is loaded: every URL (http(s), and not an
internal address unless this machine allows it), the source and the incident, all named at
once, so that a form can show each problem beside its field and start nothing.

The checks are those :func:`~evidencelab.service.capture.capturing.capture_url` makes
again when it runs; a page that cannot be loaded is refused only then.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from evidencelab.collect.addresses import check_url, require_public
from evidencelab.collect.errors import CaptureRefused
from evidencelab.locker.case import Case
from evidencelab.locker.errors import InputError, each_input_checked
from evidencelab.locker.references import require_declared
from evidencelab.service.capture.records import CaptureRequest
from evidencelab.store.tables import Incident, Source

# Internal addresses (loopback, private networks) are refused unless this is set to "1":
# on an investigator's own machine, and in tests. See collect/addresses.py.
ALLOW_PRIVATE_ENV = "EVIDENCELAB_CAPTURE_ALLOW_PRIVATE"
MAX_URLS = 20  # per request: each page takes up to a minute in the one capture worker
# Steps each page reports to the progress callback: load, DOM, screenshot, MHTML, media,
# packaging, storing.
STEPS_PER_PAGE = 7


def private_allowed() -> bool:
    """Whether this machine's environment allows captures of internal addresses."""
    return os.environ.get(ALLOW_PRIVATE_ENV) == "1"


def check_capture_request(
    case: Case,
    urls: Iterable[str],
    *,
    source: str | None = None,
    incident: str | None = None,
    note: str | None = None,
    collector: str | None = None,
    allow_private: bool = False,
) -> CaptureRequest:
    """The request with blank values dropped and URLs stripped; InputError (field ``url``
    naming the URL, ``source`` or ``incident``), or InputErrors naming every bad input."""
    wanted = list(dict.fromkeys(u.strip() for u in urls if u.strip()))

    def checked_urls() -> list[str]:
        if not wanted:
            raise InputError("url", None, "enter at least one http or https URL")
        if len(wanted) > MAX_URLS:
            raise InputError("url", None, f"{len(wanted)} URLs; at most {MAX_URLS} at a time")
        return wanted

    checks: list[Callable[[], object]] = [checked_urls]
    checks += [_url_check(url, allow_private) for url in wanted[:MAX_URLS]]
    checks += [
        lambda: _declared(case, Source, source, "source"),
        lambda: _declared(case, Incident, incident, "incident"),
    ]
    each_input_checked(*checks)
    return CaptureRequest(
        urls=wanted,
        source=source or None,
        incident=incident or None,
        note=(note or "").strip() or None,
        collector=(collector or "").strip() or None,
    )


def _url_check(url: str, allow_private: bool) -> Callable[[], object]:
    def check() -> None:
        try:
            require_public(check_url(url), allow_private=allow_private)
        except CaptureRefused as refused:
            raise InputError("url", url, str(refused)) from None

    return check


def _declared(case: Case, model: object, value: str | None, what: str) -> None:
    with case.sessions() as session:
        require_declared(session, model, [value or None], what)
