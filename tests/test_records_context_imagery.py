"""The records the context, imagery and access capabilities return are exactly what their
types declare: a real result, validated strictly against its type and written back
through it (as an API's response model does), comes out as the same JSON, key for key and
in the same order. So the command line's --json, the API and the pages can all render one
record, and a response model built from the type drops or reorders nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from evidencelab.locker.case import Case
from evidencelab.service.access import users
from evidencelab.service.access.records import ListedUser, UserRecord
from evidencelab.service.context.importing import import_context, list_imports
from evidencelab.service.context.manual import add_context_object
from evidencelab.service.context.manual_records import manual_objects
from evidencelab.service.context.queries import (
    case_objects_near,
    context_geojson,
    context_summary,
    list_context_objects,
    nearest_by_kind,
    objects_near,
    write_context_geojson,
)
from evidencelab.service.context.records import (
    AddedObject,
    ContextFeatureCollection,
    ContextImportOutcome,
    ContextImportRecord,
    ContextObject,
    ContextSummary,
    ExtractNearby,
    GeoJSONWritten,
    ManualObject,
    NearbyObject,
)
from evidencelab.service.imagery.annotations import annotations_geojson, list_annotations
from evidencelab.service.imagery.case_file import annotation_file_records, scene_file_record
from evidencelab.service.imagery.chips import compare, make_chip, scene_chips_for_report
from evidencelab.service.imagery.records import (
    AnnotationFileEntry,
    AnnotationProperties,
    AnnotationRecord,
    ChipRecord,
    ComparisonRecord,
    FeatureCollection,
    IncidentImagery,
    IncidentScene,
    MapImagery,
    ReportChip,
    SceneFileFacts,
    SceneLink,
    SceneRecord,
)
from evidencelab.service.imagery.scenes import link_all, list_scenes, set_scene, show_scene
from evidencelab.service.imagery.views import incident_imagery, map_imagery
from test_imagery_fixtures import SITE_LAT, SITE_LON
from test_report_imagery import pair_case  # noqa: F401 (a fixture)


def assert_record(record_type: Any, value: Any) -> None:
    """`value` holds exactly the keys `record_type` declares, in its order, each of the
    declared type."""
    adapter: TypeAdapter[Any] = TypeAdapter(record_type)
    shown = adapter.dump_python(adapter.validate_python(value, strict=True), mode="json")
    assert json.dumps(shown) == json.dumps(value)


def test_the_check_fails_on_an_undeclared_key_a_wrong_type_or_another_order() -> None:
    assert_record(SceneLink, {"scene": "ev-1", "incident": "site"})
    with pytest.raises(AssertionError):
        assert_record(SceneLink, {"scene": "ev-1", "incident": "site", "label": "after"})
    with pytest.raises(AssertionError):
        assert_record(SceneLink, {"incident": "site", "scene": "ev-1"})
    with pytest.raises(ValidationError):
        assert_record(SceneLink, {"scene": "ev-1", "incident": 7})


def test_imagery_records(pair_case: tuple[Case, str, str], tmp_path: Path) -> None:  # noqa: F811
    case, before, after = pair_case
    assert_record(list[SceneRecord], list_scenes(case))
    assert_record(list[IncidentScene], list_scenes(case, "site"))
    assert_record(SceneRecord, show_scene(case, before))
    assert_record(SceneRecord, set_scene(case, before, provider="ESA"))
    assert_record(list[SceneLink], link_all(case))
    assert_record(list[AnnotationRecord], list_annotations(case))
    assert_record(FeatureCollection[AnnotationProperties], annotations_geojson(case))
    made = make_chip(case, "site", scene_ref=after, annotations=True, out=tmp_path / "c.png")
    reused = make_chip(case, "site", scene_ref=after, annotations=True)
    assert made["new"] and "custody_event" in made
    assert not reused["new"] and "custody_event" not in reused
    assert_record(ChipRecord, made)
    assert_record(ChipRecord, reused)
    assert_record(ComparisonRecord, compare(case, "site"))
    chips = scene_chips_for_report(case, "site", public=False)
    assert [chip["error"] for chip in chips] == [None, None]
    assert_record(list[ReportChip], chips)
    assert_record(IncidentImagery, incident_imagery(case, "site", sensitive=True))
    assert_record(MapImagery, map_imagery(case, sensitive=False))
    with case.sessions() as session:
        assert_record(SceneFileFacts, scene_file_record(session, before))
        assert_record(list[AnnotationFileEntry], annotation_file_records(session))


def test_context_records(case: Case, tmp_path: Path) -> None:
    features = [
        {
            "type": "Feature",
            "id": "clinic-1",
            "geometry": {"type": "Point", "coordinates": [SITE_LON + 0.001, SITE_LAT]},
            "properties": {"kind": ["hospital"], "name": "Clinic"},
        },
        {
            "type": "Feature",
            "id": "school-1",
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [
                        [SITE_LON - 0.004, SITE_LAT],
                        [SITE_LON - 0.003, SITE_LAT],
                        [SITE_LON - 0.003, SITE_LAT + 0.001],
                        [SITE_LON - 0.004, SITE_LAT],
                    ]
                ],
            },
            "properties": {"kind": ["school"]},
        },
    ]
    extract = tmp_path / "area.geojson"
    extract.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    assert_record(ContextImportOutcome, import_context(case, extract))
    assert_record(ContextImportOutcome, import_context(case, extract))
    added = add_context_object(
        case,
        kinds=["military_base"],
        name="Depot",
        basis="OSINT report",
        lat=SITE_LAT,
        lon=SITE_LON,
    )
    assert_record(AddedObject, added)
    assert_record(list[ManualObject], manual_objects(case))
    assert_record(list[ContextImportRecord], list_imports(case))
    assert_record(list[ContextObject], list_context_objects(case))
    near = case_objects_near(case, SITE_LAT, SITE_LON, 1000)
    assert [o["id"] for o in near] == ["depot", "clinic-1", "school-1"]
    assert_record(list[NearbyObject], near)
    assert_record(dict[str, NearbyObject], nearest_by_kind(case, SITE_LAT, SITE_LON))
    assert_record(ContextSummary, context_summary(case))
    assert_record(ContextFeatureCollection, context_geojson(case))
    assert_record(GeoJSONWritten, write_context_geojson(case, tmp_path / "out.geojson"))
    assert_record(ExtractNearby, objects_near(extract, SITE_LAT, SITE_LON, 1000.0))


def test_user_records(case: Case) -> None:
    assert_record(UserRecord, users.add_user(case, "ana", "a long password", "admin"))
    assert_record(UserRecord, users.add_user(case, "bo", "a long password", "viewer"))
    assert_record(UserRecord, users.set_role(case, "bo", "reviewer"))
    assert_record(UserRecord, users.disable_user(case, "bo"))
    users.start_session(case, "ana")
    listed = users.list_users(case)
    assert [u["signed_in_since"] is not None for u in listed] == [True, False]
    assert_record(list[ListedUser], listed)
