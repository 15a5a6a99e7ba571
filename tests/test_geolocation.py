"""Geolocation records: stored with custody events, reviewed by someone else, combined into
the incident place, disagreements flagged exactly beyond the sum of precisions."""

from __future__ import annotations

import gzip
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from evidencelab.locker.case import Case, CaseError, open_case
from evidencelab.locker.verify import verify_case
from evidencelab.service.exchange.casefile import export_case
from evidencelab.service.verification.geolocation import (
    add_geolocation,
    apply_incident_place,
    geolocation_custody_problems,
    geolocation_file_records,
    geolocation_from_metadata,
    geolocations_for,
    import_geolocation,
    incident_place_from_geolocations,
    placed,
    review_geolocation,
)
from evidencelab.store.tables import CustodyEvent
from evidencelab.store.tables.verification import Geolocation
from evidencelab.verify.geolocation import (
    DEFAULT_METADATA_GPS_PRECISION_M,
    disagreements,
    local_and_utc,
)

CORPUS = Path(__file__).parent / "corpus"
PHOTOS = CORPUS / "metadata-extractor-images" / "jpg"
GEODTEST = CORPUS / "geographiclib" / "GeodTest-short.dat.gz"

# Issue 508.jpg (iPhone XR), as metadata-extractor reads it (jpg/metadata/java/Issue 508.jpg.txt):
# GPS 43°51'34.09"N 15°30'11.82"E, "GPS Horizontal Positioning Error = 4.79 metres".
XR_LAT = 43 + 51 / 60 + 34.09 / 3600
XR_LON = 15 + 30 / 60 + 11.82 / 3600
XR_ERROR_M = 4.79

CASE_YAML = """\
format: evidencelab/case@1
title: Geolocation test case
evidence:
  - id: iphone-xr
    path: files/Issue 508.jpg
    kind: photo
  - id: iphone-4
    path: files/Apple iPhone 4.jpg
    kind: photo
  - id: statement
    path: files/statement.txt
    kind: testimony
incidents:
  - id: zadar-1
    title: Test incident near Zadar
    time: {start: 2020-09-02T18:52:00+02:00}
    place: {name: Zadar, admin1: Zadar County, country: HR}
    evidence: [iphone-xr, iphone-4]
  - id: other-1
    title: An unrelated incident
"""


def write_case_file(folder: Path) -> Path:
    """A case file naming two real corpus photos and a text, with two incidents."""
    (folder / "files").mkdir(parents=True)
    for name in ("Issue 508.jpg", "Apple iPhone 4.jpg"):
        shutil.copyfile(PHOTOS / name, folder / "files" / name)
    (folder / "files" / "statement.txt").write_text("What the witness saw.\n", encoding="utf-8")
    path = folder / "case.yaml"
    path.write_text(CASE_YAML, encoding="utf-8")
    return path


@pytest.fixture
def filled(zadar_template: Path, tmp_path: Path) -> Iterator[Case]:
    shutil.copytree(zadar_template, tmp_path / "case")
    with open_case(tmp_path / "case", actor="tester") as case:
        yield case


@pytest.fixture
def reviewer(filled: Case) -> Iterator[Case]:
    """The same case opened by another person."""
    with open_case(filled.root, actor="reviewer") as other:
        yield other


def state_of(case: Case) -> tuple[int, int, str]:
    """Custody events, geolocations and the head file: what a refused change must not touch."""
    with case.sessions() as session:
        events = session.scalar(select(func.count()).select_from(CustodyEvent)) or 0
        rows = session.scalar(select(func.count()).select_from(Geolocation)) or 0
    return events, rows, case.head_path.read_text()


def landmark(case: Case, **fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "incident_id": "zadar-1",
        "lat": XR_LAT,
        "lon": XR_LON,
        "precision_m": 20.0,
        "method": "satellite_landmark",
        "reference": "a satellite scene",
        "reasoning": "road junction and two roofs match",
    }
    return add_geolocation(case, **{**values, **fields})


def test_geolocation_is_stored_with_its_custody_event(filled: Case) -> None:
    record = landmark(filled, evidence_id="iphone-xr", incident_id=None)
    assert record["evidence"] == "iphone-xr" and record["incident"] is None
    assert record["author"] == "tester"
    assert record["review"]["state"] == "unreviewed" and record["review_history"] == []
    with filled.sessions() as session:
        event = session.get(CustodyEvent, record["custody_event"])
        assert event is not None
        assert (event.action, event.subject, event.actor) == ("geolocation", "iphone-xr", "tester")
        events = list(session.scalars(select(CustodyEvent)))
        assert geolocation_custody_problems(session, events) == []
    assert geolocations_for(filled, evidence_id="iphone-xr") == [record]
    assert verify_case(filled).intact


