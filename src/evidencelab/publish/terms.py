"""Sensitive terms: strings that identify a source (a witness's name and its spellings, a
phone number, a street address), found and withheld wherever they appear in free text.

A source declares them under ``sensitive_terms`` in the case file; every source's terms
count, whether or not the source is sensitive, because a name travels into other records'
text ("the nurse Olena K. also saw this strike").

Matching is done on a folded form of both the term and the text:

* Unicode compatibility normalisation (NFKC) and case folding, so "OLENA", "olena" and
  full-width or ligature forms meet;
* Cyrillic transliterated to Latin by the Ukrainian national table (KMU 2010, with its
  word-initial forms of є, ї, й, ю, я) plus the Russian-only letters, so "Олена
  Коваленко" meets "Olena Kovalenko"; other romanisations ("Alyona") are separate terms;
* any run of white space in a term matches any run of white space in the text;
* whole words: a term that starts (ends) with a letter or digit does not match inside a
  longer word;
* a term that is a phone number (digits with spaces, dashes, dots, brackets, an optional
  leading +; seven digits or more) matches its digits with any of those separators.

A match is mapped back to the original text (a folded character remembers the characters
it came from), so what is withheld is exactly the original spelling.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

# Ukrainian national transliteration (Cabinet of Ministers resolution 55, 2010), then the
# letters only Russian has. Word-initial forms are in _INITIAL.
_CYRILLIC: Final = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu",
    "я": "ia", "ё": "e", "ы": "y", "э": "e", "ъ": "",
}  # fmt: skip
_INITIAL: Final = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
# The Ukrainian apostrophe is left out of the transliteration (Мар'яна: Mariana).
_APOSTROPHES: Final = frozenset("'’ʼ`")
_PHONE_SEPARATORS: Final = r"[\s\-.()/]*"
_PHONE: Final = re.compile(r"\+?[\d\s\-.()/]+")
MIN_PHONE_DIGITS: Final = 7


@dataclass(frozen=True)
class Term:
    """One declared term: its text, the source declaring it, and its number (from 1) in
    that source's list, which names it in messages without repeating it."""

    text: str
    source: str
    number: int

    @property
    def label(self) -> str:
        return f"sensitive term {self.number} of source '{self.source}'"


def source_terms(sources: Iterable[Mapping[str, Any]]) -> list[Term]:
    """Every term declared by the sources (case file or report records), in order."""
    return [
        Term(str(text), str(source["id"]), number)
        for source in sources
        for number, text in enumerate(source.get("sensitive_terms") or (), start=1)
    ]


def _is_cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u04ff"


def _fold_cluster(cluster: str, after_letter: bool, after_cyrillic: bool) -> str:
    folded = unicodedata.normalize("NFKC", cluster).casefold()
    if after_cyrillic and folded in _APOSTROPHES:
        return ""
    table = _CYRILLIC if after_letter else _CYRILLIC | _INITIAL
    return "".join(table.get(c, c) for c in folded)


def fold(text: str) -> tuple[str, list[int], list[int]]:
    """The folded text, and for each of its characters the start and end (in ``text``) of
    the characters it came from (a base character with its combining marks)."""
    if text.isascii():
        return text.lower(), list(range(len(text))), list(range(1, len(text) + 1))
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    index = 0
    previous = ""
    while index < len(text):
        end = index + 1
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1
        # A letter after an apostrophe is inside the word (Мар'яна: Mariana).
        inside_word = previous.isalpha() or previous in _APOSTROPHES
        folded = _fold_cluster(text[index:end], inside_word, _is_cyrillic(previous))
        parts.append(folded)
        starts += [index] * len(folded)
        ends += [end] * len(folded)
        previous = text[index]
        index = end
    return "".join(parts), starts, ends


