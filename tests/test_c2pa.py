"""Content credentials (C2PA): a signed file reads as valid (trusted only against its own
anchor), the same file with one byte changed as invalid with the reason, an ordinary photo
as no manifest; the reading stored at ingest, logged, shown on the evidence page, under
`evidence show --json`, in the checks, and read again by `extract c2pa`.

No redistributable signed sample could be obtained offline, so the signed sample is made
here: a throwaway certificate authority and signer (openssl, ECDSA P-256) sign a real
corpus photo with c2pa-python's own Builder.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import c2pa
import pytest

from cli_helpers import run_cli
from evidencelab.extract.credentials import CredentialsReader, offline_settings, pinned_anchors
from evidencelab.extract.types import CredentialsReading
from test_web_support import PHOTO, client_for, empty_case_with_users, log_in

CORPUS_TEXT = Path(__file__).parent / "corpus" / "README.md"
UPDATE_STATE = "UPDATE content_credentials SET state = ? WHERE evidence_id = ?"
SIGNER_EXTENSIONS = """basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=emailProtection
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid,issuer
"""


@dataclass(frozen=True)
class Samples:
    signed: Path
    tampered: Path
    plain: Path
    anchor_pem: str


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _certificates(folder: Path) -> None:
    """A root CA and a signer certificate it issued, as the C2PA profile wants them."""
    _openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key", cwd=folder)
    _openssl(
        "req", "-x509", "-new", "-key", "ca.key", "-sha256", "-days", "30",
        "-subj", "/CN=Throwaway Root/O=evidencelab tests",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        "-out", "ca.pem", cwd=folder,
    )  # fmt: skip
    _openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec.key", cwd=folder)
    _openssl("pkcs8", "-topk8", "-nocrypt", "-in", "ec.key", "-out", "signer.key", cwd=folder)
    _openssl(
        "req", "-new", "-key", "ec.key", "-subj", "/CN=Throwaway Signer/O=evidencelab tests",
        "-out", "signer.csr", cwd=folder,
    )  # fmt: skip
    (folder / "signer.ext").write_text(SIGNER_EXTENSIONS)
    _openssl(
        "x509", "-req", "-in", "signer.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "30", "-sha256", "-extfile", "signer.ext",
        "-out", "signer.pem", cwd=folder,
    )  # fmt: skip


def _sign(folder: Path, source: Path, target: Path) -> None:
    chain = (folder / "signer.pem").read_bytes() + (folder / "ca.pem").read_bytes()
    info = c2pa.C2paSignerInfo(
        c2pa.C2paSigningAlg.ES256, chain, (folder / "signer.key").read_bytes(), None
    )
    manifest = {
        "claim_generator_info": [{"name": "evidencelab tests", "version": "1"}],
        "title": "signed.jpg",
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture",
                        }
                    ]
                },
            }
        ],
    }
    settings = {
        "builder": {"thumbnail": {"enabled": False}},
        "verify": {"verify_after_sign": False},
    }
    with (
        c2pa.Signer.from_info(info) as signer,
        c2pa.Context.from_dict(settings) as context,
        c2pa.Builder(manifest, context=context) as builder,
        source.open("rb") as src,
        target.open("w+b") as dst,
    ):
        builder.sign(signer, "image/jpeg", src, dst)


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Samples:
    folder = tmp_path_factory.mktemp("c2pa")
    _certificates(folder)
    signed = folder / "signed.jpg"
    _sign(folder, PHOTO, signed)
    data = bytearray(signed.read_bytes())
    data[-5000] ^= 0xFF  # one byte of the picture, well inside the signed range
    tampered = folder / "tampered.jpg"
    tampered.write_bytes(bytes(data))
    plain = folder / "plain.jpg"
    shutil.copyfile(PHOTO, plain)
    return Samples(signed, tampered, plain, (folder / "ca.pem").read_text())


def _read(path: Path, anchors: str | None = None) -> CredentialsReading:
    reader = CredentialsReader(anchors)
    try:
        with path.open("rb") as stream:
            return reader.read(stream)
    finally:
        reader.close()


def _failures(reading: CredentialsReading) -> list[str]:
    results = reading.validation_results or {}
    return [r["code"] for r in results["activeManifest"].get("failure", [])]


def test_a_signed_file_reads_valid_and_trusted_only_against_its_anchor(samples: Samples) -> None:
    valid = _read(samples.signed)
    assert valid.state == "valid"
    assert _failures(valid) == ["signingCredential.untrusted"]
    manifest = valid.manifest
    assert manifest["signature_info"]["common_name"] == "Throwaway Signer"
    assert "c2pa-python 0.38.1" in valid.library
    trusted = _read(samples.signed, samples.anchor_pem)
    assert trusted.state == "trusted"
    assert _failures(trusted) == []
    assert trusted.anchors_sha256 != valid.anchors_sha256


def test_one_byte_changed_reads_invalid_with_the_reason(samples: Samples) -> None:
    reading = _read(samples.tampered, samples.anchor_pem)
    assert reading.state == "invalid"
    assert _failures(reading) == ["assertion.dataHash.mismatch"]


def test_an_ordinary_photo_has_no_manifest_and_text_is_not_a_c2pa_format(
    samples: Samples,
) -> None:
    assert _read(samples.plain).state == "none"
    assert _read(CORPUS_TEXT).state == "unsupported"


def test_reading_is_offline_and_the_pinned_anchor_set_is_empty() -> None:
    assert "BEGIN CERTIFICATE" not in pinned_anchors()
    settings = offline_settings(pinned_anchors())
    assert settings["verify"]["remote_manifest_fetch"] is False
    assert settings["verify"]["ocsp_fetch"] is False
    assert settings["core"]["allowed_network_hosts"] == []
    assert settings["trust"]["trust_anchors"] is None


@dataclass(frozen=True)
class WebCase:
    root: Path
    ids: dict[str, str]  # file stem -> evidence id


@pytest.fixture
def web_case(samples: Samples, tmp_path: Path) -> WebCase:
    root = empty_case_with_users(tmp_path / "case")
    paths = [str(p) for p in (samples.signed, samples.tampered, samples.plain)]
    done = run_cli("ingest", *paths, "--case", str(root))
    assert done.returncode == 0, done.stderr
    listed = json.loads(run_cli("evidence", "list", "--json", "--case", str(root)).stdout)
    return WebCase(root, {Path(i["original_name"]).stem: i["id"] for i in listed})


def _show(case: WebCase, name: str) -> dict[str, object]:
    done = run_cli("evidence", "show", case.ids[name], "--json", "--case", str(case.root))
    assert done.returncode == 0, done.stderr
    record: dict[str, object] = json.loads(done.stdout)["content_credentials"]
    return record


def test_ingest_stores_the_reading_and_the_checks_word_it(web_case: WebCase) -> None:
    signed = _show(web_case, "signed")
    assert signed["state"] == "valid"
    assert signed["signer"] == "Throwaway Signer (issued by evidencelab tests)"
    assert signed["claim_generator"] == "evidencelab tests 1"
    assert [a["action"] for a in signed["actions"]] == ["c2pa.created"]  # type: ignore[index, union-attr]
    assert _show(web_case, "plain")["state"] == "none"
    tampered = _show(web_case, "tampered")
    assert tampered["state"] == "invalid"
    failed = [r["code"] for r in tampered["results"] if r["outcome"] == "failure"]  # type: ignore[index, union-attr]
    assert "assertion.dataHash.mismatch" in failed
    done = run_cli("checks", "--json", "--case", str(web_case.root))
    names = {evidence_id: name for name, evidence_id in web_case.ids.items()}
    results = {(names[r["evidence"]], r["check"]): r for r in json.loads(done.stdout)}
    assert results[("signed", "CONTENT_CREDENTIALS")]["severity"] == "info"
    invalid = results[("tampered", "CONTENT_CREDENTIALS_INVALID")]
    assert invalid["severity"] == "warning"
    assert "differ from those that were signed" in invalid["message"]
    assert not [key for key in results if key[0] == "plain" and "CREDENTIALS" in key[1]]


def test_verify_names_an_outside_change_and_extract_reads_again(web_case: WebCase) -> None:
    tampered, signed = web_case.ids["tampered"], web_case.ids["signed"]
    with sqlite3.connect(web_case.root / "case.sqlite") as db:
        db.execute(UPDATE_STATE, ("trusted", tampered))
    done = run_cli("verify", "--case", str(web_case.root))
    assert done.returncode == 1
    assert f'content_credentials {tampered}: field state is "trusted"' in done.stdout
    with sqlite3.connect(web_case.root / "case.sqlite") as db:
        db.execute(UPDATE_STATE, ("invalid", tampered))
    assert run_cli("verify", "--case", str(web_case.root)).returncode == 0
    done = run_cli("extract", "c2pa", tampered, signed, "--json", "--case", str(web_case.root))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [
        {"evidence_id": tampered, "before": "invalid", "after": "invalid"},
        {"evidence_id": signed, "before": "valid", "after": "valid"},
    ]
    assert run_cli("verify", "--case", str(web_case.root)).returncode == 0
    log = json.loads(run_cli("log", "--json", "--case", str(web_case.root)).stdout)
    read = [e["subject"] for e in log if e["action"] == "content_credentials_read"]
    assert read == [tampered, signed]


def test_an_unknown_item_is_refused_and_nothing_is_read(web_case: WebCase) -> None:
    before = run_cli("log", "--json", "--case", str(web_case.root)).stdout
    done = run_cli(
        "extract", "c2pa", web_case.ids["signed"], "nosuch", "--case", str(web_case.root)
    )
    assert done.returncode == 1
    assert done.stderr.strip().endswith("evidence nosuch: no such evidence item")
    assert run_cli("log", "--json", "--case", str(web_case.root)).stdout == before


def test_the_evidence_page_shows_the_credentials_in_words(web_case: WebCase) -> None:
    with client_for(web_case.root) as client:
        log_in(client, "vic")
        signed, tampered, plain = (
            client.get(f"/evidence/{web_case.ids[name]}").text
            for name in ("signed", "tampered", "plain")
        )
    assert "Content credentials" in signed
    assert "Valid content credentials (signer not among the trust anchors)" in signed
    assert "Throwaway Signer (issued by evidencelab tests)" in signed
    assert "<code>c2pa.created</code>" in signed and "digitalCapture" in signed
    assert "not that the scene is what it is said to be" in signed
    assert "the file&#39;s bytes differ from those that were signed" in tampered
    assert "No content credentials (the normal case: most files carry none)" in plain
