"""North-up chip grids in the local UTM zone around a point."""

from __future__ import annotations

import math
from dataclasses import dataclass

from affine import Affine
from pyproj import CRS, Transformer

from evidencelab.analysis.imagery.geometry import WGS84, utm_epsg

MIN_CHIP_PX = 512  # enough room for the scale bar, north arrow and caption
MAX_CHIP_PX = 1024  # bounds the memory and time of a chip whatever the radius


@dataclass(frozen=True)
class ChipGrid:
    """A square, north-up grid: ``epsg`` (UTM), ``transform`` (metres), size in pixels."""

    epsg: int
    transform: Affine
    width: int
    height: int
    pixel_m: float
    centre_x: float
    centre_y: float

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(left, bottom, right, top) in the grid's UTM metres."""
        left, top = self.transform.c, self.transform.f
        return (left, top - self.height * self.pixel_m, left + self.width * self.pixel_m, top)


def chip_grid(
    lat: float,
    lon: float,
    radius_m: float,
    native_m: float,
    *,
    min_px: int = MIN_CHIP_PX,
    max_px: int = MAX_CHIP_PX,
) -> ChipGrid:
    """The grid of a chip of half-side ``radius_m`` centred on (lat, lon), north up.

    Pixel size: the scene's ground resolution ``native_m``, made coarser if the chip would
    exceed ``max_px`` pixels across and finer (enlarging, never adding detail) if it would
    be under ``min_px``. Projection: WGS84 / UTM of the zone containing the point (its
    grid north differs from true north by the meridian convergence, under 3.5° inside a
    zone, which the north arrow states).
    """
    if radius_m <= 0 or native_m <= 0:
        raise ValueError("radius and resolution must be positive metres")
    side = 2 * radius_m
    pixel = min(max(native_m, side / max_px), side / min_px)
    size = round(side / pixel)
    pixel = side / size
    epsg = utm_epsg(lat, lon)
    x, y = Transformer.from_crs(WGS84, CRS.from_epsg(epsg), always_xy=True).transform(lon, lat)
    transform = Affine(pixel, 0.0, x - radius_m, 0.0, -pixel, y + radius_m)
    return ChipGrid(epsg, transform, size, size, pixel, x, y)


def grid_convergence_deg(lat: float, lon: float, epsg: int) -> float:
    """Angle from grid north to true north at a point, degrees (positive: true north is
    east of grid north), measured by projecting a point 1 km due north (pyproj)."""
    to_grid = Transformer.from_crs(WGS84, CRS.from_epsg(epsg), always_xy=True)
    x0, y0 = to_grid.transform(lon, lat)
    x1, y1 = to_grid.transform(lon, lat + 1000 / 111_320)
    return math.degrees(math.atan2(x1 - x0, y1 - y0))
