"""What a C2PA manifest says, in words: signer, claim generator, actions, ingredients and
validation results, read from the manifest and results as c2pa-rs reports them (JSON).

Field names follow the C2PA Technical Specification 2.2 (https://c2pa.org/specifications/):
``claim_generator_info``, the ``c2pa.actions`` assertion, ingredients, and the validation
status codes of its "Validation" chapter. A valid manifest says the file is unchanged
since the signer signed it, and what the signer declared; it does not say that what the
picture shows is true, and no manifest is the normal case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STATE_WORDS = {
    "not_read": "not read yet (stored before content credentials were read)",
    "none": "no content credentials (the normal case: most files carry none)",
    "unsupported": "a format the C2PA library does not read",
    "invalid": "content credentials that do not validate",
    "valid": "valid content credentials (signer not among the trust anchors)",
    "trusted": "valid content credentials from a signer among the trust anchors",
}
# Status codes (C2PA 2.2, "Validation") in plain words; others are shown as the library words them.
CODE_WORDS = {
    "assertion.dataHash.mismatch": "the file's bytes differ from those that were signed",
    "assertion.bmffHash.mismatch": "the file's bytes differ from those that were signed",
    "assertion.boxesHash.mismatch": "the file's bytes differ from those that were signed",
    "assertion.hashedURI.mismatch": "a statement in the manifest differs from what was signed",
    "claimSignature.mismatch": "the signature does not match the manifest",
    "claimSignature.outsideValidity": "signed outside the certificate's validity period",
    "signingCredential.untrusted": "the signer's certificate is not among the trust anchors",
    "signingCredential.invalid": "the signer's certificate is not valid for signing",
    "signingCredential.revoked": "the signer's certificate was revoked",
    "signingCredential.expired": "the signer's certificate had expired",
    "signingCredential.trusted": "the signer's certificate chains to a trust anchor",
    "assertion.dataHash.match": "the file's bytes are those that were signed",
    "claimSignature.validated": "the signature matches the manifest",
}
# A failure that says only that the signer is not trusted leaves the manifest valid.
UNTRUSTED = "signingCredential.untrusted"


@dataclass(frozen=True)
class Credentials:
    """An item's content credentials as the checks read them (plain values).

    ``failures`` are (code, words) of the active manifest's failed validations;
    ``problem`` the library's message when it could not read the manifest at all.
    """

    state: str
    signer: str | None = None
    claim_generator: str | None = None
    actions: tuple[str, ...] = ()
    failures: tuple[tuple[str, str], ...] = ()
    problem: str | None = None


def credentials_facts(
    state: str,
    manifest: dict[str, Any] | None,
    validation_results: dict[str, Any] | None,
    problem: str | None,
) -> Credentials:
    """The check inputs of one stored reading."""
    return Credentials(
        state=state,
        signer=signer(manifest),
        claim_generator=claim_generator(manifest),
        actions=tuple(str(a["action"]) for a in actions(manifest)),
        failures=tuple(
            (r["code"], r["words"])
            for r in results(validation_results)
            if r["outcome"] == "failure"
        ),
        problem=problem,
    )


def claim_generator(manifest: dict[str, Any] | None) -> str | None:
    """The software that made the claim: name and version (``claim_generator_info``)."""
    if not manifest:
        return None
    infos = manifest.get("claim_generator_info")
    if isinstance(infos, list) and infos and isinstance(infos[0], dict):
        first = infos[0]
        return " ".join(str(first[k]) for k in ("name", "version") if first.get(k)) or None
    generator = manifest.get("claim_generator")
    return str(generator) if generator else None


def signer(manifest: dict[str, Any] | None) -> str | None:
    """Who signed: the certificate's common name and issuing organisation."""
    info = (manifest or {}).get("signature_info")
    if not isinstance(info, dict):
        return None
    name, issuer = info.get("common_name"), info.get("issuer")
    if name and issuer:
        return f"{name} (issued by {issuer})"
    return str(name or issuer) if name or issuer else None


def signed_at(manifest: dict[str, Any] | None) -> str | None:
    """When signed, per the signature's time-stamp (absent without a time-stamp)."""
    info = (manifest or {}).get("signature_info")
    when = info.get("time") if isinstance(info, dict) else None
    return str(when) if when else None


def actions(manifest: dict[str, Any] | None) -> list[dict[str, str | None]]:
    """The declared actions (``c2pa.actions``/``c2pa.actions.v2``), in manifest order."""
    found: list[dict[str, str | None]] = []
    for assertion in (manifest or {}).get("assertions") or []:
        if not isinstance(assertion, dict):
            continue
        if not str(assertion.get("label", "")).startswith("c2pa.actions"):
            continue
        for action in (assertion.get("data") or {}).get("actions") or []:
            if isinstance(action, dict):
                found.append(
                    {
                        "action": str(action.get("action", "")),
                        "when": _text(action.get("when")),
                        "software_agent": _agent(action.get("softwareAgent")),
                        "digital_source_type": _source_type(action.get("digitalSourceType")),
                    }
                )
    return found


def ingredients(manifest: dict[str, Any] | None) -> list[dict[str, str | None]]:
    """The files the signer says this one was made from: title, format, relationship."""
    return [
        {
            "title": _text(i.get("title")),
            "format": _text(i.get("format")),
            "relationship": _text(i.get("relationship")),
        }
        for i in (manifest or {}).get("ingredients") or []
        if isinstance(i, dict)
    ]


def results(validation_results: dict[str, Any] | None) -> list[dict[str, str]]:
    """The active manifest's validation results, failures first, each in words."""
    active = (validation_results or {}).get("activeManifest") or {}
    found = []
    for outcome in ("failure", "informational", "success"):
        for entry in active.get(outcome) or []:
            code = str(entry.get("code", ""))
            explanation = str(entry.get("explanation") or "")
            found.append(
                {
                    "outcome": outcome,
                    "code": code,
                    "words": CODE_WORDS.get(code, explanation or code),
                    "explanation": explanation,
                }
            )
    return found


def _agent(value: Any) -> str | None:
    if isinstance(value, dict):
        return " ".join(str(value[k]) for k in ("name", "version") if value.get(k)) or None
    return _text(value)


def _source_type(value: Any) -> str | None:
    """The IPTC digital source type's last path segment (``digitalCapture``)."""
    text = _text(value)
    return text.rstrip("/").rsplit("/", 1)[-1] if text else None


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)
