"""Import and export of geolocations, reviews, evidence status, hand-added context
objects and claims: stored through their services, exported back, re-import a no-op."""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from evidencelab.locker.case import Case
from evidencelab.locker.verify import verify_case
from evidencelab.model import CaseFileError, case_file_to_dict
from evidencelab.service.claims import list_claims
from evidencelab.service.context.manual_records import manual_objects
from evidencelab.service.context.queries import case_objects_near
from evidencelab.service.evidence.status import evidence_status
from evidencelab.service.exchange.casefile import export_case, import_case_file
from evidencelab.service.integrity.custody import custody_log
from evidencelab.service.integrity.verify import verify_whole_case
from evidencelab.service.verification.geolocation import geolocations_for

PHOTO = Path(__file__).parent / "corpus" / "metadata-extractor-images" / "jpg" / "Nikon D5000.jpg"

DOCUMENT = {
    "format": "evidencelab/case@1",
    "title": "Verification fields",
    "sources": [{"id": "release", "kind": "media"}],
    "evidence": [
        {
            "id": "photo-1",
            "path": "files/photo.jpg",
            "kind": "photo",
            "source": "release",
            "status": {"state": "verified", "reason": "landmarks match", "by": "reviewer"},
            "geolocations": [
                {
                    "lat": 47.7801,
                    "lon": 37.2502,
                    "precision_m": 30,
                    "method": "satellite_landmark",
                    "reasoning": "water tower and school line up",
                    "author": "analyst",
                    "review": {"state": "reviewed", "by": "reviewer", "comment": "agreed"},
                }
            ],
        }
    ],
    "incidents": [
        {
            "id": "strike-1",
            "title": "Strike",
            "evidence": ["photo-1"],
            "geolocations": [
                {
                    "lat": 47.78,
                    "lon": 37.25,
                    "precision_m": 250,
                    "method": "witness",
                    "reasoning": "the witness names the street",
                }
            ],
        }
    ],
    "objects": [
        {
            "id": "air-base",
            "kinds": ["military_airfield"],
            "name": "Air base",
            "lat": 47.79,
            "lon": 37.25,
            "basis": "named as the likely target",
            "source": "release",
        }
    ],
    "claims": [
        {
            "id": "precision",
            "claimant": "A ministry",
            "made_at": "2022-02-24",
            "text": "Only precision weapons are used.",
            "predicate": "only_precision_guided_weapons",
        }
    ],
}


def write_case_file(folder: Path, document: dict[str, object]) -> Path:
    (folder / "files").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PHOTO, folder / "files" / "photo.jpg")
    path = folder / "case.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def test_import_stores_each_record_through_its_service(case: Case, tmp_path: Path) -> None:
    import_case_file(case, write_case_file(tmp_path / "in", DOCUMENT))
    assert evidence_status(case, "photo-1")["state"] == "verified"
    (photo_geo,) = geolocations_for(case, evidence_id="photo-1")
    assert photo_geo["method"] == "satellite_landmark"
    assert photo_geo["review"]["state"] == "reviewed"
    (incident_geo,) = geolocations_for(case, incident_id="strike-1")
    assert incident_geo["author"] == "tester"  # not given in the file: the importing actor
    assert [o["id"] for o in manual_objects(case)] == ["air-base"]
    nearby = case_objects_near(case, 47.78, 37.25, 2000)
    assert [o["name"] for o in nearby] == ["Air base"]
    assert [c["predicate"] for c in list_claims(case)] == ["only_precision_guided_weapons"]
    assert verify_case(case).intact


