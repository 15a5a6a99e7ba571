"""Verifiable bundles: round trip, tampering named, hostile zips refused, public redaction."""

from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path

import pytest

from evidencelab.locker.case import Case
from evidencelab.service.exchange.casefile import import_case_file
from evidencelab.service.outputs.bundle import MANIFEST, check_bundle, write_bundle

SENSITIVE = [
    "witness-amira-haddad",
    "Amira Haddad, nurse at the clinic",
    "reachable on +380 55 123 4567",
    "statement-amira",
    "amira-statement.txt",
    "Q. Secretname",
    "interviewed at her home on Kvitkova 5",
    "she saw her neighbour die",
]

CASE_YAML = """\
format: evidencelab/case@1
title: Bundle test case
sources:
  - id: ngo-report
    kind: researcher
    description: Public NGO report
    reliability: high
  - id: witness-amira-haddad
    kind: witness
    description: "Amira Haddad, nurse at the clinic"
    notes: reachable on +380 55 123 4567
    sensitive: true
    reliability: medium
evidence:
  - id: crater-photo
    path: files/crater.jpg
    kind: photo
    source: ngo-report
    collected_at: 2022-03-01T10:00:00Z
  - id: statement-amira
    path: files/amira-statement.txt
    kind: testimony
    source: witness-amira-haddad
    collector: Q. Secretname
    note: interviewed at her home on Kvitkova 5
    sensitive: true
    collected_at: 2022-03-02T10:00:00Z
incidents:
  - id: strike-1
    title: Strike on a market
    time: {start: 2022-03-01T09:15:00+02:00}
    place: {name: Kharkiv, admin1: Kharkiv region, country: UA,
            lat: 49.99, lon: 36.23, precision_m: 100}
    weapon: {munition: Grad rocket, confidence: medium}
    casualties:
      - source: ngo-report
        scope: incident
        civilian: true
        killed: {count: 2, qualifier: at_least}
      - source: witness-amira-haddad
        scope: incident
        civilian: true
        killed: {count: 3, qualifier: at_least}
        quote: she saw her neighbour die
    evidence: [crater-photo, statement-amira]
"""


@pytest.fixture
def filled(case: Case, tmp_path: Path) -> Case:
    folder = tmp_path / "input"
    (folder / "files").mkdir(parents=True)
    (folder / "files" / "crater.jpg").write_bytes(bytes(range(256)) * 40)
    (folder / "files" / "amira-statement.txt").write_text("Statement of the witness.\n")
    (folder / "case.yaml").write_text(CASE_YAML, encoding="utf-8")
    import_case_file(case, folder / "case.yaml")
    return case


