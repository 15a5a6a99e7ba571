"""Consistency checks: each fires on a crafted case built from real corpus files, and a clean
item linked to a consistent incident gets none."""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from evidencelab.locker.case import Case, CaseError, init_case
from evidencelab.service.exchange.casefile import import_case_file
from evidencelab.service.verification.checks import (
    check_catalogue,
    checks_for_new_evidence,
    run_checks,
    summarise_checks,
)
from evidencelab.service.verification.chronolocation import shadow_times_run
from evidencelab.service.verification.findings import record_finding
from evidencelab.verify import checks as pure
from evidencelab.verify.checks import EvidenceFacts, IncidentFacts, ShadowFinding
from evidencelab.verify.sun import solar_position

CORPUS = Path(__file__).parent / "corpus"
PHONES = CORPUS / "metadata-extractor-images" / "jpg"
HTC = PHONES / "HTC Desire.jpg"  # 2011-05-06T09:59:48+02:00, GPS 45.50067, 9.11033 (Milan)
SONY = PHONES / "Sony DSC-HX5V (2).jpg"  # 2010-05-15T17:12:05+02:00, GPS 51.77862, 8.36564
IPHONE = PHONES / "Apple iPhone 4.jpg"  # 2011-01-13T14:33:39, no offset
GOOGLE = CORPUS / "exiftool" / "images" / "Google.jpg"  # 2023-10-06T22:53:51.724+02:00
WEE = next((CORPUS / "pdq-threatexchange").rglob("wee.jpg"))  # Adobe Photoshop CC 2014
LABELME = next((CORPUS / "pdq-threatexchange").rglob("q0122.jpg"))  # no metadata at all

ALL_CODES = {
    "CAPTURE_OUTSIDE_INCIDENT_TIME",
    "CAPTURE_AFTER_COLLECTION",
    "GPS_FAR_FROM_INCIDENT",
    "EDITING_SOFTWARE",
    "METADATA_STRIPPED",
    "SUN_INCONSISTENT_WITH_CLAIMED_TIME",
    "RECYCLED_FOOTAGE",
    "NAIVE_TIMESTAMP",
    "POSSIBLY_SYNTHETIC",
    "CAPTURE_TIME_VS_GPS_TIME",
    "CONTENT_CREDENTIALS_INVALID",  # exercised in test_c2pa.py
    "CONTENT_CREDENTIALS",
}

CASE_FILE = """\
format: evidencelab/case@1
title: Crafted checks case
sources:
  - {id: channel-a, kind: social_media}
  - {id: channel-b, kind: social_media}
evidence:
  - {id: htc, path: files/htc.jpg, kind: photo, source: channel-a,
     collected_at: "2011-05-06T12:00:00+02:00"}
  - {id: htc-copy, path: files/htc-copy.jpg, kind: photo, source: channel-b,
     collected_at: "2022-02-24T12:00:00+02:00"}
  - {id: collected-early, path: files/google.jpg, kind: photo, source: channel-b,
     collected_at: "2023-10-06T20:00:00Z"}
  - {id: sony, path: files/sony.jpg, kind: photo, source: channel-b,
     collected_at: "2022-02-24T12:00:00+02:00"}
  - {id: iphone, path: files/iphone.jpg, kind: photo, collected_at: "2011-01-14T00:00:00Z"}
  - {id: edited, path: files/wee.jpg, kind: photo, collected_at: "2018-01-01T00:00:00Z"}
  - {id: stripped, path: files/q0122.jpg, kind: photo, collected_at: "2022-02-24T12:00:00Z"}
  - {id: published-early, path: files/sony-published.jpg, kind: photo,
     collected_at: "2022-03-01T00:00:00Z", published_at: "2010-06-01T09:00:00+02:00"}
incidents:
  - id: milan
    title: Consistent incident for the clean item
    time: {start: "2011-05-06T09:55:00+02:00", approximate: false}
    place: {name: Milan, lat: 45.50067, lon: 9.11033, precision_m: 100}
    evidence: [htc]
  - id: strike-2022
    title: Incident the old pictures are passed off as
    time: {start: "2022-02-24T10:00:00+02:00", approximate: true}
    place: {name: Milan, lat: 45.50067, lon: 9.11033, precision_m: 100}
    evidence: [htc-copy, sony, published-early]
  - id: naive-incident
    title: An incident whose time has no offset
    time: {start: "2011-01-13T14:30:00", approximate: true}
    place: {name: Rome, lat: 41.853, lon: 12.48883, precision_m: 100}
    evidence: [iphone]
"""


