"""Case file import into a case and export back out: lossless, validated, all or nothing."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import yaml

from evidencelab.locker.case import Case, init_case
from evidencelab.model.casefile import case_file_to_dict, dump_case_file, load_case_file
from evidencelab.model.errors import CaseFileError
from evidencelab.service.evidence.items import list_evidence, show_evidence
from evidencelab.service.exchange.casefile import export_case, import_case_file
from evidencelab.service.integrity.custody import custody_log


def write_case_file(folder: Path, **changes: object) -> Path:
    """A small valid case file with two evidence files, an incident and an extra field."""
    (folder / "files").mkdir(parents=True, exist_ok=True)
    (folder / "files" / "photo.jpg").write_bytes(b"\xff\xd8 not really a jpeg 1")
    (folder / "files" / "clip.bin").write_bytes(b"video-ish bytes 2")
    document: dict[str, object] = {
        "format": "evidencelab/case@1",
        "title": "Test case",
        "analyst_team": "unit tests",  # not in the format: must survive
        "sources": [
            {"id": "ngo", "kind": "researcher", "reliability": "high"},
            {"id": "hospital", "kind": "official", "reliability": "medium"},
            {"id": "witness-1", "kind": "witness", "sensitive": True},
        ],
        "evidence": [
            {
                "id": "photo-1",
                "path": "files/photo.jpg",
                "kind": "photo",
                "source": "witness-1",
                "collected_at": "2022-02-24T14:00:00Z",
                "blur_faces": True,
            },
            {
                "id": "clip-1",
                "path": "files/clip.bin",
                "kind": "video",
                "source": "ngo",
                "url": "https://example.org/clip",
            },
        ],
        "incidents": [
            {
                "id": "strike-1",
                "title": "Strike on a market",
                "time": {"start": "2022-02-24T10:30:00+02:00", "approximate": True},
                "place": {
                    "name": "Київ",
                    "admin1": "Kyiv",
                    "country": "UA",
                    "lat": 50.45,
                    "lon": 30.52,
                    "precision_m": 100,
                },
                "weapon": {"munition": "9M79 Tochka", "basis": "remnants", "confidence": "high"},
                "objects_hit": [{"kind": "market", "name": "central market"}],
                "military_objective": None,
                "casualties": [
                    {
                        "source": "ngo",
                        "scope": "incident",
                        "civilian": True,
                        "killed": {"count": 3, "qualifier": "at_least"},
                        "injured": {"count": 5, "qualifier": "approx"},
                    },
                    {
                        "source": "hospital",
                        "scope": "incident",
                        "civilian": True,
                        "killed": {"count": 4, "qualifier": "exact", "children": 1},
                    },
                    {
                        "source": "hospital",
                        "scope": "city_day",
                        "civilian": True,
                        "killed": {"count": 20, "qualifier": "at_least"},
                    },
                ],
                "evidence": ["photo-1", "clip-1"],
                "verification_priority": 1,
            }
        ],
    }
    document.update(changes)
    path = folder / "case.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_import_then_export_then_import_is_lossless(tmp_path: Path, case: Case) -> None:
    source = write_case_file(tmp_path / "in")
    import_case_file(case, source)
    exported = export_case(case)
    original = case_file_to_dict(load_case_file(source))
    again = case_file_to_dict(exported)
    for entry in again["evidence"]:  # export adds each file's SHA-256
        assert (
            entry.pop("sha256")
            == hashlib.sha256((source.parent / entry["path"]).read_bytes()).hexdigest()
        )
    assert again == original

    # Re-import the export into a fresh case (paths resolve beside the original file).
    round_trip = source.parent / "exported.yaml"
    round_trip.write_text(dump_case_file(exported), encoding="utf-8")
    second = init_case(tmp_path / "second")
    import_case_file(second, round_trip)
    assert case_file_to_dict(export_case(second)) == case_file_to_dict(exported)
    second.close()


def test_import_ingests_evidence_with_ids_sources_and_links(tmp_path: Path, case: Case) -> None:
    import_case_file(case, write_case_file(tmp_path / "in"))
    record = show_evidence(case, "photo-1")
    assert record["source"] == "witness-1"
    assert record["sensitive"] is False
    assert record["incidents"] == ["strike-1"]
    assert record["acquisitions"][0]["collected_at"] == "2022-02-24T14:00:00Z"
    assert record["extra"] == {"blur_faces": True}
    # One transaction: the files' ingests, the import, and the records it wrote.
    actions = [e["action"] for e in custody_log(case)]
    assert actions == ["create", "ingest", "ingest", "import", "records"]


def test_reimporting_the_same_file_changes_nothing(tmp_path: Path, case: Case) -> None:
    source = write_case_file(tmp_path / "in")
    import_case_file(case, source)
    before = export_case(case)
    result = import_case_file(case, source)
    assert result["evidence"] == {"new": 0, "acquired": 0, "unchanged": 2}
    assert export_case(case) == before
    assert [e["action"] for e in custody_log(case)][-1] == "import"


def test_schema_violation_imports_nothing(tmp_path: Path, case: Case) -> None:
    source = write_case_file(tmp_path / "in")
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    document["incidents"][0]["place"]["lat"] = 123.0
    source.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    before = custody_log(case)
    with pytest.raises(CaseFileError) as raised:
        import_case_file(case, source)
    assert str(raised.value) == f"{source}: incidents[0].place.lat: must be between -90 and 90"
    assert custody_log(case) == before
    assert list_evidence(case) == []


def test_missing_evidence_file_imports_nothing(tmp_path: Path, case: Case) -> None:
    source = write_case_file(tmp_path / "in")
    (source.parent / "files" / "clip.bin").unlink()
    with pytest.raises(
        CaseFileError, match=r"evidence\[1\]\.path: file not found: files/clip\.bin"
    ):
        import_case_file(case, source)
    assert list_evidence(case) == []
    assert list(case.objects.iter_shas()) == []


def test_evidence_path_outside_the_case_file_folder_is_refused(tmp_path: Path, case: Case) -> None:
    source = write_case_file(tmp_path / "in")
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    document["evidence"][0]["path"] = "../outside.jpg"
    (tmp_path / "outside.jpg").write_bytes(b"secret")
    source.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(CaseFileError, match=r"evidence\[0\]\.path"):
        import_case_file(case, source)
    assert list_evidence(case) == []


def test_file_that_does_not_match_its_sha256_is_refused(tmp_path: Path, case: Case) -> None:
    source = write_case_file(tmp_path / "in")
    import_case_file(case, source)
    exported = source.parent / "exported.yaml"
    exported.write_text(dump_case_file(export_case(case)), encoding="utf-8")
    (source.parent / "files" / "photo.jpg").write_bytes(b"\xff\xd8 swapped after export")
    fresh = init_case(tmp_path / "fresh")
    with pytest.raises(
        CaseFileError, match=r"evidence\[\d\]\.path: files/photo\.jpg does not match"
    ):
        import_case_file(fresh, exported)
    assert list_evidence(fresh) == []
    fresh.close()


def test_same_bytes_under_another_id_is_refused(tmp_path: Path, case: Case) -> None:
    source = write_case_file(tmp_path / "in")
    shutil.copy(source.parent / "files" / "photo.jpg", source.parent / "files" / "clip.bin")
    with pytest.raises(CaseFileError, match="these bytes are already evidence 'photo-1'"):
        import_case_file(case, source)
    assert list_evidence(case) == []  # found before anything was ingested


def test_id_that_names_other_bytes_in_the_case_is_refused_before_any_ingest(
    tmp_path: Path, case: Case
) -> None:
    source = write_case_file(tmp_path / "in")
    import_case_file(case, source)
    log = custody_log(case)
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    (source.parent / "files" / "new.jpg").write_bytes(b"\xff\xd8 a new photo")
    (source.parent / "files" / "other.jpg").write_bytes(b"\xff\xd8 other bytes")
    first_id = document["evidence"][0]["id"]
    document["evidence"][0]["path"] = "files/other.jpg"  # same id, other bytes
    document["evidence"].insert(0, {"id": "new-photo", "path": "files/new.jpg", "kind": "photo"})
    changed = source.parent / "changed.yaml"
    changed.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(CaseFileError, match=f"evidence id '{first_id}' already names other bytes"):
        import_case_file(case, changed)
    assert custody_log(case) == log  # not even the new photo listed first was ingested


def test_incident_figures_from_two_sources_are_not_added(tmp_path: Path, case: Case) -> None:
    from evidencelab.service.incidents.listing import case_summary, show_incident

    import_case_file(case, write_case_file(tmp_path / "in"))
    killed = show_incident(case, "strike-1")["casualty_figures"]["killed"]
    assert killed["min"] == 4  # "at least 3" (ngo) and "exactly 4" (hospital): 4, never 7
    assert killed["min_sources"] == ["hospital"]
    summary = case_summary(case)
    assert summary["civilians_killed_min"] == 4  # the city_day figure of 20 is not added
    assert summary["civilians_injured_min"] is None  # only an "approx" figure was given
    assert summary["finding"] == (
        "1 incident, at least 4 civilians killed and no supported figure for civilians injured"
    )
