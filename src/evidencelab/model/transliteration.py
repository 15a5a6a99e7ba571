"""Cyrillic place and person names in Latin letters, so that "Vuhledar" finds "Вугледар".

Two published systems, each a pure function over text (other characters pass unchanged):

* :func:`ukrainian_national` — the official Ukrainian national system, Cabinet of Ministers
  of Ukraine Resolution No. 55 of 27 January 2010 "On the regulation of transliteration of
  the Ukrainian alphabet by means of the Latin alphabet"
  (https://zakon.rada.gov.ua/laws/show/55-2010-%D0%BF);
* :func:`russian_bgn_pcgn` — the BGN/PCGN 1947 system for Russian (US Board on Geographic
  Names and the UK Permanent Committee on Geographical Names, "Romanization of Russian",
  https://www.gov.uk/government/publications/romanisation-systems), without its optional
  middle dot between letters that would otherwise read as a digraph (t·s).

:func:`latin_forms` gives the Latin spellings a search index keeps beside the text.
"""

from __future__ import annotations

import re
from typing import Final

# Resolution 55 (2010), table column "transliteration"; the word-initial forms are in
# _UKRAINIAN_INITIAL, "зг" is "zgh" (Згорани: Zghorany) and the apostrophe is dropped.
_UKRAINIAN: Final = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu",
    "я": "ia",
}  # fmt: skip
_UKRAINIAN_INITIAL: Final = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_APOSTROPHES: Final = frozenset("'’ʼ")

# BGN/PCGN 1947; е and ё are "ye"/"yë" at the start of a word and after a vowel, й, ъ or ь.
_RUSSIAN: Final = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "ë", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "”", "ы": "y", "ь": "’", "э": "e", "ю": "yu",
    "я": "ya",
}  # fmt: skip
_RUSSIAN_YE_AFTER: Final = frozenset("аеёиоуыэюяйъь")
_CYRILLIC: Final = re.compile(r"[\u0400-\u04ff]")
# Signs a search folds away: the transliterated soft and hard signs and the apostrophe.
_SIGNS: Final = re.compile(r"[’”'ʼ]")


def _cased(latin: str, letter: str, following: str, previous: str) -> str:
    """``latin`` in the case of the Cyrillic ``letter``: all capitals inside a word written
    in capitals (ЩОРС: SHCHORS), else a capital initial (Щорс: Shchors)."""
    if not letter.isupper() or not latin:
        return latin
    if following.isupper() or (not following.isalpha() and previous.isupper()):
        return latin.upper()
    return latin[0].upper() + latin[1:]


def ukrainian_national(text: str) -> str:
    """``text`` with Ukrainian Cyrillic letters in Latin by Resolution 55 of 2010
    (Вугледар: Vuhledar, Харків: Kharkiv, Згорани: Zghorany, Мар'їне: Marine)."""
    out: list[str] = []
    previous = ""
    for index, char in enumerate(text):
        lower = char.lower()
        following = text[index + 1] if index + 1 < len(text) else ""
        if char in _APOSTROPHES and _CYRILLIC.match(previous or " "):
            previous = char
            continue
        if lower not in _UKRAINIAN:
            out.append(char)
            previous = char
            continue
        initial = not (previous.isalpha() or previous in _APOSTROPHES)
        if lower == "г" and previous.lower() == "з":
            latin = "gh"
        elif initial and lower in _UKRAINIAN_INITIAL:
            latin = _UKRAINIAN_INITIAL[lower]
        else:
            latin = _UKRAINIAN[lower]
        out.append(_cased(latin, char, following, previous))
        previous = char
    return "".join(out)


def russian_bgn_pcgn(text: str) -> str:
    """``text`` with Russian Cyrillic letters in Latin by BGN/PCGN 1947 (Москва: Moskva,
    Елизово: Yelizovo, Чапаевск: Chapayevsk, Ульяновск: Ul’yanovsk)."""
    out: list[str] = []
    previous = ""
    for index, char in enumerate(text):
        lower = char.lower()
        following = text[index + 1] if index + 1 < len(text) else ""
        if lower not in _RUSSIAN:
            out.append(char)
            previous = char
            continue
        latin = _RUSSIAN[lower]
        if lower in "её" and (not previous.isalpha() or previous.lower() in _RUSSIAN_YE_AFTER):
            latin = "y" + latin
        out.append(_cased(latin, char, following, previous))
        previous = char
    return "".join(out)


def latin_forms(text: str) -> list[str]:
    """The distinct Latin spellings of ``text`` a search matches besides the text itself:
    the Ukrainian national and the BGN/PCGN Russian one (a form that leaves a Cyrillic
    letter untransliterated is not one), with apostrophes and the soft and hard signs'
    marks removed so that "Ulyanovsk" meets Ульяновск; none for text without Cyrillic."""
    if not _CYRILLIC.search(text):
        return []
    forms: list[str] = []
    for form in (ukrainian_national(text), russian_bgn_pcgn(text)):
        plain = _SIGNS.sub("", form)
        if not _CYRILLIC.search(plain) and plain not in forms:
            forms.append(plain)
    return forms
