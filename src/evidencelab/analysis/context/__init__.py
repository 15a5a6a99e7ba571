"""Geographic context: protected objects and possible military objectives near incidents.

Objects come from OpenStreetMap extracts (`read_osm`) or GeoJSON (`read_geojson`), with
OSM tags as the vocabulary (`kinds_for`); `ContextIndex` answers radius and nearest
queries with geodesic distances on WGS84, measured to polygon edges (`distance`).
"""

from evidencelab.analysis.context.distance import (
    distance_to_geometry_m,
    distances_to_geometries_m,
    geodesic_distance_m,
    nearest_boundary_point,
)
from evidencelab.analysis.context.geojson import (
    objects_from_geojson,
    read_geojson,
    to_geojson,
    write_geojson,
)
from evidencelab.analysis.context.index import ContextIndex, Hit
from evidencelab.analysis.context.kinds import (
    KIND_CATEGORY,
    RULES,
    Category,
    categories_for,
    kinds_for,
    primary_category,
)
from evidencelab.analysis.context.objects import ContextDataError, ContextObject, osm_ref
from evidencelab.analysis.context.osm import ReadStats, iter_osm_features, read_osm

__all__ = [
    "KIND_CATEGORY",
    "RULES",
    "Category",
    "ContextDataError",
    "ContextIndex",
    "ContextObject",
    "Hit",
    "ReadStats",
    "categories_for",
    "distance_to_geometry_m",
    "distances_to_geometries_m",
    "geodesic_distance_m",
    "iter_osm_features",
    "kinds_for",
    "nearest_boundary_point",
    "objects_from_geojson",
    "osm_ref",
    "primary_category",
    "read_geojson",
    "read_osm",
    "to_geojson",
    "write_geojson",
]
