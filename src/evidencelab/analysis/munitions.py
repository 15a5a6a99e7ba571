"""The munitions catalogue: one entry per weapon, every figure with its citation.

Entries ship as YAML files in `evidencelab/data/munitions/`, one weapon per file, checked
against `munition.schema.json` (format `evidencelab/munition@1`). Every number sits in a
*figure*: value (or min/max), unit, the source's words, the source, its URL as found, and
a reliability flag (docs/accuracy.md, "Where the catalogue's figures come from"):

* ``A`` primary NGO/UN/IO text or that body's own release;
* ``B`` reputable press, or a second-hand summary of an A document;
* ``C`` state media, aggregators, mirrors, blogs: placeholders only;
* ``M`` from memory or unretrieved doctrine: to be verified.

Flags are kept exactly as graded ("B/C", "A via B"). A field with no
credible figure is null, and the entry's `gaps` says why: the catalogue never guesses.
Accuracy keeps *published* values (stated CEPs, radii) apart from *field* observations
(miss distances seen in use).

A case can add or replace entries with its own citations (`merge_case_overrides`); the
replaced entry stays attached to the one that replaced it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator, ValidationError

from evidencelab.model.errors import format_location

SCHEMA_RESOURCE = "munition.schema.json"
FORMAT = "evidencelab/munition@1"
GRADE_ORDER = "ABCM"


class CatalogueError(ValueError):
    """A catalogue file or case entry is not valid; one line per problem,
    `origin: field.path: message`."""


@dataclass(frozen=True)
class Figure:
    """One cited number. `value` or `min`/`max` (or both) are set; `unit` says what."""

    unit: str
    source: str
    url: str
    flag: str
    value: float | None = None
    min: float | None = None
    max: float | None = None
    qualifier: str | None = None
    measure: str | None = None
    quote: str | None = None
    note: str | None = None
    claimed_by: str | None = None

    @property
    def grades(self) -> tuple[str, ...]:
        """The single-letter grades in the flag, e.g. ('B', 'C') for 'B/C'."""
        return flag_grades(self.flag)

    @property
    def weakest_grade(self) -> str:
        """The least reliable grade in the flag (A best, M worst)."""
        return max(self.grades, key=GRADE_ORDER.index)


#: Warhead variants a weapon record or a designation may name.
VARIANT_KINDS = ("unitary", "cluster", "thermobaric", "guided_kit")


@dataclass(frozen=True, kw_only=True)
class Variant:
    """A warhead variant of an entry (`kind` in VARIANT_KINDS) and the designations that
    name it, with the citation that ties them."""

    kind: str
    designations: tuple[str, ...]
    source: str
    url: str
    flag: str
    text: str | None = None


@dataclass(frozen=True)
class Munition:
    """A catalogue entry. `data` is the validated document; accessors cover common needs."""

    id: str
    names: tuple[str, ...]
    weapon_class: str
    data: Mapping[str, Any]
    origin: str
    replaces: Munition | None = None

    def figures(self, path: str) -> list[Figure]:
        """The figures at a dotted path (e.g. "accuracy.published"); [] when null."""
        node = _at(self.data, path)
        if node is None:
            return []
        return [_figure(item) for item in node]

    def gap(self, path: str) -> str | None:
        """Why the field at `path` is empty, if it is."""
        reason: str | None = self.data.get("gaps", {}).get(path)
        return reason

    @property
    def guidance(self) -> str | None:
        """'guided', 'unguided', or None when the sources read do not say."""
        kind: str | None = self.data["guidance"]["kind"]
        return kind

    @property
    def variants(self) -> tuple[Variant, ...]:
        """The warhead variants the entry names, each with the designations that mark it."""
        return tuple(
            Variant(kind=v["kind"], designations=tuple(v["designations"]), source=v["source"],
                    url=v["url"], flag=v["flag"], text=v.get("text"))
            for v in self.data.get("variants", ())
        )  # fmt: skip

    @property
    def builds_on(self) -> tuple[str, ...]:
        """Ids of the entries this weapon modifies (a bomb fitted with a guidance kit)."""
        return tuple(self.data.get("builds_on", ()))

    def published_cep_m(self) -> list[Figure]:
        """Published figures that the source calls a CEP, in metres."""
        return [f for f in self.figures("accuracy.published") if f.measure == "cep"]

    def field_miss_distances_m(self) -> list[Figure]:
        """Miss distances observed in use, in metres."""
        return [f for f in self.figures("accuracy.field") if f.measure == "miss_distance"]


@dataclass(frozen=True)
class Catalogue:
    """Munitions by id, with lookup by any alias."""

    entries: Mapping[str, Munition]

    def __iter__(self) -> Iterator[Munition]:
        return iter(self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, munition_id: str) -> Munition:
        return self.entries[munition_id]

    def find(self, name: str) -> Munition | None:
        """The entry with this id or alias (case-, script- and punctuation-insensitive)."""
        key = normalise_name(name)
        for entry in self.entries.values():
            if key == normalise_name(entry.id) or key in {normalise_name(n) for n in entry.names}:
                return entry
        return None


# --- names -----------------------------------------------------------------------------

# Russian designations are written in Cyrillic (9М79, Х-101, 9Н235): transliterate so
# that either script finds the entry. Letters follow the usual GRAU transliteration.
_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "_",
            "y",
            "_",
            "e",
            "yu",
            "ya",
        ],
        strict=True,
    )
)


def normalise_name(name: str) -> str:
    """A weapon name reduced for matching: 'SS-21 Scarab' -> 'ss21scarab', '9М79' -> '9m79'."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = "".join(_CYRILLIC.get(char, char) for char in text).replace("_", "")
    return re.sub(r"[\W_]+", "", text)