BAD_INPUTS = [
    ({"method": "guesswork"}, "method 'guesswork': not one of metadata_gps"),
    ({"lat": 91.0}, "lat 91.0: must be within ±90 degrees"),
    ({"lon": -180.5}, "lon -180.5: must be within ±180 degrees"),
    ({"lat": float("nan")}, "lat nan: must be a finite number"),
    ({"lat": "north"}, "lat 'north': not a number"),
    ({"precision_m": None}, "precision None: not a number"),
    ({"precision_m": 0.0}, "precision 0.0 m: must be a positive"),
    ({"precision_m": float("inf")}, "precision inf m"),
    ({"reasoning": "  "}, "reasoning: required"),
    ({"incident_id": "no-such-incident"}, "incident no-such-incident: no such incident"),
    ({"incident_id": None, "evidence_id": "nope"}, "evidence nope: no such evidence item"),
    ({"evidence_id": "iphone-xr"}, "exactly one of an evidence item or an incident"),
    ({"incident_id": None}, "exactly one of an evidence item or an incident"),
]


@pytest.mark.parametrize(("change", "message"), BAD_INPUTS)
def test_bad_input_is_refused_and_case_unchanged(
    filled: Case, change: dict[str, Any], message: str
) -> None:
    before = state_of(filled)
    with pytest.raises(CaseError, match=message.replace("(", r"\(")) as refused:
        landmark(filled, **change)
    assert "\n" not in str(refused.value)
    assert state_of(filled) == before


def test_author_cannot_review_own_geolocation(filled: Case, reviewer: Case) -> None:
    record = landmark(filled)
    before = state_of(filled)
    with pytest.raises(CaseError, match="tester made it and cannot review it"):
        review_geolocation(filled, record["id"], "reviewed")
    with pytest.raises(CaseError, match="cannot review it"):
        review_geolocation(filled, record["id"], "disputed", "my own doubt")
    assert state_of(filled) == before
    assert review_geolocation(reviewer, record["id"], "reviewed")["review"]["by"] == "reviewer"


def test_reviews_keep_history_and_latest_wins(filled: Case, reviewer: Case) -> None:
    record = landmark(filled)
    review_geolocation(reviewer, record["id"], "reviewed", "matches the scene")
    with open_case(filled.root, actor="third") as third:
        review_geolocation(third, record["id"], "disputed", "the roofs differ")
    final = review_geolocation(reviewer, str(record["id"]), "reviewed", "re-checked")
    assert [r["state"] for r in final["review_history"]] == ["reviewed", "disputed", "reviewed"]
    assert [r["by"] for r in final["review_history"]] == ["reviewer", "third", "reviewer"]
    assert final["review"] == final["review_history"][-1]
    assert final["review"]["comment"] == "re-checked"
    with filled.sessions() as session:
        events = list(session.scalars(select(CustodyEvent).order_by(CustodyEvent.seq)))
        reviews = [e for e in events if e.action == "geolocation_review"]
        assert [e.actor for e in reviews] == ["reviewer", "third", "reviewer"]
        assert all(e.subject == "zadar-1" for e in reviews)
        assert geolocation_custody_problems(session, events) == []
    assert verify_case(filled).intact


@pytest.mark.parametrize(
    ("ref", "state", "message"),
    [
        ("1", "approved", "state 'approved': not one of unreviewed"),
        ("99", "reviewed", "geolocation 99: no such geolocation"),
        ("first", "reviewed", "geolocation first: not a geolocation number"),
    ],
)
def test_bad_review_is_refused(
    filled: Case, reviewer: Case, ref: str, state: str, message: str
) -> None:
    landmark(filled)
    before = state_of(filled)
    with pytest.raises(CaseError, match=message):
        review_geolocation(reviewer, ref, state)
    assert state_of(filled) == before


def short_reference_geodesics(count: int) -> list[tuple[float, float, float, float, float]]:
    """(lat1, lon1, lat2, lon2, s12 m) of the first Karney test geodesics between 100 m and
    20 km: the reference distance comes from the test set, not from the code under test."""
    found = []
    with gzip.open(GEODTEST, "rt") as lines:
        for line in lines:
            lat1, lon1, _, lat2, lon2, _, s12, *_ = (float(v) for v in line.split())
            if 100 < s12 < 20_000:
                found.append((lat1, lon1, lat2, lon2, s12))
                if len(found) == count:
                    break
    return found


