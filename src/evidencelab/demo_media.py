"""Illustrative media for the built-in demo case.

The demo case (``data/demo/case.yaml``) names photo files that do not exist anywhere: the
real photographs behind Amnesty International's press release are not ours to ship. This
module draws plainly synthetic stand-ins with Pillow, each captioned "ILLUSTRATIVE", and
writes EXIF metadata (capture time with UTC offset, GPS position near the incident) so that
the extract and verify stages have something realistic to read.

Which files exist, and where and when they were "taken", is read from case.yaml alone:
evidence paths, the ``drawing`` field of each evidence entry, and the place and start time
of the incident that lists it. Output is byte-identical on every run: no clock, no
unseeded randomness, and only Pillow's embedded bitmap font (FreeType rendering of the
default TrueType font can change with the FreeType build).
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from PIL import Image, ImageDraw, ImageFont
from PIL.ExifTags import IFD
from PIL.TiffImagePlugin import IFDRational

__all__ = [
    "DemoShot",
    "demo_case_path",
    "demo_shots",
    "load_demo_case",
    "write_demo_case",
    "write_demo_media",
]

WIDTH, HEIGHT = 800, 600
JPEG_QUALITY = 85
CAPTION = "ILLUSTRATIVE — evidencelab demo"
SOFTWARE = "evidencelab demo_media"
# Synthetic capture times: first picture 20 min after the incident start, then every 25 min.
FIRST_SHOT_DELAY = timedelta(minutes=20)
SHOT_INTERVAL = timedelta(minutes=25)
# Later pictures of an incident stand a little north-east of the first (~100 m), well
# inside every place's precision radius.
SHOT_STEP_DEG = (0.0009, 0.0012)

_EXIF_MAKE, _EXIF_MODEL, _EXIF_SOFTWARE = 0x010F, 0x0110, 0x0131
_EXIF_DESCRIPTION, _EXIF_DATETIME = 0x010E, 0x0132
_EXIF_DATETIME_ORIGINAL, _EXIF_DATETIME_DIGITIZED = 0x9003, 0x9004
_EXIF_OFFSET_TIME, _EXIF_OFFSET_ORIGINAL, _EXIF_OFFSET_DIGITIZED = 0x9010, 0x9011, 0x9012


@dataclass(frozen=True)
class DemoShot:
    """One illustrative picture: what to draw and the metadata to embed."""

    evidence_id: str
    relpath: str  # as written in case.yaml, relative to the case file
    scene: str
    incident_title: str
    place_name: str
    taken_at: datetime  # timezone-aware, in the incident's local offset
    lat: float
    lon: float
    direction_deg: int


def demo_case_path() -> Path:
    """Return the path of the packaged demo case file (``evidencelab/data/demo/case.yaml``)."""
    resource = files("evidencelab.data").joinpath("demo", "case.yaml")
    if not isinstance(resource, Path):
        # Only happens when the package is imported from a zip archive.
        raise RuntimeError(f"demo case is not a file on disk: {resource}")
    return resource


def load_demo_case() -> dict[str, Any]:
    """Parse the packaged demo case with ``yaml.safe_load``."""
    data = yaml.safe_load(demo_case_path().read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{demo_case_path()}: expected a mapping at top level")
    return data


def _as_datetime(value: object) -> datetime:
    """Accept a YAML timestamp (already a datetime) or an ISO 8601 string."""
    result = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if result.tzinfo is None:
        raise ValueError(f"time without UTC offset: {value!r}")
    return result


def demo_shots(case: Mapping[str, Any]) -> list[DemoShot]:
    """Derive the pictures to draw from a case: one per evidence entry listed by an incident.

    Capture time and position are synthetic but derived only from the incident's start
    time and place, so the metadata stays consistent with the case file.
    """
    evidence = {str(e["id"]): e for e in case.get("evidence") or []}
    shots: list[DemoShot] = []
    for incident in case.get("incidents") or []:
        place = incident["place"]
        start = _as_datetime(incident["time"]["start"])
        for index, evidence_id in enumerate(incident.get("evidence") or []):
            entry = evidence[str(evidence_id)]
            shots.append(
                DemoShot(
                    evidence_id=str(evidence_id),
                    relpath=str(entry["path"]),
                    scene=str(entry.get("drawing", "street")),
                    incident_title=str(incident["title"]),
                    place_name=str(place["name"]),
                    taken_at=start + FIRST_SHOT_DELAY + index * SHOT_INTERVAL,
                    lat=round(float(place["lat"]) + index * SHOT_STEP_DEG[0], 6),
                    lon=round(float(place["lon"]) + index * SHOT_STEP_DEG[1], 6),
                    direction_deg=(40 + 110 * index) % 360,
                )
            )
    return shots


def write_demo_media(out_dir: Path) -> list[Path]:
    """Write the demo case's illustrative JPEGs under ``out_dir/files/``; return their paths.

    Paths follow the evidence entries of the packaged case.yaml, so copying that file into
    ``out_dir`` yields a complete, importable case folder (see :func:`write_demo_case`).
    """
    written: list[Path] = []
    for shot in demo_shots(load_demo_case()):
        target = out_dir / shot.relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        image = render(shot)
        image.save(
            target,
            format="JPEG",
            quality=JPEG_QUALITY,
            subsampling=0,  # 4:4:4 skips chroma downsampling, one less codec path to differ
            optimize=False,
            progressive=False,
            exif=_exif(shot),
        )
        written.append(target)
    return written


def write_demo_case(out_dir: Path) -> Path:
    """Copy the demo case.yaml into ``out_dir`` with its media; return the case file path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    case_file = out_dir / "case.yaml"
    shutil.copyfile(demo_case_path(), case_file)
    write_demo_media(out_dir)
    return case_file