def _pattern(term: str) -> re.Pattern[str] | None:
    """The regular expression a term matches in folded text (None: nothing to match)."""
    folded = fold(term.strip())[0]
    if not folded:
        return None
    digits = re.sub(r"\D", "", folded)
    if _PHONE.fullmatch(folded) and len(digits) >= MIN_PHONE_DIGITS:
        body = r"\+?" + _PHONE_SEPARATORS.join(digits)
        return re.compile(rf"(?<!\d){body}(?!\d)")
    body = r"\s+".join(re.escape(word) for word in folded.split())
    before = r"(?<!\w)" if re.match(r"\w", folded) else ""
    after = r"(?!\w)" if re.search(r"\w$", folded) else ""
    return re.compile(before + body + after)


class TermMatcher:
    """Finds and withholds a set of terms in text."""

    def __init__(self, terms: Iterable[Term]) -> None:
        self.terms = list(terms)
        self._patterns = [(t, p) for t in self.terms if (p := _pattern(t.text)) is not None]

    def __bool__(self) -> bool:
        return bool(self._patterns)

    def spans(self, text: str) -> list[tuple[Term, int, int]]:
        """Each occurrence of each term: (term, start, end) in ``text``."""
        folded, starts, ends = fold(text)
        return [
            (term, starts[m.start()], ends[m.end() - 1])
            for term, pattern in self._patterns
            for m in pattern.finditer(folded)
        ]

    def found(self, text: str) -> list[Term]:
        """The terms occurring in ``text``, in declaration order."""
        if not self._patterns:
            return []
        hits = {term for term, _, _ in self.spans(text)}
        return [t for t, _ in self._patterns if t in hits]

    def redact(self, text: str, marker: str) -> str:
        """``text`` with every occurrence of every term replaced by ``marker``."""
        if not self._patterns:
            return text
        spans = sorted((start, end) for _, start, end in self.spans(text))
        if not spans:
            return text
        merged: list[list[int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        out, last = [], 0
        for start, end in merged:
            out += [text[last:start], marker]
            last = end
        out.append(text[last:])
        return "".join(out)


def redact_values(
    value: Any, matcher: TermMatcher, marker: str, *, keep: frozenset[str] = frozenset()
) -> Any:
    """Every string in ``value`` (dicts and lists, recursively) with the terms withheld;
    embedded images (``data:`` URIs) and the string values of keys in ``keep`` (references
    such as ids, which must stay valid) are left as they are."""
    if not matcher:
        return value
    if isinstance(value, str):
        return value if value.startswith("data:") else matcher.redact(value, marker)
    if isinstance(value, dict):
        return {
            k: v if k in keep and _is_reference(v) else redact_values(v, matcher, marker, keep=keep)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact_values(v, matcher, marker, keep=keep) for v in value]
    return value


def _is_reference(value: Any) -> bool:
    return isinstance(value, str) or (
        isinstance(value, list) and all(isinstance(v, str) for v in value)
    )


def term_locations(value: Any, matcher: TermMatcher, path: str = "") -> list[tuple[str, Term]]:
    """Where terms still occur in ``value``: (``incidents[0].notes``, term) pairs."""
    if not matcher:
        return []
    if isinstance(value, str):
        if value.startswith("data:"):
            return []
        return [(path, term) for term in matcher.found(value)]
    if isinstance(value, dict):
        items: Iterable[tuple[str, Any]] = (
            (f"{path}.{k}" if path else str(k), v) for k, v in value.items()
        )
    elif isinstance(value, list):
        items = ((f"{path}[{i}]", v) for i, v in enumerate(value))
    else:
        return []
    return [hit for where, child in items for hit in term_locations(child, matcher, where)]


def text_locations(name: str, text: str, matcher: TermMatcher) -> list[tuple[str, Term]]:
    """Where terms still occur in a text file: (``incidents.csv, line 3``, term) pairs.
    The whole text is searched, so a term that a writer wrapped over two lines is found."""
    if not matcher:
        return []
    hits = sorted(
        ((start, term.number, term) for term, start, _ in matcher.spans(text)), key=lambda h: h[:2]
    )
    return [(f"{name}, line {text.count(chr(10), 0, start) + 1}", term) for start, _, term in hits]
