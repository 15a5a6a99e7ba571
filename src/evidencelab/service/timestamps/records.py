"""Records the timestamps capability returns. Times are ISO 8601 text in UTC (``Z``);
digests are SHA-256 in hex."""

from __future__ import annotations

from typing_extensions import TypedDict


class AuthorityRecord(TypedDict):
    """A time-stamping authority configured in the case."""

    name: str
    url: str
    policy: str | None  # the policy OID its tokens must carry, if set
    roots: list[str]  # subjects of the root certificates its tokens must chain to
    roots_sha256: str  # of the PEM text as stored
    added_at: str
    added_by: str
    removed_at: str | None  # removed authorities are kept: their tokens are checked


class TimestampRecord(TypedDict):
    """One authority's token over one manifest."""

    id: int
    authority: str
    url: str
    manifest_sha256: str
    previous_manifest: str | None
    items: int  # evidence items the manifest lists
    serial: str  # decimal
    gen_time: str  # the authority's time, UTC
    policy: str  # OID
    nonce: str  # decimal
    certificates: list[str]  # subjects of the token's certificates, the signer's first
    custody_event: int


class TimestampFailure(TypedDict):
    """An authority that gave no usable token, and why."""

    authority: str  # empty when the failure was not one authority's
    url: str
    problem: str


class TimestampRun(TypedDict):
    """What one timestamping did: the manifest (None when nothing was new), the tokens
    recorded and the authorities that failed."""

    manifest_sha256: str | None
    items: int
    timestamps: list[TimestampRecord]
    failures: list[TimestampFailure]
