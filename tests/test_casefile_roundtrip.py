"""Import then export then import loses nothing, in YAML and JSON, unknown fields included."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidencelab.model import (
    KNOWN_BREAKDOWNS,
    CaseFile,
    CasualtyReport,
    Count,
    EvidenceEntry,
    Incident,
    MilitaryObjective,
    ObjectHit,
    Place,
    Source,
    TextFormat,
    TimeInterval,
    Weapon,
    Withdrawal,
    case_file_to_dict,
    dump_case_file,
    load_case_file,
    load_case_text,
)

pytestmark = pytest.mark.long

DOC = Path(__file__).resolve().parents[1] / "docs" / "case-file-format.md"
FORMATS: tuple[TextFormat, ...] = ("yaml", "json")


def demo_yaml() -> str:
    """The full example of docs/case-file-format.md."""
    section = DOC.read_text(encoding="utf-8").split("## Full example", 1)[1]
    return section.split("```yaml\n", 1)[1].split("```", 1)[0]


def reloaded(case: CaseFile, fmt: TextFormat) -> CaseFile:
    return load_case_text(dump_case_file(case, fmt), fmt, origin=f"case.{fmt}")


def assert_lossless(case: CaseFile) -> None:
    for fmt in FORMATS:
        text = dump_case_file(case, fmt)
        again = load_case_text(text, fmt, origin=f"case.{fmt}")
        assert again == case
        # Text equality also proves UTC offsets and number types survive, which
        # datetime and number equality alone would not.
        assert dump_case_file(again, fmt) == text


def with_unknown_fields(text: str) -> str:
    data = yaml.safe_load(text)
    data["reviewed_by"] = ["analyst-1", {"role": "legal", "date": "2022-03-01"}]
    data["sources"][0]["language"] = "uk"
    data["evidence"][0]["exif"] = {"Make": "Canon", "FNumber": 2.8, "GPS": None}
    incident = data["incidents"][0]
    incident["extra"] = "a field named like the attribute that holds unknown fields"
    incident["time"]["timezone_name"] = "Europe/Kyiv"
    incident["place"]["osm_id"] = 123456
    incident["weapon"]["catalogue_ref"] = "9M79"
    incident["objects_hit"][0]["osm_tags"] = {"amenity": "hospital"}
    incident["casualties"][0]["verification"] = "single source"
    incident["casualties"][0]["killed"]["elderly"] = 1
    incident["casualties"][0]["killed"]["wording"] = "killing four civilians"
    incident["casualties"][0]["killed"]["breakdowns"] = {"note": "not a breakdown"}
    data["incidents"][1]["military_objective"]["distance_m"] = 1200.5
    data["incidents"][2]["first_seen"] = datetime(2022, 2, 24, 9, tzinfo=UTC)
    dumped: str = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return dumped


def test_documented_example_round_trips(tmp_path: Path) -> None:
    case = load_case_text(demo_yaml(), "yaml", origin="demo.yaml")
    assert_lossless(case)
    for fmt in FORMATS:
        path = tmp_path / f"demo.{fmt}"
        path.write_text(dump_case_file(case, fmt), encoding="utf-8")
        assert load_case_file(path) == case


def test_unknown_fields_round_trip_at_every_level() -> None:
    case = load_case_text(with_unknown_fields(demo_yaml()), "yaml", origin="demo.yaml")
    assert case.extra["reviewed_by"][1] == {"role": "legal", "date": "2022-03-01"}
    incident = case.incidents[0]
    assert incident.extra == {"extra": "a field named like the attribute that holds unknown fields"}
    killed = incident.casualties[0].killed
    assert killed is not None
    assert killed.breakdowns == {"women": 2, "men": 2, "elderly": 1}
    assert killed.extra == {
        "wording": "killing four civilians",
        "breakdowns": {"note": "not a breakdown"},
    }
    # A YAML timestamp in an unknown field is kept as ISO 8601 text, as JSON would give it.
    assert case.incidents[2].extra == {"first_seen": "2022-02-24T09:00:00Z"}
    assert_lossless(case)
    yaml_then_json = load_case_text(dump_case_file(case, "json"), "json", origin="c.json")
    assert reloaded(yaml_then_json, "yaml") == case


def test_canonical_key_order_and_datetime_text() -> None:
    case = load_case_text(with_unknown_fields(demo_yaml()), "yaml", origin="demo.yaml")
    data = case_file_to_dict(case)
    assert list(data) == ["format", "title", "sources", "evidence", "incidents", "reviewed_by"]
    assert list(data["incidents"][0]) == [
        "id",
        "title",
        "time",
        "place",
        "weapon",
        "objects_hit",
        "casualties",
        "evidence",
        "extra",
    ]
    assert list(data["evidence"][0])[:6] == [
        "id",
        "path",
        "kind",
        "source",
        "collected_at",
        "sensitive",
    ]
    assert list(data["incidents"][0]["casualties"][0]["killed"]) == [
        "count",
        "qualifier",
        "women",
        "men",
        "elderly",
        "wording",
        "breakdowns",
    ]
    assert data["incidents"][0]["time"]["start"] == "2022-02-24T10:30:00+02:00"
    assert data["evidence"][0]["collected_at"] == "2022-02-24T14:00:00Z"
    json.dumps(data)  # plain JSON data


# Generated case files ---------------------------------------------------------------------

ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,10}", fullmatch=True)
texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
names = texts.filter(bool)
optional_texts = st.none() | texts
offsets = st.sampled_from(
    [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))]
)
aware_datetimes = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1), timezones=offsets
)
naive_datetimes = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1))
people = st.integers(min_value=0, max_value=10**6)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=6,
)


def extras(
    cls: type, values: st.SearchStrategy[Any] = json_values
) -> st.SearchStrategy[dict[str, Any]]:
    defined = {f.name for f in dataclasses.fields(cls)} - {"extra", "breakdowns"}
    keys = st.text(st.characters(exclude_categories=["Cs"]), max_size=8).filter(
        lambda k: k not in defined and k not in KNOWN_BREAKDOWNS
    )
    return st.dictionaries(keys, values, max_size=2)


@st.composite
def counts(draw: st.DrawFn) -> Count:
    count = draw(people)
    low = draw(st.none() | st.integers(min_value=0, max_value=count))
    high = draw(st.none() | st.integers(min_value=count, max_value=count + 1000))
    groups = st.integers(min_value=0, max_value=count)
    known = draw(st.dictionaries(st.sampled_from(KNOWN_BREAKDOWNS), groups, max_size=4))
    further = draw(extras(Count, groups))
    not_whole = st.none() | st.booleans() | texts | st.lists(people, max_size=2)
    return Count(
        count=count,
        qualifier=draw(st.sampled_from(["exact", "at_least", "approx", "at_most"])),
        min=low,
        max=high,
        breakdowns=known | further,
        extra=draw(extras(Count, not_whole).filter(lambda e: not set(e) & set(further))),
    )


@st.composite
def time_intervals(draw: st.DrawFn) -> TimeInterval:
    start = draw(aware_datetimes | naive_datetimes)
    gap = draw(st.none() | st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)))
    return TimeInterval(
        start=start,
        end=None if gap is None else start + gap,
        approximate=draw(st.booleans()),
        extra=draw(extras(TimeInterval)),
    )


latitudes = st.none() | st.floats(min_value=-90, max_value=90) | st.integers(-90, 90)
longitudes = st.floats(min_value=-180, max_value=180)


@st.composite
def places(draw: st.DrawFn) -> Place:
    lat = draw(latitudes)
    return Place(
        name=draw(names),
        admin1=draw(optional_texts),
        country=draw(st.none() | st.from_regex(r"[A-Z]{2}", fullmatch=True)),
        lat=lat,
        lon=None if lat is None else draw(longitudes),
        precision_m=draw(st.none() | st.floats(min_value=0, max_value=1e6) | people),
        extra=draw(extras(Place)),
    )


@st.composite
def objectives(draw: st.DrawFn) -> MilitaryObjective:
    lat = draw(latitudes)
    return MilitaryObjective(
        name=draw(names),
        lat=lat,
        lon=None if lat is None else draw(longitudes),
        basis=draw(optional_texts),
        extra=draw(extras(MilitaryObjective)),
    )


@st.composite
def case_files(draw: st.DrawFn) -> CaseFile:
    source_ids = draw(st.lists(ids, min_size=1, max_size=3, unique=True))
    sources = tuple(
        Source(
            id=source_id,
            kind=draw(st.sampled_from(["witness", "media", "official", "satellite"])),
            description=draw(optional_texts),
            sensitive=draw(st.booleans()),
            reliability=draw(st.sampled_from([None, "high", "medium", "low"])),
            notes=draw(optional_texts),
            url=draw(optional_texts),
            extra=draw(extras(Source)),
        )
        for source_id in source_ids
    )
    evidence_ids = draw(st.lists(ids, max_size=3, unique=True))
    evidence = tuple(
        EvidenceEntry(
            id=evidence_id,
            path=draw(st.none() | st.from_regex(r"files/[a-z0-9_-]{1,8}\.jpg", fullmatch=True)),
            kind=draw(st.sampled_from(["photo", "video", "web_capture", "testimony"])),
            source=draw(st.none() | st.sampled_from(source_ids)),
            url=draw(optional_texts),
            collected_at=draw(st.none() | aware_datetimes),
            collector=draw(optional_texts),
            note=draw(optional_texts),
            sensitive=draw(st.booleans()),
            extra=draw(extras(EvidenceEntry)),
        )
        for evidence_id in evidence_ids
    )
    reports = st.builds(
        CasualtyReport,
        source=st.sampled_from(source_ids),
        scope=st.sampled_from(["incident", "site", "city_day", "region_period"]),
        civilian=st.booleans() | st.just("unknown"),
        killed=st.none() | counts(),
        injured=st.none() | counts(),
        reported_at=st.none() | aware_datetimes | naive_datetimes,
        withdrawn=st.none()
        | st.builds(
            Withdrawal,
            reason=names,
            at=st.none() | aware_datetimes | naive_datetimes,
            extra=extras(Withdrawal),
        ),
        notes=optional_texts,
        extra=extras(CasualtyReport),
    )
    incidents = tuple(
        Incident(
            id=incident_id,
            title=draw(names),
            time=draw(st.none() | time_intervals()),
            place=draw(st.none() | places()),
            weapon=draw(
                st.none()
                | st.builds(
                    Weapon,
                    munition=st.none() | names,
                    basis=optional_texts,
                    confidence=st.sampled_from([None, "high", "medium", "low"]),
                    extra=extras(Weapon),
                )
            ),
            objects_hit=tuple(
                draw(
                    st.lists(
                        st.builds(
                            ObjectHit, kind=names, name=optional_texts, extra=extras(ObjectHit)
                        ),
                        max_size=2,
                    )
                )
            ),
            military_objective=draw(st.none() | objectives()),
            casualties=tuple(draw(st.lists(reports, max_size=3))),
            evidence=tuple(
                draw(st.lists(st.sampled_from(evidence_ids), unique=True)) if evidence_ids else ()
            ),
            notes=draw(optional_texts),
            extra=draw(extras(Incident)),
        )
        for incident_id in draw(st.lists(ids, max_size=3, unique=True))
    )
    return CaseFile(
        title=draw(names),
        sources=sources,
        evidence=evidence,
        incidents=incidents,
        extra=draw(extras(CaseFile)),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case_files())
def test_generated_case_files_round_trip(case: CaseFile) -> None:
    assert_lossless(case)
