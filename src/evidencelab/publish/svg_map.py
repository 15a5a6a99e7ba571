"""Offline maps as SVG text, drawn from a case's own geometry (no tiles, no network).

Projection: an azimuthal equidistant projection (PROJ ``aeqd`` on the WGS 84 ellipsoid)
centred on the map's centre, built by `evidencelab.analysis.context.distance.
local_projection`. In it the straight-line distance from the centre to any point equals
the geodesic distance (Snyder, "Map Projections — A Working Manual", USGS PP 1395, 1987,
§25), so a map centred on an incident draws that incident's precision circle and the
distance to its likely objective exactly to scale. Away from the centre the scale
perpendicular to the radius grows as ρ/(R·sin(ρ/R)): +0.4 % at 250 km, +1.7 % at 500 km
(Snyder eq. 25-2), which is what an overview of a whole country shows.

Beneath the case's points lies the offline basemap (`evidencelab.analysis.basemap`:
Natural Earth land, coastlines, borders, admin-1 boundaries and populated places, public
domain), clipped to the map's window and projected the same way; the same input always
gives the same SVG bytes.

One SVG unit is one CSS pixel. ``data-metres-per-unit`` on the root states the scale;
circles are drawn with radius = metres / metres-per-unit. All text is XML-escaped.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final
from xml.sax.saxutils import escape, quoteattr

import numpy as np
from pyproj import Transformer
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from evidencelab.analysis import basemap
from evidencelab.analysis.context.distance import local_projection

#: Marker styles by role: (fill, stroke, shape, legend text).
ROLES: Final[Mapping[str, tuple[str, str, str, str]]] = {
    "incident": ("#b3261e", "#ffffff", "circle", "Incident (recorded point)"),
    "objective": ("#1f1f1f", "#ffffff", "square", "Likely military objective (as recorded)"),
    "military": ("#5b5b5b", "#ffffff", "square", "Possible military objective (mapped)"),
    "protected": ("#1565c0", "#ffffff", "diamond", "Protected object (mapped)"),
    "population": ("#8d6e63", "#ffffff", "triangle", "Residential (mapped)"),
    "geolocation": ("#2e7d32", "#ffffff", "circle", "Geolocation of evidence"),
    "other": ("#757575", "#ffffff", "circle", "Other object"),
}

_NICE = (1.0, 2.0, 2.5, 5.0)


@dataclass(frozen=True)
class Frame:
    """Where the map sits: projection centre (degrees), scale, and SVG size (units)."""

    lat: float
    lon: float
    metres_per_unit: float
    width: float
    height: float

    @cached_property
    def to_local(self) -> Transformer:
        """lon/lat → aeqd metres centred on the frame's centre."""
        return local_projection(Point(self.lon, self.lat))

    def project(self, lat: float, lon: float) -> tuple[float, float]:
        """(x, y) in SVG units of a WGS 84 point: aeqd metres / scale, y pointing down."""
        x_m, y_m = self.to_local.transform(lon, lat)
        return (
            self.width / 2 + x_m / self.metres_per_unit,
            self.height / 2 - y_m / self.metres_per_unit,
        )


def nice_length(target: float) -> float:
    """The largest of 1, 2, 2.5, 5 × 10ⁿ not above ``target`` (a round scale-bar length)."""
    if target <= 0:
        raise ValueError("target must be positive")
    power = 10.0 ** math.floor(math.log10(target))
    return max(step * power for step in _NICE if step * power <= target)


def format_distance(metres: float) -> str:
    """'850 m', '3.3 km', '42 km': a distance in metres as a reader wants it."""
    if metres < 1000:
        return f"{metres:.0f} m"
    if metres < 10_000:
        return f"{metres / 1000:.1f} km"
    return f"{metres / 1000:.0f} km"


def fit_frame(
    points: Sequence[Mapping[str, Any]],
    *,
    width: float,
    height: float,
    centre: tuple[float, float] | None = None,
    margin: float = 36.0,
    min_half_extent_m: float = 1000.0,
) -> Frame:
    """A frame showing every point with its precision circle, centred on ``centre`` (lat,
    lon) or on the middle of the points' extent; at least ``min_half_extent_m`` metres
    from the centre to the nearer edge."""
    lats = [float(p["lat"]) for p in points]
    lons = [float(p["lon"]) for p in points]
    if centre is None:
        centre = ((min(lats) + max(lats)) / 2, _mid_lon(lons))
    to_local = local_projection(Point(centre[1], centre[0]))
    half_x = half_y = min_half_extent_m
    for p, lat, lon in zip(points, lats, lons, strict=True):
        x_m, y_m = to_local.transform(lon, lat)
        radius = float(p.get("precision_m") or 0.0)
        half_x = max(half_x, abs(x_m) + radius)
        half_y = max(half_y, abs(y_m) + radius)
    scale = max(2 * half_x / (width - 2 * margin), 2 * half_y / (height - 2 * margin))
    return Frame(centre[0], centre[1], scale, width, height)