def test_export_gives_back_what_was_imported_and_reimport_changes_nothing(
    case: Case, tmp_path: Path
) -> None:
    path = write_case_file(tmp_path / "in", DOCUMENT)
    import_case_file(case, path)
    exported = case_file_to_dict(export_case(case))
    photo = exported["evidence"][0]
    assert photo["status"]["state"] == "verified" and photo["status"]["by"] == "reviewer"
    assert photo["geolocations"][0]["review"]["comment"] == "agreed"
    assert exported["incidents"][0]["geolocations"][0]["precision_m"] == 250
    assert exported["objects"][0]["basis"] == "named as the likely target"
    assert exported["claims"][0]["text"] == "Only precision weapons are used."

    events = len(custody_log(case))
    import_case_file(case, path)
    again = custody_log(case)
    assert [e["action"] for e in again[events:]] == ["import"]
    assert case_file_to_dict(export_case(case)) == exported


def test_a_new_review_in_the_file_is_added_to_the_history(case: Case, tmp_path: Path) -> None:
    import_case_file(case, write_case_file(tmp_path / "in", DOCUMENT))
    changed = yaml.safe_load(yaml.safe_dump(DOCUMENT))
    changed["evidence"][0]["geolocations"][0]["review"] = {
        "state": "disputed",
        "by": "second-reviewer",
        "comment": "the tower is a different one",
    }
    import_case_file(case, write_case_file(tmp_path / "in2", changed))
    (geo,) = geolocations_for(case, evidence_id="photo-1")
    assert geo["review"]["state"] == "disputed"


def test_a_file_changing_an_object_in_the_case_is_refused_before_writing(
    case: Case, tmp_path: Path
) -> None:
    import_case_file(case, write_case_file(tmp_path / "in", DOCUMENT))
    changed = yaml.safe_load(yaml.safe_dump(DOCUMENT))
    changed["objects"][0]["lat"] = 48.0
    changed["evidence"][0]["id"] = "photo-2"  # would be a new acquisition if written
    changed["incidents"][0]["evidence"] = ["photo-2"]
    before = custody_log(case)
    with pytest.raises(CaseFileError, match=r"objects\[0\]: differs from object 'air-base'"):
        import_case_file(case, write_case_file(tmp_path / "in2", changed))
    assert custody_log(case) == before


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["objects"][0].update(kinds=["castle"]),
            "objects[0].kinds: unknown kind 'castle'",
        ),
        (
            lambda d: d["claims"][0].update(predicate="all_good"),
            "claims[0].predicate: unknown predicate 'all_good'",
        ),
        (
            lambda d: d["evidence"][0]["geolocations"][0]["review"].update(by="analyst"),
            "evidence[0].geolocations[0].review.by: analyst made this geolocation",
        ),
    ],
)
def test_what_a_service_would_refuse_is_named_before_anything_is_written(
    case: Case, tmp_path: Path, change: Any, expected: str
) -> None:
    document = yaml.safe_load(yaml.safe_dump(DOCUMENT))
    change(document)
    before = custody_log(case)
    with pytest.raises(CaseFileError, match=re.escape(expected)):
        import_case_file(case, write_case_file(tmp_path / "in", document))
    assert custody_log(case) == before


def test_other_fields_of_objects_and_claims_survive_export_and_verify(
    case: Case, tmp_path: Path
) -> None:
    """A claim marked illustrative with a note, and an object with a note of its own, come
    back out of export as they went in; verify compares them with their custody events."""
    document = copy.deepcopy(DOCUMENT)
    document["claims"][0] |= {"illustrative": True, "note": "paraphrase, for the demo"}
    document["objects"][0] |= {"note": "gazetteer point, not the outline"}
    path = write_case_file(tmp_path / "in", document)
    import_case_file(case, path)
    exported = case_file_to_dict(export_case(case))
    assert exported["claims"][0]["illustrative"] is True
    assert exported["claims"][0]["note"] == "paraphrase, for the demo"
    assert exported["objects"][0]["note"] == "gazetteer point, not the outline"
    events = len(custody_log(case))
    import_case_file(case, path)
    assert [e["action"] for e in custody_log(case)[events:]] == ["import"]
    assert verify_whole_case(case).problems == []
