"""Read and write context objects as GeoJSON FeatureCollections (RFC 7946, WGS84 lon/lat).

Reading: each Feature's properties are its tags (values as text; nulls dropped); a `kind`
property (a string, or a list of strings) adds kinds explicitly — for an object known
from reporting rather than from OSM, such as a likely target. Kinds from tags and explicit
kinds are merged; a feature with no kind is skipped. Point, Polygon and MultiPolygon
geometries are accepted. An OSM reference is taken from the feature `id` or the `@id`
property when it reads `node/…`, `way/…` or `relation/…` (Overpass and this module's
writer both use that form).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, cast

from shapely.geometry import mapping, shape

from evidencelab.analysis.context.kinds import KIND_CATEGORY, kinds_for
from evidencelab.analysis.context.objects import (
    ContextDataError,
    ContextObject,
    Geometry,
    OsmType,
)

_OSM_REF = re.compile(r"^(node|way|relation)/(\d+)$")
_GEOMETRY_TYPES = ("Point", "Polygon", "MultiPolygon")
#: Properties the writer adds that are not tags.
_RESERVED = ("kind", "@id")


def _tag_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _explicit_kinds(value: Any, where: str, origin: str) -> frozenset[str]:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise ContextDataError(origin, f"{where}: 'kind' must be a string or a list of strings")
    unknown = sorted(set(names) - set(KIND_CATEGORY))
    if unknown:
        raise ContextDataError(
            origin,
            f"{where}: unknown kind {', '.join(repr(u) for u in unknown)}"
            f" (known: {', '.join(sorted(KIND_CATEGORY))})",
        )
    return frozenset(names)


def _feature_object(feature: Any, position: int, origin: str, source: str) -> ContextObject | None:
    where = f"features[{position}]"
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ContextDataError(origin, f"{where}: not a GeoJSON Feature")
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        raise ContextDataError(origin, f"{where}: 'properties' must be an object")
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in _GEOMETRY_TYPES:
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        raise ContextDataError(
            origin, f"{where}: geometry must be a Point, Polygon or MultiPolygon, not {kind}"
        )
    try:
        geom = cast(Geometry, shape(geometry))
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise ContextDataError(origin, f"{where}: invalid geometry ({exc})") from None
    if geom.is_empty:
        raise ContextDataError(origin, f"{where}: empty geometry")
    tags = {
        str(key): _tag_text(value)
        for key, value in properties.items()
        if value is not None and key not in _RESERVED
    }
    kinds = kinds_for(tags)
    if "kind" in properties:
        kinds |= _explicit_kinds(properties["kind"], where, origin)
    if not kinds:
        return None
    ref_text = feature.get("id", properties.get("@id"))
    ref = str(ref_text) if ref_text is not None else f"{source}#{position}"
    osm_type: OsmType | None = None
    osm_id: int | None = None
    match = _OSM_REF.match(ref)
    if match:
        osm_type, osm_id = cast(OsmType, match.group(1)), int(match.group(2))
    return ContextObject(
        ref=ref,
        kinds=kinds,
        geometry=geom,
        tags=tags,
        name=tags.get("name"),
        osm_type=osm_type,
        osm_id=osm_id,
        source=source,
    )


def objects_from_geojson(document: Any, origin: str = "<geojson>") -> list[ContextObject]:
    """Context objects from a parsed GeoJSON FeatureCollection (see module docstring)."""
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise ContextDataError(origin, "not a GeoJSON FeatureCollection")
    features = document.get("features")
    if not isinstance(features, list):
        raise ContextDataError(origin, "'features' must be a list")
    source = Path(origin).name
    found = (
        _feature_object(feature, position, origin, source)
        for position, feature in enumerate(features)
    )
    return [obj for obj in found if obj is not None]


def read_geojson(path: str | os.PathLike[str]) -> list[ContextObject]:
    """Context objects from a GeoJSON file. Raises `ContextDataError` (one line naming the
    file) when it is missing, not JSON, or not a valid FeatureCollection."""
    path = Path(path)
    origin = str(path)
    if not path.is_file():
        raise ContextDataError(origin, "file not found" if not path.exists() else "not a file")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ContextDataError(origin, "not GeoJSON: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ContextDataError(
            origin, f"not GeoJSON: invalid JSON at line {exc.lineno}: {exc.msg}"
        ) from None
    return objects_from_geojson(document, origin)


def to_feature(obj: ContextObject) -> dict[str, Any]:
    """A GeoJSON Feature for one object: tags as properties, plus `kind` (sorted list)."""
    properties: dict[str, Any] = dict(obj.tags)
    properties["kind"] = sorted(obj.kinds)
    return {
        "type": "Feature",
        "id": obj.ref,
        "geometry": mapping(obj.geometry),
        "properties": properties,
    }


def to_geojson(objects: Iterable[ContextObject]) -> dict[str, Any]:
    """A FeatureCollection of `objects`; `objects_from_geojson` reads it back unchanged."""
    return {"type": "FeatureCollection", "features": [to_feature(obj) for obj in objects]}


def write_geojson(objects: Iterable[ContextObject], path: str | os.PathLike[str]) -> None:
    """Write `to_geojson(objects)` to `path` as UTF-8 JSON."""
    document: Mapping[str, Any] = to_geojson(objects)
    Path(path).write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