def _mid_lon(lons: list[float]) -> float:
    """Middle of a set of longitudes, across the antimeridian when that is shorter."""
    west, east = min(lons), max(lons)
    if east - west <= 180:
        return (west + east) / 2
    shifted = [lon + 360 if lon < 0 else lon for lon in lons]
    mid = (min(shifted) + max(shifted)) / 2
    return mid - 360 if mid > 180 else mid


def draw_map(
    points: Sequence[Mapping[str, Any]],
    *,
    links: Sequence[Mapping[str, Any]] = (),
    title: str,
    width: float = 680.0,
    height: float = 420.0,
    centre: tuple[float, float] | None = None,
    min_half_extent_m: float = 1000.0,
    labels: bool = True,
    margin: float = 36.0,
) -> str:
    """A map as SVG text.

    ``points``: ``{"lat", "lon", "role" (a key of `ROLES`), "label", "precision_m"
    (metres or None), "id" (optional)}``. ``links``: ``{"from": (lat, lon), "to": (lat,
    lon), "label"}`` drawn as dashed lines (e.g. a geodesic distance to an objective).
    Precision circles are true to scale (see the module docstring); markers keep a fixed
    size so a point stays visible when its circle is smaller than a pixel. ``margin``: the
    SVG units kept between the outermost point (with its circle) and the map's edge.
    """
    if not points:
        raise ValueError("a map needs at least one point")
    frame = fit_frame(
        points,
        width=width,
        height=height,
        centre=centre,
        margin=margin,
        min_half_extent_m=min_half_extent_m,
    )
    # Several maps share one HTML page: a clip id unique to this map, the same every run.
    clip = "clip-" + hashlib.sha256(repr((title, frame)).encode()).hexdigest()[:12]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {width:g} {height:g}"'
        f' width="{width:g}" height="{height:g}" role="img"'
        f' data-metres-per-unit="{frame.metres_per_unit!r}"'
        f' data-centre-lat="{frame.lat!r}" data-centre-lon="{frame.lon!r}"'
        f' font-family="DejaVu Sans, Noto Sans, Noto Sans Arabic, sans-serif">',
        f"<title>{escape(title)}</title>",
        f'<defs><clipPath id="{clip}"><rect x="0" y="0" width="{width:g}" height="{height:g}"/>'
        "</clipPath></defs>",
        f'<rect class="sea" x="0" y="0" width="{width:g}" height="{height:g}" fill="#dfe9ef"'
        ' stroke="#9e9e9e" stroke-width="1"/>',
        f'<g clip-path="url(#{clip})">',
        _basemap(frame),
        _graticule(frame),
    ]
    for p in points:
        radius = p.get("precision_m")
        if radius:
            x, y = frame.project(float(p["lat"]), float(p["lon"]))
            fill = ROLES.get(str(p.get("role")), ROLES["other"])[0]
            parts.append(
                f'<circle class="precision" data-id={quoteattr(str(p.get("id", "")))}'
                f' data-precision-m="{float(radius)!r}" cx="{x:.2f}" cy="{y:.2f}"'
                f' r="{float(radius) / frame.metres_per_unit:.3f}" fill="{fill}"'
                f' fill-opacity="0.12" stroke="{fill}" stroke-width="1" stroke-dasharray="4 3"/>'
            )
    for link in links:
        parts.append(_link(frame, link))
    for p in points:
        parts.append(_marker(frame, p, label=labels))
    parts.append("</g>")
    parts.append(_scale_bar(frame))
    parts.append(_north_arrow(frame))
    circles = any(p.get("precision_m") for p in points)
    parts.append(_legend(frame, {str(p.get("role", "other")) for p in points}, circles=circles))
    parts.append("</svg>")
    return "".join(parts)


#: How each basemap layer is drawn: SVG presentation attributes.
_BASEMAP_STYLE: Final[Mapping[str, str]] = {
    "countries": 'fill="#f6f4ef" stroke="none"',
    "admin1": 'fill="none" stroke="#b9b2a0" stroke-width="0.8" stroke-dasharray="4 2"',
    "borders": 'fill="none" stroke="#8a8473" stroke-width="1.2"',
    "coastlines": 'fill="none" stroke="#7f9bb0" stroke-width="0.9"',
}


