"""RFC 3161 time-stamp tokens: what one says, and whether it holds, offline.

A token (RFC 3161, section 2.4.2, TimeStampToken) is a CMS SignedData over a TSTInfo
that names the SHA-256 it vouches for (messageImprint), the time (genTime), the
authority's policy, a serial number and the request's nonce. It holds when its status was
granted, its imprint and nonce are those of the request, and its signature chains to a
root the case trusts through a certificate with the critical id-kp-timeStamping extended
key usage (RFC 3161, section 2.3), every certificate valid at genTime. The checks are
rfc3161-client's (OpenSSL's PKCS#7 verification at genTime); this module adds the
comparison with the stored request and manifest, and words each failure in one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC

import cryptography.x509
from cryptography.hazmat.primitives.serialization import Encoding
from rfc3161_client import (
    PKIStatus,
    TimeStampRequest,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)
from rfc3161_client._rust import parse_timestamp_request

SHA256_OID = "2.16.840.1.101.3.4.2.1"
# PKIStatusInfo { status granted (0) }, DER: what wraps a stored token into a response.
_GRANTED_STATUS = bytes.fromhex("3003020100")


@dataclass(frozen=True)
class TokenFacts:
    """What a token states: serial, genTime (UTC, ISO 8601 with Z), policy OID, nonce,
    imprint (SHA-256 hex) and its certificates (DER, the signer's first)."""

    serial: int
    gen_time: str
    policy: str
    nonce: int | None
    imprint: str
    certificates: list[bytes]


def token_facts(response: TimeStampResponse) -> TokenFacts:
    """The facts of a parsed response's token."""
    info = response.tst_info
    gen_time = info.gen_time.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return TokenFacts(
        serial=info.serial_number,
        gen_time=gen_time,
        policy=info.policy.dotted_string,
        nonce=info.nonce,
        imprint=info.message_imprint.message.hex(),
        certificates=_signer_first(response),
    )


def _signer_first(response: TimeStampResponse) -> list[bytes]:
    certificates = sorted(response.signed_data.certificates)
    signers = response.signed_data.signer_infos
    signer = next(iter(signers)) if len(signers) == 1 else None

    def is_signer(der: bytes) -> bool:
        cert = cryptography.x509.load_der_x509_certificate(der)
        return signer is not None and (cert.issuer, cert.serial_number) == (
            signer.issuer,
            signer.serial_number,
        )

    return sorted(certificates, key=lambda der: not is_signer(der))


def pem_certificates(certificates: list[bytes]) -> str:
    """DER certificates as concatenated PEM."""
    loaded = (cryptography.x509.load_der_x509_certificate(der) for der in certificates)
    return "".join(cert.public_bytes(Encoding.PEM).decode("ascii") for cert in loaded)


def load_roots(pem: str) -> list[cryptography.x509.Certificate]:
    """The certificates of a PEM text; ValueError when it holds none."""
    try:
        roots = cryptography.x509.load_pem_x509_certificates(pem.encode("ascii", "replace"))
    except ValueError:
        raise ValueError("no PEM certificate in it") from None
    return roots


def response_status(response_der: bytes) -> tuple[TimeStampResponse | None, str | None]:
    """A response parsed, or None and why it cannot be."""
    try:
        response = decode_timestamp_response(response_der)
    except ValueError as error:
        return None, f"the answer is not an RFC 3161 response ({_short(str(error))})"
    if response.status not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        why = "; ".join(response.status_string) or "no reason given"
        return None, f"refused the request (status {response.status}: {why})"
    return response, None


def answer_problems(
    response: TimeStampResponse, request: TimeStampRequest, digest: str
) -> list[str]:
    """What is wrong with a granted answer to ``request`` for the SHA-256 hex ``digest``:
    the checks made on receipt (status, imprint, nonce)."""
    problems = []
    if PKIStatus(response.status) != PKIStatus.GRANTED:
        problems.append(f"status {response.status}, not granted")
    imprint = response.tst_info.message_imprint
    if imprint.hash_algorithm.dotted_string != SHA256_OID or imprint.message.hex() != digest:
        problems.append("the token's message imprint is not the manifest's SHA-256")
    if response.tst_info.nonce != request.nonce:
        problems.append("the token's nonce is not the request's")
    return problems


def token_problems(
    token_der: bytes,
    request_der: bytes,
    digest: str,
    roots_pem: str,
    policy: str | None,
) -> list[str]:
    """Every reason a stored token does not hold for the manifest of SHA-256 hex
    ``digest``, checked offline against the PEM roots (and the policy OID, if the
    authority has one): one line each, empty when it holds."""
    response, why = response_status(_granted_response(token_der))
    if response is None:
        return [f"token unreadable: {why}"]
    try:
        request = parse_timestamp_request(request_der)
    except ValueError as error:
        return [f"request unreadable ({_short(str(error))})"]
    problems = answer_problems(response, request, digest)
    if request.message_imprint.message.hex() != digest:
        problems.append("the request's message imprint is not the manifest's SHA-256")
    try:
        roots = load_roots(roots_pem)
    except ValueError as error:
        return [*problems, f"the authority's roots are unreadable ({error})"]
    builder = VerifierBuilder(roots=roots)
    if policy:
        builder = builder.policy_id(cryptography.x509.ObjectIdentifier(policy))
    try:
        builder.build().verify(response, bytes.fromhex(digest))
    except VerificationError as error:
        problems.append(_verification_problem(str(error)))
    return list(dict.fromkeys(problems))


def _granted_response(token_der: bytes) -> bytes:
    """A TimeStampResp (status granted) around a token, so that it parses on its own."""
    body = _GRANTED_STATUS + token_der
    return b"\x30" + _der_length(len(body)) + body


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    octets = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def _verification_problem(message: str) -> str:
    """rfc3161-client's error (which quotes OpenSSL's error stack) in one line."""
    chain = re.search(r'Verify error: ([^"]+)"', message)
    if chain:
        return f"the certificate chain does not hold at genTime: {chain.group(1)}"
    if "signature failure" in message or "digest failure" in message:
        return "the signature does not verify: the token was altered"
    if "Mismatch between messages" in message:
        return "the token's message imprint is not the manifest's SHA-256"
    if "Policy ID mismatch" in message:
        return "the token's policy is not the authority's"
    return _short(message)


def _short(message: str) -> str:
    return message if len(message) <= 160 else message[:157] + "…"
