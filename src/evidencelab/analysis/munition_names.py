"""Weapon names as investigators write them, resolved to catalogue entries.

Reports name one weapon in many ways: the missile's or the system's index (9M723 /
9K720), a variant suffix (9K79-1, Iskander-M), the letter that marks a cluster or
thermobaric rocket (9M55K, 9M55S), a calibre and a role ("220 mm cluster rocket"), a NATO
reporting name (SS-21 Scarab), Cyrillic or another transliteration (Точка-У, Iskandar),
or several at once ("9K79-1 Tochka-U with 9N123K warhead"). `resolve_weapon` normalises the
text, splits it into words and designations, matches them against every entry's names,
designations and variants, and returns the entry, the warhead variant and how each part
matched. Text that fits more than one entry returns the candidates and no entry: the
resolver never picks the first.

Variant letters follow the GRAU convention that the reports cited in the catalogue use:
K marks a cluster ("kassetnaya") warhead (9M55K, 9M27K, 9N123K: Human Rights Watch,
4 March 2022 and 21 February 2023), F a high-explosive unitary one (9M27F, 9M55F) and S
a thermobaric one (9M55S). The F and S readings are the GRAU convention as generally
published, not read in a cited report; docs/munitions.md says so.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from typing_extensions import TypedDict

from evidencelab.analysis.munitions import Catalogue, Munition, normalise_name

#: Words that state the variant in prose (normalised: lower case, Latin script).
VARIANT_WORDS: Final[Mapping[str, str]] = {
    "cluster": "cluster",
    "kassetnaya": "cluster",
    "kassetnyy": "cluster",
    "kassetnyi": "cluster",
    "kasetna": "cluster",
    "submunition": "cluster",
    "submunitions": "cluster",
    "bomblets": "cluster",
    "thermobaric": "thermobaric",
    "termobaricheskaya": "thermobaric",
    "fuelair": "thermobaric",
    "vacuum": "thermobaric",
    "unitary": "unitary",
    "highexplosive": "unitary",
    "umpk": "guided_kit",
    "glide": "guided_kit",
}

#: Variant marked by the letter after a GRAU index (see the module docstring).
VARIANT_LETTERS: Final[Mapping[str, str]] = {"k": "cluster", "f": "unitary", "s": "thermobaric"}

#: Catalogue classes a role word names.
ROLE_CLASSES: Final[Mapping[str, tuple[str, ...]]] = {
    "rocket": ("multiple_rocket_launcher",),
    "rockets": ("multiple_rocket_launcher",),
    "mlrs": ("multiple_rocket_launcher",),
    "missile": ("ballistic_missile", "cruise_missile", "anti_ship_missile",
                "surface_to_air_missile"),
    "shell": ("tube_artillery",),
    "shells": ("tube_artillery",),
    "artillery": ("tube_artillery",),
    "howitzer": ("tube_artillery",),
    "bomb": ("aerial_bomb", "guided_bomb"),
}  # fmt: skip

_GRAU: Final = re.compile(r"^(\d[a-z]\d{2,3})([a-z]?)(\d*)$")
_CALIBRE: Final = re.compile(r"(\d{2,3})\s*-?\s*(?:mm|millimet(?:er|re)s?)\b")
_LONGEST_NAME_WORDS: Final = 6


class NameMatchRecord(TypedDict):
    """One part of a weapon name that matched a catalogue entry, as plain values."""

    words: str  # as written in the text
    munition: str  # the catalogue entry's id
    how: str


class ResolutionRecord(TypedDict):
    """A resolved weapon name as plain values (see `Resolution`)."""

    text: str
    status: str  # resolved / ambiguous / unresolved
    munition: str | None  # the entry's id when resolved
    candidates: list[str]  # entry ids when ambiguous
    variant: str | None
    variant_basis: str
    matches: list[NameMatchRecord]
    unmatched: list[str]


@dataclass(frozen=True, kw_only=True)
class NameMatch:
    """One part of the text that matched: the words as written, the entry, and how."""

    words: str
    munition_id: str
    how: str

    def record(self) -> NameMatchRecord:
        return {"words": self.words, "munition": self.munition_id, "how": self.how}


@dataclass(frozen=True, kw_only=True)
class Resolution:
    """What a weapon name resolves to.

    `status` is "resolved" (one entry), "ambiguous" (several candidates, none chosen) or
    "unresolved". `variant` is unitary / cluster / thermobaric / guided_kit when the text
    marks one, with `variant_basis` saying how; None when it does not (or conflicts).
    `unmatched` lists designation-like words that no entry knows.
    """

    text: str
    status: str
    munition: Munition | None
    candidates: tuple[Munition, ...]
    variant: str | None
    variant_basis: str
    matches: tuple[NameMatch, ...]
    unmatched: tuple[str, ...] = field(default=())

    def record(self) -> ResolutionRecord:
        return {
            "text": self.text,
            "status": self.status,
            "munition": self.munition.id if self.munition else None,
            "candidates": [m.id for m in self.candidates],
            "variant": self.variant,
            "variant_basis": self.variant_basis,
            "matches": [m.record() for m in self.matches],
            "unmatched": list(self.unmatched),
        }


# --- text ------------------------------------------------------------------------------


def words_of(text: str) -> list[tuple[str, str]]:
    """The words of a weapon name as (normalised key, as written): case folded, Cyrillic
    transliterated, accents and hyphens inside a word removed ('9K79-1' -> '9k791',
    'Точка-У' -> 'tochkau', 'Smerč' -> 'smerc'); other punctuation separates words."""
    plain = "".join(_unaccented(c) for c in unicodedata.normalize("NFKC", text))
    plain = re.sub(r"[\u2010-\u2015\u2212]", "-", plain)
    plain = re.sub(r"-(series|type|class)\b", r" \1", plain, flags=re.IGNORECASE)
    out = []
    for raw in re.findall(r"[^\W_]+(?:-[^\W_]+)*", plain):
        key = normalise_name(raw)
        if key:
            out.append((key, raw))
    return out


def _unaccented(char: str) -> str:
    """A Latin letter without its accents ('č' -> 'c'); Cyrillic is left to the
    transliteration ('й' stays 'й', read 'y')."""
    if char.isascii() or "LATIN" not in unicodedata.name(char, ""):
        return char
    return "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions each cost 1)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _spelling_tolerance(word: str) -> int:
    """Edits allowed for a transliteration variant: none under 5 letters (Grad/grab),
    one up to 7 (Iskandar), two from 8 (Totschka)."""
    if len(word) < 5 or not word.isalpha():
        return 0
    return 1 if len(word) < 8 else 2


# --- index -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Index:
    names: Mapping[str, tuple[tuple[str, str], ...]]  # key -> ((munition id, how), ...)
    variants: Mapping[str, tuple[tuple[str, str], ...]]  # key -> ((munition id, kind), ...)
    roots: Mapping[str, tuple[str, ...]]  # GRAU root -> munition ids
    calibres: Mapping[int, tuple[str, ...]]  # mm -> munition ids
    entries: Mapping[str, Munition]


_HOW: Final = {
    "english": "name",
    "russian": "Russian name",
    "designations": "designation",
    "nato": "NATO reporting name",
    "other": "other name",
}


def _add(table: dict[str, list[tuple[str, str]]], key: str, value: tuple[str, str]) -> None:
    if key and value not in table.setdefault(key, []):
        table[key].append(value)


def build_index(catalogue: Catalogue) -> _Index:
    """Every entry's names, designations, variant designations, GRAU roots and calibres."""
    names: dict[str, list[tuple[str, str]]] = {}
    variants: dict[str, list[tuple[str, str]]] = {}
    roots: dict[str, list[str]] = {}
    calibres: dict[int, list[str]] = {}
    for entry in catalogue:
        for group, aliases in entry.data["names"].items():
            for alias in aliases:
                _add(names, normalise_name(alias), (entry.id, _HOW[group]))
        _add(names, normalise_name(entry.id), (entry.id, "catalogue id"))
        for text in (entry.data.get("description", ""), *entry.names):
            for mm in _CALIBRE.findall(text.casefold()):
                if entry.id not in calibres.setdefault(int(mm), []):
                    calibres[int(mm)].append(entry.id)
        for variant in entry.variants:
            for designation in variant.designations:
                _add(variants, normalise_name(designation), (entry.id, variant.kind))
        for designation in (*entry.data["names"].get("designations", ()), *_variant_names(entry)):
            found = _GRAU.match(normalise_name(designation))
            if found and entry.id not in roots.setdefault(found.group(1), []):
                roots[found.group(1)].append(entry.id)
    return _Index(
        names={k: tuple(v) for k, v in names.items()},
        variants={k: tuple(v) for k, v in variants.items()},
        roots={k: tuple(v) for k, v in roots.items()},
        calibres={k: tuple(v) for k, v in calibres.items()},
        entries=dict(catalogue.entries),
    )


