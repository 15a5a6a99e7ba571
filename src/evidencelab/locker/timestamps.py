"""The canonical manifest a trusted timestamp covers.

A manifest lists evidence items by the SHA-256 of their bytes, the custody head when it
was built, and the SHA-256 of the manifest timestamped before it, so that the timestamps
of a case form a chain: each one also vouches for every earlier manifest. Its bytes are
the canonical JSON of :func:`evidencelab.locker.custody.canonical_json` (UTF-8, keys
sorted, no insignificant whitespace; RFC 8785's ordering and whitespace rules), and the
time-stamping authority signs their SHA-256 (RFC 3161, section 2.4.1, messageImprint).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from evidencelab.locker.custody import canonical_json

MANIFEST_FORMAT = "evidencelab/timestamp-manifest@1"


def timestamp_manifest(
    items: Iterable[tuple[str, str]], head_seq: int, head_hash: str, previous: str | None
) -> dict[str, Any]:
    """The manifest of ``items`` as (evidence id, SHA-256 hex of its bytes), listed by
    SHA-256 ascending (then id), with the custody head (event number, hash hex) and the
    previous manifest's SHA-256 hex (None for a case's first timestamp)."""
    listed = sorted(items, key=lambda item: (item[1], item[0]))
    return {
        "format": MANIFEST_FORMAT,
        "digest": "sha-256",
        "items": [{"evidence": evidence_id, "sha256": sha256} for evidence_id, sha256 in listed],
        "custody_head": {"seq": head_seq, "hash": head_hash},
        "previous_manifest": previous,
    }


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """The bytes a manifest is stored and signed as: its canonical JSON in UTF-8."""
    return canonical_json(manifest).encode("utf-8")


def read_manifest(content: bytes) -> dict[str, Any]:
    """A stored manifest's fields; ValueError naming what is wrong when the bytes are not
    a manifest in canonical form."""
    try:
        manifest = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ValueError(f"not JSON ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise ValueError(f"not a manifest (no format {MANIFEST_FORMAT!r})")
    if manifest_bytes(manifest) != content:
        raise ValueError("not in canonical form")
    items = manifest.get("items")
    head = manifest.get("custody_head")
    if not isinstance(items, list) or not all(_is_item(i) for i in items):
        raise ValueError("items are not a list of evidence ids and SHA-256s")
    if not isinstance(head, dict) or not isinstance(head.get("seq"), int):
        raise ValueError("custody_head is not an event number and hash")
    return manifest


def _is_item(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get("evidence"), str)
        and isinstance(item.get("sha256"), str)
    )
