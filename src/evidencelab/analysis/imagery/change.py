"""A documented change measure between two co-registered images of one place.

Measure: each image is reduced to luminance (ITU-R BT.601 weights for three bands, the band
itself for one), standardised over the pixels valid in both (z = (L − mean) / std; this
cancels differences of gain and offset between acquisitions — sun, haze, sensor), and the
change is ``|z_after − z_before|`` in standard deviations. Pixels above a threshold are
changed; a 3×3 binary opening drops isolated pixels (noise, misregistration by one
pixel) so only patches remain. Reference for the approach (image differencing after
radiometric normalisation): Singh, "Digital change detection techniques using
remotely-sensed data", Int. J. Remote Sensing 10(6), 1989.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import ndimage

DEFAULT_THRESHOLD = 2.0  # standard deviations of luminance
BT601 = (0.299, 0.587, 0.114)


@dataclass(frozen=True)
class ChangeResult:
    """``score``: |Δz| per pixel (NaN where invalid); ``changed``: the cleaned mask."""

    score: npt.NDArray[np.float32]
    changed: npt.NDArray[np.bool_]
    threshold: float
    valid_pixels: int
    changed_pixels: int
    regions: list[tuple[int, int, int, int]]  # (row_min, col_min, row_max, col_max), inclusive


def luminance(bands: npt.NDArray[np.generic]) -> npt.NDArray[np.float32]:
    """Luminance of a (bands, rows, cols) array: BT.601 weights of the first three bands,
    or the single band; values in the array's own units."""
    data = bands.astype(np.float32)
    if data.shape[0] >= 3:
        weighted = BT601[0] * data[0] + BT601[1] * data[1] + BT601[2] * data[2]
        return np.asarray(weighted, dtype=np.float32)
    return np.asarray(data[0], dtype=np.float32)


def standardised(
    values: npt.NDArray[np.float32], valid: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float32]:
    """(values − mean) / std over ``valid``; a flat image standardises to zeros."""
    selected = values[valid]
    mean = float(selected.mean()) if selected.size else 0.0
    std = float(selected.std()) if selected.size else 0.0
    out = values - np.float32(mean)
    if std > 0:
        out = out / np.float32(std)
    return out.astype(np.float32)


def change_map(
    before: npt.NDArray[np.generic],
    after: npt.NDArray[np.generic],
    valid: npt.NDArray[np.bool_],
    threshold: float = DEFAULT_THRESHOLD,
) -> ChangeResult:
    """Change between two (bands, rows, cols) arrays on one grid; see the module docstring.

    ``valid`` marks pixels with data in both images. ``threshold`` is in standard deviations
    of luminance. Regions are the bounding boxes of connected changed patches (8-connected),
    largest first.
    """
    if before.shape[1:] != after.shape[1:] or valid.shape != before.shape[1:]:
        raise ValueError("before, after and valid must share one grid")
    z_before = standardised(luminance(before), valid)
    z_after = standardised(luminance(after), valid)
    score = np.abs(z_after - z_before)
    score[~valid] = np.nan
    raw = np.zeros(valid.shape, dtype=bool)
    np.greater(score, threshold, out=raw, where=valid)
    changed = ndimage.binary_opening(raw, structure=np.ones((3, 3), dtype=bool))
    labels, count = ndimage.label(changed, structure=np.ones((3, 3), dtype=bool))
    boxes = ndimage.find_objects(labels)
    sizes = ndimage.sum_labels(changed, labels, index=np.arange(1, count + 1))
    order = np.argsort(-np.asarray(sizes)) if count else np.array([], dtype=int)
    regions = []
    for index in order:
        rows, cols = boxes[int(index)]
        regions.append((rows.start, cols.start, rows.stop - 1, cols.stop - 1))
    return ChangeResult(
        score=score.astype(np.float32),
        changed=changed,
        threshold=threshold,
        valid_pixels=int(valid.sum()),
        changed_pixels=int(changed.sum()),
        regions=regions,
    )
