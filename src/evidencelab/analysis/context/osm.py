"""Read OpenStreetMap extracts (`.osm`, `.osm.bz2`, `.osm.gz`, `.osm.pbf`) with pyosmium.

The file is streamed: pyosmium's `FileProcessor` reads it block by block, a C++ key filter
drops untagged and irrelevant objects before they reach Python, and only the objects that
match are kept. With areas enabled pyosmium reads the file twice (relations first, so that
multipolygon members can be collected; then everything) and assembles closed ways and
`type=multipolygon` relations into areas.

Memory is bounded by two things, neither of which is the file size: the node location
index (needed to give ways and areas coordinates) and the matched objects. The index is
chosen with `node_index` (pyosmium/libosmium names, see
https://docs.osmcode.org/pyosmium/latest/user_manual/07-Location-Storage/):

* ``flex_mem`` (default) — in memory; switches itself from a sparse table (≈16 bytes per
  node) to a dense array (8 bytes × largest node id) when that is smaller. Right for
  country extracts up to a few hundred million nodes on a machine with several GB of RAM.
* ``dense_file_array,<path>`` / ``sparse_file_array,<path>`` — on disk, for continent or
  planet files; the file is temporary and may be deleted afterwards.

Unclosed ways have no area and are skipped (counted in `ReadStats`), as are relations
other than multipolygons and areas that libosmium could not assemble.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import osmium
import osmium.filter
import osmium.geom
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon

from evidencelab.analysis.context.kinds import KEYS, kinds_for
from evidencelab.analysis.context.objects import (
    ContextDataError,
    ContextObject,
    Geometry,
    OsmType,
    osm_ref,
)

#: File name endings pyosmium reads (it chooses the parser from the name).
OSM_SUFFIXES = (".osm", ".osm.bz2", ".osm.gz", ".osm.pbf", ".pbf")

DEFAULT_NODE_INDEX = "flex_mem"


@dataclass
class ReadStats:
    """What a read kept and skipped (counts of objects that passed the tag selection)."""

    nodes: int = 0
    areas: int = 0
    skipped_unclosed_ways: int = 0
    skipped_relations: int = 0
    skipped_bad_areas: int = 0


@dataclass(frozen=True)
class OsmFeature:
    """A tagged OSM object with its geometry in WGS84 lon/lat (a Point or an area)."""

    osm_type: OsmType
    osm_id: int
    tags: Mapping[str, str]
    geometry: Geometry


def _check_file(path: Path) -> None:
    if not path.exists():
        raise ContextDataError(str(path), "file not found")
    if not path.is_file():
        raise ContextDataError(str(path), "not a file")
    if not path.name.lower().endswith(OSM_SUFFIXES):
        raise ContextDataError(
            str(path), f"not an OpenStreetMap file (expected one of {', '.join(OSM_SUFFIXES)})"
        )


def _area_geometry(factory: osmium.geom.WKBFactory, area: osmium.osm.Area) -> Geometry | None:
    try:
        shape = shapely.from_wkb(factory.create_multipolygon(area))
    except (RuntimeError, shapely.errors.GEOSException):
        return None
    if isinstance(shape, MultiPolygon) and len(shape.geoms) == 1:
        shape = shape.geoms[0]
    if not isinstance(shape, Polygon | MultiPolygon) or shape.is_empty:
        return None
    return shape


def iter_osm_features(
    path: str | os.PathLike[str],
    select: Callable[[Mapping[str, str]], bool],
    keys: frozenset[str] | set[str],
    *,
    node_index: str = DEFAULT_NODE_INDEX,
    stats: ReadStats | None = None,
) -> Iterator[OsmFeature]:
    """Stream the nodes and areas of an OSM file whose tags satisfy `select`.

    Only objects with at least one of `keys` reach Python (a pyosmium `KeyFilter`); `select`
    then decides. Nodes give their location; closed ways and multipolygon relations give
    their assembled (Multi)Polygon. Raises `ContextDataError` (one line, naming the file)
    for a missing, unrecognised or corrupt file; a corrupt file may fail after some
    features were yielded, so callers that keep results should collect them first.
    """
    path = Path(path)
    _check_file(path)
    stats = stats if stats is not None else ReadStats()
    factory = osmium.geom.WKBFactory()
    processor = (
        osmium.FileProcessor(str(path))
        .with_locations(node_index)
        # Only multipolygon relations with relevant keys are kept for assembly.
        .with_areas(osmium.filter.KeyFilter(*keys))
        .with_filter(osmium.filter.KeyFilter(*keys))
    )
    try:
        for entity in processor:
            tags = dict(entity.tags)
            if not select(tags):
                continue
            if isinstance(entity, osmium.osm.Node):
                location = entity.location
                if not location.valid():
                    continue
                stats.nodes += 1
                yield OsmFeature("node", entity.id, tags, Point(location.lon, location.lat))
            elif isinstance(entity, osmium.osm.Way):
                # Closed ways come back as areas; an unclosed way has no area to measure to.
                if not entity.is_closed():
                    stats.skipped_unclosed_ways += 1
            elif isinstance(entity, osmium.osm.Relation):
                if tags.get("type") not in ("multipolygon", "boundary"):
                    stats.skipped_relations += 1
            elif isinstance(entity, osmium.osm.Area):
                geometry = _area_geometry(factory, entity)
                if geometry is None:
                    stats.skipped_bad_areas += 1
                    continue
                stats.areas += 1
                osm_type: OsmType = "way" if entity.from_way() else "relation"
                yield OsmFeature(osm_type, entity.orig_id(), tags, geometry)
    except RuntimeError as exc:
        # libosmium's parse errors are multi-line at times; keep the first line.
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ContextDataError(str(path), f"cannot read as OpenStreetMap data: {first}") from None


def read_osm(
    path: str | os.PathLike[str],
    *,
    node_index: str = DEFAULT_NODE_INDEX,
    stats: ReadStats | None = None,
) -> list[ContextObject]:
    """Protected objects and possible military objectives in an OSM extract.

    Every node, closed way and multipolygon relation with at least one kind
    (`kinds.kinds_for`) becomes a `ContextObject` with its OSM type, id, tags and geometry
    (WGS84 lon/lat). See the module docstring for memory use and `node_index`.
    """
    objects: list[ContextObject] = []
    for feature in iter_osm_features(
        path,
        lambda tags: bool(kinds_for(tags)),
        KEYS,
        node_index=node_index,
        stats=stats,
    ):
        objects.append(
            ContextObject(
                ref=osm_ref(feature.osm_type, feature.osm_id),
                kinds=kinds_for(feature.tags),
                geometry=feature.geometry,
                tags=feature.tags,
                name=feature.tags.get("name"),
                osm_type=feature.osm_type,
                osm_id=feature.osm_id,
                source=Path(path).name,
            )
        )
    return objects
