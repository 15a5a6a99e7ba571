"""Kinds from OSM tags: each rule, combinations, exclusions, categories."""

from __future__ import annotations

import pytest

from evidencelab.analysis.context.kinds import KIND_CATEGORY, RULES, kinds_for, primary_category


@pytest.mark.parametrize(
    ("tags", "kinds"),
    [
        ({"amenity": "hospital"}, {"hospital"}),
        ({"healthcare": "hospital"}, {"hospital"}),
        ({"building": "hospital"}, {"hospital"}),
        ({"amenity": "doctors"}, {"clinic"}),
        ({"amenity": "school"}, {"school"}),
        ({"amenity": "kindergarten"}, {"kindergarten"}),
        ({"amenity": "university"}, {"university"}),
        ({"amenity": "college"}, {"university"}),
        ({"amenity": "place_of_worship", "religion": "christian"}, {"place_of_worship"}),
        ({"historic": "castle"}, {"cultural_property"}),
        ({"heritage": "2"}, {"cultural_property"}),
        ({"tourism": "museum"}, {"cultural_property"}),
        ({"amenity": "shelter", "shelter_type": "bomb_shelter"}, {"shelter"}),
        ({"man_made": "water_works"}, {"water"}),
        ({"man_made": "water_tower"}, {"water"}),
        ({"power": "substation"}, {"power"}),
        ({"power": "plant"}, {"power"}),
        ({"amenity": "marketplace"}, {"marketplace"}),
        ({"building": "apartments"}, {"residential"}),
        ({"landuse": "residential"}, {"residential"}),
        ({"landuse": "military"}, {"military_area"}),
        ({"military": "barracks"}, {"barracks"}),
        ({"military": "airfield"}, {"military_airfield"}),
        ({"military": "bunker"}, {"bunker"}),
        ({"military": "checkpoint"}, {"checkpoint"}),
        ({"military": "base"}, {"military_base"}),
        ({"military": "training_area"}, {"military_other"}),
        ({"building": "military"}, {"military_building"}),
        ({"aeroway": "aerodrome", "aerodrome:type": "military"}, {"military_airfield"}),
    ],
)
def test_single_rules(tags: dict[str, str], kinds: set[str]) -> None:
    assert kinds_for(tags) == frozenset(kinds)


@pytest.mark.parametrize(
    "tags",
    [
        {},
        {"amenity": "parking"},
        {"building": "yes"},
        {"historic": "no"},
        {"military": "no"},
        {"amenity": "shelter", "shelter_type": "public_transport"},
        {"aeroway": "aerodrome", "aerodrome:type": "public"},
    ],
)
def test_no_kind(tags: dict[str, str]) -> None:
    assert kinds_for(tags) == frozenset()


def test_several_kinds() -> None:
    church = {"amenity": "place_of_worship", "building": "church", "heritage": "2"}
    assert kinds_for(church) == {"place_of_worship", "cultural_property"}
    assert primary_category(kinds_for(church)) == "protected"


def test_civil_bomb_shelter_is_not_a_bunker() -> None:
    tags = {"military": "bunker", "bunker_type": "bomb_shelter"}
    assert kinds_for(tags) == {"shelter"}
    assert kinds_for({"building": "bunker", "bunker_type": "air_raid_shelter"}) == {"shelter"}
    assert kinds_for({"military": "bunker", "bunker_type": "pillbox"}) == {"bunker"}


def test_protected_category_shown_before_military() -> None:
    kinds = kinds_for({"amenity": "hospital", "military": "base"})
    assert kinds == {"hospital", "military_base"}
    assert primary_category(kinds) == "protected"
    assert primary_category(kinds_for({"building": "house"})) == "population"
    assert primary_category(kinds_for({"military": "range"})) == "military"


def test_every_rule_kind_has_a_category() -> None:
    assert {rule.kind for rule in RULES} <= set(KIND_CATEGORY)
    assert set(KIND_CATEGORY.values()) == {"protected", "military", "population"}
