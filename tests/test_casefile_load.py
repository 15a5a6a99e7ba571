"""Loading case files: the documented example, and one clear line per problem."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from evidencelab.model import (
    CaseFileError,
    Count,
    case_file_from_dict,
    case_file_warnings,
    load_case_file,
    load_case_text,
)

DOC = Path(__file__).resolve().parents[1] / "docs" / "case-file-format.md"
KYIV_WINTER = timezone(timedelta(hours=2))


def demo_yaml() -> str:
    """The full example of docs/case-file-format.md."""
    section = DOC.read_text(encoding="utf-8").split("## Full example", 1)[1]
    return section.split("```yaml\n", 1)[1].split("```", 1)[0]


def demo_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(demo_yaml())
    return data


def errors_of(data: Any, origin: str = "cases/demo.yaml") -> list[str]:
    with pytest.raises(CaseFileError) as caught:
        case_file_from_dict(data, origin=origin)
    return str(caught.value).splitlines()


def test_documented_example_loads(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(demo_yaml(), encoding="utf-8")
    case = load_case_file(path)
    assert case.title == "Indiscriminate attacks, 24 February 2022"
    assert [i.id for i in case.incidents] == [
        "vuhledar-2022-02-24",
        "chuhuiv-2022-02-24",
        "uman-2022-02-24",
    ]
    vuhledar = case.incidents[0]
    assert vuhledar.place is not None and vuhledar.place.lat == 47.78
    assert vuhledar.casualties[0].killed == Count(
        count=4, qualifier="at_least", breakdowns={"women": 2, "men": 2}
    )
    injured = vuhledar.casualties[0].injured
    assert injured is not None and injured.breakdowns == {"healthcare_workers": 6}
    assert case.sources[0].sensitive is True
    assert case.evidence[0].collected_at == datetime(2022, 2, 24, 14, tzinfo=UTC)
    assert case_file_warnings(case, origin=str(path)) == []


def test_times_keep_their_offset() -> None:
    case = load_case_text(demo_yaml(), "yaml", origin="demo.yaml")
    time = case.incidents[0].time
    assert time is not None and time.approximate
    assert time.start == datetime(2022, 2, 24, 10, 30, tzinfo=KYIV_WINTER)
    assert time.start.utcoffset() == timedelta(hours=2)


def test_json_strings_and_yaml_timestamps_give_the_same_datetimes() -> None:
    from_yaml = load_case_text(demo_yaml(), "yaml", origin="demo.yaml")
    as_json = json.dumps(demo_data(), default=lambda d: d.isoformat())
    assert load_case_text(as_json, "json", origin="demo.json") == from_yaml


def test_incident_time_without_offset_is_kept_naive_and_flagged() -> None:
    data = demo_data()
    data["incidents"][2]["time"] = {"start": "2022-02-24T07:00:00"}
    data["incidents"][2]["casualties"][0]["reported_at"] = datetime(2022, 2, 25, 9)
    case = case_file_from_dict(data, origin="demo.yaml")
    time = case.incidents[2].time
    assert time is not None and time.start == datetime(2022, 2, 24, 7)
    assert not time.has_offset
    assert case.incidents[2].casualties[0].reported_at == datetime(2022, 2, 25, 9)
    note = "no UTC offset: kept as a local time of unstated zone"
    assert case_file_warnings(case, origin="demo.yaml") == [
        f"demo.yaml: incidents[2].casualties[0].reported_at: {note}",
        f"demo.yaml: incidents[2].time.start: {note}",
    ]


def test_collected_at_needs_an_offset() -> None:
    data = demo_data()
    data["evidence"][0]["collected_at"] = datetime(2022, 2, 24, 14)
    assert errors_of(data) == [
        "cases/demo.yaml: evidence[0].collected_at: must be an ISO 8601 date and time"
        " with a UTC offset, e.g. 2022-02-24T14:00:00Z"
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["incidents"][2].update(place={"name": "Uman", "lat": 148.7, "lon": 30.2}),
            "incidents[2].place.lat: must be between -90 and 90",
        ),
        (
            lambda d: d["incidents"][0]["place"].update(lon="east"),
            "incidents[0].place.lon: must be a number or null",
        ),
        (
            lambda d: d["incidents"][0]["place"].pop("lon"),
            "incidents[0].place: missing required field 'lon' (needed with 'lat')",
        ),
        (
            lambda d: d["incidents"][0]["place"].update(precision_m=-5),
            "incidents[0].place.precision_m: must be between 0 and 1000000",
        ),
        (
            lambda d: d["incidents"][1].pop("id"),
            "incidents[1]: missing required field 'id'",
        ),
        (
            lambda d: d["incidents"][0]["casualties"][0]["killed"].update(qualifier="about"),
            "incidents[0].casualties[0].killed.qualifier: must be one of: "
            "exact, at_least, approx, at_most",
        ),
        (
            lambda d: d["incidents"][0]["casualties"][0]["killed"].update(count=-1),
            "incidents[0].casualties[0].killed.count: must be between 0 and 10000000",
        ),
        (
            lambda d: d["incidents"][0]["casualties"][0]["killed"].update(count=2.5),
            "incidents[0].casualties[0].killed.count: must be a whole number",
        ),
        (
            lambda d: d["incidents"][0]["casualties"][0]["killed"].update(elderly=-1),
            "incidents[0].casualties[0].killed.elderly: must be between 0 and 10000000",
        ),
        (
            lambda d: d["incidents"][0]["casualties"][0].update(scope="town"),
            "incidents[0].casualties[0].scope: must be one of: "
            "incident, site, city_day, region_period",
        ),
        (
            lambda d: d["incidents"][0]["casualties"][0].pop("civilian"),
            "incidents[0].casualties[0]: missing required field 'civilian'",
        ),
        (
            lambda d: d["sources"][0].update(reliability="certain"),
            "sources[0].reliability: must be one of: high, medium, low (or null)",
        ),
        (
            lambda d: d["sources"][0].update(id="-vuhledar"),
            "sources[0].id: must start with a letter or digit and contain only letters, "
            "digits, '.', '_', ':' and '-'",
        ),
        (
            lambda d: d["sources"][0].update(id=""),
            "sources[0].id: must not be empty",
        ),
        (
            lambda d: d["incidents"][0]["place"].update(country=False),
            "incidents[0].place.country: must be text or null; put it in quotes",
        ),
        (
            lambda d: d["incidents"][0]["place"].update(country="ukr"),
            "incidents[0].place.country: must be a two-letter ISO 3166-1 country code "
            "in capitals, e.g. 'UA'",
        ),
        (
            lambda d: d["incidents"][0]["time"].update(start="24/02/2022 10:30"),
            "incidents[0].time.start: must be an ISO 8601 date and time, "
            "e.g. 2022-02-24T10:30:00+02:00",
        ),
        (
            lambda d: d["incidents"][0]["time"].update(start="2022-02-30T10:30:00+02:00"),
            "incidents[0].time.start: is not a real date and time",
        ),
        (
            lambda d: d["incidents"][0].update(evidence=["vuhledar-remnant-1"] * 2),
            "incidents[0].evidence: must not list the same item twice",
        ),
        (
            lambda d: d["incidents"][0].update(objects_hit={"kind": "hospital"}),
            "incidents[0].objects_hit: must be a list or null",
        ),
        (
            lambda d: d.update(title=None),
            "title: must be text",
        ),
    ],
)
def test_schema_problems_read_as_plain_english(change: Any, expected: str) -> None:
    data = demo_data()
    change(data)
    assert errors_of(data) == [f"cases/demo.yaml: {expected}"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["incidents"][0]["casualties"][0].update(source="unknown-witness"),
            "incidents[0].casualties[0].source: unknown source 'unknown-witness'; "
            "it must be declared under sources",
        ),
        (
            lambda d: d["evidence"][1].update(source="nobody"),
            "evidence[1].source: unknown source 'nobody'; it must be declared under sources",
        ),
        (
            lambda d: d["incidents"][2]["evidence"].append("uman-video"),
            "incidents[2].evidence[1]: unknown evidence 'uman-video'; "
            "it must be declared under evidence",
        ),
        (
            lambda d: d["sources"].append(dict(d["sources"][1])),
            "sources[2].id: duplicate id 'amnesty-2022-02-24' (also used by sources[1])",
        ),
        (
            lambda d: d["evidence"][0].update(path="../../etc/passwd"),
            "evidence[0].path: must be a relative path inside the case folder, "
            "e.g. files/photo.jpg",
        ),
        (
            lambda d: d["evidence"][0].update(path="/home/user/photo.jpg"),
            "evidence[0].path: must be a relative path inside the case folder, "
            "e.g. files/photo.jpg",
        ),
        (
            lambda d: d["incidents"][0]["casualties"][0]["killed"].update(max=3),
            "incidents[0].casualties[0].killed.max: must not be less than count (4)",
        ),
        (
            lambda d: d["incidents"][0]["casualties"][0]["killed"].update(children=5),
            "incidents[0].casualties[0].killed.children: must not be more than count (4)",
        ),
        (
            lambda d: d["incidents"][0]["time"].update(end="2022-02-24T09:00:00+02:00"),
            "incidents[0].time.end: must not be before start",
        ),
        (
            lambda d: d["incidents"][0]["time"].update(end="2022-02-24T11:00:00"),
            "incidents[0].time.end: must have a UTC offset exactly when start has one",
        ),
        (
            lambda d: d["sources"][0].update(id="local-source\n"),
            "sources[0].id: must not end with a line break",
        ),
    ],
)
def test_reference_problems(change: Any, expected: str) -> None:
    data = demo_data()
    change(data)
    assert expected in [line.removeprefix("cases/demo.yaml: ") for line in errors_of(data)]


def test_all_problems_are_reported_sorted_by_location() -> None:
    data = demo_data()
    data["incidents"][2]["place"] = {"name": "Uman", "lat": 200, "lon": 30.2}
    data["incidents"][0]["place"]["lat"] = -100
    data["sources"][0]["kind"] = "rumour"
    for n in range(12):
        data["incidents"].append({"id": f"extra-{n}", "title": "t", "casualties": [{}]})
    lines = errors_of(data)
    assert lines[:3] == [
        "cases/demo.yaml: incidents[0].place.lat: must be between -90 and 90",
        "cases/demo.yaml: incidents[2].place.lat: must be between -90 and 90",
        "cases/demo.yaml: incidents[3].casualties[0]: missing required field 'civilian'",
    ]
    # Indexes sort as numbers: incidents[10] after incidents[9].
    located = [line.split(": ")[1] for line in lines]
    assert located.index("incidents[9].casualties[0]") < located.index(
        "incidents[10].casualties[0]"
    )
    assert lines[-1] == (
        "cases/demo.yaml: sources[0].kind: must be one of: "
        "witness, social_media, media, official, satellite, researcher"
    )
    assert errors_of(data) == lines


def test_format_must_be_named_and_supported() -> None:
    data = demo_data()
    data["format"] = "evidencelab/case@2"
    assert errors_of(data) == [
        "cases/demo.yaml: format: unsupported format 'evidencelab/case@2'; "
        "expected 'evidencelab/case@1'"
    ]
    del data["format"]
    assert errors_of(data) == [
        "cases/demo.yaml: missing required field 'format' (expected 'evidencelab/case@1')"
    ]


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path | str) -> str:
    with pytest.raises(CaseFileError) as caught:
        load_case_file(path)
    return str(caught.value)


def test_file_problems_are_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    assert load_error(missing) == f"{missing}: file not found"
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    assert load_error(folder) == f"{folder}: is a folder, not a file"
    other = write(tmp_path, "case.txt", "format: x")
    assert load_error(other) == f"{other}: unsupported file type; use .yaml, .yml, .json"
    binary = write(tmp_path, "case.yaml", b"title: \xff\xfe")
    assert load_error(binary) == f"{binary}: not UTF-8 text (invalid byte at offset 7)"
    empty = write(tmp_path, "empty.yml", "# nothing\n")
    assert load_error(empty) == f"{empty}: file is empty"
    listed = write(tmp_path, "list.json", "[1, 2]")
    assert load_error(listed) == (
        f"{listed}: top level must be a mapping of fields (format, title, …), not a list"
    )


def test_file_name_is_given_as_passed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases").mkdir()
    write(tmp_path / "cases", "demo.yaml", demo_yaml().replace("lat: 47.78", "lat: 147.78"))
    assert load_error("cases/demo.yaml") == (
        "cases/demo.yaml: incidents[0].place.lat: must be between -90 and 90"
    )


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", "format: evidencelab/case@1\ntitle: a: b\n")
    assert load_error(path) == (
        f"{path}: line 2, column 9: YAML syntax error: mapping values are not allowed here"
    )


def test_json_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.json", '{\n  "format": "evidencelab/case@1"\n  "title": "x"\n}')
    assert load_error(path) == (
        f"{path}: line 3, column 3: JSON syntax error: Expecting ',' delimiter"
    )


def test_repeated_keys_are_errors(tmp_path: Path) -> None:
    text = demo_yaml().replace(
        "killed: {count: 4, qualifier: at_least, women: 2, men: 2}",
        "killed: {count: 4, qualifier: at_least, women: 2, men: 2}\n        killed: null",
    )
    path = write(tmp_path, "twice.yaml", text)
    line = text.splitlines().index("        killed: null") + 1
    assert load_error(path) == (
        f"{path}: line {line}: field 'killed' appears twice in one mapping (also line {line - 1})"
    )
    flow = write(tmp_path, "flow.yaml", "{format: a, format: b}")
    assert "field 'format' appears twice" in load_error(flow)
    as_json = write(tmp_path, "twice.json", '{"format": "evidencelab/case@1", "format": "x"}')
    assert load_error(as_json) == (
        f"{as_json}: JSON error: field 'format' appears twice in one object"
    )


def test_yaml_values_json_cannot_hold_are_errors() -> None:
    data = demo_data()
    data["incidents"][0]["place"][True] = "on"
    data["incidents"][0]["place"]["lat"] = float("nan")
    data["incidents"][0]["photo"] = b"\x00"
    assert errors_of(data) == [
        "cases/demo.yaml: incidents[0].photo: unsupported value of type bytes; use text or numbers",
        "cases/demo.yaml: incidents[0].place: field name read as True, not as text; "
        "put it in quotes",
        "cases/demo.yaml: incidents[0].place.lat: must be a finite number",
    ]


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    lines = ["format: evidencelab/case@1", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
    path = write(tmp_path, "laughs.yaml", "\n".join(lines) + "\n")
    assert load_error(path) == f"{path}: too many values (are YAML aliases nested?)"


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    deep = write(tmp_path, "deep.json", '{"format": "evidencelab/case@1", "x": ' + "[" * 100_000)
    assert load_error(deep) == f"{deep}: JSON nested too deeply"
    nested: dict[str, Any] = {}
    data = {"format": "evidencelab/case@1", "title": "t", "x": nested}
    for _ in range(5000):
        nested["x"] = nested = {}
    assert errors_of(data) == ["cases/demo.yaml: nested too deeply"]


def test_yaml_is_read_with_the_safe_loader(tmp_path: Path) -> None:
    path = write(tmp_path, "unsafe.yaml", "title: !!python/object/apply:os.system ['true']\n")
    assert "YAML syntax error: could not determine a constructor" in load_error(path)


def test_misspelt_fields_are_kept_and_flagged() -> None:
    data = demo_data()
    data["incidents"][0]["place"]["precison_m"] = 47.7
    data["incidents"][0]["casualties"][0]["killed"]["woman"] = 2
    case = case_file_from_dict(data, origin="demo.yaml")
    assert case.incidents[0].place is not None
    assert case.incidents[0].place.extra == {"precison_m": 47.7}
    assert case_file_warnings(case, origin="demo.yaml") == [
        "demo.yaml: incidents[0].casualties[0].killed.woman: unknown field kept as is; "
        "did you mean 'women'?",
        "demo.yaml: incidents[0].place.precison_m: unknown field kept as is; "
        "did you mean 'precision_m'?",
    ]