def _variant_names(entry: Munition) -> Iterable[str]:
    return (d for v in entry.variants for d in v.designations)


# --- matching --------------------------------------------------------------------------


@dataclass
class _Found:
    matches: list[NameMatch] = field(default_factory=list)
    variants: list[tuple[str | None, str, str]] = field(default_factory=list)  # (id, kind, basis)
    used: set[int] = field(default_factory=set)


def _match_names(words: list[tuple[str, str]], index: _Index, found: _Found) -> None:
    """Longest runs of words that spell a name, designation or variant designation."""
    start = 0
    while start < len(words):
        for size in range(min(_LONGEST_NAME_WORDS, len(words) - start), 0, -1):
            run = words[start : start + size]
            key = "".join(k for k, _ in run)
            written = " ".join(w for _, w in run)
            hits = index.names.get(key, ())
            kinds = index.variants.get(key, ())
            if not hits and not kinds:
                continue
            for munition_id, how in hits:
                found.matches.append(NameMatch(words=written, munition_id=munition_id, how=how))
            for munition_id, kind in kinds:
                if not hits:
                    found.matches.append(
                        NameMatch(words=written, munition_id=munition_id,
                                  how=f"{kind} variant designation")
                    )  # fmt: skip
            _variant_designations(run if hits and not kinds else [(key, written)], index, found)
            found.used.update(range(start, start + size))
            start += size
            break
        else:
            start += 1


