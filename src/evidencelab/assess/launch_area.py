"""Where a munition may have been launched from: the annular sector behind an impact.

Given an impact point P, the bearing θ from P towards the launch position (degrees
clockwise from true north; the back-azimuth of the direction of fire, e.g. from a crater's
fuze furrow or an embedded rocket motor) with an uncertainty ±δ, and the weapon's range
window [R_min, R_max], the candidate launch area is

    {Q : R_min ≤ dist(P, Q) ≤ R_max and azimuth(P → Q) ∈ [θ − δ, θ + δ]}

(the geometry behind launch-site findings such as Human Rights Watch and SITU Research's
on the Kramatorsk station attack, "Death at the Station", 2023,
https://situ.nyc/research/projects/death-at-the-station-russian-cluster-munition-attack-in-kramatorsk-ukraine).
Distances and azimuths are geodesics on the WGS 84 ellipsoid (pyproj.Geod, Karney's
algorithm): the arcs are densified, every vertex is placed with
`Geod.fwd`, and the radial edges are densified too, so that straight segments between
vertices in longitude/latitude stay close to the geodesic boundary. Areas are geodesic
(`Geod.geometry_area_perimeter`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from pyproj import Geod
from shapely.geometry import Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

from evidencelab.analysis.munitions import Munition

WGS84: Final = Geod(ellps="WGS84")

#: Largest angle (degrees) between consecutive arc vertices.
ARC_STEP_DEG: Final = 0.25
#: Largest distance (m) between consecutive vertices along a radial edge.
RADIAL_STEP_M: Final = 1000.0


class LaunchAreaError(ValueError):
    """An input to the launch-area computation is out of range; the message names it."""


@dataclass(frozen=True)
class LaunchSector:
    """The sector as a shapely polygon (lon, lat) with its inputs and geodesic area."""

    polygon: Polygon
    lat: float
    lon: float
    bearing_deg: float
    uncertainty_deg: float
    range_min_m: float
    range_max_m: float

    @property
    def area_km2(self) -> float:
        return geodesic_area_km2(self.polygon)

    def feature(self) -> dict[str, Any]:
        return {
            "type": "Feature",
            "geometry": mapping(self.polygon),
            "properties": {
                "role": "candidate_launch_area",
                "impact": {"lat": self.lat, "lon": self.lon},
                "bearing_deg": self.bearing_deg,
                "bearing_uncertainty_deg": self.uncertainty_deg,
                "range_min_m": self.range_min_m,
                "range_max_m": self.range_max_m,
                "area_km2": round(self.area_km2, 3),
            },
        }


def geodesic_area_km2(geometry: BaseGeometry) -> float:
    """Area (km²) of a lon/lat geometry on the WGS 84 ellipsoid."""
    if geometry.is_empty:
        return 0.0
    area, _ = WGS84.geometry_area_perimeter(geometry)
    return abs(area) / 1e6


def _check(
    lat: float, lon: float, bearing: float, uncertainty: float, r_min: float, r_max: float
) -> None:
    if not (-90.0 <= lat <= 90.0) or not (-180.0 <= lon <= 180.0):
        raise LaunchAreaError(f"impact point {lat}, {lon}: not a latitude/longitude")
    if not math.isfinite(bearing):
        raise LaunchAreaError(f"bearing {bearing}: must be a number of degrees")
    if not (0.0 < uncertainty <= 180.0):
        raise LaunchAreaError(f"bearing uncertainty {uncertainty}: must be in (0, 180] degrees")
    if r_min < 0.0 or not math.isfinite(r_max) or r_max <= r_min:
        raise LaunchAreaError(
            f"range window {r_min:g}–{r_max:g} m: need 0 ≤ minimum < maximum (metres)"
        )
    if r_max > 10_000_000.0:
        raise LaunchAreaError(f"range maximum {r_max:g} m: more than 10,000 km is not supported")


def _arc(
    lat: float, lon: float, azimuths: np.ndarray, distance: float
) -> list[tuple[float, float]]:
    lons, lats, _ = WGS84.fwd(
        np.full(azimuths.shape, lon),
        np.full(azimuths.shape, lat),
        azimuths,
        np.full(azimuths.shape, distance),
    )
    return list(zip(np.asarray(lons).tolist(), np.asarray(lats).tolist(), strict=True))


def _radial(
    lat: float, lon: float, azimuth: float, r0: float, r1: float
) -> list[tuple[float, float]]:
    """Vertices along the geodesic from distance r0 to r1 at one azimuth (ends excluded)."""
    count = math.ceil(abs(r1 - r0) / RADIAL_STEP_M)
    if count <= 1:
        return []
    distances = np.linspace(r0, r1, count + 1)[1:-1]
    lons, lats, _ = WGS84.fwd(
        np.full(distances.shape, lon),
        np.full(distances.shape, lat),
        np.full(distances.shape, azimuth),
        distances,
    )
    return list(zip(np.asarray(lons).tolist(), np.asarray(lats).tolist(), strict=True))


def launch_sector(
    lat: float,
    lon: float,
    bearing_deg: float,
    uncertainty_deg: float,
    range_min_m: float,
    range_max_m: float,
) -> LaunchSector:
    """The candidate launch area (see module docstring) as a polygon in lon/lat.

    `bearing_deg` is from the impact towards the launch position, degrees from true north;
    `uncertainty_deg` the half-width δ of the bearing interval (δ = 180 gives a full
    annulus); ranges in metres. Raises `LaunchAreaError` on bad input.
    """
    _check(lat, lon, bearing_deg, uncertainty_deg, range_min_m, range_max_m)
    bearing = bearing_deg % 360.0
    if uncertainty_deg >= 180.0:
        steps = math.ceil(360.0 / ARC_STEP_DEG)
        azimuths = np.linspace(0.0, 360.0, steps, endpoint=False)
        outer = _arc(lat, lon, azimuths, range_max_m)
        holes = [_arc(lat, lon, azimuths[::-1], range_min_m)] if range_min_m > 0 else []
        polygon = Polygon(outer, holes)
    else:
        steps = max(2, math.ceil(2 * uncertainty_deg / ARC_STEP_DEG) + 1)
        azimuths = np.linspace(bearing - uncertainty_deg, bearing + uncertainty_deg, steps)
        first, last = float(azimuths[0]), float(azimuths[-1])
        ring = _arc(lat, lon, azimuths, range_max_m)
        ring += _radial(lat, lon, last, range_max_m, range_min_m)
        if range_min_m > 0:
            ring += _arc(lat, lon, azimuths[::-1], range_min_m)
        else:
            ring.append((lon, lat))
        ring += _radial(lat, lon, first, range_min_m, range_max_m)
        polygon = Polygon(ring)
    lons = [x for x, _ in polygon.exterior.coords]
    if max(lons) - min(lons) > 180.0:
        raise LaunchAreaError("the sector crosses the antimeridian, which is not supported")
    if not polygon.is_valid:
        raise LaunchAreaError("the sector is too large to draw as one polygon (reduce the range)")
    return LaunchSector(
        polygon=polygon,
        lat=lat,
        lon=lon,
        bearing_deg=bearing,
        uncertainty_deg=uncertainty_deg,
        range_min_m=range_min_m,
        range_max_m=range_max_m,
    )


def control_polygon(geojson: dict[str, Any]) -> BaseGeometry:
    """The union of the Polygon/MultiPolygon geometries in a GeoJSON object (a geometry, a
    Feature or a FeatureCollection). Raises LaunchAreaError when there are none."""
    kind = geojson.get("type")
    if kind == "FeatureCollection":
        geometries = [f.get("geometry") for f in geojson.get("features") or []]
    elif kind == "Feature":
        geometries = [geojson.get("geometry")]
    else:
        geometries = [geojson]
    shapes = []
    for geometry in geometries:
        if isinstance(geometry, dict) and geometry.get("type") in ("Polygon", "MultiPolygon"):
            try:
                found = shape(geometry)
            except (ValueError, TypeError, IndexError, AttributeError) as error:
                raise LaunchAreaError(f"control area: invalid geometry ({error})") from None
            shapes.append(found if found.is_valid else found.buffer(0))
    if not shapes:
        raise LaunchAreaError("control area: no Polygon or MultiPolygon geometry found")
    union = shapes[0]
    for other in shapes[1:]:
        union = union.union(other)
    return union


def intersect_control(sector: LaunchSector, control: BaseGeometry) -> dict[str, Any]:
    """The part of the sector inside the control-of-territory area, as a GeoJSON Feature
    with its geodesic area and its share of the sector's area."""
    part = sector.polygon.intersection(control)
    area = geodesic_area_km2(part)
    return {
        "type": "Feature",
        "geometry": mapping(part) if not part.is_empty else None,
        "properties": {
            "role": "candidate_launch_area_within_control",
            "area_km2": round(area, 3),
            "share_of_sector": round(area / sector.area_km2, 4) if sector.area_km2 else 0.0,
        },
    }


def range_window_m(munition: Munition) -> tuple[float | None, float | None, list[str]]:
    """The widest range window (m) the catalogue's cited figures give: the smallest
    minimum and the largest maximum, with a line per figure used. None where the
    catalogue has no figure (its `gaps` reason is given instead)."""
    lines: list[str] = []

    def pick(path: str, take_max: bool) -> float | None:
        figures = munition.figures(path)
        values = []
        for f in figures:
            value = (
                (f.max if f.max is not None else f.value)
                if take_max
                else (f.min if f.min is not None else f.value)
            )
            if value is not None:
                values.append(value)
                words = f'"{f.quote}"' if f.quote else "no quote"
                lines.append(f"{path}: {value:g} km ({words}) — {f.source} [{f.flag}]")
        if not values:
            lines.append(f"{path}: none ({munition.gap(path) or 'no figure'})")
            return None
        return 1000.0 * (max(values) if take_max else min(values))

    return pick("range_km.min", False), pick("range_km.max", True), lines
