"""Satellite scenes as evidence: scene records, links to incidents, chips, before/after
comparison, annotations, catalogue search and windowed fetch, chips for reports, and
scenes and annotations in the case file.

A scene is an evidence item whose raster record (``metadata_raw["raster"]``, written by the
``raster`` extractor) is copied into the ``scene`` table with its terms of use. Chips and
comparisons are derived works: stored objects with a custody event naming the source
scene(s) and the parameters; the scene itself is never changed.

Modules: ``scenes`` (records, links), ``annotations``, ``chips`` (chips, comparisons, report
chips), ``catalogue`` (STAC), ``case_file``, ``views``
(the workbench's scenes), ``records`` (the records they return).
"""

from __future__ import annotations

from evidencelab.analysis.imagery.drawing import (
    ANNOTATION_RGB,
    draw_annotations,
)
from evidencelab.model.imagery import ANNOTATION_KINDS
from evidencelab.service.imagery.annotations import (
    annotate,
    annotation_record,
    annotations_geojson,
    list_annotations,
    read_geometry_file,
)
from evidencelab.service.imagery.case_file import (
    CASE_FILE_SOURCE,
    SCENE_FILE_KEYS,
    annotation_file_records,
    annotation_problem,
    import_annotation,
    import_scene_facts,
    scene_fact_conflicts,
    scene_file_record,
)
from evidencelab.service.imagery.catalogue import (
    CATALOG_ENV,
    COLLECTIONS_ENV,
    DEFAULT_CATALOG,
    DEFAULT_COLLECTIONS,
    DEFAULT_DAYS,
    DEFAULT_FETCH_RADIUS_M,
    MAX_ITEMS,
    PREFERRED_ASSETS,
    VSICURL_OPTIONS,
    catalogue,
    fetch_item,
    gdal_path,
    search_catalogue,
)
from evidencelab.service.imagery.chips import (
    DEFAULT_RADIUS_M,
    chip_annotations,
    compare,
    make_chip,
    scene_chips_for_report,
)
from evidencelab.service.imagery.scenes import (
    Place,
    get_incident,
    incident_place,
    insert_scene,
    link_all,
    link_scene,
    list_scenes,
    place_of,
    register_scenes,
    register_scenes_in,
    scene_and_item,
    scene_record,
    scenes_for_incident,
    set_scene,
    show_scene,
    utc_text,
)

__all__ = [
    "ANNOTATION_KINDS",
    "ANNOTATION_RGB",
    "CASE_FILE_SOURCE",
    "CATALOG_ENV",
    "COLLECTIONS_ENV",
    "DEFAULT_CATALOG",
    "DEFAULT_COLLECTIONS",
    "DEFAULT_DAYS",
    "DEFAULT_FETCH_RADIUS_M",
    "DEFAULT_RADIUS_M",
    "MAX_ITEMS",
    "PREFERRED_ASSETS",
    "SCENE_FILE_KEYS",
    "VSICURL_OPTIONS",
    "Place",
    "annotate",
    "annotation_file_records",
    "annotation_problem",
    "annotation_record",
    "annotations_geojson",
    "catalogue",
    "chip_annotations",
    "compare",
    "draw_annotations",
    "fetch_item",
    "gdal_path",
    "get_incident",
    "import_annotation",
    "import_scene_facts",
    "incident_place",
    "insert_scene",
    "link_all",
    "link_scene",
    "list_annotations",
    "list_scenes",
    "make_chip",
    "place_of",
    "read_geometry_file",
    "register_scenes",
    "register_scenes_in",
    "scene_and_item",
    "scene_chips_for_report",
    "scene_fact_conflicts",
    "scene_file_record",
    "scene_record",
    "scenes_for_incident",
    "search_catalogue",
    "set_scene",
    "show_scene",
    "utc_text",
]
