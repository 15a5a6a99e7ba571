"""The munitions catalogue: validity, citations on every number, lookup, case overrides."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from evidencelab.analysis.munitions import (
    CatalogueError,
    Figure,
    catalogue_directory,
    default_catalogue,
    entry_problems,
    find_munition,
    flag_grades,
    load_catalogue,
    merge_case_overrides,
    normalise_name,
)

REQUIRED_WEAPONS = [
    "9M79 Tochka",
    "Tochka-U",
    "9N123K",
    "9K720 Iskander-M",
    "BM-21 Grad",
    "9K57 Uragan",
    "9M27K",
    "9K58 Smerch",
    "9M55K",
    "Tornado-S",
    "122 mm artillery",
    "152 mm artillery",
    "Kh-101",
    "3M-14 Kalibr",
    "Kh-22",
    "Kh-32",
    "S-300",
    "Shahed-136",
    "Geran-2",
    "FAB-500 with UMPK",
    "9N210",
    "9N235",
]


def _documents() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(catalogue_directory().iterdir(), key=lambda p: p.name):
        if path.name.endswith(".yaml"):
            yield path.name, yaml.safe_load(path.read_text(encoding="utf-8"))


def _numbers(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any], str]]:
    """Every number in a document, with the mapping that holds it."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                yield f"{path}.{key}", node, key
            else:
                yield from _numbers(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _numbers(value, f"{path}[{index}]")


def test_every_entry_validates() -> None:
    documents = list(_documents())
    assert len(documents) >= 15
    for name, document in documents:
        assert entry_problems(document) == [], name
    assert len(load_catalogue()) == len(documents)


@pytest.mark.parametrize("name", REQUIRED_WEAPONS)
def test_required_weapons_present(name: str) -> None:
    assert find_munition(name) is not None, name


def test_every_number_has_citation_and_flag() -> None:
    research_flags = {
        "A",
        "B",
        "C",
        "M",
        "B/C",
        "A via B",
        "A via C",
        "B quoting A",
        "A-NGO, unsourced number",
    }
    count = 0
    for name, document in _documents():
        for path, holder, key in _numbers(document):
            count += 1
            where = f"{name}{path}"
            assert key in {"value", "min", "max"}, f"{where}: number outside a figure"
            assert holder.get("source"), f"{where}: no source"
            assert holder.get("url"), f"{where}: no URL"
            assert holder.get("flag") in research_flags, f"{where}: flag {holder.get('flag')}"
            assert holder.get("unit"), f"{where}: no unit"
    assert count > 40


def test_every_empty_field_says_why() -> None:
    for name, document in _documents():
        for path, reason in document["gaps"].items():
            node: Any = document
            for part in path.split("."):
                node = node[part]
            assert node is None, f"{name}: {path}"
            assert reason.strip(), f"{name}: {path}"


def test_empty_fields_where_research_has_no_figure() -> None:
    catalogue = default_catalogue()
    for weapon in (
        "kh-101",
        "fab-500-umpk",
        "bm-21-grad",
        "9k58-smerch",
        "s-300-surface-to-surface",
    ):
        entry = catalogue[weapon]
        assert entry.figures("accuracy.published") == []
        assert "no credible published" in (entry.gap("accuracy.published") or "")
    for entry in catalogue:
        assert entry.figures("effects.lethal_radius_m") == []
        assert entry.gap("effects.lethal_radius_m")


def test_published_and_field_accuracy_kept_apart() -> None:
    tochka = find_munition("Tochka")
    assert tochka is not None
    published = tochka.figures("accuracy.published")
    assert [(f.min, f.max, f.flag) for f in published] == [(70, 90, "C")]
    field = tochka.field_miss_distances_m()
    assert [(f.value, f.qualifier, f.flag) for f in field] == [
        (805, "approx", "A"),
        (536, "at_least", "B"),
    ]
    assert tochka.published_cep_m() == []  # the 70-90 m radius is not called a CEP
    artillery = find_munition("152 mm howitzer")
    assert artillery is not None
    [cep] = artillery.published_cep_m()
    assert (cep.value, cep.qualifier, cep.flag) == (100, "more_than", "A via B")
    assert cep.weakest_grade == "B"


def test_figures_used_by_the_demo_case() -> None:
    tochka = find_munition("9M79 Tochka")
    assert tochka is not None and tochka.id == "9m79-tochka"
    assert [f.value for f in tochka.figures("submunitions.count")] == [50, 20]
    iskander = find_munition("Iskander-M")
    assert iskander is not None and iskander.guidance == "guided"
    grad = find_munition("Grad")
    assert grad is not None and grad.guidance == "unguided"
    assert [f.value for f in grad.figures("launcher.tubes")] == [40]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Tochka-U", "9m79-tochka"),
        ("tochka u", "9m79-tochka"),
        ("9М79", "9m79-tochka"),  # Cyrillic М
        ("Точка-У", "9m79-tochka"),
        ("SS-21 Scarab", "9m79-tochka"),
        ("ss21", "9m79-tochka"),
        ("9N123K", "9m79-tochka"),
        ("Х-22", "kh-22-kh-32"),  # Cyrillic Х
        ("kh-32", "kh-22-kh-32"),
        ("9Н235", "9n235"),  # Cyrillic Н
        ("GERAN-2", "shahed-136"),
        ("Герань-2", "shahed-136"),
        ("Калибр", "3m-14-kalibr"),
        ("BM-30", "9k58-smerch"),
        ("9m27k", "9k57-uragan"),
        ("УМПК", "fab-500-umpk"),
        ("tornado-s", "tornado-s"),
    ],
)
def test_alias_lookup(name: str, expected: str) -> None:
    entry = find_munition(name)
    assert entry is not None, name
    assert entry.id == expected


