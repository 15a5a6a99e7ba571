"""The case's capture signing key: created on request, kept in the case folder readable by
its owner only, its public key recorded in the custody log; captures made while it exists
are signed with it (collect/signing.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from evidencelab.collect.signing import new_private_key_pem, public_key_b64
from evidencelab.locker.case import Case
from evidencelab.locker.errors import InputError
from evidencelab.service.capture.records import CaptureKey
from evidencelab.store.atomic import write_bytes_atomic

KEY_FILE = Path("keys") / "capture-signing-key.pem"
SUBJECT = "capture-signing-key"


def create_capture_key(case: Case) -> CaptureKey:
    """Create the case's ECDSA P-256 capture key (file mode 0600) and log its public key;
    InputError (field ``key``) if the case has one already: a second key would leave the
    earlier captures' signatures without the key that proves them."""
    path = case.root / KEY_FILE
    if path.exists():
        raise InputError("key", str(KEY_FILE), "the case has a capture key already")
    private_pem = new_private_key_pem()
    public = public_key_b64(private_pem)
    record = CaptureKey(
        public_key=public, sha256=hashlib.sha256(public.encode()).hexdigest(), path=str(KEY_FILE)
    )
    with case.transaction() as session:
        case.record(session, "capture_key_create", SUBJECT, {**record})
        path.parent.mkdir(mode=0o700, exist_ok=True)
        write_bytes_atomic(path, private_pem)  # its temporary file is made 0600 (mkstemp)
    return record


def capture_private_key(case: Case) -> bytes | None:
    """The case's capture key (PEM), or None when it has none."""
    path = case.root / KEY_FILE
    return path.read_bytes() if path.exists() else None


def capture_public_key(case: Case) -> str | None:
    """The case's capture public key (base64 DER), or None."""
    private_pem = capture_private_key(case)
    return public_key_b64(private_pem) if private_pem is not None else None
