"""The time-stamping authorities of a case: added with the roots their tokens must chain
to, listed, removed (kept for the tokens they gave); each change a custody event."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidencelab.locker.case import Case
from evidencelab.locker.custody import utc_now
from evidencelab.locker.errors import InputError
from evidencelab.locker.tsp import load_roots
from evidencelab.service.timestamps.records import AuthorityRecord
from evidencelab.store.objects import sha256_text
from evidencelab.store.tables.timestamps import TimestampAuthority

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_OID = re.compile(r"^[0-2](\.(0|[1-9][0-9]*))+$")


def authority_record(row: TimestampAuthority) -> AuthorityRecord:
    """One authority as a record."""
    try:
        subjects = [root.subject.rfc4514_string() for root in load_roots(row.roots_pem)]
    except ValueError:
        subjects = []  # edited outside evidencelab: verify names it
    return {
        "name": row.name,
        "url": row.url,
        "policy": row.policy_oid,
        "roots": subjects,
        "roots_sha256": sha256_text(row.roots_pem),
        "added_at": row.added_at,
        "added_by": row.added_by,
        "removed_at": row.removed_at,
    }


def active_authorities(session: Session) -> list[TimestampAuthority]:
    """The authorities in use, in the order they were added."""
    query = select(TimestampAuthority).where(TimestampAuthority.removed_at.is_(None))
    return list(session.scalars(query.order_by(TimestampAuthority.id)))


def list_authorities(case: Case) -> list[AuthorityRecord]:
    """Every authority the case has had, removed ones included, in the order added."""
    with case.sessions() as session:
        rows = session.scalars(select(TimestampAuthority).order_by(TimestampAuthority.id))
        return [authority_record(row) for row in rows]


def _checked_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError("url", url, "not an http:// or https:// address with a host")
    return url


def _checked_roots(roots: Mapping[str, str]) -> str:
    if not roots:
        raise InputError("root", None, "give at least one root certificate (PEM)")
    for label, pem in roots.items():
        try:
            load_roots(pem)
        except ValueError as error:
            raise InputError("root", label, str(error)) from None
    return "".join(pem if pem.endswith("\n") else pem + "\n" for pem in roots.values())


def add_authority(
    case: Case, name: str, url: str, roots: Mapping[str, str], policy: str | None = None
) -> AuthorityRecord:
    """Configure an authority: ``roots`` maps where each PEM text came from (named in an
    error) to the text; ``policy`` the dotted OID its tokens must carry, if any."""
    if not _NAME.match(name):
        raise InputError("name", name, "use 1 to 64 letters, digits, dots, dashes, underscores")
    if policy is not None and not _OID.match(policy):
        raise InputError("policy", policy, "not a dotted object identifier (like 1.2.3.4)")
    row = TimestampAuthority(
        name=name,
        url=_checked_url(url),
        roots_pem=_checked_roots(roots),
        policy_oid=policy,
        added_at=utc_now(),
        added_by=case.actor,
    )
    with case.transaction() as session:
        if any(a.name == name for a in active_authorities(session)):
            raise InputError("name", name, "an authority of this name is already configured")
        session.add(row)
        payload = {"url": row.url, "policy": policy, "roots_sha256": sha256_text(row.roots_pem)}
        case.record(session, "timestamp_authority_add", name, payload)
        session.flush()
        return authority_record(row)


def remove_authority(case: Case, name: str) -> AuthorityRecord:
    """Stop asking an authority; it stays in the case for checking the tokens it gave."""
    with case.transaction() as session:
        row = _active(session, name)
        row.removed_at = utc_now()
        case.record(session, "timestamp_authority_remove", name, {"url": row.url})
        session.flush()
        return authority_record(row)


def _active(session: Session, name: str) -> TimestampAuthority:
    active = active_authorities(session)
    for row in active:
        if row.name == name:
            return row
    names = ", ".join(a.name for a in active) or "none"
    raise InputError("name", name, f"no such authority configured (configured: {names})")


def chosen_authorities(session: Session, wanted: Sequence[str]) -> list[TimestampAuthority]:
    """The active authorities named (by name or URL) in ``wanted``, or all when it is
    empty. An authority not configured is refused: its tokens could not be checked
    without its roots."""
    active = active_authorities(session)
    if not wanted:
        return active
    chosen = []
    for value in wanted:
        match = next((a for a in active if value in (a.name, a.url)), None)
        if match is None:
            raise InputError(
                "tsa", value, "not a configured authority; add it with its root certificates"
            )
        chosen.append(match)
    return list(dict.fromkeys(chosen))
