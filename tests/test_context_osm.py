"""OSM reader on real extracts (© OpenStreetMap contributors, ODbL; tests/corpus/osm).

Reference values are those published upstream or listed in tests/corpus/osm/README.md.
"""

from __future__ import annotations

import bz2
from collections import Counter
from pathlib import Path

import osmium
import pytest
from shapely.geometry import Point

from evidencelab.analysis.context.objects import ContextDataError, ContextObject
from evidencelab.analysis.context.osm import OsmFeature, ReadStats, iter_osm_features, read_osm

OSM = Path(__file__).parent / "corpus" / "osm"
ANDORRA = OSM / "example-test.pbf"
LIECHTENSTEIN = OSM / "liechtenstein.osm.pbf"
WEST_OAKLAND = OSM / "West-Oakland.osm.bz2"
KIRCHBERG = OSM / "planet_10.068,48.135_10.071,48.137.osm"


@pytest.fixture(scope="module")
def andorra() -> list[ContextObject]:
    return read_osm(ANDORRA)


@pytest.fixture(scope="module")
def liechtenstein() -> list[ContextObject]:
    return read_osm(LIECHTENSTEIN)


def by_ref(objects: list[ContextObject]) -> dict[str, ContextObject]:
    return {obj.ref: obj for obj in objects}


def test_andorra_amenity_list_reproduces_pyosmium_example() -> None:
    """pyosmium's amenity-list example: nodes print their location, areas shapely's
    representative point; 835 lines, first and last as published."""
    features = list(iter_osm_features(ANDORRA, lambda tags: "amenity" in tags, {"amenity"}))

    def line(feature: OsmFeature) -> str:
        # The example's own format: "%f %f %-15s %s" % (lon, lat, amenity, name).
        point = feature.geometry.representative_point()
        amenity, name = feature.tags["amenity"], feature.tags.get("name", "")
        return f"{point.x:f} {point.y:f} {amenity:<15} {name}"

    assert len(features) == 835
    assert line(features[0]) == "1.535245 42.556681 parking         "
    assert line(features[-1]) == "1.570729 42.529562 parking         Aparcament Comunal"
    pubs = [f.tags["name"] for f in features if f.tags["amenity"] == "pub" and "name" in f.tags]
    assert pubs == [
        "Kyu",
        "Havana Club",
        "Mulligan's",
        "Bar Broques",
        "The Camden - English Pub",
        "Aspen",
        "el Raval",
    ]


class _TagCounter(osmium.SimpleHandler):  # type: ignore[misc]
    """Independent count: nodes and closed ways with a tag, read without areas."""

    def __init__(self, key: str, value: str) -> None:
        super().__init__()
        self.key, self.value = key, value
        self.nodes = 0
        self.closed_ways: list[int] = []

    def node(self, node: osmium.osm.Node) -> None:
        if node.tags.get(self.key) == self.value:
            self.nodes += 1

    def way(self, way: osmium.osm.Way) -> None:
        if way.tags.get(self.key) == self.value and way.is_closed():
            self.closed_ways.append(way.id)


@pytest.mark.parametrize(
    ("key", "value", "nodes", "ways"),
    [
        ("amenity", "hospital", 8, 1),
        ("amenity", "school", 8, 0),
        ("building", "school", 0, 3),
        ("landuse", "military", 0, 2),
    ],
)
def test_andorra_counts_match_independent_tag_count(
    andorra: list[ContextObject], key: str, value: str, nodes: int, ways: int
) -> None:
    counter = _TagCounter(key, value)
    counter.apply_file(str(ANDORRA))
    assert (counter.nodes, len(counter.closed_ways)) == (nodes, ways)  # README inventory
    matched = [obj for obj in andorra if obj.tags.get(key) == value]
    assert Counter(obj.osm_type for obj in matched) == Counter(
        {"node": nodes, "way": ways} if ways else {"node": nodes}
    )
    assert sorted(obj.osm_id for obj in matched if obj.osm_type == "way") == sorted(
        counter.closed_ways
    )


