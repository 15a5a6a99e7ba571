"""Satellite scenes and annotations in the case file: what an analyst set on a scene and
what was drawn on it survive export → import → export; re-import records nothing; a
conflicting file is refused before anything is written; files without them are unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from evidencelab.locker.case import Case, init_case
from evidencelab.model import CaseFileError, case_file_to_dict, dump_case_file, load_case_text
from evidencelab.service.exchange.casefile import export_case, import_case_file
from evidencelab.service.imagery.annotations import annotate, list_annotations
from evidencelab.service.imagery.scenes import (
    register_scenes,
    scenes_for_incident,
    set_scene,
    show_scene,
)
from evidencelab.store.tables import CustodyEvent
from test_imagery_fixtures import LANDSAT, add_incidents, incident, ingest_file

ANDROS = (24.6, -77.8)
SCENE_FACTS = {
    "acquired_at": "2022-02-26T15:40:00Z",
    "acquired_at_source": "user",
    "sensor": "ETM+",
    "licence": "CC0 1.0",
    "attribution": "USGS Landsat 7 ETM+",
    "publishable": True,
}
CRATER = {"type": "LineString", "coordinates": [[-77.8, 24.6], [-77.8, 24.6002]]}
BURN = {
    "type": "Polygon",
    "coordinates": [[[-77.81, 24.59], [-77.80, 24.59], [-77.80, 24.60], [-77.81, 24.59]]],
}


def _events(case: Case) -> dict[str, int]:
    with case.sessions() as session:
        rows = session.execute(
            select(CustodyEvent.action, func.count()).group_by(CustodyEvent.action)
        ).all()
    return {action: int(n) for action, n in rows}


def _export_to(case: Case, folder: Path) -> Path:
    """The case file beside a copy of the scene, as `evidencelab export` lays it out."""
    document = case_file_to_dict(export_case(case))
    for entry in document["evidence"]:
        target = folder / entry["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(LANDSAT, target)
    path = folder / "case.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
    return path


@pytest.fixture
def annotated(case: Case, tmp_path: Path) -> tuple[Case, str]:
    add_incidents(case, tmp_path, [incident("andros", *ANDROS, "2022-02-24T10:30:00+02:00")])
    scene = ingest_file(case, LANDSAT)
    set_scene(
        case,
        scene,
        acquired_at="2022-02-26T17:40:00+02:00",
        sensor="ETM+",
        licence="CC0 1.0",
        attribution="USGS Landsat 7 ETM+",
        publishable=True,
    )
    annotate(case, scene, kind="crater", geometry=CRATER, note="fresh crater")
    annotate(case, scene, kind="burn_scar", geometry=BURN)
    return case, scene


def test_export_carries_scene_facts_and_annotations(annotated: tuple[Case, str]) -> None:
    case, scene = annotated
    document = case_file_to_dict(export_case(case))
    [entry] = document["evidence"]
    assert entry["kind"] == "satellite"
    assert entry["scene"] == SCENE_FACTS  # the time given with +02:00 is kept in UTC
    first, second = document["annotations"]
    assert (first["id"], first["scene"], first["kind"]) == (1, scene, "crater")
    assert first["geometry"] == CRATER and first["note"] == "fresh crater"
    assert first["diameter_m"] == pytest.approx(22.1, abs=0.1)  # the line's geodesic length
    assert first["author"] == "tester" and first["created_at"].endswith("Z")
    assert (second["kind"], second["geometry"]) == ("burn_scar", BURN)
    assert "diameter_m" not in second and "note" not in second
    # The document is valid against the published format and lossless as text.
    text = dump_case_file(export_case(case))
    assert dump_case_file(load_case_text(text, "yaml", origin="x.yaml")) == text


def test_export_import_export_keeps_scenes_and_annotations(
    annotated: tuple[Case, str], tmp_path: Path
) -> None:
    case, scene = annotated
    first = case_file_to_dict(export_case(case))
    path = _export_to(case, tmp_path / "out")
    with init_case(tmp_path / "second") as second:
        import_case_file(second, path)
        assert case_file_to_dict(export_case(second)) == first
        record = show_scene(second, scene)
        assert {k: record[k] for k in SCENE_FACTS} == SCENE_FACTS
        [linked] = scenes_for_incident(second, "andros")
        assert (linked["id"], linked["label"]) == (scene, "after")
        copied = list_annotations(second)
        original = list_annotations(case)
        for key in ("id", "scene", "kind", "geometry", "measures", "diameter_m", "author"):
            assert [a[key] for a in copied] == [a[key] for a in original]
        assert [a["created_at"] for a in copied] == [a["created_at"] for a in original]
        assert copied[1]["measures"]["area_m2"] > 0
        # Importing the same file again records nothing but the import itself.
        before = _events(second)
        import_case_file(second, path)
        after = _events(second)
        assert after == {**before, "import": before["import"] + 1}
        assert case_file_to_dict(export_case(second)) == first
        # New annotations continue after the imported ids.
        added = annotate(second, scene, kind="other", point=ANDROS)
        assert added["id"] == 3


def _edited(path: Path, change: Any) -> Path:
    document = yaml.safe_load(path.read_text())
    change(document)
    edited = path.with_name("edited.yaml")
    edited.write_text(yaml.safe_dump(document, sort_keys=False))
    return edited


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["evidence"][0]["scene"].update(licence="all rights reserved"),
            "evidence[0].scene.licence: differs from the licence set on scene",
        ),
        (
            lambda d: d["evidence"][0]["scene"].update(publishable=False),
            "evidence[0].scene.publishable: differs from the publishable set on scene",
        ),
        (
            lambda d: d["annotations"][0].update(note="another crater"),
            "annotations[0]: differs from annotation '1' already in the case",
        ),
    ],
)
def test_conflicting_file_is_refused_before_anything_is_written(
    annotated: tuple[Case, str], tmp_path: Path, change: Any, message: str
) -> None:
    case, _ = annotated
    path = _export_to(case, tmp_path / "out")
    edited = _edited(path, change)
    before = _events(case)
    with pytest.raises(CaseFileError, match=message.replace("[", r"\[").replace("]", r"\]")):
        import_case_file(case, edited)
    assert _events(case) == before


def test_facts_the_case_lacks_are_added(tmp_path: Path) -> None:
    with init_case(tmp_path / "case") as case:
        scene = ingest_file(case, LANDSAT)
        register_scenes(case)
        folder = tmp_path / "out"
        path = _export_to(case, folder)
        document = yaml.safe_load(path.read_text())
        document["evidence"][0]["scene"] = {"acquired_at": "2022-02-26T15:40:00Z"}
        document["annotations"] = [
            {"id": 7, "scene": scene, "kind": "crater", "geometry": CRATER, "author": "analyst"}
        ]
        path.write_text(yaml.safe_dump(document, sort_keys=False))
        import_case_file(case, path)
        record = show_scene(case, scene)
        assert (record["acquired_at"], record["acquired_at_source"]) == (
            "2022-02-26T15:40:00Z",
            "case file",
        )
        [annotation] = list_annotations(case)
        assert (annotation["id"], annotation["author"]) == (7, "analyst")
        assert annotation["diameter_m"] == pytest.approx(22.1, abs=0.1)


def test_case_without_scene_facts_exports_as_before(case: Case) -> None:
    scene = ingest_file(case, LANDSAT)
    register_scenes(case)  # a scene record, but nothing set by a person
    document = case_file_to_dict(export_case(case))
    assert "annotations" not in document
    [entry] = document["evidence"]
    assert "scene" not in entry and entry["id"] == scene


@pytest.mark.parametrize(
    ("annotation", "message"),
    [
        ({"scene": "nowhere"}, "annotations[0].scene: unknown evidence 'nowhere'"),
        ({"scene": "photo"}, "annotations[0].scene: evidence 'photo' is not of kind satellite"),
        ({"kind": "tank"}, "annotations[0].kind"),
        ({"id": 0}, "annotations[0].id"),
    ],
)
def test_bad_annotations_are_refused(annotation: dict[str, Any], message: str) -> None:
    entry = {"id": 1, "scene": "scene", "kind": "crater", "geometry": CRATER, **annotation}
    document = {
        "format": "evidencelab/case@1",
        "title": "t",
        "evidence": [{"id": "scene", "kind": "satellite"}, {"id": "photo", "kind": "photo"}],
        "annotations": [entry],
    }
    with pytest.raises(CaseFileError) as error:
        load_case_text(yaml.safe_dump(document), "yaml", origin="x.yaml")
    assert message in str(error.value)


def test_unmeasurable_annotation_is_refused_before_writing(
    annotated: tuple[Case, str], tmp_path: Path
) -> None:
    case, _ = annotated
    path = _export_to(case, tmp_path / "out")
    bowtie = [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]

    def add(document: dict[str, Any]) -> None:
        document["annotations"].append(
            {
                "id": 9,
                "scene": document["evidence"][0]["id"],
                "kind": "burn_scar",
                "geometry": {"type": "Polygon", "coordinates": bowtie},
            }
        )

    before = _events(case)
    with pytest.raises(CaseFileError, match="not valid"):
        import_case_file(case, _edited(path, add))
    assert _events(case) == before
