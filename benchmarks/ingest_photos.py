"""Ingest of many photos versus computing PDQ alone on the same photos.

Decoding the JPEG for PDQ is the floor of photo ingest; everything else ingest does
(SHA-256 while copying into the locker, ExifTool metadata, thumbnail, database rows,
custody events) must fit in the rest. The baseline is one process computing PDQ (Pillow
decode + pdqhash) over the files; ingest uses all cores and should reach at least 0.5x.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image

from benchmarks.common import median_seconds, report
from evidencelab.extract.pdq import image_to_pdq_array
from evidencelab.locker.case import Case, init_case
from evidencelab.locker.ingest import IngestRequest, ingest

TARGET = 0.5
WIDTH, HEIGHT = 1600, 1200


def write_photos(folder: Path, count: int) -> list[Path]:
    """Distinct, camera-sized JPEGs with EXIF (smooth gradients plus noise, fixed seed)."""
    rng = np.random.default_rng(20220224)
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
    paths = []
    for index in range(count):
        phase = rng.uniform(0, 6.28, 3)
        base = np.stack([np.sin(x / (90 + 7 * c) + y / 140 + phase[c]) for c in range(3)], axis=-1)
        noise = rng.normal(0, 0.15, (HEIGHT // 8, WIDTH // 8, 3)).repeat(8, 0).repeat(8, 1)
        pixels = ((base + noise + 1.2) * 100).clip(0, 255).astype(np.uint8)
        image = Image.fromarray(pixels)
        exif = Image.Exif()
        exif[0x010F] = "benchmark"  # Make
        exif[0x0132] = f"2022:02:24 10:{index // 60 % 60:02d}:{index % 60:02d}"  # DateTime
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=88, exif=exif)
        path = folder / f"photo-{index:04d}.jpg"
        path.write_bytes(buffer.getvalue())
        paths.append(path)
    return paths


def pdq_only(paths: list[Path]) -> None:
    for path in paths:
        with Image.open(path) as image:
            pdqhash.compute(image_to_pdq_array(image))


def run(count: int, repeats: int) -> bool:
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        folder = Path(tmp) / "photos"
        folder.mkdir()
        paths = write_photos(folder, count)
        counter = iter(range(repeats))

        def new_case() -> Case:
            return init_case(Path(tmp) / f"case-{next(counter)}", actor="benchmark")

        def evidencelab_ingest(case: Case) -> None:
            outcomes = ingest(case, [IngestRequest(path=p) for p in paths])
            assert all(o.status == "new" for o in outcomes)
            case.close()

        baseline_s = median_seconds(lambda _: pdq_only(paths), repeats)
        ours_s = median_seconds(evidencelab_ingest, repeats, new_case)
        print(
            f"photos: {count} of {WIDTH}x{HEIGHT}; PDQ alone {count / baseline_s:.1f}/s, "
            f"ingest {count / ours_s:.1f}/s on {os.cpu_count()} cores"
        )
        return report("ingest of photos", "PDQ alone (1 process)", ours_s, baseline_s, TARGET)