# --- metadata -------------------------------------------------------------------------


def _dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    """Degrees as EXIF degrees/minutes/seconds, seconds to 1/10000" (~3 mm)."""
    seconds = Fraction(round(abs(value) * 3600 * 10000), 10000)
    degrees, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return (
        IFDRational(int(degrees), 1),
        IFDRational(int(minutes), 1),
        IFDRational(secs.numerator, secs.denominator),
    )


def _exif(shot: DemoShot) -> Image.Exif:
    """EXIF block: camera identity, capture time with offset, GPS, and a disclaimer."""
    exif = Image.Exif()
    local = shot.taken_at.strftime("%Y:%m:%d %H:%M:%S")
    offset = shot.taken_at.isoformat()[-6:]  # "+02:00"
    utc = shot.taken_at.astimezone(UTC)
    exif[_EXIF_MAKE] = "evidencelab"
    exif[_EXIF_MODEL] = "demo generator"
    exif[_EXIF_SOFTWARE] = SOFTWARE
    exif[_EXIF_DESCRIPTION] = (
        f"Illustrative image generated for the evidencelab demo ({shot.incident_title}); "
        "not evidence of the incident."
    )
    exif[_EXIF_DATETIME] = local
    sub = exif.get_ifd(IFD.Exif)
    sub[_EXIF_DATETIME_ORIGINAL] = local
    sub[_EXIF_DATETIME_DIGITIZED] = local
    sub[_EXIF_OFFSET_TIME] = offset
    sub[_EXIF_OFFSET_ORIGINAL] = offset
    sub[_EXIF_OFFSET_DIGITIZED] = offset
    gps = exif.get_ifd(IFD.GPSInfo)
    gps[0] = b"\x02\x03\x00\x00"  # GPSVersionID 2.3
    gps[1] = "N" if shot.lat >= 0 else "S"
    gps[2] = _dms(shot.lat)
    gps[3] = "E" if shot.lon >= 0 else "W"
    gps[4] = _dms(shot.lon)
    gps[7] = tuple(IFDRational(v, 1) for v in (utc.hour, utc.minute, utc.second))
    gps[16] = "T"  # image direction relative to true north
    gps[17] = IFDRational(shot.direction_deg, 1)
    gps[18] = "WGS-84"
    gps[29] = utc.strftime("%Y:%m:%d")
    return exif


# --- drawing --------------------------------------------------------------------------


def _noise(key: str) -> Iterator[float]:
    """Deterministic stream of floats in [0, 1) derived from ``key`` (machine-independent)."""
    counter = 0
    while True:
        digest = hashlib.sha256(f"{key}:{counter}".encode()).digest()
        for i in range(0, 32, 4):
            yield int.from_bytes(digest[i : i + 4], "big") / 2**32
        counter += 1


_FONT = ImageFont.load_default_imagefont()
_GLYPH_W = 6  # advance of every glyph in the embedded bitmap font, in pixels


