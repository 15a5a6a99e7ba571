"""Public bundles follow the public report's rules (every witness, collectors, fields marked
sensitive), refuse to leak, and internal bundles refuse to copy a tampered original."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from evidencelab.locker.case import Case, CaseError
from evidencelab.service.exchange.casefile import import_case_file
from evidencelab.service.outputs.bundle import _Redaction, _refuse_leaks, check_bundle, write_bundle
from evidencelab.service.outputs.exports import export_text
from evidencelab.store.tables import EvidenceItem

# Not one of these may appear anywhere in a public bundle.
SECRETS = [
    "witness-bohdan",  # a witness source not flagged sensitive: protected all the same
    "Bohdan K., shopkeeper on Sumska",
    "called him on 12 March",
    "the roof fell on the kiosk",  # the witness's quote
    "Oleksandra Fieldworker",  # a collector
    "Basement shelter, Sumska 14",  # a place name marked sensitive
    "Met through the parish priest",  # incident notes marked sensitive
]

CASE_YAML = """\
format: evidencelab/case@1
title: Redaction test case
sources:
  - id: ngo-report
    kind: researcher
    description: Public NGO report
  - id: witness-bohdan
    kind: witness
    description: "Bohdan K., shopkeeper on Sumska"
    notes: called him on 12 March
evidence:
  - id: crater-photo
    path: files/crater.jpg
    kind: photo
    source: ngo-report
    collector: Oleksandra Fieldworker
    collected_at: 2022-03-01T10:00:00Z
incidents:
  - id: strike-1
    title: Strike on a market
    time: {start: 2022-03-01T09:15:00+02:00}
    place: {name: "Basement shelter, Sumska 14", lat: 49.99, lon: 36.23, precision_m: 100,
            sensitive_fields: [name]}
    notes: Met through the parish priest
    sensitive_fields: [notes]
    casualties:
      - source: ngo-report
        scope: incident
        civilian: true
        killed: {count: 2, qualifier: at_least}
      - source: witness-bohdan
        scope: incident
        civilian: true
        killed: {count: 4, qualifier: at_least}
        quote: the roof fell on the kiosk
    evidence: [crater-photo]
"""


@pytest.fixture
def filled(case: Case, tmp_path: Path) -> Case:
    folder = tmp_path / "input"
    (folder / "files").mkdir(parents=True)
    (folder / "files" / "crater.jpg").write_bytes(bytes(range(256)) * 40)
    (folder / "case.yaml").write_text(CASE_YAML, encoding="utf-8")
    import_case_file(case, folder / "case.yaml")
    return case


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_public_bundle_withholds_what_the_public_report_withholds(
    filled: Case, tmp_path: Path
) -> None:
    internal = b"".join(_members(write_bundle(filled, tmp_path / "internal.zip").path).values())
    assert all(secret.encode() in internal for secret in SECRETS)  # the test sees real data

    public = tmp_path / "public.zip"
    write_bundle(filled, public, public=True)
    members = _members(public)
    for name, data in members.items():
        for secret in SECRETS:
            assert secret.encode() not in data, f"{secret!r} in {name}"
    assert check_bundle(public) == []
    case_file = yaml.safe_load(members["case.yaml"])
    [witness] = [s for s in case_file["sources"] if s["kind"] == "witness"]
    assert witness["id"] == "protected-source-1"
    [incident] = case_file["incidents"]
    assert incident["place"]["name"] == "[withheld]"
    assert incident["place"]["lat"] == 49.99  # only the marked field goes
    assert incident["notes"] == "[withheld]"
    killed = sorted(r["killed"]["count"] for r in incident["casualties"])
    assert killed == [2, 4]  # the witness's figure stays; the quote goes
    assert all("quote" not in r for r in incident["casualties"])
    assert "collector" not in case_file["evidence"][0]


def test_leak_check_refuses_a_text_holding_a_sensitive_string() -> None:
    redaction = _Redaction(strings={"Oleksandra Fieldworker"})
    texts = [("case.yaml", b"title: t\n"), ("incidents.csv", b"x,Oleksandra Fieldworker\n")]
    with pytest.raises(CaseError, match=r"1 sensitive string\(s\) would remain in incidents.csv"):
        _refuse_leaks(texts, redaction, actors=set())
    _refuse_leaks(texts, redaction, actors={"Oleksandra Fieldworker"})  # a tool user


def test_tampered_original_is_not_bundled(filled: Case, tmp_path: Path) -> None:
    with filled.sessions() as session:
        sha = session.scalars(select(EvidenceItem.sha256)).one()
    stored = filled.objects.path(sha)
    stored.chmod(0o644)
    data = bytearray(stored.read_bytes())
    data[100] ^= 0xFF
    stored.write_bytes(bytes(data))
    out = tmp_path / "out" / "bundle.zip"
    out.parent.mkdir()
    with pytest.raises(CaseError, match=f"object {sha}: its bytes no longer match"):
        write_bundle(filled, out)
    assert list(out.parent.iterdir()) == []  # neither the bundle nor its temporary file


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_public_exports_use_the_same_rules(filled: Case, fmt: str) -> None:
    internal = export_text(filled, fmt)
    public = export_text(filled, fmt, public=True)
    assert "Basement shelter, Sumska 14" in internal
    for secret in SECRETS:
        assert secret not in public, secret
    if fmt == "csv":
        assert "witness-bohdan" in internal and "protected source" in public


def test_public_bundle_keeps_the_content_warning_not_the_teams_notes(
    filled: Case, tmp_path: Path
) -> None:
    from evidencelab.service.evidence.sensitivity import record_review, set_sensitivity

    set_sensitivity(
        filled, ["crater-photo"], add=["dead_or_injured"], reason="a body at the left edge"
    )
    record_review(filled, "crater-photo", note="watched it whole; the body is at 0:03")
    public = tmp_path / "public.zip"
    write_bundle(filled, public, public=True)
    members = _members(public)
    [item] = yaml.safe_load(members["case.yaml"])["evidence"]
    assert [f["flag"] for f in item["flags"]] == ["dead_or_injured"]
    assert item["flags"][0]["reason"] == "[withheld]"
    assert "reviewed_by" not in item
    for secret in ("a body at the left edge", "the body is at 0:03"):
        assert secret.encode() not in members["case.yaml"]
    assert check_bundle(public) == []