def _window(frame: Frame) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees around the frame, from its edges' points
    projected back, with a tenth of the span added on each side."""
    to_local = frame.to_local
    lons, lats = [], []
    for i in range(9):
        for cx, cy in (
            (frame.width * i / 8, 0.0),
            (frame.width * i / 8, frame.height),
            (0.0, frame.height * i / 8),
            (frame.width, frame.height * i / 8),
        ):
            x_m = (cx - frame.width / 2) * frame.metres_per_unit
            y_m = (frame.height / 2 - cy) * frame.metres_per_unit
            lon, lat = to_local.transform(x_m, y_m, direction="INVERSE")
            lons.append(lon)
            lats.append(lat)
    pad = max(max(lons) - min(lons), max(lats) - min(lats)) / 10
    return (
        max(min(lons) - pad, -180.0),
        max(min(lats) - pad, -90.0),
        min(max(lons) + pad, 180.0),
        min(max(lats) + pad, 90.0),
    )


def _path(frame: Frame, geometry: BaseGeometry) -> str:
    """SVG path data of a (multi)polygon or (multi)line, every ring or part projected."""
    if geometry.geom_type in ("Polygon", "LineString", "LinearRing"):
        parts = [geometry]
    else:
        parts = list(getattr(geometry, "geoms", []))
    d: list[str] = []
    for part in parts:
        if part.geom_type == "Polygon":
            rings = [part.exterior, *part.interiors]
            d.extend(_ring_path(frame, ring.coords, closed=True) for ring in rings)
        elif part.geom_type in ("LineString", "LinearRing"):
            d.append(_ring_path(frame, part.coords, closed=False))
        else:
            d.append(_path(frame, part))
    return "".join(d)


def _ring_path(frame: Frame, coords: Any, *, closed: bool) -> str:
    xy = np.asarray(coords, dtype=float)
    if len(xy) < 2:
        return ""
    x_m, y_m = frame.to_local.transform(xy[:, 0], xy[:, 1])
    xs = frame.width / 2 + np.asarray(x_m) / frame.metres_per_unit
    ys = frame.height / 2 - np.asarray(y_m) / frame.metres_per_unit
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    return f"M{points}{'Z' if closed else ''}"


def _basemap(frame: Frame) -> str:
    """Natural Earth layers inside the frame, bottom first; populated places labelled."""
    west, south, east, north = _window(frame)
    parts = ['<g class="basemap">']
    for name, style in _BASEMAP_STYLE.items():
        paths = [_path(frame, g) for g, _ in basemap.clipped(name, west, south, east, north)]
        d = "".join(p for p in paths if p)
        if d:
            parts.append(f'<path class="basemap-{name}" d="{d}" {style}/>')
    for point, name in basemap.clipped("places", west, south, east, north):
        x, y = frame.project(point.y, point.x)
        # Only where the name fits inside the map (the north arrow holds the top right).
        if 4 <= x <= frame.width - 90 and 16 <= y <= frame.height - 4:
            parts.append(
                f'<g class="basemap-place"><circle cx="{x:.1f}" cy="{y:.1f}" r="2.5"'
                ' fill="#ffffff" stroke="#5f5a4c" stroke-width="1"/>'
                f'<text x="{x + 5:.1f}" y="{y - 4:.1f}" font-size="9.5" fill="#5f5a4c"'
                f' font-style="italic">{escape(name)}</text></g>'
            )
    parts.append("</g>")
    return "".join(parts)


def _graticule(frame: Frame) -> str:
    """Meridians and parallels every 'nice' step (degrees), drawn as projected polylines."""
    corners = [(0.0, 0.0), (frame.width, 0.0), (0.0, frame.height), (frame.width, frame.height)]
    to_local = frame.to_local
    lons, lats = [], []
    for cx, cy in corners:
        x_m = (cx - frame.width / 2) * frame.metres_per_unit
        y_m = (frame.height / 2 - cy) * frame.metres_per_unit
        lon, lat = to_local.transform(x_m, y_m, direction="INVERSE")
        lons.append(lon)
        lats.append(lat)
    span = max(max(lats) - min(lats), max(lons) - min(lons), 1e-6)
    step = nice_length(span / 3)
    lines = []
    south, north = min(lats) - step, max(lats) + step
    west, east = min(lons) - step, max(lons) + step
    samples = 24
    lat_values = _steps(south, north, step)
    lon_values = _steps(west, east, step)
    for lon in lon_values:
        pts = [
            frame.project(south + (north - south) * i / samples, lon) for i in range(samples + 1)
        ]
        lines.append(_polyline(pts))
        lines.append(_edge_label(pts, _degrees(lon, "E", "W"), horizontal=False, frame=frame))
    for lat in lat_values:
        pts = [frame.project(lat, west + (east - west) * i / samples) for i in range(samples + 1)]
        lines.append(_polyline(pts))
        lines.append(_edge_label(pts, _degrees(lat, "N", "S"), horizontal=True, frame=frame))
    return (
        f'<g class="graticule" fill="none" stroke="#d8d3c4" stroke-width="0.8">{"".join(lines)}</g>'
    )


def _steps(low: float, high: float, step: float) -> list[float]:
    first = math.ceil(low / step)
    last = math.floor(high / step)
    return [round(i * step, 10) for i in range(first, last + 1)][:40]


def _degrees(value: float, positive: str, negative: str) -> str:
    hemisphere = positive if value >= 0 else negative
    text = f"{abs(value):.4f}".rstrip("0").rstrip(".")
    return f"{text}°{hemisphere}"


def _polyline(pts: list[tuple[float, float]]) -> str:
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
    return f'<polyline points="{coords}"/>'


def _edge_label(
    pts: list[tuple[float, float]], text: str, *, horizontal: bool, frame: Frame
) -> str:
    """A graticule label where the line meets the left (parallels) or top (meridians) edge."""
    if horizontal:
        inside = [p for p in pts if 0 <= p[0] <= frame.width and 10 <= p[1] <= frame.height - 4]
        if not inside:
            return ""
        x, y = min(inside, key=lambda p: p[0])
        return (
            f'<text x="{max(x, 0) + 3:.1f}" y="{y - 3:.1f}" font-size="9" fill="#8a8473"'
            f' stroke="none">{escape(text)}</text>'
        )
    inside = [p for p in pts if 4 <= p[0] <= frame.width - 60 and 0 <= p[1] <= frame.height]
    if not inside:
        return ""
    x, _ = min(inside, key=lambda p: p[1])
    return (
        f'<text x="{x + 3:.1f}" y="11" font-size="9" fill="#8a8473" stroke="none">'
        f"{escape(text)}</text>"
    )


def _link(frame: Frame, link: Mapping[str, Any]) -> str:
    (lat1, lon1), (lat2, lon2) = link["from"], link["to"]
    x1, y1 = frame.project(float(lat1), float(lon1))
    x2, y2 = frame.project(float(lat2), float(lon2))
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    label = str(link.get("label") or "")
    return (
        f'<g class="link"><line x1="{x1:.2f}" y1="{y1:.2f}" x2="{x2:.2f}" y2="{y2:.2f}"'
        ' stroke="#1f1f1f" stroke-width="1.4" stroke-dasharray="6 4"/>'
        + _text(mx, my + 16, label, size=11, weight="bold").replace(
            "<text ", '<text text-anchor="middle" '
        )
        + "</g>"
    )


def _text(x: float, y: float, text: str, *, size: float = 11, weight: str = "normal") -> str:
    """Text with a white halo (drawn twice: outline under fill) so it reads over lines."""
    body = escape(text)
    common = f'x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" font-weight="{weight}"'
    return (
        f'<text {common} fill="#ffffff" stroke="#ffffff" stroke-width="3"'
        f' stroke-linejoin="round">{body}</text>'
        f'<text {common} fill="#1b1b1b">{body}</text>'
    )


def _shape(shape: str, x: float, y: float, size: float, fill: str, stroke: str) -> str:
    style = f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"'
    if shape == "square":
        return (
            f'<rect x="{x - size:.2f}" y="{y - size:.2f}" width="{2 * size:.2f}"'
            f' height="{2 * size:.2f}" {style}/>'
        )
    if shape == "diamond":
        d = f"M{x:.2f},{y - size * 1.3:.2f} L{x + size * 1.3:.2f},{y:.2f} "
        d += f"L{x:.2f},{y + size * 1.3:.2f} L{x - size * 1.3:.2f},{y:.2f} Z"
        return f'<path d="{d}" {style}/>'
    if shape == "triangle":
        d = f"M{x:.2f},{y - size * 1.3:.2f} L{x + size * 1.2:.2f},{y + size:.2f} "
        d += f"L{x - size * 1.2:.2f},{y + size:.2f} Z"
        return f'<path d="{d}" {style}/>'
    return f'<circle cx="{x:.2f}" cy="{y:.2f}" r="{size:.2f}" {style}/>'


def _marker(frame: Frame, p: Mapping[str, Any], *, label: bool) -> str:
    role = str(p.get("role", "other"))
    fill, stroke, shape, _ = ROLES.get(role, ROLES["other"])
    x, y = frame.project(float(p["lat"]), float(p["lon"]))
    size = 5.5 if role == "incident" else 4.5
    parts = [
        f'<g class="marker {escape(role)}" data-id={quoteattr(str(p.get("id", "")))}'
        f' data-x="{x:.3f}" data-y="{y:.3f}">',
        _shape(shape, x, y, size, fill, stroke),
    ]
    text = str(p.get("label") or "")
    if label and text:
        # Labels point away from the centre (where an incident map puts its incident).
        anchor_right = x > frame.width - 150 or (role != "incident" and x < frame.width / 2)
        tx = x - 9 if anchor_right else x + 9
        halo = _text(tx, y + 4, text, size=11, weight="bold" if role == "incident" else "normal")
        if anchor_right:
            halo = halo.replace("<text ", '<text text-anchor="end" ')
        parts.append(halo)
    parts.append("</g>")
    return "".join(parts)


def _scale_bar(frame: Frame) -> str:
    """A bar of a round length near a quarter of the map's width, bottom left."""
    length_m = nice_length(frame.width / 4 * frame.metres_per_unit)
    length = length_m / frame.metres_per_unit
    x0, y0 = 14.0, frame.height - 18
    half = length / 2
    return (
        f'<g class="scale-bar" data-length-m="{length_m!r}" data-length-units="{length:.3f}">'
        f'<rect x="{x0 - 6:g}" y="{y0 - 20:g}" width="{length + 50:.1f}" height="30" fill="#ffffff"'
        ' fill-opacity="0.85"/>'
        f'<rect x="{x0:g}" y="{y0:g}" width="{half:.2f}" height="5" fill="#1b1b1b"/>'
        f'<rect x="{x0 + half:.2f}" y="{y0:g}" width="{half:.2f}" height="5" fill="#ffffff"'
        ' stroke="#1b1b1b" stroke-width="0.8"/>'
        f'<text x="{x0:g}" y="{y0 - 4:g}" font-size="10" fill="#1b1b1b">0</text>'
        f'<text x="{x0 + length:.1f}" y="{y0 - 4:g}" font-size="10" fill="#1b1b1b"'
        f' text-anchor="middle">{escape(format_distance(length_m))}</text>'
        "</g>"
    )


