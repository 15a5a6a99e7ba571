"""Context objects in the case: importing OSM and GeoJSON, objects added by hand, and the
case left unchanged by bad files."""

from __future__ import annotations

import bz2
import json
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import osmium
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st
from pyproj import Geod

from evidencelab.analysis.context.kinds import kinds_for
from evidencelab.locker.case import Case, CaseError
from evidencelab.service.context import importing
from evidencelab.service.context.importing import import_context, list_imports
from evidencelab.service.context.manual import add_context_object
from evidencelab.service.context.manual_records import (
    manual_objects,
    object_place,
    stored_place,
)
from evidencelab.service.context.queries import (
    case_objects_near,
    context_geojson,
    context_summary,
    nearest_by_kind,
)
from evidencelab.service.integrity.custody import custody_log

OSM = Path(__file__).parent / "corpus" / "osm"
LIECHTENSTEIN = OSM / "liechtenstein.osm.pbf"
ANDORRA = OSM / "example-test.pbf"
OAKLAND = OSM / "West-Oakland.osm.bz2"
KIRCHBERG = OSM / "planet_10.068,48.135_10.071,48.137.osm"
WGS84 = Geod(ellps="WGS84")

Counted = list[tuple[str, frozenset[str]]]


# --- Independent counts of what an extract holds ------------------------------------------
# An object counts when it has a kind and OSM defines its geometry from data in the file: a
# node; a closed way of at least 4 node references (not area=no) whose nodes are all in the
# file; a multipolygon relation whose member ways and their nodes are all in the file.


def _closed_area(refs: list[Any], tags: dict[str, str]) -> bool:
    return len(refs) >= 4 and refs[0] == refs[-1] and tags.get("area") != "no"


def count_xml(path: Path) -> Counted:
    """Objects with kinds in an OSM XML file, by parsing the XML itself."""
    if path.suffix == ".bz2":
        with bz2.open(path) as handle:
            data = handle.read()
    else:
        data = path.read_bytes()
    root = ET.fromstring(data)
    nodes = {e.get("id") for e in root.iter("node")}
    ways = {e.get("id"): [n.get("ref") for n in e.findall("nd")] for e in root.iter("way")}
    found: Counted = []
    for element in root:
        tags = {t.get("k", ""): t.get("v", "") for t in element.findall("tag")}
        kinds = kinds_for(tags)
        if not kinds:
            continue
        if element.tag == "node":
            found.append(("node", kinds))
        elif element.tag == "way":
            refs = ways[element.get("id")]
            if _closed_area(refs, tags) and all(n in nodes for n in refs):
                found.append(("way", kinds))
        elif element.tag == "relation" and tags.get("type") in ("multipolygon", "boundary"):
            members = [m.get("ref") for m in element.findall("member") if m.get("type") == "way"]
            if members and all(m in ways and all(n in nodes for n in ways[m]) for m in members):
                found.append(("relation", kinds))
    return found


class _Tags(osmium.SimpleHandler):
    """Every object's tags, and whether each way's nodes are all in the file (pyosmium's
    plain callbacks and node-location index, none of its area machinery)."""

    def __init__(self) -> None:
        super().__init__()
        self.node_kinds: list[frozenset[str]] = []
        self.complete_ways: set[int] = set()
        self.closed_ways: list[tuple[frozenset[str], int]] = []
        self.relations: list[tuple[frozenset[str], list[int]]] = []

    def node(self, n: Any) -> None:
        kinds = kinds_for(dict(n.tags))
        if kinds:
            self.node_kinds.append(kinds)

    def way(self, w: Any) -> None:
        if all(node.location.valid() for node in w.nodes):
            self.complete_ways.add(w.id)
        tags = dict(w.tags)
        kinds = kinds_for(tags)
        if kinds and _closed_area([n.ref for n in w.nodes], tags):
            self.closed_ways.append((kinds, w.id))

    def relation(self, r: Any) -> None:
        tags = dict(r.tags)
        kinds = kinds_for(tags)
        if kinds and tags.get("type") in ("multipolygon", "boundary"):
            self.relations.append((kinds, [m.ref for m in r.members if m.type == "w"]))


def count_pbf(path: Path) -> Counted:
    """Objects with kinds in a PBF file, from pyosmium's plain tag callbacks."""
    handler = _Tags()
    # Ways and relations with node locations; then only the nodes that carry tags.
    ways_and_relations = osmium.filter.EntityFilter(osmium.osm.WAY | osmium.osm.RELATION)
    handler.apply_file(str(path), locations=True, filters=[ways_and_relations])
    handler.apply_file(
        str(path),
        filters=[osmium.filter.EntityFilter(osmium.osm.NODE), osmium.filter.EmptyTagFilter()],
    )
    complete = handler.complete_ways
    found: Counted = [("node", kinds) for kinds in handler.node_kinds]
    found += [("way", kinds) for kinds, way in handler.closed_ways if way in complete]
    found += [
        ("relation", kinds)
        for kinds, members in handler.relations
        if members and all(m in complete for m in members)
    ]
    return found