def flag_grades(flag: str) -> tuple[str, ...]:
    """Single-letter grades named in a reliability flag: 'A via B' -> ('A', 'B').

    A flag that calls the number unsourced ('A-NGO, unsourced number': a primary NGO text
    that gives the figure without saying where it comes from) also carries 'C': the text
    is grade A, the number in it is no better than a placeholder (the catalogue's
    grading, docs/accuracy.md: [C] is a placeholder only, and the flag stays on it).
    """
    grades = tuple(re.findall(r"\b[ABCM]\b", flag)) or (flag[0],)
    return (*grades, "C") if "unsourced" in flag.casefold() and "C" not in grades else grades


def _aliases(names: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    return tuple(name for group in names.values() for name in group)


# --- loading ---------------------------------------------------------------------------


def catalogue_directory() -> Traversable:
    """Where the shipped catalogue lives (package data)."""
    return files("evidencelab.data").joinpath("munitions")


@cache
def munition_schema() -> dict[str, Any]:
    """The JSON Schema of one catalogue entry."""
    text = catalogue_directory().joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(munition_schema())


def entry_problems(document: object) -> list[str]:
    """What is wrong with one entry, as `field.path: message` lines ([] when valid)."""
    problems = []
    for error in _validator().iter_errors(document):
        error = _deepest(error)
        where = format_location(tuple(error.absolute_path)) or "(entry)"
        if where.endswith("flag") and str(error.validator) == "pattern":
            message = "must be a reliability flag: A, B, C or M, as the research gives it"
        else:
            message = _short_message(error.message)
        problems.append(f"{where}: {message}")
    if problems or not isinstance(document, dict):
        return sorted(problems)
    return sorted(_gap_problems(document))


def _deepest(error: ValidationError) -> ValidationError:
    """For a failed "null or list of figures" choice, the error inside the list branch.

    jsonschema reports the choice itself ("... is not valid under any of the given
    schemas"), which names no field; the deepest error among its branches does.
    """
    while str(error.validator) in ("oneOf", "anyOf") and error.context:
        error = max(error.context, key=lambda e: (len(e.absolute_path), str(e.validator) != "type"))
    return error


def _short_message(message: str) -> str:
    # jsonschema quotes whole sub-documents in some messages; keep one short line.
    line = message.splitlines()[0]
    return line if len(line) <= 160 else line[:157] + "..."


def _gap_problems(document: Mapping[str, Any]) -> list[str]:
    """Every null field must have a reason in `gaps`, and every gap must be null."""
    gaps: Mapping[str, str] = document.get("gaps", {})
    nulls = set(_null_paths(document))
    problems = [f"{path}: is empty; say why in gaps" for path in sorted(nulls - set(gaps))]
    for path in sorted(set(gaps) - nulls):
        problems.append(f"gaps.{path}: the field is not empty (or does not exist)")
    return problems


def _null_paths(node: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    for key, value in node.items():
        if key in ("gaps", "notes"):
            continue
        path = f"{prefix}{key}"
        if value is None:
            yield path
        elif isinstance(value, Mapping):
            yield from _null_paths(value, path + ".")


def _at(data: Mapping[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _figure(item: Mapping[str, Any]) -> Figure:
    keys = Figure.__dataclass_fields__
    return Figure(**{key: value for key, value in item.items() if key in keys})


def _munition(document: Mapping[str, Any], origin: str) -> Munition:
    return Munition(
        id=document["id"],
        names=_aliases(document["names"]),
        weapon_class=document["class"],
        data=document,
        origin=origin,
    )


def _read_entry(text: str, origin: str) -> Munition:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise CatalogueError(f"{origin}: {where}{problem}") from None
    problems = entry_problems(document)
    if problems:
        raise CatalogueError("\n".join(f"{origin}: {p}" for p in problems))
    return _munition(document, origin)


def _check_unique(entries: Iterable[Munition]) -> None:
    seen: dict[str, str] = {}
    for entry in entries:
        for name in {normalise_name(n) for n in (entry.id, *entry.names)}:
            other = seen.setdefault(name, entry.id)
            if other != entry.id:
                raise CatalogueError(f"{entry.origin}: names: '{name}' is also a name of '{other}'")


def load_catalogue(directory: Path | Traversable | None = None) -> Catalogue:
    """Read and validate every `*.yaml` entry in `directory` (default: the shipped one).

    Raises `CatalogueError` with one line per problem, naming the file and the field.
    """
    folder = catalogue_directory() if directory is None else directory
    paths = sorted(
        (p for p in folder.iterdir() if p.name.endswith((".yaml", ".yml"))),
        key=lambda p: p.name,
    )
    entries: dict[str, Munition] = {}
    for path in paths:
        origin = f"munitions/{path.name}"
        entry = _read_entry(path.read_text(encoding="utf-8"), origin)
        if entry.id in entries:
            raise CatalogueError(f"{origin}: id: '{entry.id}' is already used by another file")
        entries[entry.id] = entry
    _check_unique(entries.values())
    return Catalogue(entries)


@cache
def default_catalogue() -> Catalogue:
    """The shipped catalogue, loaded once."""
    return load_catalogue()


def find_munition(name: str, catalogue: Catalogue | None = None) -> Munition | None:
    """The catalogue entry named `name` (any alias, any case, Latin or Cyrillic), or None."""
    return (catalogue or default_catalogue()).find(name)


def merge_case_overrides(
    catalogue: Catalogue, entries: Iterable[Mapping[str, Any]], origin: str = "case"
) -> Catalogue:
    """A new catalogue with a case's own entries added; an entry with an existing id
    replaces the shipped one, which stays reachable as `replaces`.

    Each entry is a full catalogue document (same schema, so every figure carries the
    case's citation). `origin` names where they came from, e.g. the case file; errors read
    `origin: entries[2].accuracy.published[0].flag: ...`. The catalogue passed in is not
    changed.
    """
    merged = dict(catalogue.entries)
    problems: list[str] = []
    for index, document in enumerate(entries):
        where = f"{origin}: entries[{index}]"
        found = entry_problems(document)
        if found:
            problems.extend(
                f"{where}.{p}" if not p.startswith("(") else f"{where}: {p}" for p in found
            )
            continue
        entry = _munition(document, where)
        merged[entry.id] = Munition(
            id=entry.id,
            names=entry.names,
            weapon_class=entry.weapon_class,
            data=entry.data,
            origin=where,
            replaces=merged.get(entry.id),
        )
    if problems:
        raise CatalogueError("\n".join(problems))
    _check_unique(merged.values())
    return Catalogue(merged)