def write_case_file(folder: Path, text: str = CASE_FILE) -> Path:
    """The crafted case file with its files: corpus copies, a resized re-encode of the HTC
    photo and a re-encode of the Sony photo (EXIF dropped, as a platform would)."""
    files = folder / "files"
    files.mkdir(parents=True)
    shutil.copy(HTC, files / "htc.jpg")
    shutil.copy(SONY, files / "sony.jpg")
    shutil.copy(IPHONE, files / "iphone.jpg")
    shutil.copy(WEE, files / "wee.jpg")
    shutil.copy(LABELME, files / "q0122.jpg")
    shutil.copy(GOOGLE, files / "google.jpg")
    with Image.open(HTC) as image:
        rgb = image.convert("RGB")
        rgb.resize((rgb.width // 3, rgb.height // 3)).save(files / "htc-copy.jpg", quality=60)
    with Image.open(SONY) as image:
        image.convert("RGB").save(files / "sony-published.jpg", quality=80)
    path = folder / "case.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def crafted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    folder = tmp_path_factory.mktemp("crafted")
    case = init_case(folder / "case")
    import_case_file(case, write_case_file(folder / "inputs"))
    yield case
    case.close()


def codes(results: list[dict[str, Any]]) -> set[str]:
    return {r["check"] for r in results}


def fired(results: list[dict[str, Any]], code: str, evidence: str) -> list[dict[str, Any]]:
    return [r for r in results if r["check"] == code and r["evidence"] == evidence]


def test_clean_item_linked_to_a_consistent_incident_gets_no_check(crafted: Case) -> None:
    assert run_checks(crafted, evidence_id="htc") == []
    assert run_checks(crafted, incident_id="milan") == []


def test_capture_before_the_incident_is_a_problem(crafted: Case) -> None:
    [result] = fired(
        run_checks(crafted, incident_id="strike-2022"), "CAPTURE_OUTSIDE_INCIDENT_TIME", "sony"
    )
    assert result["severity"] == "problem"
    assert result["incident"] == "strike-2022"
    assert "2010-05-15T17:12:05+02:00" in result["message"]
    assert "± 1 h allowed" in result["message"]  # approximate incident time


def test_capture_after_collection_is_a_problem(crafted: Case) -> None:
    [result] = fired(
        run_checks(crafted, evidence_id="collected-early"),
        "CAPTURE_AFTER_COLLECTION",
        "collected-early",
    )
    assert result["severity"] == "problem"
    # Captured 22:53:51.724+02:00, collected 20:00Z (22:00+02:00).
    assert result["details"]["gap_s"] == 53 * 60 + 52


def test_gps_far_from_the_incident_place(crafted: Case) -> None:
    [result] = fired(run_checks(crafted, evidence_id="sony"), "GPS_FAR_FROM_INCIDENT", "sony")
    # Bielefeld area to Milan: about 700 km, far beyond 100 m + 50 m.
    assert 600_000 < result["details"]["distance_m"] < 800_000
    assert result["details"]["allowed_m"] == 150.0
    assert "GPS error not stated, 50 m assumed" in result["message"]


def test_editing_software_names_photoshop(crafted: Case) -> None:
    results = fired(run_checks(crafted, evidence_id="edited"), "EDITING_SOFTWARE", "edited")
    assert results and all(r["severity"] == "warning" for r in results)
    assert any("IFD0:Software" in r["details"]["tags"] for r in results)
    assert all("Photoshop" in r["message"] for r in results)


def test_metadata_stripped_is_information_only(crafted: Case) -> None:
    [result] = fired(run_checks(crafted, evidence_id="stripped"), "METADATA_STRIPPED", "stripped")
    assert result["severity"] == "info"
    assert run_checks(crafted, evidence_id="stripped") == [result]


def test_naive_timestamps_of_evidence_and_incident(crafted: Case) -> None:
    results = run_checks(crafted, incident_id="naive-incident")
    naive = [r for r in results if r["check"] == "NAIVE_TIMESTAMP"]
    assert {(r["evidence"], r["incident"]) for r in naive} == {
        ("iphone", None),
        (None, "naive-incident"),
    }
    # Both naive, read in Rome's zone: 14:33:39 is within 14:30 ± 1 h, so no time problem.
    assert "CAPTURE_OUTSIDE_INCIDENT_TIME" not in codes(results)
    assert all("Europe/Rome" in r["message"] for r in naive if r["incident"])


def test_recycled_footage_through_a_resized_copy(crafted: Case) -> None:
    [result] = fired(run_checks(crafted, evidence_id="htc-copy"), "RECYCLED_FOOTAGE", "htc-copy")
    assert result["severity"] == "problem"
    # The 2011 original, captured and collected then, is the earlier copy; its capture
    # (09:59:48) came before its collection (12:00) and is named first.
    assert result["details"]["copy"] == "htc"
    assert (
        result["message"].startswith("near-duplicate htc (PDQ distance ")
        and "captured (claimed by its metadata) 2011-05-06T09:59:48+02:00" in result["message"]
    )
    assert [(e["evidence"], e["label"]) for e in result["details"]["earlier"]] == [
        ("htc", "captured (claimed by its metadata)"),
        ("htc", "collected"),
    ]
    assert "1 more earlier appearance(s)" in result["message"]


def test_recycled_footage_by_the_items_own_publication(crafted: Case) -> None:
    [result] = fired(
        run_checks(crafted, evidence_id="published-early"), "RECYCLED_FOOTAGE", "published-early"
    )
    earlier = {(e["evidence"], e["label"]) for e in result["details"]["earlier"]}
    assert ("published-early", "published") in earlier
    assert ("sony", "captured (claimed by its metadata)") in earlier  # its near-duplicate


def _shadow_at(when: datetime, lat: float, lon: float) -> float:
    """Length of the shadow of a 1 m pole at a time and place (sun from the SPA)."""
    elevation = float(solar_position(lat, lon, [when]).apparent_elevation[0])
    return 1.0 / math.tan(math.radians(elevation))


def test_sun_check_quiet_when_shadow_fits_and_fires_when_it_does_not(tmp_path: Path) -> None:
    case = init_case(tmp_path / "case")
    import_case_file(case, write_case_file(tmp_path / "inputs"))
    captured = datetime.fromisoformat("2011-05-06T09:59:48+02:00")
    fitting = _shadow_at(captured, 45.50067, 9.11033)
    run = shadow_times_run(
        45.50067,
        9.11033,
        "2011-05-06",
        object_height_m=1.0,
        shadow_length_m=fitting,
        length_uncertainty_m=0.02,
    )
    record_finding(case, "htc", run)
    assert run_checks(case, evidence_id="htc") == []
    # A shadow three hours later in the day does not fit the capture time or the incident.
    later = _shadow_at(captured + timedelta(hours=3, minutes=30), 45.50067, 9.11033)
    run = shadow_times_run(
        45.50067,
        9.11033,
        "2011-05-06",
        object_height_m=1.0,
        shadow_length_m=later,
        length_uncertainty_m=0.02,
        shadow_azimuth_deg=None,
    )
    finding = record_finding(case, "htc", run)["finding"]
    results = fired(
        run_checks(case, evidence_id="htc"), "SUN_INCONSISTENT_WITH_CLAIMED_TIME", "htc"
    )
    assert {r["incident"] for r in results} == {None, "milan"}
    assert all(r["details"]["finding"] == finding for r in results)
    assert all(r["severity"] == "problem" for r in results)
    case.close()


def test_every_registered_check_is_exercised() -> None:
    assert {c["check"] for c in check_catalogue()} == ALL_CODES
    assert all(c["explanation"] for c in check_catalogue())


def test_checks_for_new_evidence_and_summary(crafted: Case) -> None:
    results = checks_for_new_evidence(crafted, ["sony", "stripped"])
    assert {r["evidence"] for r in results} == {"sony", "stripped"}
    summary = summarise_checks(results)
    assert summary["problem"] >= 1 and summary["info"] == 1
    assert checks_for_new_evidence(crafted, []) == []
    with pytest.raises(CaseError, match="nope: no such evidence item"):
        checks_for_new_evidence(crafted, ["nope"])


def test_unknown_ids_and_codes(crafted: Case) -> None:
    with pytest.raises(CaseError, match="incident nope: no such incident"):
        run_checks(crafted, incident_id="nope")
    with pytest.raises(CaseError, match="evidence nope: no such evidence item"):
        run_checks(crafted, evidence_id="nope")
    with pytest.raises(CaseError, match="check NOPE: no such check"):
        run_checks(crafted, codes=["NOPE"])
    only = run_checks(crafted, codes=["METADATA_STRIPPED"])
    assert codes(only) == {"METADATA_STRIPPED"}


# --- the pure checks at their boundaries ---------------------------------------------------


def incident(**fields: Any) -> IncidentFacts:
    base: dict[str, Any] = {"id": "i", "start": "2022-02-24T10:00:00+02:00"}
    return IncidentFacts(**(base | fields))


def item(**fields: Any) -> EvidenceFacts:
    base: dict[str, Any] = {"id": "e", "camera": True}
    return EvidenceFacts(**(base | fields))


def run(evidence: EvidenceFacts | None, inc: IncidentFacts | None) -> list[pure.CheckResult]:
    return pure.run_checks(evidence, inc)


@pytest.mark.parametrize(
    ("captured", "approximate", "expected"),
    [
        ("2022-02-24T09:51:00+02:00", False, None),  # 9 min early: within 10 min
        ("2022-02-24T09:49:00+02:00", False, "problem"),  # 11 min early
        ("2022-02-24T09:01:00+02:00", True, None),  # approximate: ± 1 h
        ("2022-02-24T08:59:00+02:00", True, "problem"),
        ("2022-02-24T12:00:00+02:00", False, "info"),  # aftermath
        ("2022-02-27T12:00:00+02:00", False, "warning"),  # beyond 48 h
        ("2022-02-24T06:00:00", False, "problem"),  # naive, read in Kyiv: 06:00+02:00
        ("2022-02-24T09:55:00", False, None),  # naive, read in Kyiv: 09:55+02:00
    ],
)
def test_capture_time_tolerances(captured: str, approximate: bool, expected: str | None) -> None:
    results = [
        r
        for r in run(
            item(captured_at=captured),
            incident(approximate=approximate, zone="Europe/Kyiv"),
        )
        if r.check == "CAPTURE_OUTSIDE_INCIDENT_TIME"
    ]
    assert [r.severity for r in results] == ([] if expected is None else [expected])


def test_naive_capture_without_a_zone_allows_every_offset() -> None:
    # 10:00 wall clock could be 10:00 at UTC+14 (20:00Z the day before) to UTC-12.
    near = item(captured_at="2022-02-24T20:00:00")  # 20:00 at +12 is 08:00Z = 10:00+02:00
    far = item(captured_at="2022-02-22T10:00:00")
    assert not [r for r in run(near, incident()) if r.check == "CAPTURE_OUTSIDE_INCIDENT_TIME"]
    assert [r for r in run(far, incident()) if r.check == "CAPTURE_OUTSIDE_INCIDENT_TIME"]


def test_gps_allowance_uses_stated_error_and_place_precision() -> None:
    place = incident(lat=50.0, lon=30.0, precision_m=100.0)
    # 0.002° of latitude at 50° N is 222.6 m (WGS 84 meridian arc).
    near = item(gps=(50.002, 30.0), gps_error_m=150.0)
    far = item(gps=(50.002, 30.0), gps_error_m=100.0)
    assert not [r for r in run(near, place) if r.check == "GPS_FAR_FROM_INCIDENT"]
    [result] = [r for r in run(far, place) if r.check == "GPS_FAR_FROM_INCIDENT"]
    assert result.details["distance_m"] == pytest.approx(222.6, abs=0.5)
    assert result.details["allowed_m"] == 200.0


def test_editing_software_ignores_firmware_and_platform_encoders() -> None:
    quiet = item(software=(("IFD0:Software", "HDR+ 1.0.570503588zd"), ("IFD0:Software", "Google")))
    loud = item(
        software=(
            ("XMP-xmpMM:HistorySoftwareAgent", "Adobe Lightroom Classic 12.0"),
            ("IFD0:ProcessingSoftware", "GIMP 2.10"),
            ("XMP-xmp:CreatorTool", "Snapseed 2.0"),
        )
    )
    assert not [r for r in run(quiet, None) if r.check == "EDITING_SOFTWARE"]
    found = [r for r in run(loud, None) if r.check == "EDITING_SOFTWARE"]
    assert len(found) == 3


def test_sun_check_ignores_findings_for_another_date() -> None:
    finding = ShadowFinding(
        1,
        "2022-02-25",
        "Europe/Kyiv",
        (("2022-02-25T07:00:00+02:00", "2022-02-25T07:30:00+02:00"),),
    )
    other_day = item(captured_at="2022-02-24T10:00:00+02:00", shadows=(finding,))
    same_day = item(captured_at="2022-02-25T10:00:00+02:00", shadows=(finding,))
    assert not [r for r in run(other_day, None) if r.check.startswith("SUN")]
    assert [r for r in run(same_day, None) if r.check.startswith("SUN")]


def test_register_rejects_a_second_check_with_the_same_code() -> None:
    with pytest.raises(ValueError, match="already registered"):
        pure.register("EDITING_SOFTWARE", "info", "again", "evidence")(lambda c, s, k: [])
    with pytest.raises(ValueError, match="unknown check"):
        pure.run_checks(item(), None, codes=["NOPE"])


def test_naive_capture_is_read_in_the_zone_of_its_gps_position() -> None:
    # 17:00 in Tokyo (+09:00) is 10:00 in Kyiv (+02:00): the incident's moment.
    tokyo = item(captured_at="2022-02-24T17:00:00", zone="Asia/Tokyo")
    kyiv = item(captured_at="2022-02-24T17:00:00", zone="Europe/Kyiv")
    at_kyiv = incident(zone="Europe/Kyiv")
    assert not [r for r in run(tokyo, at_kyiv) if r.check == "CAPTURE_OUTSIDE_INCIDENT_TIME"]
    [late] = [r for r in run(kyiv, at_kyiv) if r.check == "CAPTURE_OUTSIDE_INCIDENT_TIME"]
    assert late.severity == "info" and "read as local time in Europe/Kyiv" in late.message
