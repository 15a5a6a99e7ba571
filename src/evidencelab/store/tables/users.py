"""Tables for web users, sessions, API tokens, login throttling and fact reviews.

Secrets are never stored: passwords as argon2 hashes, session ids and API tokens as their
SHA-256 (a leaked database copy does not let anyone log in or call the API).
"""

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from evidencelab.store.tables.core import Base


class WebUser(Base):
    __tablename__ = "web_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String, unique=True)
    password_hash: Mapped[str] = mapped_column(String)
    role: Mapped[str] = mapped_column(String)  # admin | investigator | reviewer | viewer
    created_at: Mapped[str] = mapped_column(String)
    disabled: Mapped[bool] = mapped_column(default=False)


class WebSession(Base):
    """A logged-in browser. ``id_sha256`` is the hash of the random id in the cookie."""

    __tablename__ = "web_session"

    id_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_user.id"), index=True)
    created_at: Mapped[str] = mapped_column(String)
    expires_at: Mapped[str] = mapped_column(String)
    csrf_token: Mapped[str] = mapped_column(String)


class ApiToken(Base):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_user.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[str] = mapped_column(String)
    revoked: Mapped[bool] = mapped_column(default=False)


class LoginFailure(Base):
    """A failed login, kept for throttling by account name and by client address."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String, index=True)
    client: Mapped[str] = mapped_column(String, index=True)
    at: Mapped[str] = mapped_column(String, index=True)


class FactReview(Base):
    """A reviewer's mark on one fact of an incident (location, time, weapon, casualties)."""

    __tablename__ = "fact_review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incident.id"), index=True)
    fact: Mapped[str] = mapped_column(String)
    state: Mapped[str] = mapped_column(String)  # reviewed | disputed
    comment: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String)
    reviewed_at: Mapped[str] = mapped_column(String)
    # The custody event that last set the fact when it was reviewed: a later change to the
    # fact makes this review stale.
    fact_seq: Mapped[int | None] = mapped_column(Integer)
    custody_seq: Mapped[int] = mapped_column(Integer, unique=True)