def by_kind(objects: Iterable[tuple[str, frozenset[str]]]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for _, kinds in objects:
        counts.update(kinds)
    return dict(sorted(counts.items()))


# --- Import -------------------------------------------------------------------------------


def test_pbf_import_counts_equal_the_extracts_own_tags(case: Case) -> None:
    expected = count_pbf(LIECHTENSTEIN)
    result = import_context(case, LIECHTENSTEIN)
    assert result["format"] == "osm-pbf" and not result["already_imported"]
    assert result["objects"] == len(expected) == 4568  # 64 nodes, 4454 ways, 50 relations
    assert result["by_kind"] == by_kind(expected)
    assert result["skipped"]["unassembled_areas"] == 0
    summary = context_summary(case)
    assert summary["objects"] == len(expected) and summary["by_kind"] == by_kind(expected)
    [event] = [e for e in custody_log(case) if e["action"] == "context-import"]
    assert event["payload"]["sha256"] == result["sha256"]
    assert event["payload"]["objects"] == 4568
    assert event["payload"]["by_kind"] == by_kind(expected)


@pytest.mark.parametrize("extract", [OAKLAND, KIRCHBERG, ANDORRA], ids=lambda p: p.name)
def test_xml_and_pbf_imports_account_for_every_object(case: Case, extract: Path) -> None:
    expected = count_pbf(extract) if extract.suffix == ".pbf" else count_xml(extract)
    result = import_context(case, extract)
    # An area libosmium cannot build (a self-crossing ring) is counted, never silently lost.
    unbuilt = result["skipped"]["unassembled_areas"]
    assert result["objects"] + unbuilt == len(expected)
    difference = Counter(by_kind(expected))
    difference.subtract(result["by_kind"])
    assert all(n >= 0 for n in difference.values()) and sum(difference.values()) <= unbuilt
    if unbuilt == 0:
        assert result["by_kind"] == by_kind(expected)


def test_oakland_objects_keep_their_osm_ids_names_and_tags(case: Case) -> None:
    import_context(case, OAKLAND)
    document = context_geojson(case)
    with bz2.open(OAKLAND) as handle:
        root = ET.fromstring(handle.read())
    for feature in document["features"]:
        osm_type, osm_id = feature["id"].split("/")
        [element] = [e for e in root.iter(osm_type) if e.get("id") == osm_id]
        tags = {t.get("k"): t.get("v") for t in element.findall("tag")}
        properties = dict(feature["properties"])
        assert properties.pop("kind") == sorted(kinds_for(tags))
        assert properties.pop("evidencelab:origin") == "osm"
        assert properties == tags


def test_reimporting_the_same_file_is_a_no_op_that_says_so(case: Case, tmp_path: Path) -> None:
    first = import_context(case, LIECHTENSTEIN)
    log = custody_log(case)
    head = case.head_path.read_bytes()
    renamed = tmp_path / "copy-of-extract.osm.pbf"
    renamed.write_bytes(LIECHTENSTEIN.read_bytes())
    again = import_context(case, renamed)
    assert again["already_imported"] is True
    assert again["sha256"] == first["sha256"] and again["objects"] == first["objects"]
    assert again["file"] == LIECHTENSTEIN.name  # the import on record
    assert custody_log(case) == log and case.head_path.read_bytes() == head
    assert context_summary(case)["objects"] == first["objects"]


def test_an_overlapping_extract_does_not_store_an_osm_object_twice(
    case: Case, tmp_path: Path
) -> None:
    import_context(case, OAKLAND)
    exported = tmp_path / "oakland.geojson"
    exported.write_text(json.dumps(context_geojson(case)), encoding="utf-8")
    again = import_context(case, exported)
    assert again["objects"] == 0 and again["skipped"]["already_in_case"] == 5
    assert context_summary(case)["objects"] == 5


def test_geojson_import_with_explicit_kinds(case: Case, tmp_path: Path) -> None:
    path = tmp_path / "reported.geojson"
    features = [
        {
            "type": "Feature",
            "id": "depot-1",
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[36.6, 49.8], [36.61, 49.8], [36.61, 49.81], [36.6, 49.81], [36.6, 49.8]]
                ],
            },
            "properties": {"name": "Depot", "kind": "military_base"},
        },
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [36.7, 49.85]},
            "properties": {"amenity": "school", "name": "School 5"},
        },
        {  # no kind: not a context object
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [36.7, 49.86]},
            "properties": {"shop": "bakery"},
        },
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    result = import_context(case, path)
    assert result["format"] == "geojson"
    assert result["objects"] == 2 and result["by_kind"] == {"military_base": 1, "school": 1}
    inside = case_objects_near(case, 49.805, 36.605, 0)
    assert [(o["id"], o["origin"], o["distance_m"], o["ref"]) for o in inside] == [
        ("depot-1", "geojson", 0.0, None)
    ]
    school = nearest_by_kind(case, 49.805, 36.605, ["school"])["school"]
    assert school["id"] == "reported.geojson#1" and school["name"] == "School 5"
    assert school["distance_m"] == pytest.approx(
        WGS84.inv(36.605, 49.805, 36.7, 49.85)[2], abs=0.05
    )


