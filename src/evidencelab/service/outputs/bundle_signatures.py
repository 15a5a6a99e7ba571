"""The capture keys a bundle carries, and the WACZ signatures `check-bundle` verifies with
them (anonymous signing of Webrecorder's "WACZ Signing and Verification",
https://specs.webrecorder.net/wacz-auth/0.1.0/).

``capture-keys.json`` lists the case's capture public keys as the custody log recorded
them (``capture_key_create``: public key, base64 DER, and the SHA-256 of that text, with
the event's seq). A bundle's WACZ is judged by the bundled log alone: the keys file must
list exactly the keys the log records; a signed WACZ must be signed with one of them, its
``datapackage.json`` must hash to the signed digest and the signature must verify. The
private key never enters a bundle: it is not in the database or the object store.
"""

from __future__ import annotations

import json
import zipfile
from typing import Any

from sqlalchemy import select

from evidencelab.collect.signing import signature_problem, signing_key
from evidencelab.locker.case import Case
from evidencelab.service.outputs.records import BundledCaptureKey, SignatureCheck
from evidencelab.store.tables import CustodyEvent

CAPTURE_KEYS = "capture-keys.json"
KEY_ACTION = "capture_key_create"
CAPTURE_ACTION = "web_capture"
MAX_KEYS_BYTES = 2**20  # a key is 124 characters


def bundled_keys(case: Case) -> list[BundledCaptureKey]:
    """The case's capture public keys, each as its ``capture_key_create`` event logged it."""
    with case.sessions() as session:
        events = session.scalars(
            select(CustodyEvent).where(CustodyEvent.action == KEY_ACTION).order_by(CustodyEvent.seq)
        )
        return [_key(event.seq, event.payload) for event in events]


def _key(seq: int, payload: str | None) -> BundledCaptureKey:
    logged = json.loads(payload or "{}")
    return {"public_key": logged["public_key"], "sha256": logged["sha256"], "custody_seq": seq}


def check_signatures(
    archive: zipfile.ZipFile, names: set[str], log_lines: list[dict[str, Any]]
) -> SignatureCheck:
    """Every WACZ of a bundle's captures (named by the ``web_capture`` events of its log,
    ``log_lines``) that carries a signature, checked against the keys the log records;
    WACZ the bundle does not hold (a public bundle) are counted as not checked."""
    logged = {key["public_key"] for key in _logged_keys(log_lines)}
    check: SignatureCheck = {"signed": 0, "unsigned": 0, "not_held": 0, "problems": []}
    check["problems"] += _keys_file_problems(archive, names, logged)
    for sha, capture_id in _capture_packages(log_lines).items():
        name = f"objects/{sha}"
        if name not in names:
            check["not_held"] += 1
            continue
        problem = _package_problem(archive, name, logged, check)
        if problem is not None:
            check["problems"].append(f"{name} (WACZ of {capture_id}): {problem}")
    return check


def _package_problem(
    archive: zipfile.ZipFile, name: str, logged: set[str], check: SignatureCheck
) -> str | None:
    try:
        with archive.open(name) as stream, zipfile.ZipFile(stream) as package:
            key = signing_key(package)
            if key is None:
                check["unsigned"] += 1
                return None
            check["signed"] += 1
            if key not in logged:
                return "signed with a key the custody log does not record"
            return signature_problem(package, key)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return f"not a readable WACZ ({exc})"


def _keys_file_problems(archive: zipfile.ZipFile, names: set[str], logged: set[str]) -> list[str]:
    if CAPTURE_KEYS not in names:
        return (
            [f"{CAPTURE_KEYS}: missing (the custody log records a capture key)"] if logged else []
        )
    if archive.getinfo(CAPTURE_KEYS).file_size > MAX_KEYS_BYTES:
        return [f"{CAPTURE_KEYS}: larger than {MAX_KEYS_BYTES} bytes"]
    try:
        bundled = {key["public_key"] for key in json.loads(archive.read(CAPTURE_KEYS))}
    except (ValueError, KeyError, TypeError) as exc:
        return [f"{CAPTURE_KEYS}: unreadable ({exc})"]
    problems = [
        f"{CAPTURE_KEYS}: a key the custody log does not record ({key[:24]}…)"
        for key in sorted(bundled - logged)
    ]
    problems += [
        f"{CAPTURE_KEYS}: the key of the custody log is missing ({key[:24]}…)"
        for key in sorted(logged - bundled)
    ]
    return problems


def _logged_keys(log_lines: list[dict[str, Any]]) -> list[BundledCaptureKey]:
    return [
        _key(int(line["seq"]), line.get("payload"))
        for line in log_lines
        if line.get("action") == KEY_ACTION and line.get("payload")
    ]


def _capture_packages(log_lines: list[dict[str, Any]]) -> dict[str, str]:
    """The SHA-256 of every capture's WACZ, with the capture's id, as the log records them
    (events a public bundle withholds are not counted)."""
    packages: dict[str, str] = {}
    for line in log_lines:
        if line.get("action") != CAPTURE_ACTION or not line.get("payload"):
            continue
        for item in json.loads(line["payload"]).get("items", []):
            if item.get("role") == "wacz":
                packages[str(item["sha256"])] = str(line.get("subject"))
    return packages
