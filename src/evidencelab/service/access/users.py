"""Web users: accounts with roles, argon2 passwords, server-side sessions, API tokens and
login throttling.

Passwords are hashed with argon2id (RFC 9106; argon2-cffi's defaults: t=3, m=64 MiB, p=4).
Session ids and API tokens are 256-bit random strings (``secrets.token_urlsafe(32)``)
stored only as their SHA-256, so a copy of the database does not hold a usable secret.
Creating a user, changing a role, disabling a user and issuing a token are custody events;
logins are not (they change nothing in the evidence), but failed ones are kept for
throttling. The last active admin cannot be disabled or demoted.
"""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from evidencelab.locker.case import Case, CaseError
from evidencelab.service.access.records import ListedUser, UserRecord
from evidencelab.store import db
from evidencelab.store.objects import sha256_text
from evidencelab.store.tables.users import ApiToken, LoginFailure, WebSession, WebUser

ROLES = ("admin", "investigator", "reviewer", "viewer")
MIN_PASSWORD_LENGTH = 10
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
SESSION_LIFETIME = timedelta(hours=12)
# Throttling: failed logins are counted per account name and client address together, and
# per address across all names, never per account alone, so a stranger's guesses from one
# address cannot keep the account's owner out from another. After the free failures within
# the window, each further attempt from that address waits 2^(n - free) seconds after the
# latest failure (n failures so far), up to MAX_DELAY; nothing is ever locked.
THROTTLE_WINDOW = timedelta(hours=24)
FREE_FAILURES_PER_NAME = 5  # for one name from one address
FREE_FAILURES_PER_CLIENT = 20  # from one address, whatever the names
MAX_DELAY = timedelta(minutes=15)

_hasher = PasswordHasher()
# Checked against when the account does not exist, so timing does not reveal names.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class LoginThrottled(CaseError):
    """Too many failed logins from this address; the next attempt must wait ``retry_after``."""

    def __init__(self, message: str, retry_after: timedelta) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def login_delay(
    failures: int, last_failure: datetime | None, now: datetime, *, free: int
) -> timedelta:
    """How long an attempt at ``now`` must still wait, after ``failures`` failed logins
    (the latest at ``last_failure``) of which ``free`` cost nothing: 2^(failures - free)
    seconds after the latest, at most MAX_DELAY; zero once that has passed."""
    if failures < free or last_failure is None:
        return timedelta(0)
    # The exponent is capped first: 2 ** (a huge count) would be a huge integer.
    wait = min(timedelta(seconds=2 ** min(failures - free, 20)), MAX_DELAY)
    return max(timedelta(0), last_failure + wait - now)


@dataclass(frozen=True)
class Principal:
    """Who is making a request: a user name and role, and the session's CSRF token."""

    name: str
    role: str
    csrf_token: str | None = None  # None for API tokens (no ambient credentials)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def check_role(role: str) -> str:
    if role not in ROLES:
        raise CaseError(f"role {role!r}: must be one of {', '.join(ROLES)}")
    return role


def add_user(case: Case, name: str, password: str, role: str) -> UserRecord:
    """Create a user; the custody log records who created whom with which role."""
    if not NAME_PATTERN.match(name):
        raise CaseError(
            f"user {name!r}: use 1-64 letters, digits, '.', '_' or '-' (starting with a "
            "letter or digit)"
        )
    check_role(role)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise CaseError(f"password: must be at least {MIN_PASSWORD_LENGTH} characters")
    with case.transaction() as session:
        if session.scalar(select(WebUser).where(WebUser.name == name)) is not None:
            raise CaseError(f"user {name!r}: already exists")
        event = case.record(session, "user_add", name, {"role": role})
        user = WebUser(
            name=name,
            password_hash=_hasher.hash(password),
            role=role,
            created_at=event.recorded_at,
            disabled=False,
        )
        session.add(user)
        session.flush()
        return _user_record(user)


def _user_record(user: WebUser) -> UserRecord:
    return {
        "name": user.name,
        "role": user.role,
        "created_at": user.created_at,
        "disabled": user.disabled,
    }


def list_users(case: Case) -> list[ListedUser]:
    """Every user by name, with ``signed_in_since``: when their newest live session began
    (None when they have none; logins are not otherwise recorded)."""
    now = _iso(datetime.now(UTC))
    with case.sessions() as session:
        since = dict(
            session.execute(
                select(WebSession.user_id, func.max(WebSession.created_at))
                .where(WebSession.expires_at >= now)
                .group_by(WebSession.user_id)
            ).all()
        )
        return [
            ListedUser(**_user_record(u), signed_in_since=since.get(u.id))
            for u in session.scalars(select(WebUser).order_by(WebUser.name))
        ]


def _existing(session: Session, name: str) -> WebUser:
    user = session.scalar(select(WebUser).where(WebUser.name == name))
    if user is None:
        raise CaseError(f"user {name!r}: no such user")
    return user


def _keep_an_admin(session: Session, user: WebUser, change: str) -> None:
    """Refuse to disable or demote the last active admin: nobody could manage users."""
    if user.role != "admin" or user.disabled:
        return
    others = session.scalar(
        select(func.count())
        .select_from(WebUser)
        .where(WebUser.role == "admin", WebUser.disabled.is_(False), WebUser.id != user.id)
    )
    if not others:
        raise CaseError(
            f"user {user.name!r}: is the last active admin and cannot be {change}; "
            "make another user admin first"
        )