def _variant_designations(run: list[tuple[str, str]], index: _Index, found: _Found) -> None:
    """Variant designations in a matched run, whole or word by word ('RBK-500 ShOAB-0.5'
    names the RBK-500, a cluster designation)."""
    for key, written in run:
        for munition_id, kind in index.variants.get(key, ()):
            found.variants.append((munition_id, kind, f"'{written}' is a {kind} designation"))


def _match_roots(words: list[tuple[str, str]], index: _Index, found: _Found) -> None:
    """GRAU indices not listed whole, read as a listed root plus a variant letter
    (9M55K1 -> 9M55, K: cluster)."""
    for position, (key, written) in enumerate(words):
        grau = _GRAU.match(key)
        if position in found.used or grau is None or grau.group(1) not in index.roots:
            continue
        root, letter = grau.group(1), grau.group(2)
        for munition_id in index.roots[root]:
            found.matches.append(
                NameMatch(words=written, munition_id=munition_id,
                          how=f"designation root {root.upper()}")
            )  # fmt: skip
        if letter in VARIANT_LETTERS:
            kind = VARIANT_LETTERS[letter]
            basis = f"letter {letter.upper()} of '{written}' marks {kind}"
            found.variants.extend((munition_id, kind, basis) for munition_id in index.roots[root])
        found.used.add(position)


