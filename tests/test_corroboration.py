"""Corroboration: independent-source counting over real corpus images, their resized and
re-encoded copies, sources, verification status, geolocations and casualty reports."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from evidencelab.locker.case import Case, CaseError, init_case
from evidencelab.model.casualty import CasualtyReport, Count
from evidencelab.service.assessment.corroboration import corroboration, read_case
from evidencelab.service.evidence.status import set_evidence_status
from evidencelab.service.exchange.casefile import import_case_file
from evidencelab.service.verification.duplicates import find_near_duplicates
from evidencelab.service.verification.geolocation import add_geolocation
from evidencelab.verify.corroboration import (
    Statement,
    casualty_statements,
    count_range,
    independent_groups,
)

PHONES = Path(__file__).parent / "corpus" / "metadata-extractor-images" / "jpg"
IPHONE = PHONES / "Apple iPhone 4.jpg"  # 2011-01-13T14:33:39 (no offset), GPS 41.853, 12.48883
HTC = PHONES / "HTC Desire.jpg"  # GPS in Milan
SAMSUNG = PHONES / "Samsung GT-I9000 (Galaxy S).jpg"  # no GPS
ROME = (41.853, 12.48883)

CASE_FILE = """\
format: evidencelab/case@1
title: Corroboration case
sources:
  - {id: channel-a, kind: social_media}
  - {id: channel-b, kind: social_media}
  - {id: channel-c, kind: social_media}
  - {id: channel-d, kind: social_media}
  - {id: channel-e, kind: social_media}
  - {id: ngo, kind: researcher, reliability: high}
  - {id: ministry, kind: official}
  - {id: hospital, kind: official}
evidence:
  - {id: original, path: files/iphone.jpg, kind: photo, source: channel-a,
     collected_at: "2011-01-13T16:00:00Z"}
  - {id: resized, path: files/iphone-small.jpg, kind: photo, source: channel-b,
     collected_at: "2011-01-13T17:00:00Z"}
  - {id: reencoded, path: files/iphone-q30.jpg, kind: photo, source: channel-c,
     collected_at: "2011-01-13T18:00:00Z"}
  - {id: same-source, path: files/samsung.jpg, kind: photo, source: channel-a,
     collected_at: "2011-04-03T00:00:00Z"}
  - {id: elsewhere, path: files/htc.jpg, kind: photo, source: channel-d,
     collected_at: "2011-05-07T00:00:00Z"}
  - {id: discounted, path: files/htc-q50.jpg, kind: photo, source: channel-e,
     collected_at: "2011-05-07T00:00:00Z"}
incidents:
  - id: rome
    title: Strike in Rome (crafted)
    time: {start: "2011-01-13T14:30:00+01:00", approximate: true}
    place: {name: Rome, lat: 41.853, lon: 12.48883, precision_m: 100}
    weapon: {munition: 9M79 Tochka, confidence: medium, evidence: [original, resized],
             source: ngo}
    casualties:
      - {source: ngo, scope: incident, civilian: true, killed: {count: 4, qualifier: at_least}}
      - {source: hospital, scope: incident, civilian: true, killed: {count: 5, qualifier: exact}}
      - {source: ministry, scope: incident, civilian: true, killed: {count: 1, qualifier: exact}}
      - {source: ministry, scope: city_day, civilian: true, killed: {count: 9, qualifier: exact}}
    evidence: [original, resized, reencoded, same-source, elsewhere, discounted]
