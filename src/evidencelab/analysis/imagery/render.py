"""Burning a scale bar, a north arrow and a caption into chips (Pillow, DejaVu Sans)."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

FONT_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
CAPTION_PX = 16
LINE_PX = 22
NO_DATA_RGB = (40, 40, 40)
CHANGE_RGB = (255, 0, 0)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(str(FONT_PATH), size)
    except OSError:  # the font package is missing: Pillow's bitmap font still shows text
        return ImageFont.load_default()


def nice_length_m(max_m: float) -> float:
    """The largest 1, 2 or 5 × 10ⁿ metres not above ``max_m`` (scale-bar length)."""
    if max_m <= 0:
        raise ValueError("length must be positive")
    power = 10 ** math.floor(math.log10(max_m))
    for step in (5, 2, 1):
        if step * power <= max_m:
            return float(step * power)
    return float(power)


def picture(bands: npt.NDArray[np.uint8], valid: npt.NDArray[np.bool_]) -> Image.Image:
    """RGB image of 8-bit (3 or 1, rows, cols) bands; pixels without data dark grey."""
    rgb = np.repeat(bands[:1], 3, axis=0) if bands.shape[0] == 1 else bands[:3]
    pixels = np.ascontiguousarray(np.moveaxis(rgb, 0, -1))
    pixels[~valid] = NO_DATA_RGB
    return Image.fromarray(pixels, mode="RGB")


def overlay_changes(image: Image.Image, changed: npt.NDArray[np.bool_]) -> Image.Image:
    """The image with changed pixels painted half-transparent red."""
    base = np.asarray(image, dtype=np.float32).copy()
    base[changed] = base[changed] * 0.5 + np.asarray(CHANGE_RGB, dtype=np.float32) * 0.5
    return Image.fromarray(base.astype(np.uint8), mode="RGB")


def draw_scale_bar(image: Image.Image, pixel_m: float) -> float:
    """Draw a scale bar about a quarter of the width at the bottom left; returns its
    length in metres."""
    draw = ImageDraw.Draw(image)
    length_m = nice_length_m(image.width * pixel_m / 4)
    length_px = round(length_m / pixel_m)
    x0, y0 = 16, image.height - 24
    label = f"{length_m / 1000:g} km" if length_m >= 1000 else f"{length_m:g} m"
    draw.rectangle((x0 - 4, y0 - 22, x0 + length_px + 4, y0 + 10), fill=(255, 255, 255))
    draw.rectangle((x0, y0, x0 + length_px, y0 + 6), fill=(0, 0, 0))
    draw.text((x0, y0 - 20), label, fill=(0, 0, 0), font=_font(CAPTION_PX))
    return length_m


def draw_centre_mark(image: Image.Image) -> None:
    """A small open ring at the chip's centre (the incident's place), leaving it visible."""
    draw = ImageDraw.Draw(image)
    cx, cy, r = image.width / 2, image.height / 2, 9
    draw.ellipse((cx - r - 1, cy - r - 1, cx + r + 1, cy + r + 1), outline=(0, 0, 0), width=1)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(255, 255, 0), width=2)


def draw_north_arrow(image: Image.Image, convergence_deg: float) -> None:
    """Arrow to true north at the top right: grid north is up, true north is
    ``convergence_deg`` clockwise from it."""
    draw = ImageDraw.Draw(image)
    cx, cy, r = image.width - 36, 44, 22
    angle = math.radians(convergence_deg)
    dx, dy = math.sin(angle), -math.cos(angle)
    tip = (cx + dx * r, cy + dy * r)
    left = (cx - dy * 8 - dx * r * 0.6, cy + dx * 8 - dy * r * 0.6)
    right = (cx + dy * 8 - dx * r * 0.6, cy - dx * 8 - dy * r * 0.6)
    draw.ellipse((cx - r - 6, cy - r - 6, cx + r + 6, cy + r + 6), fill=(255, 255, 255))
    draw.polygon([tip, left, (cx, cy), right], fill=(0, 0, 0))
    draw.text((cx - 5, cy + 4), "N", fill=(0, 0, 0), font=_font(CAPTION_PX - 2))


def wrap(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width_px: int) -> list[str]:
    """Words of ``text`` in lines no wider than ``width_px`` (a longer word stays whole)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and font.getlength(lines[-1] + " " + word) <= width_px:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def with_caption(image: Image.Image, captions: list[str]) -> Image.Image:
    """The image above a white band holding the captions, wrapped to its width (never
    over the pixels)."""
    font = _font(CAPTION_PX)
    lines = [line for caption in captions for line in wrap(caption, font, image.width - 16)]
    canvas = Image.new("RGB", (image.width, image.height + LINE_PX * len(lines) + 8), "white")
    canvas.paste(image, (0, 0))
    draw = ImageDraw.Draw(canvas)
    for index, line in enumerate(lines):
        draw.text((8, image.height + 4 + index * LINE_PX), line, fill=(0, 0, 0), font=font)
    return canvas


def side_by_side(panels: list[tuple[str, Image.Image]]) -> Image.Image:
    """Panels of one size in a row, each titled above."""
    width, height = panels[0][1].size
    gap, title = 8, LINE_PX + 4
    canvas = Image.new(
        "RGB", (len(panels) * width + (len(panels) - 1) * gap, height + title), "white"
    )
    draw = ImageDraw.Draw(canvas)
    for index, (name, panel) in enumerate(panels):
        x = index * (width + gap)
        canvas.paste(panel, (x, title))
        draw.text((x + 4, 2), name, fill=(0, 0, 0), font=_font(CAPTION_PX))
    return canvas


def png_bytes(image: Image.Image) -> bytes:
    """PNG encoding; the same pixels always give the same bytes (no time stamp chunk)."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
