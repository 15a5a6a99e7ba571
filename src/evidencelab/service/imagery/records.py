"""Records the imagery capability returns: scenes, annotations, chips and comparisons,
catalogue search results, scenes and annotations in the case file, and the scenes an
incident page and the map show.

Coordinates are WGS84 degrees; lengths metres; times UTC ISO 8601 text. GeoJSON
geometries (RFC 7946, [longitude, latitude]) stay open mappings: their coordinates nest
as deep as their type says.
"""

from __future__ import annotations

from typing import Any, Generic, NotRequired, TypeVar

from typing_extensions import TypedDict

Properties = TypeVar("Properties")


class Feature(TypedDict, Generic[Properties]):
    """A GeoJSON Feature (RFC 7946 §3.2) whose properties are a record."""

    type: str  # "Feature"
    geometry: dict[str, Any]
    properties: Properties


class FeatureCollection(TypedDict, Generic[Properties]):
    """A GeoJSON FeatureCollection (RFC 7946 §3.3) of features with one kind of record."""

    type: str  # "FeatureCollection"
    features: list[Feature[Properties]]


# --- Scenes ------------------------------------------------------------------------------


class SceneRecord(TypedDict):
    """An ingested raster recorded as a scene, with what a person set on it."""

    id: str  # the evidence item's id
    sha256: str
    original_name: str | None
    kind: str | None
    georeferenced: bool
    georeference: str | None  # transform, gcps or rpcs; None when not georeferenced
    crs: str | None
    lonlat_bounds: list[float] | None  # west, south, east, north
    footprint: dict[str, Any] | None  # GeoJSON Polygon or MultiPolygon of valid pixels
    footprint_method: str | None
    resolution_m: float | None  # ground size of a pixel
    width: int | None  # pixels
    height: int | None
    bands: int | None
    dtypes: list[str] | None
    acquired_at: str | None
    acquired_at_source: str | None  # "tag …", user, stac, case file
    sensor: str | None
    provider: str | None
    licence: str | None
    attribution: str | None
    publishable: bool
    notes: list[str]
    extraction_errors: list[Any]


class IncidentScene(SceneRecord):
    """A scene covering an incident's place, labelled by when it was acquired."""

    label: str  # before, during, after or unknown


class SceneLink(TypedDict):
    """A scene newly linked to an incident whose place it covers."""

    scene: str
    incident: str


# --- Annotations -------------------------------------------------------------------------


class AnnotationRecord(TypedDict):
    """An annotation drawn on a scene."""

    id: int
    scene: str  # the scene's evidence id
    kind: str
    geometry: dict[str, Any]  # GeoJSON Point, LineString, Polygon or MultiPolygon
    measures: dict[str, float]  # geodesic: length_m, area_m2, equivalent_diameter_m …
    diameter_m: float | None  # a crater's diameter, given or measured
    note: str | None
    author: str
    created_at: str
    custody_event: int


class ChipAnnotation(AnnotationRecord):
    """An annotation reaching into a chip, with the number drawn beside it there."""

    number: int  # 1, 2, … in the order the annotations were made


class AnnotationProperties(TypedDict):
    """An annotation without its geometry: a GeoJSON feature's properties."""

    id: int
    scene: str
    kind: str
    measures: dict[str, float]
    diameter_m: float | None
    note: str | None
    author: str
    created_at: str
    custody_event: int


class SceneAnnotationProperties(AnnotationProperties):
    """An annotation on the workbench's map, with its scene's label and acquisition."""

    scene_label: str | None  # before/during/after the incident; None on the overview map
    scene_acquired_at: str | None


# --- Chips and comparisons ---------------------------------------------------------------


class StoredDerivative(TypedDict):
    """A derived PNG in the locker: stored now (with its custody event) or found there."""

    sha256: str
    path: str  # the stored object's file
    role: str  # WHAT-<digest of its parameters>
    new: bool
    custody_event: NotRequired[int]  # only when stored now


class ChipParams(TypedDict):
    """How a chip was made: its square around the incident and its grid."""

    incident: str
    radius_m: float
    epsg: int  # the local UTM zone
    pixel_m: float
    width: int  # pixels
    height: int
    centre: list[float]  # lat, lon
    resampling: str


class ChipRecord(StoredDerivative):
    """A north-up chip of a scene around an incident's place."""

    scene: str
    label: str  # before, during, after or unknown
    acquired_at: str | None
    attribution: str | None
    params: ChipParams
    annotations: list[ChipAnnotation]
    out: str | None  # the file it was also written to


class SceneMoment(TypedDict):
    """A scene of a comparison and when it was acquired."""

    scene: str
    acquired_at: str | None


class ChangeRegion(TypedDict):
    """A connected region of changed pixels in a comparison."""

    pixels: list[int]  # first row, first column, last row, last column
    centre: list[float]  # lat, lon, rounded to 1e-6 degrees
    width_m: float
    height_m: float


