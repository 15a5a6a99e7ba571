"""Builders shared by the imagery tests: synthetic GeoTIFF scenes and incidents.

(No tests here; the name keeps it among the imagery test files.)
"""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import rasterio
from pyproj import Transformer
from rasterio.transform import from_origin

from evidencelab.locker.case import Case
from evidencelab.locker.ingest import IngestRequest, ingest
from evidencelab.service.exchange.casefile import import_case_file

CORPUS = Path(__file__).parent / "corpus" / "rasterio"
LANDSAT = CORPUS / "RGB.byte.tif"
# A place near Kharkiv, in UTM zone 37N, for synthetic scenes.
SITE_LAT, SITE_LON = 49.99, 36.23
UTM37N = 32637


def site_xy() -> tuple[float, float]:
    """The site in UTM 37N metres."""
    x, y = Transformer.from_crs(4326, UTM37N, always_xy=True).transform(SITE_LON, SITE_LAT)
    return float(x), float(y)


def texture(size: int, seed: int = 7, low: int = 40, high: int = 200) -> npt.NDArray[np.uint8]:
    """A (3, size, size) uint8 image: 16-pixel blocks of levels in [low, high) (fields)
    plus pixel noise of 12 levels."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(low, high, (3, size // 16 + 1, size // 16 + 1)).astype(np.float32)
    big = np.kron(coarse, np.ones((16, 16), dtype=np.float32))[:, :size, :size]
    noise = rng.normal(0, 12, (3, size, size)).astype(np.float32)
    return np.asarray(np.clip(big + noise, 0, 255), dtype=np.uint8)


def write_scene(
    path: Path,
    pixels: npt.NDArray[np.uint8],
    *,
    pixel_m: float = 10.0,
    tags: dict[str, str] | None = None,
    driver: str = "GTiff",
) -> Path:
    """A GeoTIFF in UTM 37N whose centre is the site."""
    bands, rows, cols = pixels.shape
    x, y = site_xy()
    transform = from_origin(x - cols * pixel_m / 2, y + rows * pixel_m / 2, pixel_m, pixel_m)
    options: dict[str, Any] = {"blocksize": 256} if driver == "COG" else {}
    with rasterio.open(
        path,
        "w",
        driver=driver,
        width=cols,
        height=rows,
        count=bands,
        dtype="uint8",
        crs=f"EPSG:{UTM37N}",
        transform=transform,
        **options,
    ) as dataset:
        dataset.write(pixels)
        if tags:
            dataset.update_tags(**tags)
    return path


def huge_tiff(path: Path, width: int = 200_000, height: int = 200_000) -> Path:
    """A 200-byte TIFF declaring width × height 8-bit pixels in one Deflate strip of a few
    bytes (a decompression bomb's header)."""
    data = zlib.compress(b"\0" * 65536)
    entries = [
        (256, 4, width),
        (257, 4, height),
        (258, 3, 8),
        (259, 3, 8),
        (262, 3, 1),
        (273, 4, 0),
        (277, 3, 1),
        (278, 4, height),
        (279, 4, len(data)),
    ]
    data_offset = 8 + 2 + 12 * len(entries) + 4
    out = bytearray(b"II*\0" + struct.pack("<IH", 8, len(entries)))
    for tag, kind, value in entries:
        value = data_offset if tag == 273 else value
        if kind == 3:
            out += struct.pack("<HHIHH", tag, kind, 1, value, 0)
        else:
            out += struct.pack("<HHII", tag, kind, 1, value)
    out += struct.pack("<I", 0) + data
    path.write_bytes(bytes(out))
    return path


def add_incidents(case: Case, folder: Path, incidents: list[dict[str, Any]]) -> None:
    """Import incidents through the case file importer."""
    path = folder / "incidents.json"
    path.write_text(
        json.dumps({"format": "evidencelab/case@1", "title": "imagery", "incidents": incidents})
    )
    import_case_file(case, path)


def incident(
    incident_id: str, lat: float, lon: float, start: str, end: str | None = None
) -> dict[str, Any]:
    return {
        "id": incident_id,
        "title": f"incident {incident_id}",
        "time": {"start": start, "end": end, "approximate": False},
        "place": {"name": "site", "lat": lat, "lon": lon, "precision_m": 50},
    }


def ingest_file(case: Case, path: Path, **fields: Any) -> str:
    [outcome] = ingest(case, [IngestRequest(path=path, **fields)], workers=1)
    assert outcome.evidence_id is not None, outcome
    return outcome.evidence_id