def _text(image: Image.Image, xy: tuple[int, int], text: str, scale: int, fill: str) -> None:
    """Draw ``text`` with the embedded bitmap font, enlarged by an integer nearest-neighbour
    ``scale``. An em dash (not in the font) is drawn as a bar."""
    parts = text.split("—")
    x, y = xy
    for n, part in enumerate(parts):
        if n:
            bar = 8 * scale
            ImageDraw.Draw(image).rectangle(
                (x + scale, y + 5 * scale, x + bar - scale, y + 6 * scale - 1), fill=fill
            )
            x += bar
        if not part:
            continue
        _, _, right, bottom = _FONT.getbbox(part)
        mask = Image.new("L", (right, bottom), 0)
        ImageDraw.Draw(mask).text((0, 0), part, font=_FONT, fill=255)
        big = mask.resize((right * scale, bottom * scale), Image.Resampling.NEAREST)
        image.paste(fill, (x, y), big)
        x += right * scale


def _ground(draw: ImageDraw.ImageDraw, sky: str, ground: str, horizon: int) -> None:
    draw.rectangle((0, 0, WIDTH, horizon), fill=sky)
    draw.rectangle((0, horizon, WIDTH, HEIGHT), fill=ground)


def _building(
    draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], wall: str, rnd: Iterator[float]
) -> None:
    """A block with a grid of windows, some of them broken (dark)."""
    x0, y0, x1, y1 = box
    draw.rectangle(box, fill=wall, outline="#3a3a3a", width=2)
    for wy in range(y0 + 20, y1 - 30, 45):
        for wx in range(x0 + 16, x1 - 30, 40):
            glass = "#1e1e1e" if next(rnd) < 0.3 else "#9fc3d9"
            draw.rectangle((wx, wy, wx + 22, wy + 26), fill=glass, outline="#444444")


