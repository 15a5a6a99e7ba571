"""Time to render the report: the demo case and a generated 200-incident case, HTML and PDF.

For each case it times, on the same machine in the same run:

* ``gather``: reading the case into the report's plain dict (every service called);
* ``html``: the whole HTML pipeline (gather, maps, timeline, template);
* ``pdf``: the whole PDF pipeline (the above plus WeasyPrint);
* ``weasyprint``: WeasyPrint alone on the same HTML (the baseline).

It prints the ratios weasyprint/pdf (how much of the PDF time is layout; the rest is ours)
and html/pdf. Run: ``python -m benchmarks.report_render [--incidents N] [--repeats N]``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import weasyprint
import yaml
from PIL import Image

from benchmarks.common import report
from evidencelab.locker.case import Case, init_case, open_case
from evidencelab.publish.html_report import render_report
from evidencelab.publish.pdf_report import html_to_pdf
from evidencelab.service.demo import build_demo
from evidencelab.service.exchange.casefile import import_case_file
from evidencelab.service.outputs.report import render, report_context

#: The PDF pipeline should spend at least this share of its time in WeasyPrint's layout
#: (ratio weasyprint / full pipeline): gathering and HTML are the smaller part.
TARGET = 0.5


def generated_case(folder: Path, incidents: int, seed: int = 20220224) -> Path:
    """A case file of ``incidents`` incidents across eastern Ukraine over 60 days, each
    with one small photo, two casualty reports and, for a third, a likely objective."""
    rng = random.Random(seed)
    files = folder / "files"
    files.mkdir(parents=True)
    sources = [
        {
            "id": "ngo",
            "kind": "researcher",
            "description": "NGO field research",
            "reliability": "high",
        },
        {"id": "media", "kind": "media", "description": "Regional media", "reliability": "medium"},
        {
            "id": "witness-1",
            "kind": "witness",
            "description": "A witness",
            "sensitive": True,
            "reliability": "medium",
        },
    ]
    evidence, records = [], []
    for n in range(incidents):
        lat, lon = rng.uniform(46.5, 50.5), rng.uniform(33.0, 39.5)
        day, minute = rng.randrange(60), rng.randrange(24 * 60)
        clock = f"{minute // 60:02d}:{minute % 60:02d}"
        start = f"2022-{3 + day // 30:02d}-{1 + day % 30:02d}T{clock}:00+02:00"
        photo = files / f"p{n:04d}.jpg"
        image = Image.new("RGB", (480, 360), (rng.randrange(256), rng.randrange(256), 90))
        image.paste(
            (255, 255, 255), (8 * (n % 60), 8 * (n // 60), 8 * (n % 60) + 8, 8 * (n // 60) + 8)
        )
        image.save(photo)  # the white square makes every photo's bytes distinct
        evidence.append(
            {
                "id": f"photo-{n}",
                "path": f"files/{photo.name}",
                "kind": "photo",
                "source": "ngo",
                "collected_at": "2022-06-01T10:00:00Z",
            }
        )
        record = {
            "id": f"incident-{n}",
            "title": f"Strike {n} on a residential area",
            "time": {"start": start, "approximate": n % 3 == 0},
            "place": {
                "name": f"Settlement {n}",
                "admin1": "Donetsk region",
                "country": "UA",
                "lat": round(lat, 5),
                "lon": round(lon, 5),
                "precision_m": rng.choice([100, 500, 2000]),
            },
            "weapon": {
                "munition": rng.choice(["BM-21 Grad", "9M79 Tochka", None]),
                "basis": "remnants in photographs",
                "confidence": "medium",
            },
            "objects_hit": [{"kind": rng.choice(["residential_building", "school", "hospital"])}],
            "casualties": [
                {
                    "source": "ngo",
                    "scope": "incident",
                    "civilian": True,
                    "killed": {"count": rng.randrange(0, 6), "qualifier": "at_least"},
                },
                {
                    "source": "witness-1",
                    "scope": "incident",
                    "civilian": True,
                    "injured": {"count": rng.randrange(0, 12), "qualifier": "approx"},
                },
            ],
            "evidence": [f"photo-{n}"],
        }
        if n % 3 == 0:
            record["military_objective"] = {
                "name": f"Depot {n}",
                "lat": round(lat + 0.01, 5),
                "lon": round(lon + 0.01, 5),
                "basis": "generated",
            }
        records.append(record)
    document = {
        "format": "evidencelab/case@1",
        "title": f"Generated case, {incidents} incidents",
        "sources": sources,
        "evidence": evidence,
        "incidents": records,
    }
    path = folder / "case.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def timed(run: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median (CPU seconds, wall seconds) of ``repeats`` calls. All the work runs in this
    process, so CPU time stays meaningful when other jobs load the machine."""
    cpu, wall = [], []
    for _ in range(repeats):
        c0, w0 = time.process_time(), time.perf_counter()
        run()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return statistics.median(cpu), statistics.median(wall)


def measure(name: str, case: Case, repeats: int) -> bool:
    html = render_report(report_context(case, fmt="pdf"))
    gather = timed(lambda: report_context(case, fmt="pdf"), repeats)
    html_s = timed(lambda: render(case, fmt="html"), repeats)
    pdf_s = timed(lambda: render(case, fmt="pdf"), repeats)
    alone = timed(lambda: html_to_pdf(html), repeats)
    pages = len(weasyprint.HTML(string=html).render().pages)
    print(
        f"{name}: CPU s (wall s): gather {gather[0]:.2f} ({gather[1]:.2f}), "
        f"HTML {html_s[0]:.2f} ({html_s[1]:.2f}, {len(html) / 1e6:.1f} MB), "
        f"PDF {pdf_s[0]:.2f} ({pdf_s[1]:.2f}, {pages} pages), "
        f"WeasyPrint alone {alone[0]:.2f} ({alone[1]:.2f}); "
        f"HTML/PDF CPU time {html_s[0] / pdf_s[0]:.2f}",
        flush=True,
    )
    return report(f"{name} PDF pipeline (CPU)", "WeasyPrint alone", pdf_s[0], alone[0], TARGET)


def run(incidents: int, repeats: int) -> bool:
    results = []
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        demo = Path(tmp) / "demo"
        build_demo(demo)
        with open_case(demo) as case:
            results.append(measure("demo (3 incidents)", case, repeats))
        case_file = generated_case(Path(tmp) / "generated", incidents)
        with init_case(Path(tmp) / "case") as case:
            import_case_file(case, case_file)
            results.append(measure(f"generated ({incidents} incidents)", case, repeats))
    return all(results)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.report_render")
    parser.add_argument("--incidents", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    return 0 if run(args.incidents, args.repeats) else 1


if __name__ == "__main__":
    sys.exit(main())
