"""Context objects: protected objects and possible military objectives, with geometry."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from shapely.geometry import MultiPolygon, Point, Polygon

from evidencelab.analysis.context.kinds import Category, categories_for, primary_category

OsmType = Literal["node", "way", "relation"]
Geometry: TypeAlias = Point | Polygon | MultiPolygon


class ContextDataError(ValueError):
    """A context data file could not be read; `str()` is one line naming the file."""

    def __init__(self, origin: str, problem: str) -> None:
        self.origin = origin
        self.problem = problem
        super().__init__(f"{origin}: {problem}")


@dataclass(frozen=True)
class ContextObject:
    """One mapped object near which incidents are assessed.

    `geometry` is in WGS84 longitude/latitude degrees (x = lon, y = lat): a Point for OSM
    nodes, a Polygon or MultiPolygon for closed ways and multipolygon relations. `osm_type`
    and `osm_id` are set for OSM data (and GeoJSON exported from it); `ref` is a stable
    text id ("way/486420157", or a GeoJSON feature's own id).
    """

    ref: str
    kinds: frozenset[str]
    geometry: Geometry
    tags: Mapping[str, str] = field(default_factory=dict)
    name: str | None = None
    osm_type: OsmType | None = None
    osm_id: int | None = None
    source: str = ""

    @property
    def categories(self) -> frozenset[Category]:
        """protected / military / population, as the kinds give them."""
        return categories_for(self.kinds)

    @property
    def category(self) -> Category | None:
        """One category for display (see `kinds.primary_category`)."""
        return primary_category(self.kinds)

    @property
    def representative_point(self) -> Point:
        """A point guaranteed inside the geometry (shapely's `representative_point`)."""
        point = self.geometry.representative_point()
        assert isinstance(point, Point)
        return point


def osm_ref(osm_type: OsmType, osm_id: int) -> str:
    """Overpass-style reference, e.g. `way/486420157`."""
    return f"{osm_type}/{osm_id}"