def test_andorra_hospitals_schools_military(andorra: list[ContextObject]) -> None:
    refs = by_ref(andorra)
    meritxell = next(o for o in andorra if o.name == "Hospital de Nostra Senyora de Meritxell")
    assert meritxell.osm_type == "way" and "hospital" in meritxell.kinds
    assert meritxell.geometry.geom_type in ("Polygon", "MultiPolygon")
    point = meritxell.representative_point
    assert (round(point.y, 6), round(point.x, 6)) == (42.511524, 1.533814)
    urgencies = next(o for o in andorra if o.name == "Urgències del Pas")
    assert urgencies.osm_type == "node"
    assert (round(urgencies.geometry.y, 6), round(urgencies.geometry.x, 6)) == (
        42.545439,
        1.730562,
    )
    healthcare = refs["node/5764355409"]
    assert healthcare.tags.get("healthcare") == "hospital" and "hospital" in healthcare.kinds
    assert len([o for o in andorra if "hospital" in o.kinds]) == 10  # 8 + 1 + healthcare
    prada = next(o for o in andorra if o.name == "Escola bresol Prada Casadet")
    assert "school" in prada.kinds
    assert {o.name for o in andorra if o.tags.get("building") == "school"} >= {
        "Escola Andorrana de Canillo"
    }
    military = sorted(
        (o for o in andorra if "military_area" in o.kinds), key=lambda o: o.osm_id or 0
    )
    assert [o.ref for o in military] == ["way/30772650", "way/208401247"]
    assert all(o.category == "military" for o in military)
    points = [o.representative_point for o in military]
    rep = [(round(p.y, 6), round(p.x, 6)) for p in points]
    assert rep == [(42.507543, 1.538193), (42.435619, 1.473412)]


def test_liechtenstein_hospitals_schools_bunker(liechtenstein: list[ContextObject]) -> None:
    refs = by_ref(liechtenstein)
    spital = refs["way/486420157"]
    assert spital.name == "Liechtensteinisches Landesspital"
    assert spital.tags["amenity"] == "hospital" and spital.kinds == {"hospital"}
    point = spital.representative_point
    assert (round(point.y, 6), round(point.x, 6)) == (47.134618, 9.522629)
    feldkirch = refs["way/9451729"]
    assert feldkirch.name == "Landeskrankenhaus Feldkirch"
    assert [o.ref for o in liechtenstein if o.tags.get("amenity") == "hospital"] == [
        "way/9451729",
        "way/486420157",
    ]
    assert len([o for o in liechtenstein if o.tags.get("building") == "hospital"]) == 5
    schools = [o for o in liechtenstein if o.tags.get("amenity") == "school"]
    assert Counter(o.osm_type for o in schools) == {"node": 3, "way": 19, "relation": 1}
    assert refs["way/391994214"].name == "Liechtensteinisches Gymnasium"
    assert refs["relation/12473573"].name == "Primarschule Triesen"
    assert refs["relation/12473573"].geometry.geom_type in ("Polygon", "MultiPolygon")
    bunker = refs["node/9270504897"]
    assert bunker.name == "Felsenwerk Rotspitz A 6265 Lmg"
    assert bunker.kinds == {"bunker"} and bunker.category == "military"
    assert bunker.geometry.equals_exact(Point(9.5521373, 47.0576294), 1e-7)
    assert not [o for o in liechtenstein if o.tags.get("landuse") == "military"]


def test_read_stats_and_node_index_choice(tmp_path: Path) -> None:
    stats = ReadStats()
    in_memory = read_osm(LIECHTENSTEIN, stats=stats)
    assert stats.nodes + stats.areas == len(in_memory)
    on_disk = read_osm(LIECHTENSTEIN, node_index=f"sparse_file_array,{tmp_path / 'nodes.idx'}")
    assert [(o.ref, o.kinds) for o in on_disk] == [(o.ref, o.kinds) for o in in_memory]


def test_xml_paths_plain_and_bzip2(tmp_path: Path) -> None:
    oakland = read_osm(WEST_OAKLAND)
    prescott = by_ref(oakland)["way/27204443"]
    assert prescott.name == "Prescott School" and prescott.kinds == {"school"}
    worship = [o for o in oakland if "place_of_worship" in o.kinds]
    assert [o.osm_type for o in worship] == ["node", "node"]
    # The same data as plain XML takes the uncompressed path and gives the same objects.
    plain = tmp_path / "West-Oakland.osm"
    plain.write_bytes(bz2.decompress(WEST_OAKLAND.read_bytes()))
    assert [(o.ref, o.kinds) for o in read_osm(plain)] == [(o.ref, o.kinds) for o in oakland]
    kirchberg = read_osm(KIRCHBERG)
    assert {o.category for o in kirchberg} <= {"population", "protected"}


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("garbage.osm", b"hello world\n", "XML parsing error"),
        ("page.osm", b'<?xml version="1.0"?><html><body/></html>', "html"),
        ("fake.osm.bz2", b"not bzip2\n", "bzip2"),
        ("notes.txt", b"hello", "not an OpenStreetMap file"),
    ],
)
def test_bad_files_give_one_line_errors(
    tmp_path: Path, name: str, content: bytes, problem: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ContextDataError) as caught:
        read_osm(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path)) and problem in message


def test_truncated_pbf_imports_nothing(tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.osm.pbf"
    truncated.write_bytes(ANDORRA.read_bytes()[:100_000])
    with pytest.raises(ContextDataError, match="PBF error") as caught:
        read_osm(truncated)
    assert "\n" not in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ContextDataError, match="file not found"):
        read_osm(tmp_path / "absent.osm.pbf")
    with pytest.raises(ContextDataError, match="not a file"):
        read_osm(tmp_path)
