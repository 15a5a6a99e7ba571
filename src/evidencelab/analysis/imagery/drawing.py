"""Annotations drawn on chip images (Pillow), in the chip grid's pixels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from typing_extensions import TypedDict

ANNOTATION_RGB = (0, 230, 255)  # cyan: stands out on vegetation, soil, water and burn scars


_OUTLINE_RGB = (0, 0, 0)


class DrawnAnnotation(TypedDict):
    """What drawing an annotation needs: its WGS84 GeoJSON geometry, a crater's diameter
    (metres) if known, and the number shown beside it."""

    geometry: dict[str, Any]
    diameter_m: float | None
    number: int


def draw_annotations(image: Any, grid: Any, annotations: Sequence[DrawnAnnotation]) -> None:
    """Draw annotations (WGS84 GeoJSON) on a chip image of ``grid``, in place: points as a
    circle of the crater's diameter to scale (or a marker when no diameter is given), lines
    and polygon outlines in cyan over a black edge, each numbered at its first vertex."""
    from PIL import ImageDraw, ImageFont
    from pyproj import Transformer

    from evidencelab.analysis.imagery.render import FONT_PATH

    if not annotations:
        return
    draw = ImageDraw.Draw(image)
    try:
        font: Any = ImageFont.truetype(str(FONT_PATH), 14)
    except OSError:  # the font package is missing: Pillow's bitmap font still shows digits
        font = ImageFont.load_default()
    to_grid = Transformer.from_crs(4326, grid.epsg, always_xy=True)
    inverse = ~grid.transform

    def pixels(coords: Sequence[Sequence[float]]) -> list[tuple[float, float]]:
        out = []
        for lon, lat, *_ in coords:
            col, row = inverse @ to_grid.transform(lon, lat)
            out.append((float(col), float(row)))
        return out

    for record in annotations:
        geometry = record["geometry"]
        kind = geometry["type"]
        if kind == "Point":
            [(x, y)] = pixels([geometry["coordinates"]])
            diameter = record["diameter_m"]
            r = max(4.0, diameter / 2 / grid.pixel_m) if diameter else 6.0
            draw.ellipse((x - r, y - r, x + r, y + r), outline=_OUTLINE_RGB, width=4)
            draw.ellipse((x - r, y - r, x + r, y + r), outline=ANNOTATION_RGB, width=2)
            anchor = (x + r, y - r)
        else:
            rings = (
                [geometry["coordinates"]]
                if kind == "LineString"
                else [geometry["coordinates"][0]]
                if kind == "Polygon"
                else [polygon[0] for polygon in geometry["coordinates"]]
            )
            drawn: list[tuple[float, float]] = []
            for ring in rings:
                points = pixels(ring)
                draw.line(points, fill=_OUTLINE_RGB, width=4)
                draw.line(points, fill=ANNOTATION_RGB, width=2)
                drawn += points
            inside = [(x, y) for x, y in drawn if 0 <= x < image.width and 0 <= y < image.height]
            anchor = (inside or drawn)[0]
        label = str(record["number"])
        # The number stays on the chip even when the shape runs off its edge.
        x = min(max(anchor[0] + 3, 0.0), image.width - 26.0)
        y = min(max(anchor[1] - 18, 0.0), image.height - 18.0)
        box_right = x + 8 + 9 * len(label)
        draw.rectangle((x, y, box_right, y + 17), fill=(255, 255, 255), outline=_OUTLINE_RGB)
        draw.text((x + 4, y), label, fill=(0, 0, 0), font=font)
