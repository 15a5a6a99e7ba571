"""Metadata checks of issue 14: maker-note capture times (a trail camera's), the north a
GPS image direction is measured from, camera makes and models that name a video game or a
rendering engine, and the capture time against the GPS fix time.

Every case is a real corpus file, or a copy of one with tags written by ExifTool where no
real file carries the case."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from evidencelab.extract import Extractors
from evidencelab.locker.case import Case, init_case
from evidencelab.locker.ingest import IngestRequest
from evidencelab.service.evidence.items import show_evidence
from evidencelab.service.intake import take_in
from evidencelab.service.verification.checks import run_checks
from evidencelab.verify import checks as pure
from evidencelab.verify.checks import CheckConfig, EvidenceFacts
from extract_helpers import (
    EXIF_SAMPLES_DIR,
    EXIFTOOL_DIR,
    MEI_DIR,
    extractors,
    read_metadata_extractor,
    stored_copy,
)

__all__ = ["extractors"]  # pytest fixture shared from extract_helpers

RECONYX = EXIF_SAMPLES_DIR / "jpg" / "Reconyx_HC500_Hyperfire.jpg"  # trail camera
PENTAX = EXIFTOOL_DIR / "images" / "Pentax.jpg"
MINOLTA = EXIFTOOL_DIR / "images" / "Minolta.jpg"
GOOGLE = EXIFTOOL_DIR / "images" / "Google.jpg"  # Pixel 8 Pro: direction M, GPS date and time
HTC = MEI_DIR / "jpg" / "HTC Desire.jpg"  # GPS fix 07:59:48 UTC, camera 09:59:48 (Milan)
SONY = MEI_DIR / "jpg" / "Sony DSC-HX5V (2).jpg"  # direction M; fix 2 s after the camera
IPHONE = MEI_DIR / "jpg" / "Apple iPhone 4.jpg"  # direction T


def _metadata(pipeline: Extractors, path: Path, tmp_path: Path) -> dict[str, Any]:
    return pipeline.extract(stored_copy(path, tmp_path), name_hint=path.name).metadata


def _written(source: Path, target: Path, *assignments: str) -> Path:
    """A copy of ``source`` with tags written (or deleted, ``-TAG=``) by ExifTool."""
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["exiftool", "-q", "-o", str(target), *assignments, str(source)],
        check=True,
        capture_output=True,
    )
    return target


def _exiftool_out(name: str) -> dict[str, str]:
    """``Tag Description: value`` lines of an ExifTool test-suite ``.out`` file."""
    text = (EXIFTOOL_DIR / "expected" / name).read_text(encoding="utf-8")
    return dict(re.findall(r"^\[[^\]]*\] \S+ - ([^:]+): (.*)$", text, re.MULTILINE))


# --- maker-note capture times ----------------------------------------------------------------


def _reconyx_maker_note_time() -> datetime:
    """The capture time decoded from the file's own maker-note bytes: six little-endian
    int16u from word 11 (seconds, minutes, hours, month, day, year), the HyperFire layout
    that ExifTool (exiftool.org/TagNames/Reconyx.html) and metadata-extractor read."""
    with Image.open(RECONYX) as image:
        maker_note = image.getexif().get_ifd(0x8769)[0x927C]
    second, minute, hour, month, day, year = struct.unpack_from("<6H", maker_note, 11 * 2)
    return datetime(year, month, day, hour, minute, second)


def test_trail_camera_capture_time_is_read_from_its_maker_note(
    extractors: Extractors, tmp_path: Path
) -> None:
    meta = _metadata(extractors, RECONYX, tmp_path)
    assert "make" not in meta and "model" not in meta  # the EXIF names no camera either
    assert meta["captured_at"] == _reconyx_maker_note_time().isoformat()
    assert meta["captured_at"] == "2020-03-16T10:00:00"
    assert meta["captured_at_source"] == "Reconyx:DateTimeOriginal"
    assert meta["captured_at_naive"] is True
    assert any("maker note (Reconyx:DateTimeOriginal)" in n for n in meta["normalisation_notes"])


@pytest.mark.parametrize(
    ("photo", "source"),
    [(PENTAX, "Pentax:Date+Pentax:Time"), (MINOLTA, "Minolta:MinoltaDate+Minolta:MinoltaTime")],
)
def test_maker_note_time_stands_in_when_the_exif_dates_are_removed(
    photo: Path, source: str, extractors: Extractors, tmp_path: Path
) -> None:
    original = _metadata(extractors, photo, tmp_path / "original")
    assert original["captured_at_source"] == "ExifIFD:DateTimeOriginal"  # standard tags first
    stripped = _written(
        photo,
        tmp_path / "stripped" / photo.name,
        "-ExifIFD:DateTimeOriginal=",
        "-ExifIFD:CreateDate=",
        "-IFD0:ModifyDate=",
    )
    meta = _metadata(extractors, stripped, tmp_path / "stored")
    assert meta["captured_at_source"] == source
    assert meta["captured_at"] == original["captured_at"]


# --- GPS image direction: true or magnetic north -----------------------------------------------


@pytest.mark.parametrize(
    ("photo", "reference", "expected"),
    [(SONY, "Magnetic direction", "magnetic"), (IPHONE, "True direction", "true")],
)
def test_direction_reference_matches_metadata_extractor(
    photo: Path, reference: str, expected: str, extractors: Extractors, tmp_path: Path
) -> None:
    ref = read_metadata_extractor(MEI_DIR / "jpg" / "metadata" / "java" / f"{photo.name}.txt")
    assert ref[("GPS", "GPS Img Direction Ref")] == reference
    gps = _metadata(extractors, photo, tmp_path)["gps"]
    assert gps["direction_ref"] == expected
    assert gps["direction_deg"] == pytest.approx(
        float(ref[("GPS", "GPS Img Direction")].removesuffix(" degrees")), abs=0.005
    )


def test_magnetic_direction_of_a_pixel_photo_matches_exiftool(
    extractors: Extractors, tmp_path: Path
) -> None:
    out = _exiftool_out("Google_2.out")
    assert out["GPS Img Direction Ref"] == "Magnetic North"
    gps = _metadata(extractors, GOOGLE, tmp_path)["gps"]
    assert (gps["direction_deg"], gps["direction_ref"]) == (
        float(out["GPS Img Direction"]),
        "magnetic",
    )


def test_direction_without_a_reference_is_not_given_one(
    extractors: Extractors, tmp_path: Path
) -> None:
    unreferenced = _written(GOOGLE, tmp_path / "in" / "google.jpg", "-GPS:GPSImgDirectionRef=")
    meta = _metadata(extractors, unreferenced, tmp_path)
    assert meta["gps"]["direction_deg"] == 164.0
    assert "direction_ref" not in meta["gps"]
    assert any("north is not known" in n for n in meta["normalisation_notes"])


# --- camera make or model naming a game or an engine -----------------------------------------


def test_game_make_and_model_are_flagged_as_possibly_synthetic(
    extractors: Extractors, tmp_path: Path
) -> None:
    game = _written(HTC, tmp_path / "in" / "arma.jpg", "-Make=Bohemia Interactive", "-Model=ARMA 3")
    meta = _metadata(extractors, game, tmp_path)
    facts = EvidenceFacts(id="arma", media="image", make=meta["make"], model=meta["model"])
    results = pure.run_checks(facts, None, codes=["POSSIBLY_SYNTHETIC"])
    assert [(r.severity, r.details["field"], r.details["names"]) for r in results] == [
        ("warning", "make", "Bohemia Interactive"),
        ("warning", "model", "ARMA 3"),
    ]
    assert "possibly synthetic imagery" in results[1].message


def test_real_camera_makes_and_models_are_not_flagged(
    extractors: Extractors, tmp_path: Path
) -> None:
    photos = sorted(
        p
        for folder in (MEI_DIR, EXIFTOOL_DIR / "images", EXIF_SAMPLES_DIR)
        for p in folder.rglob("*")
        if p.suffix.lower() in {".jpg", ".jpeg", ".heic", ".mov", ".mp4", ".dng"}
    )
    named = []
    for n, photo in enumerate(photos):
        meta = _metadata(extractors, photo, tmp_path / str(n))
        if meta.get("make") or meta.get("model"):
            named.append((meta.get("make"), meta.get("model")))
            facts = EvidenceFacts(id=photo.name, make=meta.get("make"), model=meta.get("model"))
            assert pure.run_checks(facts, None, codes=["POSSIBLY_SYNTHETIC"]) == [], photo
    assert len(named) >= 25  # Apple, Canon, Casio, Google, HTC, Nikon, Pentax, Sony …


@pytest.mark.parametrize(
    ("make", "model"), [("Unityper", None), ("Blenders Inc", "Armada 3"), (None, "Vray")]
)
def test_names_match_as_whole_words_only(make: str | None, model: str | None) -> None:
    facts = EvidenceFacts(id="x", make=make, model=model)
    assert pure.run_checks(facts, None, codes=["POSSIBLY_SYNTHETIC"]) == []


# --- capture time against the GPS fix time ---------------------------------------------------


def _gps_facts(meta: dict[str, Any], zone: str | None) -> EvidenceFacts:
    return EvidenceFacts(
        id="item",
        media="image",
        captured_at=meta.get("captured_at"),
        captured_at_source=meta.get("captured_at_source"),
        captured_at_offset_source=meta.get("captured_at_offset_source"),
        gps_time=meta.get("gps_time"),
        zone=zone,
    )


def _gps_check(facts: EvidenceFacts, config: CheckConfig = pure.DEFAULT_CONFIG) -> list[Any]:
    return pure.run_checks(facts, None, codes=["CAPTURE_TIME_VS_GPS_TIME"], config=config)


def test_gps_fix_time_matches_exiftool(extractors: Extractors, tmp_path: Path) -> None:
    out = _exiftool_out("Google_2.out")
    meta = _metadata(extractors, GOOGLE, tmp_path)
    fix = datetime.strptime(
        f"{out['GPS Date Stamp']} {out['GPS Time Stamp']}Z", "%Y:%m:%d %H:%M:%S%z"
    )
    assert datetime.fromisoformat(meta["gps_time"]) == fix
    assert meta["gps_time"] == "2023-10-06T20:52:10+00:00"


def test_difference_of_a_pixel_photo_is_reported_beyond_the_tolerance(
    extractors: Extractors, tmp_path: Path
) -> None:
    """Captured 22:53:51.724+02:00 (OffsetTimeOriginal), fix at 20:52:10Z: 101.724 s later,
    within the default 120 s, beyond a 60 s tolerance."""
    facts = _gps_facts(_metadata(extractors, GOOGLE, tmp_path), "Europe/Madrid")
    assert _gps_check(facts) == []
    [result] = _gps_check(facts, CheckConfig(gps_time_tolerance=timedelta(seconds=60)))
    assert result.severity == "warning"
    assert result.details["difference_s"] == pytest.approx(101.724)
    assert "is 101.7 s after the GPS fix time 2023-10-06T20:52:10+00:00; 60 s allowed" in (
        result.message
    )


@pytest.mark.parametrize("photo", [HTC, SONY])
def test_clocks_that_agree_give_nothing(
    photo: Path, extractors: Extractors, tmp_path: Path
) -> None:
    meta = _metadata(extractors, photo, tmp_path)
    zone = {HTC: "Europe/Rome", SONY: "Europe/Berlin"}[photo]
    assert _gps_check(_gps_facts(meta, zone)) == []


def test_gps_date_a_day_off_is_a_warning(extractors: Extractors, tmp_path: Path) -> None:
    """The HTC photo with its GPSDateStamp a day late, as some cameras write it: no offset
    can be inferred, so the wall clock is read in Milan's zone (CEST, +02:00)."""
    late = _written(HTC, tmp_path / "in" / "htc.jpg", "-GPS:GPSDateStamp=2011:05:07")
    meta = _metadata(extractors, late, tmp_path)
    assert meta["captured_at_naive"] is True
    [result] = _gps_check(_gps_facts(meta, "Europe/Rome"))
    assert result.details["difference_s"] == -86400
    assert result.message == (
        "capture time 2011-05-06T09:59:48 (its wall clock read as local time in Europe/Rome, "
        "the zone at its GPS position) is 24 h before the GPS fix time "
        "2011-05-07T07:59:48+00:00; 2 min allowed; 1 whole day(s) apart: a wrong date on "
        "the camera or in GPSDateStamp"
    )


