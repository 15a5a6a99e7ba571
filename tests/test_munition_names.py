"""Weapon names as published reports write them, resolved to the catalogue entry and the
warhead variant (analysis.munition_names). Each row: the string as published, its
publisher, the expected entry (or the candidates of an ambiguous string) and variant."""

from __future__ import annotations

import pytest

from evidencelab.analysis.munition_names import resolve_weapon, words_of
from evidencelab.analysis.munitions import default_catalogue

TOCHKA, ISKANDER, SMERCH, URAGAN, GRAD = (
    "9m79-tochka", "9k720-iskander-m", "9k58-smerch", "9k57-uragan", "bm-21-grad",
)  # fmt: skip

# (text as published, publisher, expected entry or tuple of candidates, variant)
TABLE: list[tuple[str, str, str | tuple[str, ...], str | None]] = [
    ("9M79 Tochka ballistic missile", "Amnesty International, 25 Feb 2022", TOCHKA, None),
    ("9M79-series Tochka ballistic missile with a 9N123 cluster munition warhead",
     "Human Rights Watch, 25 Feb 2022", TOCHKA, "cluster"),
    ("Tochka-U missile equipped with a cluster munition warhead",
     "SITU Research / Human Rights Watch, 2023", TOCHKA, "cluster"),
    ("Tochka-U", "Human Rights Watch, 21 Feb 2023", TOCHKA, None),
    ("9N123K", "Human Rights Watch, 2023", TOCHKA, "cluster"),
    ("9K79-1 Tochka-U with 9N123K warhead", "issue 14 combination of HRW designations",
     TOCHKA, "cluster"),
    ("9M79-1", "Human Rights Watch designation", TOCHKA, None),
    ("SS-21", "IDSA, 8 Apr 2008 (Pentagon statement)", TOCHKA, None),
    ("SS-21 Scarab", "American Cold War Veterans blog, 2011", TOCHKA, None),
    ("Точка-У", "Pravda (Serbia), 8 Apr 2022", TOCHKA, None),
    ("TotchkaU", "BBC report as republished, Apr 2022", TOCHKA, None),
    ("Tochka-U ballistic missiles", "RT, 2022", TOCHKA, None),
    ("9M55K Smerch", "Human Rights Watch, 4 Mar 2022", SMERCH, "cluster"),
    ("9M55K", "Human Rights Watch, 4 Mar 2022", SMERCH, "cluster"),
    ("300 millimeter Smerch (Tornado)", "Human Rights Watch, 19 Mar 2015", SMERCH, None),
    ("Smerch rockets", "Amnesty International, Apr 2022", SMERCH, None),
    ("Smerč", "Amnesty International, Czech summary", SMERCH, None),
    ("BM-30 Smerch missiles", "Euronews, 7 Dec 2022", SMERCH, None),
    ("9M55K5", "GRAU variant of the 9M55K", SMERCH, "cluster"),
    ("9M55S", "GRAU thermobaric variant", SMERCH, "thermobaric"),
    ("220 millimeter Uragan (Hurricane) cluster munition rockets",
     "Human Rights Watch, 19 Mar 2015", URAGAN, "cluster"),
    ("9M27K-series Uragan rocket", "Human Rights Watch, 6 Jul 2023", URAGAN, "cluster"),
    ("Uragan cluster munition rockets", "Human Rights Watch, 2014", URAGAN, "cluster"),
    ("Uragan MLRS cluster munitions", "Donetsk regional administration, via grupo-jbl",
     URAGAN, "cluster"),
    ("BM-27 Uragan rocket launchers", "Euronews, 7 Dec 2022", URAGAN, None),
    ("220mm Uragan cluster munition rocket", "Human Rights Watch, 11 May 2022",
     URAGAN, "cluster"),
    ("9M27K1", "GRAU variant of the 9M27K", URAGAN, "cluster"),
    ("220 mm cluster rocket", "issue 14 example", URAGAN, "cluster"),
    ("Grad rockets", "Human Rights Watch, 24 Jul 2014", GRAD, None),
    ("BM-21 Grad multi-barrel rocket launchers", "Human Rights Watch, 14 Jan 2013",
     GRAD, None),
    ("122mm cluster munition rockets", "Human Rights Watch, 14 Jan 2013", GRAD, "cluster"),
    ("rockets of the BM-21 Grad system", "tech.wp.pl, Mar 2022", GRAD, None),
    ("Grads", "Amnesty International, Jun 2022", GRAD, None),
    ("9N210", "Amnesty International, Jun 2022", "9n210", "cluster"),
    ("9N235", "Amnesty International, Jun 2022", "9n235", "cluster"),
    ("9N210 / 9N235 cluster munitions", "Amnesty International via Ukrinform, Jun 2022",
     ("9n210", "9n235"), "cluster"),
    ("9N24 Cluster submunition", "RUSI via BBC, Apr 2022", "9n24", "cluster"),
    ("Iskander", "OHCHR on Hroza, Oct 2023", ISKANDER, None),
    ("Iskander-M (SS-26 Stone)", "CSIS Missile Threat", ISKANDER, None),
    ("9K720 Iskander", "The National Interest", ISKANDER, None),
    ("Iskander-M", "Kharkiv regional prosecutor, via UNN", ISKANDER, None),
    ("Искандер-М", "Russian Ministry of Defence", ISKANDER, None),
    ("Iskandar", "transliteration in press reports", ISKANDER, None),
    ("9M723", "GRAU missile index", ISKANDER, None),
    ("Iskander-M/KN-23", "Ukrainian Air Force via Reuters, Apr 2025", (ISKANDER, "kn-23"), None),
    ("Iskander-M or KN-23 ballistic missiles", "Ukrainian Air Force via Reuters, Aug 2024",
     (ISKANDER, "kn-23"), None),
    ("KN-23", "Conflict Armament Research via KBS, 2024", "kn-23", None),
    ("KN-23 (Hwasong 11GA)", "Kharkiv regional police via The Atlas News, Feb 2024",
     "kn-23", None),
    ("Hwasong-11", "UN sanctions monitors via Reuters, Apr 2024", "kn-23", None),
    ("Kh-22", "Amnesty International on Serhiivka, Jul 2022", "kh-22-kh-32", None),
    ("Kh-101", "Ukrainian Air Force", "kh-101", None),
    ("Kh-101/555/55", "Kyiv city military administration, via CNN", "kh-101", None),
    ("Х-101", "Ukrainian Air Force (Cyrillic)", "kh-101", None),
    ("S-300 missiles", "Kharkiv regional administration, via CNN", "s-300-surface-to-surface",
     None),
    ("Shahed-136", "Euronews Romania", "shahed-136", None),
    ("Geran-2", "Russian Ministry of Defence", "shahed-136", None),
    ("Kalibr cruise missiles", "Russian Ministry of Defence via The Standard, Mar 2022",
     "3m-14-kalibr", None),
    ("Калибр", "Russian Ministry of Defence (Cyrillic)", "3m-14-kalibr", None),
    ("Kinzhal", "Russian Ministry of Defence via Bloomberg, Mar 2022", "kh-47m2-kinzhal", None),
    ("Kh-47M2 Kinzhal", "WION, Mar 2022", "kh-47m2-kinzhal", None),
    ("Kh-59", "Ukrainian Air Force via Ukrainska Pravda, May 2024", "kh-59", None),
    ("X-59 (ή Kh-59)", "APE-MPE via Skai, Feb 2024", "kh-59", None),
    ("FAB-500", "Chernihiv regional administration via Origo, Mar 2022", "fab-500", None),
    ("FAB-500 M62", "Amnesty International via City A.M., Mar 2022", "fab-500", "unitary"),
    ("ФАБ-500", "Chernihiv regional administration via my.ua, Mar 2022", "fab-500", None),
    ("FAB-250", "Business Insider Polska, Nov 2024", "fab-250", None),
    ("OFAB-250", "tech.wp.pl, May 2024", "fab-250", None),
    ("FAB-500 with UMPK", "issue 14 / Conflict Intelligence Team usage", "fab-500-umpk",
     "guided_kit"),
    ("ODAB-500", "thermobaric bomb designation", "fab-500", "thermobaric"),
    ("RBK-500", "Human Rights Watch, May 2022", "rbk-500", "cluster"),
    ("Tornado-S", "TASS", "tornado-s", None),
    ("152mm artillery", "Amnesty International, Jun 2022", "tube-artillery-122-152", None),
    ("122 mm", "calibre alone (Grad rocket or howitzer shell)",
     (GRAD, "tube-artillery-122-152"), None),
    ("300 mm cluster rocket", "calibre and role (Smerch or Tornado-S)",
     (SMERCH, "tornado-s"), "cluster"),
]  # fmt: skip


