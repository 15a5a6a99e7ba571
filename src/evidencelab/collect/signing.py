"""A WACZ signed with a case key, and the signature checked: anonymous signing of the
Webrecorder recommendation "WACZ Signing and Verification"
(https://specs.webrecorder.net/wacz-auth/0.1.0/). ``datapackage-digest.json`` carries a
``signedData`` block: the SHA-256 of ``datapackage.json`` (``hash``), the package's
``created`` time, the ``software``, an ECDSA P-256 signature with SHA-256 of the hash
text (DER, base64) and the public key (SubjectPublicKeyInfo DER, base64).

Keys are PEM (PKCS #8 private, SubjectPublicKeyInfo public) as the ``cryptography``
package writes them.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from evidencelab import __version__

DIGEST = "datapackage-digest.json"
PACKAGE = "datapackage.json"
MAX_MEMBER_BYTES = 64 * 2**20  # datapackage.json and its digest are a few kB


def new_private_key_pem() -> bytes:
    """A fresh ECDSA P-256 private key, PKCS #8 PEM, unencrypted."""
    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_key_b64(private_pem: bytes) -> str:
    """The public key of ``private_pem`` as the spec writes it: base64 of its DER
    SubjectPublicKeyInfo."""
    key = _private(private_pem)
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode("ascii")


def sign_wacz(wacz: Path, private_pem: bytes) -> None:
    """Rewrite ``wacz`` with its ``datapackage-digest.json`` signed by ``private_pem``
    (written to a sibling file, then renamed over it)."""
    with zipfile.ZipFile(wacz) as package:
        package_bytes = package.read(PACKAGE)
        entries = [(i, package.read(i)) for i in package.infolist() if i.filename != DIGEST]
    digest_hash = "sha256:" + hashlib.sha256(package_bytes).hexdigest()
    signature = _private(private_pem).sign(digest_hash.encode("ascii"), ec.ECDSA(hashes.SHA256()))
    digest: dict[str, Any] = {"path": PACKAGE, "hash": digest_hash}
    digest["signedData"] = {
        "hash": digest_hash,
        "created": json.loads(package_bytes).get("created"),
        "software": f"evidencelab {__version__}",
        "signature": base64.b64encode(signature).decode("ascii"),
        "publicKey": public_key_b64(private_pem),
    }
    signed = wacz.with_suffix(".signed")
    with zipfile.ZipFile(signed, "w") as out:
        for info, data in entries:
            out.writestr(info, data)
        out.writestr(DIGEST, json.dumps(digest, indent=2), zipfile.ZIP_DEFLATED)
    signed.replace(wacz)


def signature_problem(wacz: Path | zipfile.ZipFile, public_key: str | None = None) -> str | None:
    """Why the signature of ``wacz`` (a file, or a package already open) does not hold (one
    line naming the file at fault), or None when it does; ``public_key`` (base64 DER) is the
    key it must be signed with, else the key it carries."""
    try:
        package_bytes, signed = _signed(wacz)
    except (KeyError, zipfile.BadZipFile, json.JSONDecodeError, ValueError) as error:
        return f"not a readable WACZ ({error})"
    if not signed:
        return f"{DIGEST} holds no signature"
    if signed.get("hash") != "sha256:" + hashlib.sha256(package_bytes).hexdigest():
        return f"{PACKAGE} was changed after signing (its SHA-256 differs from the signed one)"
    if public_key is not None and signed.get("publicKey") != public_key:
        return f"{DIGEST} is signed with another key than the case's"
    try:
        key = serialization.load_der_public_key(base64.b64decode(signed["publicKey"]))
        assert isinstance(key, ec.EllipticCurvePublicKey)
        key.verify(
            base64.b64decode(signed["signature"]),
            str(signed["hash"]).encode("ascii"),
            ec.ECDSA(hashes.SHA256()),
        )
    except (InvalidSignature, ValueError, KeyError, AssertionError):
        return f"the signature in {DIGEST} does not verify"
    return None


def signing_key(package: zipfile.ZipFile) -> str | None:
    """The public key (base64 DER) a WACZ's ``signedData`` names, or None when the package
    is not signed (or has no readable digest file)."""
    try:
        signed = _signed(package)[1]
    except (KeyError, zipfile.BadZipFile, json.JSONDecodeError, ValueError):
        return None
    key = signed.get("publicKey") if signed else None
    return key if isinstance(key, str) else None


def _signed(wacz: Path | zipfile.ZipFile) -> tuple[bytes, dict[str, Any] | None]:
    """``datapackage.json``'s bytes and the digest file's ``signedData``; a member larger
    than its declared size or than MAX_MEMBER_BYTES is refused (ValueError), as a package
    inside a bundle comes from outside."""
    with contextlib.ExitStack() as stack:
        package = (
            wacz
            if isinstance(wacz, zipfile.ZipFile)
            else stack.enter_context(zipfile.ZipFile(wacz))
        )
        package_bytes, digest_bytes = (_member(package, name) for name in (PACKAGE, DIGEST))
    signed = json.loads(digest_bytes).get("signedData")
    return package_bytes, signed if isinstance(signed, dict) else None


def _member(package: zipfile.ZipFile, name: str) -> bytes:
    if package.getinfo(name).file_size > MAX_MEMBER_BYTES:
        raise ValueError(f"{name} is larger than {MAX_MEMBER_BYTES} bytes")
    with package.open(name) as stream:
        data = stream.read(MAX_MEMBER_BYTES + 1)
    if len(data) > MAX_MEMBER_BYTES:
        raise ValueError(f"{name} is larger than {MAX_MEMBER_BYTES} bytes")
    return data


def _private(private_pem: bytes) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(private_pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError("the case's capture key is not an ECDSA key")
    return key
