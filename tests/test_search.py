"""Search: the transliteration tables against their published examples, the FTS5 engine
over the web demo case (grouping, several words, Cyrillic and Latin meeting, filters,
sensitivity, malformed queries), the index kept in step with edits, and its rebuild."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cli_helpers import run_cli
from evidencelab.locker.case import open_case
from evidencelab.locker.errors import InputError
from evidencelab.model.transliteration import latin_forms, russian_bgn_pcgn, ukrainian_national
from evidencelab.service.evidence.sources import edit_source
from evidencelab.service.search import rebuild_index, search
from evidencelab.store.search_index import match_expression

# Examples printed in the table of Cabinet of Ministers Resolution No. 55 (27 January 2010).
UKRAINIAN_EXAMPLES = {
    "Алушта": "Alushta", "Борщагівка": "Borshchahivka", "Вінниця": "Vinnytsia",
    "Гадяч": "Hadiach", "Згорани": "Zghorany", "Розгон": "Rozghon", "Ґалаґан": "Galagan",
    "Донецьк": "Donetsk", "Рівне": "Rivne", "Єнакієве": "Yenakiieve", "Гаєвич": "Haievych",
    "Короп'є": "Koropie", "Житомир": "Zhytomyr", "Закарпаття": "Zakarpattia",
    "Медвин": "Medvyn", "Іванків": "Ivankiv", "Їжакевич": "Yizhakevych",
    "Кадиївка": "Kadyivka", "Мар'їне": "Marine", "Йосипівка": "Yosypivka", "Стрий": "Stryi",
    "Олексій": "Oleksii", "Київ": "Kyiv", "Миколаїв": "Mykolaiv", "Одеса": "Odesa",
    "Харків": "Kharkiv", "Біла Церква": "Bila Tserkva", "Чернівці": "Chernivtsi",
    "Щербухи": "Shcherbukhy", "Гоща": "Hoshcha", "Юрій": "Yurii", "Корюківка": "Koriukivka",
    "Яготин": "Yahotyn", "Костянтин": "Kostiantyn", "Знам'янка": "Znamianka",
    "Феодосія": "Feodosiia", "Вугледар": "Vuhledar",
}  # fmt: skip
# BGN/PCGN 1947 (Romanization of Russian): its rules for е/ё and the signs, on place names.
RUSSIAN_EXAMPLES = {
    "Москва": "Moskva", "Елизово": "Yelizovo", "Чапаевск": "Chapayevsk",
    "Ульяновск": "Ul’yanovsk", "Щёлково": "Shchëlkovo", "Йошкар-Ола": "Yoshkar-Ola",
    "Хабаровск": "Khabarovsk", "Подъячий": "Pod”yachiy", "Ростов-на-Дону": "Rostov-na-Donu",
}  # fmt: skip


@pytest.mark.parametrize(("cyrillic", "latin"), UKRAINIAN_EXAMPLES.items())
def test_ukrainian_national_system_gives_the_resolutions_examples(
    cyrillic: str, latin: str
) -> None:
    assert ukrainian_national(cyrillic) == latin


@pytest.mark.parametrize(("cyrillic", "latin"), RUSSIAN_EXAMPLES.items())
def test_bgn_pcgn_gives_the_published_spellings(cyrillic: str, latin: str) -> None:
    assert russian_bgn_pcgn(cyrillic) == latin


def test_capitals_and_latin_text_are_kept() -> None:
    assert ukrainian_national("ЩОРС, Kyiv 2022") == "SHCHORS, Kyiv 2022"
    assert latin_forms("Ульяновск") == ["Ulianovsk", "Ulyanovsk"]
    assert latin_forms("Vuhledar") == []


@pytest.mark.parametrize(
    "query", ['"', '"unbalanced', "(AND) OR *", "NEAR(a b)", "col:x", "^", "- +", "' OR 1=1 --"]
)
def test_a_malformed_query_never_errors(demo: Path, query: str) -> None:
    with open_case(demo) as case:
        results = search(case, query, sensitive=True)
    assert results["query"] == query.strip()
    expression = match_expression(query)
    assert expression is None or '""' not in expression


def _refs(results: dict[str, object], kind: str) -> list[str]:
    groups = results["groups"]
    assert isinstance(groups, list)
    return [h["ref"] for g in groups if g["kind"] == kind for h in g["hits"]]


def test_latin_finds_cyrillic_and_back(demo: Path) -> None:
    with sqlite3.connect(demo / "case.sqlite") as db:
        db.execute("UPDATE incident SET notes = 'Удар по лікарні у Вугледарі' WHERE id = ?",
                   ("uman-2022-02-24",))  # fmt: skip
    with open_case(demo) as case:
        rebuild_index(case)
        latin = search(case, "Vuhledari", sensitive=True)
        cyrillic = search(case, "Вугледар", sensitive=True)
    assert "uman-2022-02-24" in _refs(latin, "incident")  # Latin query, Cyrillic notes
    assert "vuhledar-2022-02-24" in _refs(cyrillic, "incident")  # Cyrillic query, Latin text


def test_every_word_must_match_and_the_last_is_a_prefix(demo: Path) -> None:
    with open_case(demo) as case:
        both = search(case, "ballistic hosp", sensitive=True)
        neither = search(case, "ballistic Uman", sensitive=True)
    assert _refs(both, "incident") == ["vuhledar-2022-02-24"]
    assert both["groups"][0]["hits"][0]["snippet"][1]["hit"] is True
    assert _refs(neither, "incident") == []


def test_words_from_an_incidents_place_and_weapon_find_it(demo: Path) -> None:
    with open_case(demo) as case:
        found = search(case, "Vuhledar Tochka", sensitive=True)
        cyrillic = search(case, "Вугледар Точка", sensitive=True)
    assert _refs(found, "incident") == ["vuhledar-2022-02-24"]
    assert _refs(cyrillic, "incident") == ["vuhledar-2022-02-24"]


def test_kinds_and_dates_filter(demo: Path) -> None:
    with open_case(demo) as case:
        weapons = search(case, "Tochka", sensitive=True, kinds=["weapon"])
        later = search(case, "Vuhledar", sensitive=True, date_from="2022-02-25")
        that_day = search(case, "Vuhledar", sensitive=True, date_to="2022-02-24")
        with pytest.raises(InputError, match="date_from 2022-02-30: not a date"):
            search(case, "x", sensitive=True, date_from="2022-02-30")
        with pytest.raises(InputError, match="kind weapons: unknown kind"):
            search(case, "x", sensitive=True, kinds=["weapons"])
    assert [g["kind"] for g in weapons["groups"]] == ["weapon"]
    assert later["total"] == 0
    assert "vuhledar-2022-02-24" in _refs(that_day, "incident")


def test_a_viewer_never_finds_a_sensitive_source_nor_learns_it_exists(demo: Path) -> None:
    with open_case(demo) as case:
        reader = search(case, "local source researchers", sensitive=True)
        viewer = search(case, "local source researchers", sensitive=False)
        by_id = search(case, "local-source-vuhledar", sensitive=False)
    assert _refs(reader, "source") == ["local-source-vuhledar"]
    assert viewer["total"] == 0 and viewer["groups"] == []
    assert by_id["total"] == 0


def test_the_index_follows_an_edit_in_the_same_transaction(demo: Path) -> None:
    with open_case(demo, actor="tester") as case:
        edit_source(case, "amnesty-press-release-2022-02", {"notes": "Шахтарськ corroborates"})
        found = search(case, "Shakhtarsk", sensitive=False)
        edit_source(case, "amnesty-press-release-2022-02", {"sensitive": True})
        hidden = search(case, "Shakhtarsk", sensitive=False)
    assert _refs(found, "source") == ["amnesty-press-release-2022-02"]
    assert hidden["total"] == 0


def test_rebuild_restores_an_index_changed_outside_the_software(demo: Path) -> None:
    with sqlite3.connect(demo / "case.sqlite") as db:
        db.execute("DELETE FROM search_entry")
    with open_case(demo) as case:
        assert search(case, "Vuhledar", sensitive=True)["total"] == 0
    result = run_cli("reindex", "--case", str(demo), "--json")
    assert result.returncode == 0, result.stderr
    with open_case(demo) as case:
        assert search(case, "Vuhledar", sensitive=True)["total"] > 0


def test_cli_search_json_and_a_bad_date(demo: Path) -> None:
    found = run_cli("search", "Вугледар", "--kind", "incident", "--case", str(demo), "--json")
    assert found.returncode == 0, found.stderr
    assert '"ref": "vuhledar-2022-02-24"' in found.stdout
    bad = run_cli("search", "x", "--date-to", "24.02.2022", "--case", str(demo))
    assert bad.returncode == 1
    assert "--date-to 24.02.2022: not a date (YYYY-MM-DD)" in bad.stderr