class CompareParams(TypedDict):
    """How a before/after comparison was made."""

    incident: str
    radius_m: float
    threshold_sigma: float
    measure: str
    epsg: int
    pixel_m: float
    width: int
    height: int
    centre: list[float]  # lat, lon


class ComparisonRecord(StoredDerivative):
    """A before/after pair on one grid with its change map."""

    before: SceneMoment
    after: SceneMoment
    threshold_sigma: float
    valid_pixels: int
    changed_pixels: int
    changed_fraction: float  # of the valid pixels
    changed_area_m2: float
    regions: list[ChangeRegion]
    params: CompareParams
    out: str | None


class ReportChipAnnotation(TypedDict):
    """An annotation drawn on a report's chip."""

    number: int
    id: int
    kind: str
    measures: dict[str, float]
    diameter_m: float | None
    note: str | None


class ReportChip(TypedDict):
    """A scene covering an incident's place as a report shows it: its chip, or why no
    chip could be made (`error`, and no picture)."""

    scene: str
    label: str
    acquired_at: str | None
    acquired_at_source: str | None
    resolution_m: float | None  # the scene's
    sensor: str | None
    provider: str | None
    attribution: str | None
    licence: str | None
    publishable: bool
    annotations: list[ReportChipAnnotation]
    error: str | None
    pixel_m: NotRequired[float]  # the chip's; this key and those below only with a chip
    sha256: NotRequired[str]
    path: NotRequired[str]
    media_type: NotRequired[str]
    radius_m: NotRequired[float]


# --- Catalogue ---------------------------------------------------------------------------


class CatalogueItem(TypedDict):
    """A STAC item covering an incident's place."""

    id: str
    collection: str | None
    acquired_at: str | None
    label: str  # before, during, after or unknown
    cloud_cover: float | None  # percent (eo:cloud_cover)
    platform: str | None
    gsd: float | None  # ground sample distance, metres
    self: str | None  # the item's own URL
    assets: dict[str, str]  # image asset name: URL


# STAC items covering an incident's place around its time ("from" is a Python keyword:
# the functional form declares it).
CatalogueSearch = TypedDict(
    "CatalogueSearch",
    {
        "catalog": str,
        "collections": list[str],
        "incident": str,
        "point": list[float],  # lat, lon
        "from": str,
        "to": str,
        "items": list[CatalogueItem],  # oldest first
    },
)


class FetchedScene(TypedDict):
    """A window of a STAC item's asset stored in the locker as a scene."""

    scene: SceneRecord
    item: str
    asset: str
    href: str
    window: list[int]  # column offset, row offset, width, height, pixels
    stac_item_sha256: str
    status: str  # the ingest's status


# --- The case file -----------------------------------------------------------------------


class SceneFileFacts(TypedDict):
    """The facts set on a scene by a person or a catalogue, as a case file writes them."""

    acquired_at: NotRequired[str]
    acquired_at_source: NotRequired[str | None]
    sensor: NotRequired[str]
    provider: NotRequired[str]
    attribution: NotRequired[str]
    licence: NotRequired[str]
    publishable: NotRequired[bool]


class AnnotationFileEntry(TypedDict):
    """An annotation as a case file's `annotations` entry."""

    id: int
    scene: str
    kind: str
    geometry: dict[str, Any]
    author: str
    created_at: str
    diameter_m: NotRequired[float]
    note: NotRequired[str]


# --- Workbench views ---------------------------------------------------------------------


class SceneFacts(TypedDict):
    """A scene's facts as the workbench's pages and map show them."""

    id: str
    original_name: str | None
    georeferenced: bool
    acquired_at: str | None
    acquired_at_source: str | None
    resolution_m: float | None
    crs: str | None
    sensor: str | None
    provider: str | None
    licence: str | None
    attribution: str | None
    publishable: bool


class IncidentSceneFacts(SceneFacts):
    """A scene's facts on an incident's page, labelled by when it was acquired."""

    label: str  # before, during, after or unknown


class StoredChip(TypedDict):
    """The latest chip stored for an incident of a scene."""

    role: str
    sha256: str
    custody_event: int
    radius_m: float | None
    pixel_m: float | None
    annotations: list[int]  # ids of the annotations drawn on it
    stale: bool  # the scene's facts, or the incident's time or place, changed since


class IncidentSceneView(IncidentSceneFacts):
    """A scene on an incident's page: facts, annotations count and stored chip."""

    annotations: int
    chip: StoredChip | None


class MapSceneFacts(SceneFacts):
    """A scene's facts on the map of all incidents, with the incidents it is linked to."""

    incidents: list[str]


class IncidentImagery(TypedDict):
    """The satellite scenes linked to an incident, for its page and map."""

    scenes: list[IncidentSceneView]
    footprints: FeatureCollection[IncidentSceneFacts]
    annotations: FeatureCollection[SceneAnnotationProperties]
    withheld: int  # linked sensitive scenes not shown to this role


class MapImagery(TypedDict):
    """Footprints of every linked scene (reduced outlines) and their annotations."""

    footprints: FeatureCollection[MapSceneFacts]
    annotations: FeatureCollection[SceneAnnotationProperties]