def test_unknown_name() -> None:
    assert find_munition("Scud-B") is None
    assert find_munition("") is None


def test_normalise_name() -> None:
    assert normalise_name("SS-21 Scarab") == "ss21scarab"
    assert normalise_name("9М79") == normalise_name("9M79") == "9m79"
    assert normalise_name("Точка-У") == "tochkau"


def _tochka_document() -> dict[str, Any]:
    for name, document in _documents():
        if name == "9m79-tochka.yaml":
            return copy.deepcopy(document)
    raise AssertionError("no Tochka file")


def test_case_override_wins_and_keeps_provenance() -> None:
    catalogue = default_catalogue()
    override = _tochka_document()
    override["accuracy"]["field"] = [
        {
            "value": 700,
            "qualifier": "approx",
            "unit": "m",
            "measure": "miss_distance",
            "source": "Case analyst: measured from geolocated impact and likely aim point",
            "url": "case:vuhledar-remnant-1",
            "flag": "B",
        }
    ]
    merged = merge_case_overrides(catalogue, [override], origin="case.yaml")
    entry = merged.find("Tochka-U")
    assert entry is not None
    assert [f.value for f in entry.field_miss_distances_m()] == [700]
    assert entry.origin == "case.yaml: entries[0]"
    assert entry.replaces is catalogue["9m79-tochka"]
    # The shipped catalogue is unchanged.
    assert [f.value for f in catalogue["9m79-tochka"].field_miss_distances_m()] == [805, 536]


def test_case_can_add_an_entry() -> None:
    new = _tochka_document()
    new["id"] = "case-unknown-rocket"
    new["names"] = {"english": ["Unidentified 122 mm rocket variant X"]}
    merged = merge_case_overrides(default_catalogue(), [new])
    entry = merged.find("unidentified 122 mm rocket variant x")
    assert entry is not None and entry.replaces is None
    assert len(merged) == len(default_catalogue()) + 1


def test_case_entry_without_citation_is_refused() -> None:
    bad = _tochka_document()
    del bad["range_km"]["max"][0]["url"]
    with pytest.raises(CatalogueError) as raised:
        merge_case_overrides(default_catalogue(), [bad], origin="case.yaml")
    assert str(raised.value) == (
        "case.yaml: entries[0].range_km.max[0]: 'url' is a required property"
    )


def test_case_alias_clash_is_refused() -> None:
    clash = _tochka_document()
    clash["id"] = "another"
    with pytest.raises(CatalogueError, match="is also a name of"):
        merge_case_overrides(default_catalogue(), [clash])


def _copy_catalogue(tmp_path: Path) -> Path:
    for name, document in _documents():
        (tmp_path / name).write_text(yaml.safe_dump(document, allow_unicode=True), "utf-8")
    return tmp_path


def test_broken_file_gives_one_line_error(tmp_path: Path) -> None:
    folder = _copy_catalogue(tmp_path)
    document = yaml.safe_load((folder / "bm-21-grad.yaml").read_text("utf-8"))
    document["accuracy"]["statements"][0]["flag"] = "probably fine"
    (folder / "bm-21-grad.yaml").write_text(yaml.safe_dump(document), "utf-8")
    with pytest.raises(CatalogueError) as raised:
        load_catalogue(folder)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("munitions/bm-21-grad.yaml: accuracy.statements[0].flag: ")


def test_unexplained_empty_field_is_an_error(tmp_path: Path) -> None:
    folder = _copy_catalogue(tmp_path)
    document = yaml.safe_load((folder / "kh-101.yaml").read_text("utf-8"))
    del document["gaps"]["range_km.min"]
    (folder / "kh-101.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), "utf-8")
    with pytest.raises(CatalogueError) as raised:
        load_catalogue(folder)
    assert str(raised.value) == "munitions/kh-101.yaml: range_km.min: is empty; say why in gaps"


def test_malformed_yaml_gives_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("id: [unclosed\nnames: {", "utf-8")
    with pytest.raises(CatalogueError) as raised:
        load_catalogue(tmp_path)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("munitions/broken.yaml: line ")


@pytest.mark.parametrize(
    ("flag", "grades", "weakest"),
    [
        ("A", ("A",), "A"),
        ("A via B", ("A", "B"), "B"),
        ("B/C", ("B", "C"), "C"),
        # The IPHR text is grade A, its 5-7 m figure has no source: a placeholder.
        ("A-NGO, unsourced number", ("A", "C"), "C"),
    ],
)
def test_flag_grades(flag: str, grades: tuple[str, ...], weakest: str) -> None:
    assert flag_grades(flag) == grades
    figure = Figure(unit="m", source="s", url="u", flag=flag, value=1.0)
    assert figure.weakest_grade == weakest
