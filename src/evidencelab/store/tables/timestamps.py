"""Tables for trusted timestamps (RFC 3161): the authorities a case asks, the manifests it
had signed, and each authority's answer.

A manifest is kept as the exact bytes whose SHA-256 the authority signed; requests,
responses and tokens as the DER the wire carried. An authority is never deleted, only
marked removed, so that the roots its tokens are checked against stay in the case.
"""

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evidencelab.store.tables.core import Base


class TimestampAuthority(Base):
    """A time-stamping authority (TSA): where to ask, and the roots its tokens must chain to."""

    __tablename__ = "timestamp_authority"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String)
    url: Mapped[str] = mapped_column(String)
    roots_pem: Mapped[str] = mapped_column(Text)  # one or more PEM certificates
    policy_oid: Mapped[str | None] = mapped_column(String, nullable=True)
    added_at: Mapped[str] = mapped_column(String)
    added_by: Mapped[str] = mapped_column(String)
    removed_at: Mapped[str | None] = mapped_column(String, nullable=True)


class TimestampManifest(Base):
    """The canonical manifest a timestamp covers (evidencelab/timestamp-manifest@1)."""

    __tablename__ = "timestamp_manifest"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    previous_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    item_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[str] = mapped_column(String)


class TimestampToken(Base):
    """One authority's signed answer for one manifest."""

    __tablename__ = "timestamp_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    manifest_id: Mapped[int] = mapped_column(ForeignKey("timestamp_manifest.id"), index=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("timestamp_authority.id"), index=True)
    url: Mapped[str] = mapped_column(String)  # as asked
    request_der: Mapped[bytes] = mapped_column(LargeBinary)
    response_der: Mapped[bytes] = mapped_column(LargeBinary)
    token_der: Mapped[bytes] = mapped_column(LargeBinary)
    nonce: Mapped[str] = mapped_column(String)  # decimal: up to 64 bits and more
    serial: Mapped[str] = mapped_column(String)  # decimal: serials run to 160 bits
    gen_time: Mapped[str] = mapped_column(String)  # UTC, ISO 8601 with Z
    policy: Mapped[str] = mapped_column(String)  # dotted OID
    certificates_pem: Mapped[str] = mapped_column(Text)  # the token's, signer first
    custody_seq: Mapped[int] = mapped_column(Integer)

    manifest: Mapped["TimestampManifest"] = relationship()
    authority: Mapped["TimestampAuthority"] = relationship()
