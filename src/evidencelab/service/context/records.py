"""Records the context capability returns: objects in the case, objects near a point,
map extracts read in, and objects added by hand in the case-file `objects:` shape.

Coordinates are WGS84 degrees; distances are geodesic metres on WGS84 to an object's
nearest edge (0 inside); times are UTC ISO 8601 text.
"""

from __future__ import annotations

from typing import Any

from typing_extensions import TypedDict


class ContextObject(TypedDict):
    """An object in the case: from a map extract, a GeoJSON file or added by hand."""

    id: str  # the analyst's id (added by hand), else the OSM reference or GeoJSON id
    ref: str | None  # "way/123" for OpenStreetMap objects
    name: str | None
    kinds: list[str]
    category: str | None
    origin: str  # osm, geojson or manual
    basis: str | None
    lat: float  # a point inside the object
    lon: float


class NearbyObject(ContextObject):
    """An object in the case with its distance from the point asked about."""

    distance_m: float  # to the object's edge, 0 inside; rounded to 0.1 m


class ContextImportRecord(TypedDict):
    """A map extract read into the case, recorded by its SHA-256."""

    file: str
    sha256: str
    format: str  # osm-pbf, osm-xml or geojson
    objects: int  # objects stored by this import
    by_kind: dict[str, int]
    skipped: dict[str, int]  # objects left out, by reason
    imported_at: str
    imported_by: str
    custody_event: int


class ContextImportOutcome(ContextImportRecord):
    """A map extract read in now, or found read in already (nothing changed)."""

    already_imported: bool


class ContextSummary(TypedDict):
    """How many objects the case holds, by origin and by kind, and its imports."""

    objects: int
    by_origin: dict[str, int]
    by_kind: dict[str, int]
    imports: list[ContextImportRecord]


class ContextFeature(TypedDict):
    """An object of the case as a GeoJSON Feature (RFC 7946)."""

    type: str  # "Feature"
    id: str  # the object's `ContextObject` id
    geometry: dict[str, Any]  # GeoJSON geometry, [longitude, latitude]
    properties: dict[str, Any]  # its tags, `kind` and `evidencelab:*` provenance


class ContextFeatureCollection(TypedDict):
    """The case's objects as a GeoJSON FeatureCollection."""

    type: str  # "FeatureCollection"
    features: list[ContextFeature]


class GeoJSONWritten(TypedDict):
    """A GeoJSON file written, and how many features it holds."""

    file: str
    features: int


class ExtractHit(TypedDict):
    """An object read straight from a map extract file, with its distance."""

    ref: str  # "way/123", or the GeoJSON feature id
    name: str | None
    kinds: list[str]
    category: str | None
    distance_m: float  # to the object's edge, 0 inside; rounded to 0.1 m


class LatLon(TypedDict):
    """A point, WGS84 degrees."""

    lat: float
    lon: float


class ExtractNearby(TypedDict):
    """Objects near a point in a map extract file, read without a case."""

    file: str
    point: LatLon
    radius_m: float
    within: list[ExtractHit]  # nearest first
    nearest_by_kind: dict[str, ExtractHit]  # at any distance


class ManualObject(TypedDict):
    """An object added by hand, in the case-file `objects:` shape. A case file's other
    fields for the object follow these keys unchanged (kept for export)."""

    id: str
    kinds: list[str]
    name: str | None
    lat: float | None  # a point object's place; None when `geometry` is given
    lon: float | None
    geometry: dict[str, Any] | None  # GeoJSON Polygon or MultiPolygon; None for a point
    basis: str | None
    source: str | None


class AddedObject(ManualObject):
    """An object just added by hand, with the custody event that records it."""

    custody_event: int
