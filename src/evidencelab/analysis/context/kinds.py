"""Kinds of context object from OpenStreetMap tags.

OSM tags are the vocabulary (https://wiki.openstreetmap.org/wiki/Map_features). Each rule
below turns a tag (key=value, or key=* for any value except "no") into a *kind*; an object
may have several kinds (a historic church is both `place_of_worship` and
`cultural_property`). Every kind belongs to one category:

* ``protected`` — protected and sensitive objects: medical units, schools, places of
  worship, cultural property, civil shelters, objects indispensable to the survival of the
  civilian population (water), works and installations containing dangerous forces
  (dams, dykes, nuclear power stations), power works, markets;
* ``population`` — residential buildings and land use, a proxy for where people live (not a
  count of people);
* ``military`` — a *possible* military objective, as mapped. A tag is never a
  determination that an object was a lawful target.

The table is `RULES`; docs/context.md renders it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

Category = Literal["protected", "military", "population"]

#: Categories in the order used to pick one for display (see `primary_category`).
CATEGORIES: Final[tuple[Category, ...]] = ("protected", "military", "population")

ANY: Final = "*"


@dataclass(frozen=True)
class TagRule:
    """`key=value` (or `key=*`) gives `kind`; `unless` lists tags that cancel the rule."""

    kind: str
    key: str
    value: str
    unless: tuple[tuple[str, str], ...] = ()


KIND_CATEGORY: Final[Mapping[str, Category]] = {
    "hospital": "protected",
    "clinic": "protected",
    "school": "protected",
    "kindergarten": "protected",
    "university": "protected",
    "place_of_worship": "protected",
    "cultural_property": "protected",
    "shelter": "protected",
    "water": "protected",
    "power": "protected",
    "dangerous_forces": "protected",
    "marketplace": "protected",
    "residential": "population",
    "military_area": "military",
    "military_base": "military",
    "barracks": "military",
    "military_airfield": "military",
    "bunker": "military",
    "checkpoint": "military",
    "military_building": "military",
    "military_other": "military",
}

#: Shelters for civilians: OSM wiki, Key:bunker_type and Key:shelter_type.
CIVIL_SHELTER_TYPES: Final = frozenset({"bomb_shelter", "air_raid_shelter"})

# A bunker mapped as a civil bomb/air-raid shelter is a shelter, not a bunker.
_CIVIL_BUNKER = tuple(("bunker_type", value) for value in sorted(CIVIL_SHELTER_TYPES))

#: military=<value> values with a kind of their own; any other value is `military_other`.
MILITARY_VALUE_KIND: Final[Mapping[str, str]] = {
    "base": "military_base",
    "naval_base": "military_base",
    "barracks": "barracks",
    "airfield": "military_airfield",
    "bunker": "bunker",
    "checkpoint": "checkpoint",
    "office": "military_building",
}

RULES: Final[tuple[TagRule, ...]] = (
    TagRule("hospital", "amenity", "hospital"),
    TagRule("hospital", "healthcare", "hospital"),
    TagRule("hospital", "building", "hospital"),
    TagRule("clinic", "amenity", "clinic"),
    TagRule("clinic", "amenity", "doctors"),
    TagRule("clinic", "healthcare", "clinic"),
    TagRule("clinic", "healthcare", "doctor"),
    TagRule("clinic", "healthcare", "centre"),
    TagRule("school", "amenity", "school"),
    TagRule("school", "building", "school"),
    TagRule("kindergarten", "amenity", "kindergarten"),
    TagRule("kindergarten", "amenity", "childcare"),
    TagRule("kindergarten", "building", "kindergarten"),
    TagRule("university", "amenity", "university"),
    TagRule("university", "amenity", "college"),
    TagRule("university", "building", "university"),
    TagRule("university", "building", "college"),
    TagRule("place_of_worship", "amenity", "place_of_worship"),
    TagRule("place_of_worship", "building", "church"),
    TagRule("place_of_worship", "building", "cathedral"),
    TagRule("place_of_worship", "building", "chapel"),
    TagRule("place_of_worship", "building", "mosque"),
    TagRule("place_of_worship", "building", "synagogue"),
    TagRule("place_of_worship", "building", "temple"),
    TagRule("place_of_worship", "building", "religious"),
    TagRule("cultural_property", "historic", ANY),
    TagRule("cultural_property", "heritage", ANY),
    TagRule("cultural_property", "tourism", "museum"),
    TagRule("shelter", "shelter_type", "bomb_shelter"),
    TagRule("shelter", "shelter_type", "air_raid_shelter"),
    TagRule("shelter", "bunker_type", "bomb_shelter"),
    TagRule("shelter", "bunker_type", "air_raid_shelter"),
    TagRule("water", "man_made", "water_works"),
    TagRule("water", "man_made", "water_tower"),
    TagRule("water", "man_made", "wastewater_plant"),
    TagRule("water", "man_made", "reservoir_covered"),
    TagRule("water", "man_made", "water_well"),
    TagRule("power", "power", "plant"),
    TagRule("power", "power", "substation"),
    # Additional Protocol I, Art. 56(1): "dams, dykes and nuclear electrical generating
    # stations"; OSM wiki, Tag:waterway=dam, Tag:man_made=dyke, Key:plant:source.
    TagRule("dangerous_forces", "waterway", "dam"),
    TagRule("dangerous_forces", "man_made", "dyke"),
    TagRule("dangerous_forces", "plant:source", "nuclear"),
    TagRule("dangerous_forces", "generator:source", "nuclear"),
    TagRule("marketplace", "amenity", "marketplace"),
    TagRule("residential", "building", "residential"),
    TagRule("residential", "building", "apartments"),
    TagRule("residential", "building", "house"),
    TagRule("residential", "building", "detached"),
    TagRule("residential", "building", "semidetached_house"),
    TagRule("residential", "building", "terrace"),
    TagRule("residential", "building", "dormitory"),
    TagRule("residential", "landuse", "residential"),
    TagRule("military_area", "landuse", "military"),
    TagRule("military_building", "building", "military"),
    *(
        TagRule(kind, "military", value, unless=_CIVIL_BUNKER if value == "bunker" else ())
        for value, kind in MILITARY_VALUE_KIND.items()
    ),
    TagRule("military_other", "military", ANY),
    TagRule("bunker", "building", "bunker", unless=_CIVIL_BUNKER),
)

#: Every key a rule looks at (used to pre-filter OSM data before it reaches Python).
KEYS: Final[frozenset[str]] = frozenset(
    {rule.key for rule in RULES} | {"aeroway", "shelter_type", "bunker_type"}
)

#: Tags on an aerodrome that mark it as military (OSM wiki: Tag:aeroway=aerodrome).
_MILITARY_AERODROME_TAGS: Final = (
    ("aerodrome:type", "military"),
    ("aerodrome_type", "military"),
    ("aerodrome:type", "military/public"),
    ("landuse", "military"),
)


def _matches(rule: TagRule, tags: Mapping[str, str]) -> bool:
    value = tags.get(rule.key)
    if value is None or value == "no":
        return False
    if rule.value != ANY and value != rule.value:
        return False
    return not any(tags.get(key) == cancel for key, cancel in rule.unless)


def kinds_for(tags: Mapping[str, str]) -> frozenset[str]:
    """The kinds an object with these OSM tags has (empty if none).

    Pure function of the tags. `military=<v>` with a value that has no rule of its own
    (training_area, range, danger_area, …) gives `military_other`; a bunker tagged
    `bunker_type=bomb_shelter|air_raid_shelter` is a civil `shelter`, not a `bunker`;
    `aeroway=aerodrome` is a `military_airfield` only with a military tag.
    """
    kinds = {rule.kind for rule in RULES if _matches(rule, tags)}
    if "military_other" in kinds and tags.get("military") in MILITARY_VALUE_KIND:
        kinds.discard("military_other")
    if tags.get("aeroway") == "aerodrome" and (
        any(tags.get(key) == value for key, value in _MILITARY_AERODROME_TAGS)
        or tags.get("military", "no") != "no"
    ):
        kinds.add("military_airfield")
    return frozenset(kinds)


def categories_for(kinds: frozenset[str]) -> frozenset[Category]:
    """The categories of a set of kinds; unknown kinds have none."""
    return frozenset(KIND_CATEGORY[kind] for kind in kinds if kind in KIND_CATEGORY)


def primary_category(kinds: frozenset[str]) -> Category | None:
    """One category for display: protected, then military, then population.

    Protected comes first because special protection (a hospital, a school) is what an
    analyst must not overlook, even when the same object also carries military tags; the
    full set is `categories_for`.
    """
    present = categories_for(kinds)
    return next((category for category in CATEGORIES if category in present), None)


# --- kinds of object recorded as hit ----------------------------------------------------

ObjectClass = Literal["civilian", "military", "unclassified"]

#: Tag values an incident record may give as an object's kind for a context kind: the
#: values of the rules above whose key names what an object is (building, amenity,
#: man_made), e.g. `apartments` or `church`. Values of `military=*` and `healthcare=*`
#: are left out: as a plain word `office`, `base` or `centre` says nothing of the kind.
KIND_ALIASES: Final[Mapping[str, str]] = {
    **{
        rule.value: rule.kind
        for rule in RULES
        if rule.key in ("building", "amenity", "man_made") and rule.value != ANY
    },
    "residential_building": "residential",
    "market": "marketplace",
    "dam": "dangerous_forces",
    "dyke": "dangerous_forces",
    "nuclear_power_station": "dangerous_forces",
}

#: Kinds of object that are civilian by what they are, beyond the context kinds: OSM
#: values for homes, shops, food and drink, lodging, offices and public amenities (OSM
#: wiki, Key:building, Key:amenity, Key:shop, Key:tourism, Key:leisure). Additional
#: Protocol I, Art. 52(1): civilian objects are all objects which are not military
#: objectives; a kind here never decides that, it only says what was recorded.
CIVILIAN_OBJECT_KINDS: Final[frozenset[str]] = frozenset(
    {
        "bungalow", "cabin", "farm", "farmhouse", "garage", "garages", "greenhouse",
        "hut", "static_caravan", "commercial", "retail", "office", "shop", "supermarket",
        "mall", "kiosk", "restaurant", "cafe", "bar", "pub", "fast_food", "food_court",
        "hotel", "hostel", "guest_house", "pharmacy", "bank", "post_office", "library",
        "theatre", "cinema", "arts_centre", "community_centre", "social_facility",
        "playground", "park", "sports_centre", "stadium", "civic", "public",
    }
)  # fmt: skip

#: Kinds of object that are possible military objectives by their nature, beyond the
#: context kinds: a plain `military`, and materiel the map vocabulary has no tag for.
MILITARY_OBJECT_KINDS: Final[frozenset[str]] = frozenset(
    {"military", "military_vehicle", "military_equipment", "weapons_depot", "trench"}
)


def canonical_kind(kind: str) -> str:
    """The context kind a recorded kind stands for (`apartments` → `residential`), or the
    kind itself when it has no alias."""
    return KIND_ALIASES.get(kind, kind)


def object_class(kind: str) -> ObjectClass:
    """Whether a recorded object kind designates a civilian object, a possible military
    objective, or neither (`unclassified`: the kind is outside this vocabulary, and an
    unknown word is never taken for a civilian object, nor for a military one).

    A context kind of category `military` is military, of `protected` or `population`
    civilian; then `MILITARY_OBJECT_KINDS` and `CIVILIAN_OBJECT_KINDS`. Pure function."""
    category = KIND_CATEGORY.get(canonical_kind(kind))
    if category is not None:
        return "military" if category == "military" else "civilian"
    if kind in MILITARY_OBJECT_KINDS:
        return "military"
    if kind in CIVILIAN_OBJECT_KINDS:
        return "civilian"
    return "unclassified"