def _north_arrow(frame: Frame) -> str:
    """North is up at the projection centre (aeqd: meridians through the centre are vertical)."""
    x, y = frame.width - 24, 16.0
    return (
        f'<g class="north-arrow"><path d="M{x:g},{y:g} L{x + 7:g},{y + 22:g} L{x:g},{y + 17:g}'
        f' L{x - 7:g},{y + 22:g} Z" fill="#1b1b1b"/>'
        f'<text x="{x:g}" y="{y + 34:g}" font-size="11" font-weight="bold" text-anchor="middle"'
        ' fill="#1b1b1b">N</text></g>'
    )


def _legend(frame: Frame, roles: set[str], *, circles: bool) -> str:
    rows = [r for r in ROLES if r in roles]
    line = 15.0
    box_w = 230.0
    box_h = line * (len(rows) + circles) + 10
    x0 = frame.width - box_w - 6
    y0 = frame.height - box_h - 6
    parts = [
        f'<g class="legend"><rect x="{x0:.1f}" y="{y0:.1f}" width="{box_w:g}" height="{box_h:g}"'
        ' fill="#ffffff" fill-opacity="0.9" stroke="#bdbdbd" stroke-width="0.8"/>'
    ]
    for i, role in enumerate(rows):
        fill, stroke, shape, text = ROLES[role]
        cy = y0 + 12 + i * line
        parts.append(_shape(shape, x0 + 12, cy, 4.0, fill, stroke))
        parts.append(
            f'<text x="{x0 + 24:.1f}" y="{cy + 3.5:.1f}" font-size="10" fill="#1b1b1b">'
            f"{escape(text)}</text>"
        )
    if circles:
        cy = y0 + 12 + len(rows) * line
        parts.append(
            f'<circle cx="{x0 + 12:.1f}" cy="{cy:.1f}" r="5" fill="#b3261e" fill-opacity="0.12"'
            ' stroke="#b3261e" stroke-width="1" stroke-dasharray="2 2"/>'
            f'<text x="{x0 + 24:.1f}" y="{cy + 3.5:.1f}" font-size="10" fill="#1b1b1b">'
            "Precision radius (true to scale)</text>"
        )
    parts.append("</g>")
    return "".join(parts)