def _debris(
    draw: ImageDraw.ImageDraw, area: tuple[int, int, int, int], rnd: Iterator[float], n: int
) -> None:
    x0, y0, x1, y1 = area
    for _ in range(n):
        x = int(x0 + next(rnd) * (x1 - x0))
        y = int(y0 + next(rnd) * (y1 - y0))
        size = 3 + int(next(rnd) * 12)
        shade = 70 + int(next(rnd) * 80)
        draw.polygon(
            [(x, y), (x + size, y + size // 3), (x + size // 2, y + size)],
            fill=(shade, shade - 10, shade - 20),
        )


def _scorch(draw: ImageDraw.ImageDraw, x: int, y: int, w: int, h: int) -> None:
    draw.ellipse((x, y, x + w, y + h), fill="#2b2420")
    draw.ellipse((x + w // 4, y - h // 2, x + 3 * w // 4, y + h // 3), fill="#3d332c")


def _scene_remnant(draw: ImageDraw.ImageDraw, rnd: Iterator[float]) -> None:
    _ground(draw, "#b9c4cc", "#7d6f5c", 220)
    _debris(draw, (40, 300, 760, 500), rnd, 60)
    # A bent cylindrical body section with stabiliser fins: a generic "remnant".
    draw.polygon([(190, 330), (520, 280), (560, 350), (230, 410)], fill="#5f6b5a")
    draw.polygon([(520, 280), (600, 240), (640, 300), (560, 350)], fill="#4e584a")
    draw.polygon([(600, 240), (690, 200), (700, 250), (640, 300)], fill="#6e7a68")
    draw.polygon([(200, 340), (150, 300), (170, 360), (215, 395)], fill="#3f4a3c")
    draw.line([(240, 320), (540, 292)], fill="#8a9585", width=4)
    draw.line([(245, 380), (550, 335)], fill="#2f372c", width=3)


def _scene_hospital(draw: ImageDraw.ImageDraw, rnd: Iterator[float]) -> None:
    _ground(draw, "#c3ccd3", "#8a8a80", 430)
    _building(draw, (120, 120, 680, 430), "#e6e1d3", rnd)
    draw.rectangle((360, 70, 440, 120), fill="#ffffff", outline="#2050a0", width=3)
    # An "H" hospital sign rather than a protective emblem.
    draw.rectangle((378, 80, 390, 110), fill="#2050a0")
    draw.rectangle((410, 80, 422, 110), fill="#2050a0")
    draw.rectangle((390, 90, 410, 100), fill="#2050a0")
    _scorch(draw, 470, 250, 150, 110)
    _debris(draw, (100, 430, 700, 500), rnd, 80)


def _scene_crater(draw: ImageDraw.ImageDraw, rnd: Iterator[float]) -> None:
    _ground(draw, "#aeb8c0", "#6f6a52", 330)
    _building(draw, (20, 60, 270, 330), "#cfc8b8", rnd)
    _building(draw, (530, 60, 780, 330), "#d4ccba", rnd)
    draw.ellipse((250, 360, 550, 470), fill="#4a3f30")
    draw.ellipse((290, 380, 510, 450), fill="#2e261d")
    _debris(draw, (200, 340, 600, 500), rnd, 90)


def _scene_residential(draw: ImageDraw.ImageDraw, rnd: Iterator[float]) -> None:
    _ground(draw, "#9aa3ab", "#7a7567", 470)
    _building(draw, (150, 60, 650, 470), "#d9d2c0", rnd)
    for i in range(4):
        _scorch(draw, 200 + 100 * i, 140 + 60 * (i % 2), 90, 70)
    draw.polygon([(300, 60), (360, 20), (420, 60)], fill="#555555")  # smoke
    _debris(draw, (120, 470, 680, 520), rnd, 70)


def _scene_restaurant(draw: ImageDraw.ImageDraw, rnd: Iterator[float]) -> None:
    _ground(draw, "#b4bec6", "#8d8778", 450)
    draw.rectangle((140, 160, 660, 450), fill="#c8a27a", outline="#4a3a2a", width=3)
    draw.rectangle((140, 130, 660, 175), fill="#8a2c2c")  # awning
    for x in (180, 330, 480):
        draw.rectangle((x, 220, x + 110, 380), fill="#1f1f1f", outline="#5a4a3a", width=3)
    draw.line([(190, 230), (280, 370)], fill="#9fc3d9", width=3)  # cracked glass
    draw.line([(500, 370), (580, 240)], fill="#9fc3d9", width=3)
    _debris(draw, (120, 450, 680, 520), rnd, 90)


def _scene_street(draw: ImageDraw.ImageDraw, rnd: Iterator[float]) -> None:
    _ground(draw, "#b0bac2", "#5e5e5a", 360)
    draw.polygon([(330, 360), (470, 360), (800, 520), (0, 520)], fill="#3f3f3d")  # road
    _building(draw, (0, 120, 230, 360), "#d6cdb8", rnd)
    _building(draw, (570, 140, 800, 360), "#cbc3ae", rnd)
    _debris(draw, (100, 380, 700, 520), rnd, 140)


_SCENES: dict[str, Callable[[ImageDraw.ImageDraw, Iterator[float]], None]] = {
    "remnant": _scene_remnant,
    "hospital": _scene_hospital,
    "crater": _scene_crater,
    "residential": _scene_residential,
    "restaurant": _scene_restaurant,
    "street": _scene_street,
}


def _wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap to ``width`` characters (the bitmap font is monospaced)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def render(shot: DemoShot) -> Image.Image:
    """Draw the picture for ``shot``: a simple flat scene, a large ILLUSTRATIVE mark and
    caption bars naming the incident. Pure Pillow drawing, no fonts from the system."""
    if shot.scene not in _SCENES:
        raise ValueError(f"{shot.evidence_id}: unknown demo scene {shot.scene!r}")
    image = Image.new("RGB", (WIDTH, HEIGHT), "#ffffff")
    draw = ImageDraw.Draw(image)
    _SCENES[shot.scene](draw, _noise(shot.evidence_id))
    # A big outlined mark in mid-picture so no crop can pass for a photograph.
    mark, scale = "ILLUSTRATIVE", 5
    x = (WIDTH - len(mark) * _GLYPH_W * scale) // 2
    for dx, dy in ((-3, 0), (3, 0), (0, -3), (0, 3)):
        _text(image, (x + dx, 250 + dy), mark, scale, "#000000")
    _text(image, (x, 250), mark, scale, "#f0c000")
    draw.rectangle((0, 0, WIDTH, 44), fill="#000000")
    _text(image, (12, 12), CAPTION, 2, "#f0c000")
    ident = shot.evidence_id
    _text(image, (WIDTH - 12 - len(ident) * _GLYPH_W, 18), ident, 1, "#cccccc")
    lines = _wrap(shot.incident_title, (WIDTH - 24) // (_GLYPH_W * 2))[:2]
    lines.append(f"Not evidence of the incident ({shot.place_name})")
    top = HEIGHT - 12 - 26 * len(lines)
    draw.rectangle((0, top - 10, WIDTH, HEIGHT), fill="#000000")
    for n, line in enumerate(lines):
        colour = "#f0c000" if n == len(lines) - 1 else "#ffffff"
        _text(image, (12, top + 26 * n), line, 2, colour)
    return image