def _rewrite(src: Path, dst: Path, change: dict[str, bytes | None]) -> None:
    """Copy a zip, replacing (bytes) or dropping (None) the named entries."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w") as new:
        for info in old.infolist():
            if info.filename in change:
                data = change[info.filename]
                if data is not None:
                    new.writestr(info, data)
            else:
                new.writestr(info, old.read(info))


def _objects(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return [n for n in archive.namelist() if n.startswith("objects/")]


def test_round_trip_is_intact(filled: Case, tmp_path: Path) -> None:
    out = tmp_path / "case.zip"
    summary = write_bundle(filled, out)
    assert summary.objects_included == 2
    assert check_bundle(out) == []
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read(MANIFEST))
        log = archive.read("custody/log.jsonl").decode().splitlines()
    assert names[-1] == MANIFEST
    assert {"case.yaml", "incidents.geojson", "incidents.csv", "custody/head.json"} <= set(names)
    assert manifest["format"] == "evidencelab/bundle@1"
    assert len(manifest["files"]) == len(names) - 1
    assert all(set(json.loads(line)) >= {"seq", "hash", "prev_hash"} for line in log)


def test_same_case_gives_same_entry_order(filled: Case, tmp_path: Path) -> None:
    write_bundle(filled, tmp_path / "a.zip")
    write_bundle(filled, tmp_path / "b.zip")
    with zipfile.ZipFile(tmp_path / "a.zip") as a, zipfile.ZipFile(tmp_path / "b.zip") as b:
        assert a.namelist() == b.namelist()


def test_altered_byte_in_object_is_named(filled: Case, tmp_path: Path) -> None:
    out = tmp_path / "case.zip"
    write_bundle(filled, out)
    name = _objects(out)[0]
    with zipfile.ZipFile(out) as archive:
        data = bytearray(archive.read(name))
    data[10] ^= 0x01
    bad = tmp_path / "bad.zip"
    _rewrite(out, bad, {name: bytes(data)})
    problems = check_bundle(bad)
    assert len(problems) == 1
    assert problems[0].startswith(f"{name}: altered")


def test_edited_log_line_is_named(filled: Case, tmp_path: Path) -> None:
    out = tmp_path / "case.zip"
    write_bundle(filled, out)
    with zipfile.ZipFile(out) as archive:
        lines = archive.read("custody/log.jsonl").decode().splitlines(keepends=True)
    event = json.loads(lines[1])
    event["actor"] = "someone-else"
    lines[1] = json.dumps(event) + "\n"
    bad = tmp_path / "bad.zip"
    _rewrite(out, bad, {"custody/log.jsonl": "".join(lines).encode()})
    problems = check_bundle(bad)
    assert any(p.startswith("custody/log.jsonl: altered") for p in problems)
    assert any("event 2" in p and "was altered after it was recorded" in p for p in problems)


def test_missing_file_is_named(filled: Case, tmp_path: Path) -> None:
    out = tmp_path / "case.zip"
    write_bundle(filled, out)
    name = _objects(out)[1]
    bad = tmp_path / "bad.zip"
    _rewrite(out, bad, {name: None})
    assert check_bundle(bad) == [f"{name}: missing from the bundle"]


def test_unlisted_file_is_named(filled: Case, tmp_path: Path) -> None:
    out = tmp_path / "case.zip"
    write_bundle(filled, out)
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr("extra.txt", b"added later")
    assert check_bundle(out) == ["extra.txt: not listed in the manifest"]


def _symlink_entry(archive: zipfile.ZipFile, name: str, target: str) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    archive.writestr(info, target)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil", "path traversal"),
        ("objects/../../evil", "path traversal"),
        ("/etc/x", "absolute path"),
        ("C:/windows/x", "drive letter"),
        ("objects\\..\\evil", "backslash"),
    ],
)
def test_hostile_names_are_refused(tmp_path: Path, name: str, reason: str) -> None:
    path = tmp_path / "hostile.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", b"{}")
        archive.writestr(zipfile.ZipInfo(name), b"payload")
    problems = check_bundle(path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{name}: refused:") and reason in problems[0]
    assert not (tmp_path / "evil").exists()


def test_symlink_entry_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "hostile.zip"
    with zipfile.ZipFile(path, "w") as archive:
        _symlink_entry(archive, "objects/link", "/etc/passwd")
    assert check_bundle(path) == ["objects/link: refused: symbolic link"]


def test_duplicate_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "hostile.zip"
    with (
        pytest.warns(UserWarning, match="Duplicate name"),
        zipfile.ZipFile(path, "w") as archive,
    ):
        archive.writestr("case.yaml", b"first")
        archive.writestr("case.yaml", b"second")
    assert check_bundle(path) == ["case.yaml: refused: duplicate entry name"]


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("objects/bomb", b"\0" * (50 * 2**20))
    problems = check_bundle(path)
    assert len(problems) == 1
    assert problems[0].startswith("objects/bomb: refused: compression ratio")
    assert "zip bomb" in problems[0]


def test_lying_header_is_stopped_while_reading(filled: Case, tmp_path: Path) -> None:
    out = tmp_path / "case.zip"
    write_bundle(filled, out)
    raw = bytearray(out.read_bytes())
    name = _objects(out)[0]
    with zipfile.ZipFile(out) as archive:
        info = archive.getinfo(name)
        declared = info.file_size
    # Shrink the declared size in the central directory; the data inflates to more.
    # zipfile stops at the declared size and the CRC then fails; the read is bounded.
    needle = name.encode()
    at = raw.rfind(needle)  # central directory record of the entry
    size_field = at - 46 + 24
    assert int.from_bytes(raw[size_field : size_field + 4], "little") == declared
    raw[size_field : size_field + 4] = (declared // 2).to_bytes(4, "little")
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(raw))
    problems = check_bundle(bad)
    assert any(p.startswith(name) for p in problems)


def test_public_bundle_leaks_no_sensitive_string(filled: Case, tmp_path: Path) -> None:
    internal = tmp_path / "internal.zip"
    write_bundle(filled, internal)
    with zipfile.ZipFile(internal) as archive:
        everything = b"".join(archive.read(n) for n in archive.namelist())
    assert all(s.encode() in everything for s in SENSITIVE[:5])  # the test sees real data

    out = tmp_path / "public.zip"
    summary = write_bundle(filled, out, public=True)
    assert summary.objects_included == 0 and summary.redacted_events > 0
    with zipfile.ZipFile(out) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
        manifest = json.loads(members[MANIFEST])
    for name, data in members.items():
        for secret in SENSITIVE:
            assert secret.encode() not in data, f"{secret!r} in {name}"
    assert not any(n.startswith("objects/") for n in members)
    listed = [f for f in manifest["files"] if f["path"].startswith("objects/")]
    assert len(listed) == 1 and listed[0]["included"] is False
    assert "protected source" in members["incidents.csv"].decode()
    assert check_bundle(out) == []


def test_public_bundle_keeps_figures(filled: Case, tmp_path: Path) -> None:
    out = tmp_path / "public.zip"
    write_bundle(filled, out, public=True)
    with zipfile.ZipFile(out) as archive:
        geojson = json.loads(archive.read("incidents.geojson"))
    assert geojson["features"][0]["properties"]["killed_min"] == 3


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "case.zip"
    path.write_text("not a zip")
    problems = check_bundle(path)
    assert len(problems) == 1 and "not a readable zip file" in problems[0]