def _ids(text: str) -> tuple[str | None, tuple[str, ...], str | None]:
    resolution = resolve_weapon(text, default_catalogue())
    found = resolution.munition.id if resolution.munition else None
    return found, tuple(sorted(m.id for m in resolution.candidates)), resolution.variant


def test_the_table_has_more_than_sixty_published_strings() -> None:
    assert len(TABLE) >= 60
    assert len({text for text, *_ in TABLE}) == len(TABLE)


@pytest.mark.parametrize(("text", "publisher", "expected", "variant"), TABLE)
def test_published_name_resolves_to_entry_and_variant(
    text: str, publisher: str, expected: str | tuple[str, ...], variant: str | None
) -> None:
    found, candidates, got_variant = _ids(text)
    if isinstance(expected, tuple):
        assert (found, candidates) == (None, tuple(sorted(expected))), publisher
    else:
        assert (found, candidates) == (expected, ()), publisher
    assert got_variant == variant, publisher


def test_ambiguous_text_names_no_entry_and_says_how_each_candidate_matched() -> None:
    resolution = resolve_weapon("Iskander-M or KN-23", default_catalogue())
    assert resolution.status == "ambiguous" and resolution.munition is None
    assert {(m.words, m.munition_id) for m in resolution.matches} == {
        ("Iskander-M", ISKANDER),
        ("KN-23", "kn-23"),
    }


def test_unknown_designation_is_reported_not_guessed() -> None:
    resolution = resolve_weapon("9M544 rocket", default_catalogue())
    assert (resolution.status, resolution.unmatched) == ("unresolved", ("9M544",))


def test_conflicting_variant_marks_give_no_variant() -> None:
    resolution = resolve_weapon("9M55K thermobaric", default_catalogue())
    assert resolution.munition is not None and resolution.munition.id == SMERCH
    assert resolution.variant is None and "conflicting" in resolution.variant_basis


def test_words_are_case_script_and_hyphen_insensitive() -> None:
    assert [k for k, _ in words_of("9К79-1 Точка-У, SS‑21")] == ["9k791", "tochkau", "ss21"]
