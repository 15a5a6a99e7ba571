"""Capture a URL into the case: the collect layer loads and packages the page; the one
intake pipeline stores the WACZ, the screenshot and every embedded media file (extraction,
scenes and checks run as for any file); the capture record, the items it produced (each
derived from the capture) and a ``web_capture`` custody event are written in the same
transaction. A refusal (bad URL, internal address, unreachable, too slow, too large)
records nothing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser
from sqlalchemy.orm import Session

from evidencelab.collect import wacz
from evidencelab.collect.browser import CaptureLimits
from evidencelab.collect.errors import CaptureRefused
from evidencelab.collect.pipeline import CaptureResult, CaptureSettings, capture
from evidencelab.collect.signing import sign_wacz
from evidencelab.locker.case import Case
from evidencelab.locker.errors import InputError
from evidencelab.locker.ingest import IngestRequest
from evidencelab.locker.references import require_declared
from evidencelab.service.capture.keys import capture_private_key
from evidencelab.service.capture.reading import capture_record
from evidencelab.service.capture.records import CaptureItem, CaptureRecord
from evidencelab.service.intake import Intake, take_in_whole
from evidencelab.store.tables import EvidenceItem, Incident, Source
from evidencelab.store.tables.capture import WebCapture, WebCaptureItem


def capture_url(
    case: Case,
    url: str,
    *,
    source_id: str | None = None,
    incident_id: str | None = None,
    note: str | None = None,
    collector: str | None = None,
    allow_private: bool = False,
    timeout_s: float = CaptureLimits.timeout_s,
    max_page_bytes: int = CaptureLimits.max_page_bytes,
    progress: Callable[[str], None] = lambda _step: None,
    browser: Browser | None = None,
) -> CaptureRecord:
    """Capture ``url`` and record it (see the module). InputError on field ``url`` naming
    the problem, or on ``source``/``incident`` for an id the case does not hold, with
    nothing recorded. ``allow_private`` lets the capture reach internal addresses;
    ``timeout_s`` (seconds) and ``max_page_bytes`` bound the page and its media;
    ``browser``, a Chromium already running (collect.browser.chromium), saves a launch: the
    capture still gets a context of its own."""
    with case.sessions() as session:
        require_declared(session, Source, [source_id], "source")
        require_declared(session, Incident, [incident_id], "incident")
    limits = CaptureLimits(
        timeout_s=timeout_s, max_page_bytes=max_page_bytes, allow_private=allow_private
    )
    settings = CaptureSettings(limits)
    with tempfile.TemporaryDirectory(prefix="evidencelab-capture-") as folder:
        try:
            result = capture(url, Path(folder), settings, progress, browser)
            _sign(case, result)
        except CaptureRefused as refused:
            raise InputError("url", url.strip(), str(refused)) from None
        progress("storing")
        requests = _requests(result, source_id, collector or case.actor, note)
        roles = _roles(result)
        recorded: list[str] = []
        take_in_whole(
            case,
            [request for request, _ in requests],
            incident_id=incident_id,
            also=lambda session, intake: recorded.append(
                _record(
                    case,
                    session,
                    intake,
                    result,
                    roles,
                    source_id,
                    incident_id,
                    collector or case.actor,
                    note,
                )
            ),
        )
    with case.sessions() as session:
        return capture_record(session, recorded[0])


def _sign(case: Case, result: CaptureResult) -> None:
    """Sign the WACZ with the case's capture key, if it has one, and validate it again."""
    private_pem = capture_private_key(case)
    if private_pem is not None:
        sign_wacz(result.wacz, private_pem)
        wacz.validate(result.wacz)


def _requests(
    result: CaptureResult, source_id: str | None, collector: str, note: str | None
) -> list[tuple[IngestRequest, str | None]]:
    """Each file to store, with the URL it was served from: the WACZ and screenshot under
    the page's final URL, each media file under its own."""

    def request(path: Path, url: str, kind: str | None) -> tuple[IngestRequest, str | None]:
        return (
            IngestRequest(
                path=path,
                kind=kind,
                source_id=source_id,
                url=url,
                collector=collector,
                collected_at=result.finished_at,
                note=note,
            ),
            url,
        )

    files = [request(result.wacz, result.url_final, "web_capture")]
    if result.screenshot is not None:
        files.append(request(result.screenshot, result.url_final, "web_capture"))
    files.extend(request(path, media.url, None) for media, path in result.media)
    files.extend(
        request(path, result.url_final, "document" if path.suffix == ".json" else None)
        for path in result.platform_files
    )
    return files


def _roles(result: CaptureResult) -> list[tuple[str, str | None]]:
    roles: list[tuple[str, str | None]] = [("wacz", result.url_final)]
    if result.screenshot is not None:
        roles.append(("screenshot", result.url_final))
    roles.extend(("media", media.url) for media, _ in result.media)
    roles.extend(("platform", result.url_final) for _ in result.platform_files)
    return roles


def _record(
    case: Case,
    session: Session,
    intake: Intake,
    result: CaptureResult,
    roles: list[tuple[str, str | None]],
    source_id: str | None,
    incident_id: str | None,
    collector: str,
    note: str | None,
) -> str:
    """The capture record, its items and its custody event, in the intake's transaction;
    the capture's id."""
    items: list[CaptureItem] = []
    for (role, url), outcome in zip(roles, intake.outcomes, strict=True):
        assert outcome.evidence_id is not None and outcome.sha256 is not None
        item = session.get(EvidenceItem, outcome.evidence_id)
        assert item is not None
        items.append(
            CaptureItem(
                role=role,
                evidence_id=item.id,
                sha256=item.sha256,
                url=url,
                name=outcome.path.name,
                media_type=item.media_type,
                kind=item.kind,
            )
        )
    capture_id = f"capture-{items[0]['sha256'][:12]}"
    facts = dict(result.facts)
    event = case.record(
        session,
        "web_capture",
        capture_id,
        {
            "url_entered": result.url_entered,
            "url_final": result.url_final,
            "http_status": result.status,
            "items": [{k: i[k] for k in ("role", "evidence_id", "sha256")} for i in items],
            "clock": result.clock,
            "versions": result.versions,
            "transformations": result.transformations,
        },
    )
    session.add(
        WebCapture(
            id=capture_id,
            wacz_evidence_id=items[0]["evidence_id"],
            url_entered=result.url_entered,
            url_final=result.url_final,
            redirects=result.redirects,
            http_status=result.status,
            title=result.title or None,
            page_text=result.text,
            facts=facts,
            source_id=source_id,
            incident_id=incident_id,
            collector=collector,
            note=note,
            user_agent=result.user_agent,
            viewport=result.viewport,
            versions=result.versions,
            clock=dict(result.clock),
            transformations=result.transformations,
            requests=list(result.requests),
            started_at=result.started_at,
            finished_at=result.finished_at,
            captured_by=case.actor,
            custody_seq=event.seq,
        )
    )
    session.flush()
    session.add_all(
        WebCaptureItem(
            capture_id=capture_id, evidence_id=i["evidence_id"], role=i["role"], url=i["url"]
        )
        for i in items
    )
    return capture_id
