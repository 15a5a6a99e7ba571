"""Reading only the part of a scene a chip needs, reprojected onto the chip's grid.

The chip's square is transformed into the scene's CRS to find the source window; only
that window is read (GDAL reads the blocks it overlaps — over HTTP, only their byte
ranges), decimated on read when the scene is much finer than the chip (GDAL then uses
overviews when the file has them), and reprojected with ``rasterio.warp.reproject``.
Memory is bounded by the chip size, not the scene size.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
from affine import Affine
from pyproj import CRS
from rasterio.enums import Resampling
from rasterio.warp import reproject
from rasterio.windows import Window, from_bounds
from shapely.geometry import box

from evidencelab.analysis.imagery.geometry import densify, reproject_geometry
from evidencelab.analysis.imagery.grid import ChipGrid

# Read with a little margin so that bilinear resampling at the chip's edge has neighbours.
MARGIN_PX = 2
STRETCH_PERCENTILES = (2.0, 98.0)


class OutsideScene(ValueError):
    """The chip's area does not overlap the scene's pixels."""


def source_window(dataset: Any, grid: ChipGrid) -> Window:
    """The window of ``dataset`` covering the chip grid (with a margin), clipped to it."""
    grid_crs = CRS.from_epsg(grid.epsg)
    scene_crs = CRS.from_wkt(dataset.crs.to_wkt())
    square = densify(box(*grid.bounds))
    in_scene = reproject_geometry(square, grid_crs, scene_crs)
    window = from_bounds(*in_scene.bounds, transform=dataset.transform)
    col0 = max(0, math.floor(window.col_off) - MARGIN_PX)
    row0 = max(0, math.floor(window.row_off) - MARGIN_PX)
    col1 = min(dataset.width, math.ceil(window.col_off + window.width) + MARGIN_PX)
    row1 = min(dataset.height, math.ceil(window.row_off + window.height) + MARGIN_PX)
    if col1 <= col0 or row1 <= row0:
        raise OutsideScene("the area does not overlap the scene")
    return Window(col0, row0, col1 - col0, row1 - row0)


def read_to_grid(
    dataset: Any,
    grid: ChipGrid,
    native_m: float,
    indexes: list[int],
    resampling: Resampling = Resampling.bilinear,
) -> tuple[npt.NDArray[Any], npt.NDArray[np.bool_]]:
    """Bands ``indexes`` of ``dataset`` on ``grid``: (bands, rows, cols) in the source
    dtype, and a mask of chip pixels that have scene data (False outside or nodata)."""
    window = source_window(dataset, grid)
    factor = max(1, math.floor(grid.pixel_m / native_m))
    out_h = max(1, math.ceil(window.height / factor))
    out_w = max(1, math.ceil(window.width / factor))
    data = dataset.read(indexes, window=window, out_shape=(len(indexes), out_h, out_w))
    mask = dataset.dataset_mask(window=window, out_shape=(out_h, out_w))
    src_transform = dataset.window_transform(window) @ Affine.scale(
        window.width / out_w, window.height / out_h
    )
    dst_crs = CRS.from_epsg(grid.epsg)
    scene_crs = CRS.from_wkt(dataset.crs.to_wkt())
    out = np.zeros((len(indexes), grid.height, grid.width), dtype=data.dtype)
    reproject(
        source=data,
        destination=out,
        src_transform=src_transform,
        src_crs=scene_crs,
        dst_transform=grid.transform,
        dst_crs=dst_crs,
        resampling=resampling,
        src_nodata=dataset.nodata,
    )
    valid = np.zeros((grid.height, grid.width), dtype=np.uint8)
    reproject(
        source=mask,
        destination=valid,
        src_transform=src_transform,
        src_crs=scene_crs,
        dst_transform=grid.transform,
        dst_crs=dst_crs,
        resampling=Resampling.nearest,
        dst_nodata=0,
    )
    return out, valid > 0


def display_bands(count: int) -> list[int]:
    """Bands shown as the picture: the first three as red, green, blue, else band 1."""
    return [1, 2, 3] if count >= 3 else [1]


def to_display(data: npt.NDArray[Any], valid: npt.NDArray[np.bool_]) -> npt.NDArray[np.uint8]:
    """8-bit (bands, rows, cols) for display: 8-bit data as it is; other types stretched
    linearly between the 2nd and 98th percentiles of valid pixels, per band."""
    if data.dtype == np.uint8:
        return data.astype(np.uint8)
    out = np.zeros(data.shape, dtype=np.uint8)
    for index, band in enumerate(data.astype(np.float64)):
        values = band[valid]
        if values.size == 0:
            continue
        low, high = np.percentile(values, STRETCH_PERCENTILES)
        span = high - low if high > low else 1.0
        out[index] = np.clip((band - low) / span * 255.0, 0, 255).astype(np.uint8)
    return out