@pytest.mark.parametrize("geodesic", short_reference_geodesics(6))
def test_disagreement_exactly_when_distance_exceeds_sum_of_precisions(
    geodesic: tuple[float, float, float, float, float],
) -> None:
    lat1, lon1, lat2, lon2, s12 = geodesic
    margin = 0.01  # metres; pyproj's geodesic matches the test set to about 1e-8 m
    for total, flagged in ((s12 - margin, True), (s12 + margin, False)):
        a = {"id": 1, "lat": lat1, "lon": lon1, "precision_m": 0.3 * total}
        b = {"id": 2, "lat": lat2, "lon": lon2, "precision_m": 0.7 * total}
        found = disagreements([a, b])
        assert bool(found) is flagged
        if flagged:
            assert (found[0]["a"], found[0]["b"]) == (1, 2)
            assert found[0]["distance_m"] == pytest.approx(s12, abs=1e-3)
            assert found[0]["allowed_m"] == pytest.approx(s12 - margin)


def test_disagreement_names_both_geolocations_of_an_incident(filled: Case, reviewer: Case) -> None:
    lat1, lon1, lat2, lon2, s12 = short_reference_geodesics(1)[0]
    first = landmark(filled, lat=lat1, lon=lon1, precision_m=s12 / 4)
    second = landmark(filled, evidence_id="iphone-4", incident_id=None, lat=lat2, lon=lon2)
    for record in (first, second):
        review_geolocation(reviewer, record["id"], "reviewed")
    [found] = incident_place_from_geolocations(filled, "zadar-1")["disagreements"]
    assert (found["a"], found["b"]) == (first["id"], second["id"])
    assert found["distance_m"] == pytest.approx(s12, abs=1e-3)
    assert f"geolocations {first['id']} and {second['id']}" in found["message"]


def test_place_is_the_most_precise_reviewed_geolocation(filled: Case, reviewer: Case) -> None:
    incident_level = landmark(filled, precision_m=20.0)
    from_metadata = geolocation_from_metadata(filled, "iphone-xr", record=True)
    unreviewed = landmark(filled, precision_m=2.0, reasoning="not yet checked")
    disputed = landmark(filled, precision_m=1.0, reasoning="doubtful")
    unlinked = landmark(filled, incident_id="other-1", precision_m=0.5)
    for record in (incident_level, from_metadata, unlinked):
        review_geolocation(reviewer, record["id"], "reviewed")
    review_geolocation(reviewer, disputed["id"], "disputed", "wrong junction")

    derived = incident_place_from_geolocations(filled, "zadar-1")
    place = derived["place"]
    assert (place["lat"], place["lon"]) == (from_metadata["lat"], from_metadata["lon"])
    assert place["precision_m"] == from_metadata["precision_m"]
    assert place["derived_from"]["geolocation"] == from_metadata["id"]
    assert place["derived_from"]["reviewed"] == [incident_level["id"], from_metadata["id"]]
    assert place["derived_from"]["consistent"] == [incident_level["id"]]
    assert derived["disagreements"] == []
    assert derived["left_out"] == [
        {"id": unreviewed["id"], "state": "unreviewed"},
        {"id": disputed["id"], "state": "disputed"},
    ]
    assert derived["zone"] == "Europe/Zagreb"
    # 18:52 in Croatia in September is CEST, UTC+2.
    assert derived["incident_start"]["utc"] == "2020-09-02T16:52:00Z"


def test_apply_writes_place_keeping_name_and_logs_it(filled: Case, reviewer: Case) -> None:
    record = landmark(filled, precision_m=15.0)
    review_geolocation(reviewer, record["id"], "reviewed")
    applied = apply_incident_place(filled, "zadar-1")
    assert applied["applied"] is True
    place = applied["incident_place"]
    assert (place["name"], place["admin1"], place["country"]) == ("Zadar", "Zadar County", "HR")
    assert (place["lat"], place["lon"], place["precision_m"]) == (XR_LAT, XR_LON, 15.0)
    assert place["derived_from"]["geolocation"] == record["id"]
    with filled.sessions() as session:
        event = session.get(CustodyEvent, applied["custody_event"])
        assert event is not None and (event.action, event.subject) == ("incident_place", "zadar-1")
    [incident] = [i for i in export_case(filled).incidents if i.id == "zadar-1"]
    assert incident.place is not None
    assert (incident.place.lat, incident.place.lon, incident.place.precision_m) == (
        XR_LAT,
        XR_LON,
        15.0,
    )
    assert incident.place.extra["derived_from"]["geolocation"] == record["id"]
    before = state_of(filled)
    assert apply_incident_place(filled, "zadar-1")["applied"] is False
    assert state_of(filled) == before
    assert verify_case(filled).intact


