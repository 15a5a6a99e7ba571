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
from collections.abc import Iterable, Iterator, Mapping
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


def fold_mapped(text: str) -> tuple[str, list[int] | None, list[int] | None]:
    """The folded text, and for each of its characters the start and end (in ``text``) of
    the characters it came from (a base character with its combining marks); None for
    both when each folded character is the original one at the same place (ASCII)."""
    if text.isascii():
        return text.lower(), None, None
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


# Neither after a letter nor after an apostrophe: what `fold_mapped` calls word-initial.
_INITIAL_LETTER: Final = re.compile(
    rf"(?<![^\W\d_])(?<![{''.join(_APOSTROPHES)}])[{''.join(_INITIAL)}]"
)
_CYRILLIC_APOSTROPHE: Final = re.compile(rf"(?<=[\u0400-\u04ff])[{''.join(_APOSTROPHES)}]")
_TRANSLITERATION: Final = str.maketrans(_CYRILLIC)


def fold(text: str) -> str:
    """The folded text (as `fold_mapped` gives it), at the speed of whole-string
    operations when the text is already NFKC and has no combining marks; otherwise
    character by character."""
    if text.isascii():
        return text.lower()
    if not unicodedata.is_normalized("NFKC", text) or any(map(unicodedata.combining, text)):
        return fold_mapped(text)[0]
    folded = _CYRILLIC_APOSTROPHE.sub("", text.casefold())
    folded = _INITIAL_LETTER.sub(lambda m: _INITIAL[m.group(0)], folded)
    return folded.translate(_TRANSLITERATION)


@dataclass(frozen=True)
class _Pattern:
    """A term's expression over folded text. It starts with the term's first character,
    so that the regular expression engine can scan for it quickly; whether the character
    before a match joins it to a longer word or number is checked apart (``joins``)."""

    term: Term
    expression: re.Pattern[str]
    joins: re.Pattern[str] | None
    phone: bool

    def matches(self, folded: str) -> Iterator[tuple[int, int]]:
        position = 0
        while (match := self.expression.search(folded, position)) is not None:
            start, end = match.span()
            if start and self.joins is not None and self.joins.match(folded[start - 1]):
                position = start + 1
                continue
            if self.phone and start and folded[start - 1] == "+":
                start -= 1
            yield start, end
            position = end


def _pattern(term: Term) -> _Pattern | None:
    """How a term is found in folded text (None: the term folds to nothing)."""
    folded = fold_mapped(term.text.strip())[0]
    if not folded:
        return None
    digits = re.sub(r"\D", "", folded)
    if _PHONE.fullmatch(folded) and len(digits) >= MIN_PHONE_DIGITS:
        body = _PHONE_SEPARATORS.join(digits)
        return _Pattern(term, re.compile(rf"{body}(?!\d)"), re.compile(r"\d"), phone=True)
    body = r"\s+".join(re.escape(word) for word in folded.split())
    after = r"(?!\w)" if re.search(r"\w$", folded) else ""
    joins = re.compile(r"\w") if re.match(r"\w", folded) else None
    return _Pattern(term, re.compile(body + after), joins, phone=False)


class TermMatcher:
    """Finds and withholds a set of terms in text."""

    def __init__(self, terms: Iterable[Term]) -> None:
        self.terms = list(terms)
        self._patterns = [p for t in self.terms if (p := _pattern(t)) is not None]

    def __bool__(self) -> bool:
        return bool(self._patterns)

    def found(self, text: str) -> list[Term]:
        """The terms occurring in ``text``, in declaration order."""
        if not self._patterns:
            return []
        folded = fold(text)
        return [p.term for p in self._patterns if next(p.matches(folded), None) is not None]

    def spans(self, text: str) -> list[tuple[Term, int, int]]:
        """Each occurrence of each term: (term, start, end) in ``text``."""
        if not self.found(text):  # the quick test first; mapping back costs more
            return []
        folded, starts, ends = fold_mapped(text)
        return [
            (p.term, s if starts is None else starts[s], e if ends is None else ends[e - 1])
            for p in self._patterns
            for s, e in p.matches(folded)
        ]

    def redact(self, text: str, marker: str) -> str:
        """``text`` with every occurrence of every term replaced by ``marker``."""
        spans = sorted((start, end) for _, start, end in self.spans(text))
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