def _match_spelling(words: list[tuple[str, str]], index: _Index, found: _Found) -> None:
    """Single-word names within the transliteration tolerance, only when nothing in the
    text matched exactly ('Smerch (Tornado)' is Smerch, not Tornado-S)."""
    if found.matches:
        return
    for position, (key, written) in enumerate(words):
        allowed = _spelling_tolerance(key)
        if position in found.used or not allowed:
            continue
        close = [
            (name, hits)
            for name, hits in index.names.items()
            if name.isalpha()
            and abs(len(name) - len(key)) <= allowed
            and _edit_distance(key, name) <= allowed
        ]
        found.matches.extend(
            NameMatch(words=written, munition_id=munition_id, how=f"spelling variant of '{name}'")
            for name, hits in close
            for munition_id, _how in hits
        )


def _match_calibre(text: str, words: list[tuple[str, str]], index: _Index, found: _Found) -> None:
    """A calibre and a role ('220 mm cluster rocket') when no name matched."""
    if found.matches:
        return
    roles = {c for key, _ in words for c in ROLE_CLASSES.get(key, ())}
    for mm in {int(m) for m in _CALIBRE.findall(text.casefold())}:
        for munition_id in index.calibres.get(mm, ()):
            entry = index.entries[munition_id]
            if not roles or entry.weapon_class in roles:
                role = "and role" if roles else "alone"
                found.matches.append(
                    NameMatch(words=f"{mm} mm", munition_id=munition_id, how=f"calibre {role}")
                )


def _variant_words(words: list[tuple[str, str]], found: _Found) -> None:
    for key, written in words:
        if key in VARIANT_WORDS:
            kind = VARIANT_WORDS[key]
            found.variants.append((None, kind, f"the word '{written}'"))


# --- deciding --------------------------------------------------------------------------


def _narrow(ids: list[str], index: _Index) -> list[str]:
    """Drop entries that another matched entry carries or builds on: a carrier named with
    its submunition is the carrier; a bomb named with its guidance kit is the kit entry."""
    covered: set[str] = set()
    for munition_id in ids:
        entry = index.entries[munition_id]
        covered.update(entry.builds_on)
        covered.update(entry.data.get("submunitions", {}).get("ids", ()) or ())
    return [i for i in ids if i not in covered] or ids


def _variant(found: _Found, ids: list[str], index: _Index) -> tuple[str | None, str]:
    """The variant the text marks for the entries it names: their own variant
    designations and letters, and variant words; conflicting marks give none."""
    marks = [
        (kind, basis) for owner, kind, basis in found.variants if owner is None or owner in ids
    ]
    marks += [
        ("cluster", f"{i} is a submunition")
        for i in ids
        if index.entries[i].weapon_class == "submunition"
    ]
    kinds = {kind for kind, _ in marks}
    if not kinds:
        return None, "the text does not mark a variant"
    bases = "; ".join(dict.fromkeys(b for _, b in marks))
    if len(kinds) > 1:
        return None, f"conflicting variants ({', '.join(sorted(kinds))}): {bases}"
    return kinds.pop(), bases


def resolve_weapon(text: str, catalogue: Catalogue) -> Resolution:
    """Resolve a weapon name as written in a report (see the module docstring)."""
    index = build_index(catalogue)
    words = words_of(text)
    found = _Found()
    _match_names(words, index, found)
    _match_roots(words, index, found)
    _match_spelling(words, index, found)
    _match_calibre(text, words, index, found)
    _variant_words(words, found)
    ids = _narrow(list(dict.fromkeys(m.munition_id for m in found.matches)), index)
    entry = index.entries[ids[0]] if len(ids) == 1 else None
    variant, basis = _variant(found, ids, index)
    matches = {(m.words, m.munition_id): m for m in reversed(found.matches)}
    unmatched = tuple(
        written
        for position, (key, written) in enumerate(words)
        if position not in found.used and _GRAU.match(key) and key not in VARIANT_WORDS
    )
    status = "resolved" if entry else ("ambiguous" if ids else "unresolved")
    return Resolution(
        text=text,
        status=status,
        munition=entry,
        candidates=tuple(index.entries[i] for i in ids) if len(ids) > 1 else (),
        variant=variant,
        variant_basis=basis,
        matches=tuple(reversed(matches.values())),
        unmatched=unmatched,
    )