def test_apply_is_refused_while_geolocations_disagree_or_none_is_reviewed(
    filled: Case, reviewer: Case
) -> None:
    before = state_of(filled)
    with pytest.raises(CaseError, match="no reviewed geolocation"):
        apply_incident_place(filled, "zadar-1")
    near = landmark(filled, precision_m=10.0)
    far = landmark(filled, lat=XR_LAT + 0.01, precision_m=10.0)  # about 1.1 km north
    for record in (near, far):
        review_geolocation(reviewer, record["id"], "reviewed")
    before = state_of(filled)
    with pytest.raises(CaseError, match="1 disagreement"):
        apply_incident_place(filled, "zadar-1")
    assert state_of(filled) == before
    review_geolocation(reviewer, far["id"], "disputed", "wrong street")
    assert apply_incident_place(filled, "zadar-1")["place"]["derived_from"]["reviewed"] == [
        near["id"]
    ]


def test_metadata_gps_takes_the_recorded_horizontal_error(filled: Case) -> None:
    before = state_of(filled)
    proposal = geolocation_from_metadata(filled, "iphone-xr")
    assert proposal["recorded"] is False
    assert state_of(filled) == before
    assert proposal["lat"] == pytest.approx(XR_LAT, abs=1e-5)
    assert proposal["lon"] == pytest.approx(XR_LON, abs=1e-5)
    assert proposal["precision_m"] == pytest.approx(XR_ERROR_M, abs=0.005)
    assert "GPS:GPSHPositioningError" in proposal["reasoning"]
    stored = geolocation_from_metadata(filled, "iphone-xr", record=True)
    assert stored["recorded"] is True and stored["method"] == "metadata_gps"
    assert geolocations_for(filled, evidence_id="iphone-xr")[0]["id"] == stored["id"]


def test_metadata_gps_without_horizontal_error_uses_the_stated_default(filled: Case) -> None:
    proposal = geolocation_from_metadata(filled, "iphone-4")
    # Apple iPhone 4.jpg: GPS 41°51'10.8"N 12°29'19.8"E, no positioning error recorded.
    assert proposal["lat"] == pytest.approx(41 + 51 / 60 + 10.8 / 3600, abs=1e-5)
    assert proposal["precision_m"] == DEFAULT_METADATA_GPS_PRECISION_M
    assert f"default of {DEFAULT_METADATA_GPS_PRECISION_M:g} m" in proposal["reasoning"]


def test_metadata_gps_refused_without_a_position(filled: Case) -> None:
    with pytest.raises(CaseError, match="evidence statement: no GPS position"):
        geolocation_from_metadata(filled, "statement", record=True)


@pytest.mark.parametrize(
    ("time", "lat", "lon", "local", "utc", "zone"),
    [
        # Kyiv in February: EET, UTC+2.
        ("2022-02-24T08:30:00Z", 47.78, 37.25, "2022-02-24T10:30:00+02:00", "08:30", "Europe/Kyiv"),
        # Kyiv in July: EEST, UTC+3.
        (
            "2022-07-01T12:00:00+00:00",
            50.45,
            30.52,
            "2022-07-01T15:00:00+03:00",
            "12:00",
            "Europe/Kyiv",
        ),
        # A time without offset is read as the wall clock at the place (Zadar, CEST).
        (
            "2020-09-02T18:52:00",
            XR_LAT,
            XR_LON,
            "2020-09-02T18:52:00+02:00",
            "16:52",
            "Europe/Zagreb",
        ),
    ],
)
def test_local_and_utc(time: str, lat: float, lon: float, local: str, utc: str, zone: str) -> None:
    shown = local_and_utc(time, lat, lon)
    assert shown["local"] == local
    assert shown["utc"][11:16] == utc and shown["utc"].endswith("Z")
    assert shown["assumed_local"] is (not time.endswith(("Z", "+00:00")))
    assert shown["zone"] == zone