def test_camera_clock_in_another_zone_is_named(extractors: Extractors, tmp_path: Path) -> None:
    """The HTC photo with its GPS fix moved 7 h earlier: the offset inferred from the fix
    (+09:00) is not that of the zone at the position (Europe/Rome, +02:00 in May)."""
    moved = _written(HTC, tmp_path / "in" / "htc.jpg", "-GPS:GPSTimeStamp=00:59:48")
    meta = _metadata(extractors, moved, tmp_path)
    assert meta["captured_at"] == "2011-05-06T09:59:48+09:00"
    [result] = _gps_check(_gps_facts(meta, "Europe/Rome"))
    assert result.details["difference_s"] == 7 * 3600
    assert "is 7 h after the GPS fix time 2011-05-06T00:59:48+00:00" in result.message
    assert result.message.endswith("about 7 h apart: the camera clock may keep another zone's time")


def test_wall_clock_without_a_zone_is_not_compared() -> None:
    facts = EvidenceFacts(
        id="x", captured_at="2011-05-06T09:59:48", gps_time="2011-05-07T07:59:48+00:00"
    )
    assert _gps_check(facts) == []


# --- through a case: ingest, checks, evidence show -------------------------------------------


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    folder = tmp_path_factory.mktemp("metadata-checks")
    inputs = folder / "inputs"
    inputs.mkdir()
    files = {
        "reconyx": shutil.copy(RECONYX, inputs / "reconyx.jpg"),
        "sony": shutil.copy(SONY, inputs / "sony.jpg"),
        "arma": _written(HTC, inputs / "arma.jpg", "-Make=Bohemia Interactive", "-Model=Arma 3"),
        "late-fix": _written(HTC, inputs / "late-fix.jpg", "-GPS:GPSDateStamp=2011:05:07"),
    }
    opened = init_case(folder / "case")
    take_in(opened, [IngestRequest(path=Path(p), evidence_id=i) for i, p in files.items()])
    yield opened
    opened.close()


def _found(results: list[dict[str, Any]], evidence_id: str) -> list[tuple[str, str]]:
    return sorted((r["check"], r["severity"]) for r in results if r["evidence"] == evidence_id)


def test_checks_on_a_case(case: Case) -> None:
    results = run_checks(case)
    assert _found(results, "reconyx") == [("NAIVE_TIMESTAMP", "info")]
    assert _found(results, "arma") == [
        ("POSSIBLY_SYNTHETIC", "warning"),
        ("POSSIBLY_SYNTHETIC", "warning"),
    ]
    assert _found(results, "late-fix") == [
        ("CAPTURE_TIME_VS_GPS_TIME", "warning"),
        ("NAIVE_TIMESTAMP", "info"),
    ]
    assert _found(results, "sony") == []


def test_evidence_shows_the_north_of_the_direction_and_the_fix_time(case: Case) -> None:
    shown = show_evidence(case, "sony")["metadata"]
    assert shown["gps"]["direction_ref"] == "magnetic"
    assert shown["gps_time"] == "2010-05-15T15:12:07+00:00"