"""


@pytest.fixture(scope="module")
def rome(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    folder = tmp_path_factory.mktemp("corroboration")
    files = folder / "inputs" / "files"
    files.mkdir(parents=True)
    shutil.copy(IPHONE, files / "iphone.jpg")
    shutil.copy(SAMSUNG, files / "samsung.jpg")
    shutil.copy(HTC, files / "htc.jpg")
    with Image.open(IPHONE) as image:
        rgb = image.convert("RGB")
        rgb.resize((rgb.width // 3, rgb.height // 3)).save(files / "iphone-small.jpg", quality=70)
        rgb.save(files / "iphone-q30.jpg", quality=30)
    with Image.open(HTC) as image:
        image.convert("RGB").save(files / "htc-q50.jpg", quality=50)
    (folder / "inputs" / "case.yaml").write_text(CASE_FILE, encoding="utf-8")
    case = init_case(folder / "case")
    import_case_file(case, folder / "inputs" / "case.yaml")
    for evidence_id in ("resized", "reencoded", "same-source", "discounted"):
        add_geolocation(
            case,
            evidence_id=evidence_id,
            lat=ROME[0] + 0.0002,
            lon=ROME[1],
            precision_m=30,
            method="street_level",
            reasoning="facade matched to street-level imagery",
        )
    set_evidence_status(case, "discounted", "discounted", "staged picture")
    # An analyst's reading of the incident's place, 2 km off: it disagrees.
    add_geolocation(
        case,
        incident_id="rome",
        lat=ROME[0] + 0.018,
        lon=ROME[1],
        precision_m=200,
        method="satellite_landmark",
        reasoning="crater matched on a satellite scene",
    )
    add_geolocation(
        case,
        incident_id="rome",
        lat=ROME[0],
        lon=ROME[1],
        precision_m=50,
        method="other",
        reasoning="the place as reported",
    )
    yield case
    case.close()


def fact(record: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in record["facts"] if f["fact"] == name)


def test_resized_and_reencoded_copies_are_one_near_duplicate_cluster(rome: Case) -> None:
    clusters = [{m["evidence_id"] for m in c["members"]} for c in find_near_duplicates(rome)]
    assert {"original", "resized", "reencoded"} in clusters


def test_copies_and_same_source_items_count_once_for_the_place(rome: Case) -> None:
    place = fact(corroboration(rome, "rome"), "place")
    # original (GPS), resized and reencoded (near-duplicates, geolocated) and same-source
    # (channel-a like the original, geolocated) are one group; elsewhere's GPS is in Milan.
    assert place["supporting"] == 1
    [group] = place["independent_groups"]
    assert set(group) == {"original", "resized", "reencoded", "same-source"}
    assert place["contradicting"] == 2
    assert place["contradicting_groups"] == [["elsewhere"], ["geolocation:5"]]
    [geo] = [t for t in place["statements"] if t["member"] == "geolocation:5"]
    # 0.018° of latitude near 41.85° N is about 1999 m; 200 m + 100 m allowed.
    assert "1999 m from the place; 300 m allowed" in geo["reason"]
    # The record that agrees is the place itself: noted, never counted as support.
    assert any(
        n.startswith("incident geolocation 6 (other, unreviewed) 0 m from the place")
        and "agrees, not counted" in n
        for n in place["notes"]
    )
    [supporting] = [g for g in place["groups"] if g["supporting"]]
    reasons = " | ".join(supporting["joined_because"])
    assert "same source channel-a: original, same-source" in reasons
    assert "near-duplicates:" in reasons and "resized" in reasons


def test_discounted_item_is_not_counted(rome: Case) -> None:
    record = corroboration(rome, "rome")
    for entry in record["facts"]:
        members = {t["member"] for t in entry["statements"]}
        assert "discounted" not in members
        expected = [{"member": "discounted", "reason": "status discounted: staged picture"}]
        # Casualty figures come from sources' reports, which no item status touches.
        assert entry["excluded"] == ([] if entry["fact"] == "casualties" else expected)


def test_time_and_weapon_statements(rome: Case) -> None:
    record = corroboration(rome, "rome")
    time = fact(record, "time")
    stances = {t["member"]: t["stance"] for t in time["statements"]}
    # The original's naive 14:33:39, read in Rome's zone, is within 14:30 ± 1 h; the HTC
    # photo was captured months later (a warning), so it contradicts; the copies carry no
    # capture time and say nothing.
    assert stances["original"] == "supports"
    assert stances["elsewhere"] == "contradicts"
    assert "resized" not in stances and "reencoded" not in stances
    weapon = fact(record, "weapon")
    # original and resized are one picture; the NGO is a source of its own.
    assert weapon["supporting"] == 2
    assert sorted(map(sorted, weapon["independent_groups"])) == [
        ["original", "resized"],
        ["source:ngo"],
    ]


def test_casualty_reports_from_different_sources(rome: Case) -> None:
    casualties = fact(corroboration(rome, "rome"), "casualties")
    # The supported minimum is 5 (the hospital's exact count); the ministry's exact 1
    # contradicts it; its city-wide figure is not compared.
    assert casualties["claim"] == "at least 5 killed"
    assert casualties["supporting"] == 2
    assert casualties["contradicting"] == 1
    assert casualties["contradicting_groups"] == [["source:ministry"]]
    assert {tuple(c["sources"]) for c in casualties["conflicts"]} == {
        ("ngo", "ministry"),
        ("hospital", "ministry"),
    }
    assert any("ministry: city_day scope" in n for n in casualties["notes"])


def test_unknown_incident(rome: Case) -> None:
    with pytest.raises(CaseError, match="incident nope: no such incident"):
        corroboration(rome, "nope")


# --- the counting rule on plain values -----------------------------------------------------


def test_joins_are_transitive_through_items_that_do_not_state_anything() -> None:
    statements = [Statement("a", "supports", ""), Statement("c", "supports", "")]
    # a and b are copies; b and c share a source; b itself says nothing.
    sources = {"a": None, "b": "s", "c": "s", "d": None}
    groups = independent_groups(statements, sources, [["a", "b"]])
    assert [g.supporting for g in groups] == [("a", "c")]
    assert independent_groups(statements, sources, []) != groups  # without the copy: two


def test_items_without_a_source_are_independent_unless_copies() -> None:
    statements = [Statement(x, "supports", "") for x in ("a", "b", "c")]
    groups = independent_groups(statements, {"a": None, "b": None, "c": None}, [["b", "c"]])
    assert [g.supporting for g in groups] == [("a",), ("b", "c")]


def test_extra_joins_count_once_with_their_reason() -> None:
    statements = [
        Statement("geolocation:1", "supports", ""),
        Statement("geolocation:2", "contradicts", ""),
    ]
    joins = [("geolocation records of the incident", ["geolocation:1", "geolocation:2"])]
    [group] = independent_groups(statements, {}, [], joins)
    assert group.joined_because == (
        "geolocation records of the incident: geolocation:1, geolocation:2",
    )


def test_a_source_statement_joins_that_sources_items() -> None:
    statements = [Statement("source:s", "supports", ""), Statement("a", "contradicts", "")]
    [group] = independent_groups(statements, {"a": "s"}, [])
    assert group.supporting == ("source:s",) and group.contradicting == ("a",)


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (Count(count=4, qualifier="exact"), (4, 4)),
        (Count(count=4, qualifier="at_least"), (4, float("inf"))),
        (Count(count=10, qualifier="at_most"), (0, 10)),
        (Count(count=10, qualifier="approx"), (5, 15)),
        (Count(count=10, qualifier="approx", min=8, max=12), (8, 12)),
        (Count(count=4, qualifier="at_least", max=7), (4, 7)),
    ],
)
def test_count_ranges(count: Count, expected: tuple[float, float]) -> None:
    assert count_range(count) == expected


def test_approximate_figures_conflict_only_beyond_their_range() -> None:
    reports = [
        CasualtyReport(
            source="a", scope="incident", civilian=True, killed=Count(count=10, qualifier="approx")
        ),
        CasualtyReport(
            source="b", scope="incident", civilian=True, killed=Count(count=14, qualifier="exact")
        ),
        CasualtyReport(
            source="c", scope="incident", civilian=True, killed=Count(count=16, qualifier="exact")
        ),
    ]
    statements, conflicts, _ = casualty_statements(reports, {"killed": 14, "injured": None})
    assert [c["sources"] for c in conflicts] == [["a", "c"], ["b", "c"]]
    # About 10 allows up to 15, so it does not contradict "at least 14".
    assert [t.stance for t in statements] == ["supports", "supports", "supports"]


def test_case_read_once_gives_the_same_answer(rome: Case) -> None:
    assert corroboration(rome, "rome", reading=read_case(rome)) == corroboration(rome, "rome")


def test_a_figure_its_source_revised_takes_no_stance() -> None:
    """A source that corrected 10 killed to 4 does not conflict with another source's 4:
    only its standing figure is compared; the revised one is noted."""
    first = CasualtyReport(
        id="a1", source="a", scope="incident", civilian=True,
        killed=Count(count=10, qualifier="exact"),
    )  # fmt: skip
    revision = CasualtyReport(
        id="a2", supersedes="a1", source="a", scope="incident", civilian=True,
        killed=Count(count=4, qualifier="exact"),
    )  # fmt: skip
    other = CasualtyReport(
        source="b", scope="incident", civilian=True, killed=Count(count=4, qualifier="exact")
    )
    statements, conflicts, notes = casualty_statements(
        [first, revision, other], {"killed": 4, "injured": None}
    )
    assert conflicts == []
    assert [(t.stance, t.reason) for t in statements] == [
        ("supports", "killed 4"),
        ("supports", "killed 4"),
    ]
    assert notes == ["a: killed superseded by report 'a2' (a); not compared"]