def test_tampering_with_geolocations_is_reported(filled: Case, reviewer: Case) -> None:
    first, second = landmark(filled), landmark(filled, precision_m=5.0)
    review_geolocation(reviewer, first["id"], "reviewed", "fine")
    review_geolocation(reviewer, second["id"], "reviewed")
    with sqlite3.connect(filled.root / "case.sqlite") as db:
        db.execute("UPDATE geolocation SET lat = lat + 0.001 WHERE id = ?", (first["id"],))
        db.execute(
            "UPDATE geolocation_review SET comment = 'edited' WHERE geolocation_id = ?",
            (first["id"],),
        )
        db.execute("DELETE FROM geolocation_review WHERE geolocation_id = ?", (second["id"],))
    with filled.sessions() as session:
        problems = geolocation_custody_problems(
            session, list(session.scalars(select(CustodyEvent).order_by(CustodyEvent.seq)))
        )
    assert len(problems) == 3
    assert f"geolocation {first['id']}: changed since custody event" in problems[0]
    assert f"geolocation {first['id']}: review" in problems[1] and "changed" in problems[1]
    assert "geolocation_review zadar-1): its record is missing" in problems[2]


def test_case_file_records_round_trip_through_the_import_twins(
    filled: Case, tmp_path: Path
) -> None:
    record = {
        "lat": XR_LAT,
        "lon": XR_LON,
        "precision_m": 25.0,
        "method": "street_level",
        "reference": "street-level imagery of 2019",
        "reasoning": "shop sign and kerb match",
        "author": "ana",
        "created_at": "2022-03-01T10:00:00+02:00",
        "review": {"state": "reviewed", "by": "ben", "at": "2022-03-02T09:00:00Z"},
    }
    with filled.transaction() as session:
        import_geolocation(filled, session, record, incident_id="zadar-1")
        import_geolocation(
            filled, session, {**record, "review": {"state": "unreviewed"}}, evidence_id="iphone-4"
        )
    with filled.sessions() as session:
        assert geolocation_file_records(session, incident_id="zadar-1") == [record]
        [plain] = geolocation_file_records(session, evidence_id="iphone-4")
        assert plain["review"] == {"state": "unreviewed"}
    [stored] = geolocations_for(filled, incident_id="zadar-1")
    assert stored["author"] == "ana" and stored["review"]["by"] == "ben"
    assert verify_case(filled).intact

    before = state_of(filled)  # the same file imported again changes nothing
    with filled.transaction() as session:
        again = import_geolocation(filled, session, record, incident_id="zadar-1")
    assert again == stored and state_of(filled)[:2] == before[:2]
    disputed = {"state": "disputed", "by": "cleo", "at": "2022-03-05T09:00:00Z"}
    with filled.transaction() as session:
        later = import_geolocation(
            filled, session, {**record, "review": disputed}, incident_id="zadar-1"
        )
    assert later["id"] == stored["id"] and later["review"] == {**disputed, "comment": None}
    assert len(later["review_history"]) == 2

    before = state_of(filled)
    own = {**record, "review": {"state": "reviewed", "by": "ana", "at": "2022-03-02T09:00:00Z"}}
    naive = {**record, "created_at": "2022-03-01T10:00:00"}
    for bad, message in ((own, "ana made it and cannot review it"), (naive, "needs a UTC offset")):
        with pytest.raises(CaseError, match=message), filled.transaction() as session:
            import_geolocation(filled, session, record, incident_id="zadar-1")
            import_geolocation(filled, session, bad, incident_id="zadar-1")
        assert state_of(filled) == before


def test_derived_point_supersedes_the_old_point_and_keeps_it() -> None:
    gazetteer = {
        "name": "Vuhledar",
        "admin1": "Donetsk region",
        "country": "UA",
        "lat": 47.77917,
        "lon": 37.24833,
        "precision_m": 1500,
        "notes": "Town centre, not the impact point",
        "district": "Volnovakha",
    }
    first = {
        "lat": 47.77995,
        "lon": 37.24968,
        "precision_m": 20.0,
        "derived_from": {"geolocation": 3},
    }
    once = placed(gazetteer, first)
    assert once == {
        "name": "Vuhledar",
        "admin1": "Donetsk region",
        "country": "UA",
        "district": "Volnovakha",
        "lat": 47.77995,
        "lon": 37.24968,
        "precision_m": 20.0,
        "derived_from": {
            "geolocation": 3,
            "replaced": {
                "lat": 47.77917,
                "lon": 37.24833,
                "precision_m": 1500,
                "notes": "Town centre, not the impact point",
            },
        },
    }
    assert placed(once, first) == once  # nothing new: nothing to write
    second = {"lat": 47.78, "lon": 37.25, "precision_m": 8.0, "derived_from": {"geolocation": 9}}
    twice = placed(once, second)
    assert twice["derived_from"]["replaced"] == once["derived_from"]["replaced"]
    assert (twice["lat"], twice["derived_from"]["geolocation"]) == (47.78, 9)
    assert placed({}, second)["name"] == "47.78000, 37.25000"