# --- Bad files ----------------------------------------------------------------------------


def _bad_files(tmp_path: Path) -> list[Path]:
    truncated = tmp_path / "truncated.osm.pbf"
    truncated.write_bytes(LIECHTENSTEIN.read_bytes()[:1_500_000])
    bad_xml = tmp_path / "bad.osm"
    bad_xml.write_text(
        '<?xml version="1.0"?>\n<osm version="0.6">'
        '<node id="1" lat="47.1" lon="9.5"><tag k="amenity" v="hospital"/></node>'
        '<node id="2" lat=',
        encoding="utf-8",
    )
    not_json = tmp_path / "bad.geojson"
    not_json.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    bad_feature = tmp_path / "line.geojson"
    bad_feature.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [9.5, 47.1]},
                        "properties": {"amenity": "hospital"},
                    },
                    {
                        "type": "Feature",
                        "geometry": {"type": "LineString", "coordinates": [[9, 47], [9.1, 47]]},
                        "properties": {"amenity": "school"},
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    wrong_type = tmp_path / "notes.txt"
    wrong_type.write_text("hospital at 47.1 9.5", encoding="utf-8")
    return [truncated, bad_xml, not_json, bad_feature, wrong_type, tmp_path / "absent.osm.pbf"]


def test_bad_files_give_one_line_errors_and_change_nothing(case: Case, tmp_path: Path) -> None:
    import_context(case, OAKLAND)
    log = custody_log(case)
    head = case.head_path.read_bytes()
    summary = context_summary(case)
    messages = {}
    for path in _bad_files(tmp_path):
        with pytest.raises(CaseError) as caught:
            import_context(case, path)
        message = str(caught.value)
        assert message.startswith(f"{path}: ") and "\n" not in message
        messages[path.name] = message.removeprefix(f"{path}: ")
        assert custody_log(case) == log and case.head_path.read_bytes() == head
        assert context_summary(case) == summary
    assert messages["truncated.osm.pbf"].startswith("cannot read as OpenStreetMap data: PBF")
    assert messages["bad.osm"].startswith("cannot read as OpenStreetMap data: XML parsing")
    assert messages["bad.geojson"].startswith("not GeoJSON: invalid JSON at line 1")
    assert "features[1]" in messages["line.geojson"] and "LineString" in messages["line.geojson"]
    assert messages["notes.txt"].startswith("not a map extract")
    assert messages["absent.osm.pbf"] == "file not found"


def test_an_import_interrupted_after_batches_were_written_leaves_no_trace(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "BATCH_SIZE", 500)
    log = custody_log(case)
    seen: list[int] = []

    def interrupt_after_three_batches(done: int) -> None:
        seen.append(done)
        if len(seen) == 3:
            raise KeyboardInterrupt  # the analyst presses Ctrl-C

    with pytest.raises(KeyboardInterrupt):
        import_context(case, LIECHTENSTEIN, progress=interrupt_after_three_batches)
    assert seen == [500, 1000, 1500]  # 1500 objects were inserted before the interruption
    assert custody_log(case) == log
    assert context_summary(case)["objects"] == 0 and list_imports(case) == []
    assert import_context(case, LIECHTENSTEIN)["objects"] == 4568  # and it can be re-run


# --- Objects added by hand ------------------------------------------------------------------

AIR_BASE = {
    "type": "Polygon",
    "coordinates": [
        [[36.62, 49.83], [36.68, 49.83], [36.68, 49.86], [36.62, 49.86], [36.62, 49.83]]
    ],
}


def test_a_hand_added_polygon_is_at_distance_zero_from_inside_and_measured_to_its_edge(
    case: Case,
) -> None:
    record = add_context_object(
        case,
        kinds=["military_airfield"],
        name="Chuhuiv Air Base",
        basis="Named as a likely target in the release",
        geometry=AIR_BASE,
        object_id="chuhuiv-air-base",
    )
    assert record["id"] == "chuhuiv-air-base" and record["lat"] is None
    [inside] = case_objects_near(case, 49.845, 36.65, 0)
    assert inside["id"] == "chuhuiv-air-base" and inside["distance_m"] == 0.0
    assert inside["origin"] == "manual" and inside["basis"].startswith("Named")
    # Outside a corner the nearest point of the polygon is that corner.
    [corner] = case_objects_near(case, 49.82, 36.70, 5000)
    assert corner["distance_m"] == pytest.approx(WGS84.inv(36.70, 49.82, 36.68, 49.83)[2], abs=0.05)
    # East of the middle of the east edge: the nearest point is on the edge, not a vertex
    # and not the centroid (3 km further).
    [edge] = case_objects_near(case, 49.845, 36.69, 5000)
    to_edge = WGS84.inv(36.69, 49.845, 36.68, 49.845)[2]
    assert edge["distance_m"] == pytest.approx(to_edge, abs=0.05)
    assert edge["distance_m"] < WGS84.inv(36.69, 49.845, 36.68, 49.83)[2] - 100


def test_hand_added_objects_export_in_the_case_file_shape(case: Case) -> None:
    add_context_object(
        case,
        kinds=["residential"],
        name="Block 7",
        basis="Witness statement",
        lat=49.85,
        lon=36.70,
    )
    add_context_object(
        case, kinds=["military_airfield"], name="Base", basis="Release", geometry=AIR_BASE
    )
    add_context_object(case, kinds=["residential"], name="Block 7", basis="Second", lat=1, lon=2)
    objects = manual_objects(case)
    assert [o["id"] for o in objects] == ["block-7", "base", "block-7-2"]
    assert objects[0] == {
        "id": "block-7",
        "kinds": ["residential"],
        "name": "Block 7",
        "lat": 49.85,
        "lon": 36.70,
        "geometry": None,
        "basis": "Witness statement",
        "source": None,
    }
    assert objects[1]["geometry"] == AIR_BASE and objects[1]["lat"] is None
    events = [e for e in custody_log(case) if e["action"] == "context-add"]
    assert [e["subject"] for e in events] == ["block-7", "base", "block-7-2"]
    assert events[0]["payload"] == objects[0]


@given(
    lon=st.floats(-180, 180),
    lat=st.floats(-90, 90),
    byte_order=st.sampled_from([0, 1]),
)
def test_a_stored_point_reads_as_shapely_reads_it(lon: float, lat: float, byte_order: int) -> None:
    point = shapely.Point(lon, lat)
    wkb = shapely.to_wkb(point, byte_order=byte_order)
    assert stored_place(wkb) == object_place(shapely.from_wkb(wkb)) == (lat, lon, None)


@pytest.mark.parametrize(
    "geometry",
    [
        shapely.Point(36.7, 49.85, 120.0),
        shapely.from_geojson(json.dumps(AIR_BASE)),
        shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(2, 2, 3, 3)]),
    ],
    ids=["point-with-height", "polygon", "multipolygon"],
)
def test_other_stored_shapes_read_as_shapely_reads_them(geometry: Any) -> None:
    wkb = shapely.to_wkb(geometry)
    assert stored_place(wkb) == object_place(shapely.from_wkb(wkb))
    assert stored_place(wkb).geometry == (
        None if geometry.geom_type == "Point" else json.loads(shapely.to_geojson(geometry))
    )


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"kinds": ["castle"]}, "unknown castle"),
        ({"kinds": []}, "needs at least one kind"),
        ({"basis": " "}, "needs a basis"),
        ({"lat": None}, "needs a point"),
        ({"lat": 95.0}, "lat 95.0: must be within ±90 degrees"),
        ({"geometry": AIR_BASE}, "not both"),
        ({"lat": None, "lon": None, "geometry": {"type": "LineString"}}, "not LineString"),
        (
            {
                "lat": None,
                "lon": None,
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]],
                },
            },
            "invalid geometry (Self-intersection",
        ),
        (
            {
                "lat": None,
                "lon": None,
                "geometry": {"type": "Point", "coordinates": [49.8, 136.6]},
            },
            "GeoJSON order is [longitude, latitude]",
        ),
        ({"object_id": "has space"}, "object id 'has space'"),
        ({"object_id": "existing"}, "object existing: already in the case"),
        ({"source": "nobody"}, "source 'nobody': not in this case (it holds none yet)"),
    ],
)
def test_bad_hand_added_objects_are_refused_and_change_nothing(
    case: Case, fields: dict[str, Any], problem: str
) -> None:
    add_context_object(
        case, kinds=["school"], name="E", basis="b", lat=1.0, lon=1.0, object_id="existing"
    )
    log = custody_log(case)
    arguments: dict[str, Any] = {
        "kinds": ["hospital"],
        "name": "X",
        "basis": "reported",
        "lat": 49.8,
        "lon": 36.6,
    } | fields
    with pytest.raises(CaseError, match=None) as caught:
        add_context_object(case, **arguments)
    assert problem in str(caught.value) and "\n" not in str(caught.value)
    assert custody_log(case) == log and len(manual_objects(case)) == 1
