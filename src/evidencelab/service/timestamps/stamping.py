"""Timestamping the items added since the last timestamp: one canonical manifest, sent to
each chosen authority; every token that passes the checks on receipt is recorded, with its
manifest, in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cryptography.x509
from rfc3161_client import HashAlgorithm, TimeStampRequest, TimestampRequestBuilder
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidencelab.locker.case import Case
from evidencelab.locker.custody import utc_now
from evidencelab.locker.errors import CaseError, InputError
from evidencelab.locker.timestamps import manifest_bytes, read_manifest, timestamp_manifest
from evidencelab.locker.tsp import (
    TokenFacts,
    answer_problems,
    pem_certificates,
    response_status,
    token_facts,
)
from evidencelab.service.timestamps.authorities import active_authorities, chosen_authorities
from evidencelab.service.timestamps.records import (
    TimestampFailure,
    TimestampRecord,
    TimestampRun,
)
from evidencelab.service.timestamps.wire import AuthorityFailed, post_request
from evidencelab.store.objects import sha256_bytes
from evidencelab.store.tables import CustodyEvent, EvidenceItem
from evidencelab.store.tables.timestamps import (
    TimestampAuthority,
    TimestampManifest,
    TimestampToken,
)


class TimestampFailed(CaseError):
    """No authority gave a usable token: nothing was recorded."""

    def __init__(self, failures: list[TimestampFailure]) -> None:
        self.failures = failures
        named = (f"authority {f['authority']} ({f['url']}): {f['problem']}" for f in failures)
        super().__init__("; ".join(named) + "; nothing recorded")


@dataclass(frozen=True)
class _Answer:
    authority: TimestampAuthority
    request: bytes
    response: bytes
    token: bytes
    facts: TokenFacts


def timestamp_record(token: TimestampToken) -> TimestampRecord:
    """One stored token as a record."""
    manifest = token.manifest
    subjects = (
        [
            cert.subject.rfc4514_string()
            for cert in cryptography.x509.load_pem_x509_certificates(
                token.certificates_pem.encode("ascii")
            )
        ]
        if token.certificates_pem
        else []
    )
    return {
        "id": token.id,
        "authority": token.authority.name,
        "url": token.url,
        "manifest_sha256": manifest.sha256,
        "previous_manifest": manifest.previous_sha256,
        "items": manifest.item_count,
        "serial": token.serial,
        "gen_time": token.gen_time,
        "policy": token.policy,
        "nonce": token.nonce,
        "certificates": subjects,
        "custody_event": token.custody_seq,
    }


def list_timestamps(case: Case) -> list[TimestampRecord]:
    """Every stored token, newest first."""
    with case.sessions() as session:
        tokens = session.scalars(select(TimestampToken).order_by(TimestampToken.id.desc()))
        return [timestamp_record(token) for token in tokens]


def _pending(session: Session) -> tuple[list[tuple[str, str]], str | None]:
    """The items no manifest lists yet, as (id, SHA-256), and the newest manifest's
    SHA-256."""
    covered: set[tuple[str, str]] = set()
    manifests = session.scalars(select(TimestampManifest).order_by(TimestampManifest.id)).all()
    for manifest in manifests:
        try:
            items = read_manifest(manifest.content)["items"]
        except ValueError:
            continue  # altered: verify names it; its items are timestamped again
        covered.update((item["evidence"], item["sha256"]) for item in items)
    rows = session.execute(select(EvidenceItem.id, EvidenceItem.sha256)).all()
    pending = [(i, s) for i, s in rows if (i, s) not in covered]
    return pending, manifests[-1].sha256 if manifests else None


def _ask(authority: TimestampAuthority, content: bytes, digest: str) -> _Answer:
    """A checked token from one authority; AuthorityFailed saying why there is none."""
    request: TimeStampRequest = (
        TimestampRequestBuilder()
        .data(content)
        .hash_algorithm(HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .cert_request(cert_request=True)
        .build()
    )
    response_der = post_request(authority.url, request.as_bytes())
    response, why = response_status(response_der)
    if response is None:
        raise AuthorityFailed(why)
    problems = answer_problems(response, request, digest)
    facts = token_facts(response)
    if authority.policy_oid and facts.policy != authority.policy_oid:
        problems.append(f"policy {facts.policy}, not the configured {authority.policy_oid}")
    if problems:
        raise AuthorityFailed("; ".join(problems))
    return _Answer(authority, request.as_bytes(), response_der, response.time_stamp_token(), facts)


def timestamp_case(
    case: Case,
    tsa: Sequence[str] = (),
    progress: Callable[[int, int], None] | None = None,
) -> TimestampRun:
    """Timestamp the items added since the last timestamp with each authority in ``tsa``
    (names or URLs of configured ones; all configured when empty). Authorities that fail
    are listed in the run; TimestampFailed when every one failed (nothing recorded).
    ``progress(done, total)`` is called as each authority answers."""
    with case.sessions() as session:
        authorities = chosen_authorities(session, tsa)
        if not authorities:
            raise InputError("tsa", None, "no time-stamping authority is configured")
        pending, previous = _pending(session)
        head = session.scalars(select(CustodyEvent).order_by(CustodyEvent.seq.desc())).first()
        for authority in authorities:
            session.expunge(authority)
    if not pending or head is None:
        return {"manifest_sha256": None, "items": 0, "timestamps": [], "failures": []}
    content = manifest_bytes(timestamp_manifest(pending, head.seq, head.hash, previous))
    digest = sha256_bytes(content)
    answers: list[_Answer] = []
    failures: list[TimestampFailure] = []
    for done, authority in enumerate(authorities, 1):
        try:
            answers.append(_ask(authority, content, digest))
        except AuthorityFailed as error:
            failures.append(
                {"authority": authority.name, "url": authority.url, "problem": str(error)}
            )
        if progress is not None:
            progress(done, len(authorities))
    if not answers:
        raise TimestampFailed(failures)
    records = _record(case, content, digest, previous, len(pending), answers)
    return {
        "manifest_sha256": digest,
        "items": len(pending),
        "timestamps": records,
        "failures": failures,
    }


def _record(
    case: Case,
    content: bytes,
    digest: str,
    previous: str | None,
    count: int,
    answers: list[_Answer],
) -> list[TimestampRecord]:
    """The manifest and every token in one transaction, each token with its custody event."""
    with case.transaction() as session:
        newest = session.scalars(
            select(TimestampManifest.sha256).order_by(TimestampManifest.id.desc())
        ).first()
        if newest != previous:
            raise CaseError("another timestamp was recorded meanwhile; nothing recorded, run again")
        manifest = TimestampManifest(
            sha256=digest,
            content=content,
            previous_sha256=previous,
            item_count=count,
            created_at=utc_now(),
        )
        session.add(manifest)
        session.flush()
        tokens = [_token_row(case, session, manifest, answer) for answer in answers]
        session.flush()
        return [timestamp_record(token) for token in tokens]


def _token_row(
    case: Case, session: Session, manifest: TimestampManifest, answer: _Answer
) -> TimestampToken:
    facts = answer.facts
    event = case.record(
        session,
        "timestamp",
        manifest.sha256,
        {
            "authority": answer.authority.name,
            "url": answer.authority.url,
            "serial": str(facts.serial),
            "gen_time": facts.gen_time,
            "policy": facts.policy,
            "items": manifest.item_count,
            "token_sha256": sha256_bytes(answer.token),
            "request_sha256": sha256_bytes(answer.request),
            "previous_manifest": manifest.previous_sha256,
        },
    )
    token = TimestampToken(
        manifest_id=manifest.id,
        authority_id=answer.authority.id,
        url=answer.authority.url,
        request_der=answer.request,
        response_der=answer.response,
        token_der=answer.token,
        nonce=str(facts.nonce),
        serial=str(facts.serial),
        gen_time=facts.gen_time,
        policy=facts.policy,
        certificates_pem=pem_certificates(facts.certificates),
        custody_seq=event.seq,
    )
    session.add(token)
    return token


def timestamp_new_items(case: Case) -> TimestampRun | None:
    """After an intake: the new items timestamped by every configured authority (None when
    none is configured). A failure is never raised: it is listed in the run, so that the
    intake it follows stands."""
    with case.sessions() as session:
        if not active_authorities(session):
            return None
    try:
        return timestamp_case(case)
    except TimestampFailed as error:
        failures = error.failures
    except CaseError as error:  # another timestamp was recorded meanwhile
        failures = [{"authority": "", "url": "", "problem": str(error)}]
    return {"manifest_sha256": None, "items": 0, "timestamps": [], "failures": failures}