def set_role(case: Case, name: str, role: str) -> UserRecord:
    """Change a user's role; the custody log records the old and the new role. Their
    sessions and tokens stay, and carry the new role from the next request."""
    check_role(role)
    with case.transaction() as session:
        user = _existing(session, name)
        if user.role == role:
            return _user_record(user)
        if role != "admin":
            _keep_an_admin(session, user, "demoted")
        case.record(session, "user_role", name, {"role": role, "previous": user.role})
        user.role = role
        return _user_record(user)


def disable_user(case: Case, name: str) -> UserRecord:
    """Disable a user: their sessions end and their API tokens are revoked at once."""
    with case.transaction() as session:
        user = _existing(session, name)
        _keep_an_admin(session, user, "disabled")
        case.record(session, "user_disable", name, {})
        user.disabled = True
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
        for token in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
            token.revoked = True
        return _user_record(user)


def authenticate(
    case: Case, name: str, password: str, *, client: str, now: datetime | None = None
) -> Principal | None:
    """The user if ``name`` and ``password`` match an enabled account, else None.

    Raises LoginThrottled, before checking the password, while this client address must
    still wait (see login_delay) after failures for this name, or for any names. A failure
    is recorded for unknown names too, so probing names is throttled the same way. A
    success clears the failures of this name from this address only.
    """
    moment = now or datetime.now(UTC)
    since = _iso(moment - THROTTLE_WINDOW)
    with db.transaction(case.sessions) as session:
        from_client = (LoginFailure.client == client, LoginFailure.at >= since)
        wait = max(
            _delay(
                session, moment, FREE_FAILURES_PER_NAME, LoginFailure.name == name, *from_client
            ),
            _delay(session, moment, FREE_FAILURES_PER_CLIENT, *from_client),
        )
        if wait:
            seconds = math.ceil(wait.total_seconds())
            raise LoginThrottled(
                f"too many failed logins from this address; try again in {seconds} s", wait
            )
        user = session.scalar(select(WebUser).where(WebUser.name == name))
        if _password_matches(user.password_hash if user else _DUMMY_HASH, password) and (
            user is not None and not user.disabled
        ):
            session.execute(
                delete(LoginFailure).where(LoginFailure.name == name, LoginFailure.client == client)
            )
            return Principal(name=user.name, role=user.role)
        session.execute(delete(LoginFailure).where(LoginFailure.at < since))
        session.add(LoginFailure(name=name, client=client, at=_iso(moment)))
        return None


def _delay(
    session: Session, now: datetime, free: int, *conditions: ColumnElement[bool]
) -> timedelta:
    count, last = session.execute(
        select(func.count(), func.max(LoginFailure.at)).where(*conditions)
    ).one()
    latest = datetime.fromisoformat(last) if last else None
    return login_delay(int(count or 0), latest, now, free=free)


def _password_matches(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def start_session(case: Case, name: str, *, replacing: str | None = None) -> tuple[str, str]:
    """A new session for ``name``: (session id for the cookie, CSRF token).

    The session a browser had before logging in (``replacing``) is deleted, so an id
    planted in a victim's browser before login is worthless after it (session fixation).
    """
    session_id = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with db.transaction(case.sessions) as session:
        user = session.scalar(select(WebUser).where(WebUser.name == name))
        if user is None:
            raise CaseError(f"user {name!r}: no such user")
        if replacing is not None:
            session.execute(
                delete(WebSession).where(WebSession.id_sha256 == sha256_text(replacing))
            )
        session.execute(delete(WebSession).where(WebSession.expires_at < _iso(now)))
        session.add(
            WebSession(
                id_sha256=sha256_text(session_id),
                user_id=user.id,
                created_at=_iso(now),
                expires_at=_iso(now + SESSION_LIFETIME),
                csrf_token=csrf_token,
            )
        )
    return session_id, csrf_token


def session_principal(case: Case, session_id: str) -> Principal | None:
    """The user of a live session (not expired, user not disabled), else None."""
    with case.sessions() as session:
        row = session.execute(
            select(WebUser.name, WebUser.role, WebUser.disabled, WebSession)
            .join(WebSession, WebSession.user_id == WebUser.id)
            .where(WebSession.id_sha256 == sha256_text(session_id))
        ).first()
    if row is None or row.disabled or row.WebSession.expires_at < _iso(datetime.now(UTC)):
        return None
    return Principal(name=row.name, role=row.role, csrf_token=row.WebSession.csrf_token)


def end_session(case: Case, session_id: str) -> None:
    with db.transaction(case.sessions) as session:
        session.execute(delete(WebSession).where(WebSession.id_sha256 == sha256_text(session_id)))


def create_token(case: Case, name: str) -> str:
    """A new API token for user ``name``, shown once; only its hash is kept."""
    token = "elt_" + secrets.token_urlsafe(32)
    with case.transaction() as session:
        user = session.scalar(select(WebUser).where(WebUser.name == name))
        if user is None:
            raise CaseError(f"user {name!r}: no such user")
        if user.disabled:
            raise CaseError(f"user {name!r}: is disabled")
        event = case.record(session, "token_create", name, {"token_sha256": sha256_text(token)})
        session.add(
            ApiToken(
                user_id=user.id,
                token_sha256=sha256_text(token),
                created_at=event.recorded_at,
                revoked=False,
            )
        )
    return token


def token_principal(case: Case, token: str) -> Principal | None:
    """The user an API token belongs to, if the token is live and the user enabled."""
    with case.sessions() as session:
        row = session.execute(
            select(WebUser.name, WebUser.role, WebUser.disabled, ApiToken.revoked)
            .join(ApiToken, ApiToken.user_id == WebUser.id)
            .where(ApiToken.token_sha256 == sha256_text(token))
        ).first()
    if row is None or row.disabled or row.revoked:
        return None
    return Principal(name=row.name, role=row.role)
