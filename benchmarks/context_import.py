"""Import of an OpenStreetMap extract into a case versus `osmium export` on the same file.

`osmium export` (osmium-tool, C++ on libosmium) is the floor for turning an extract into
geometries: it reads the file, builds node locations and areas, and writes GeoJSON. It is
asked for the same objects evidencelab keeps (points and areas with a tag that a kind rule
names: `amenity=hospital`, `historic=*`, …; on Liechtenstein both give 4,568), written to
a file with fsync. `import_context` does that and more: the file's SHA-256, kinds from the
tags, rows and R*Tree boxes in the case database, one custody event, one commit.
Throughput is in objects per second; the ratio is osmium's time over ours.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from benchmarks.common import median_seconds, report
from evidencelab.analysis.context.kinds import ANY, RULES
from evidencelab.locker.case import Case, init_case
from evidencelab.service.context.importing import import_context

TARGET = 0.2
EXTRACT = Path(__file__).parent.parent / "tests" / "corpus" / "osm" / "liechtenstein.osm.pbf"


def osmium_expressions() -> list[str]:
    """osmium-tool filter expressions for the tags the kind rules name (`key`, `key=value`);
    objects left with no tag after filtering are not exported."""
    expressions = {rule.key if rule.value == ANY else f"{rule.key}={rule.value}" for rule in RULES}
    return sorted(expressions | {"aeroway=aerodrome"})


def run(repeats: int, extract: Path = EXTRACT) -> bool:
    osmium = shutil.which("osmium")
    if osmium is None:
        print("context import: skipped (osmium-tool is not installed; `apt install osmium-tool`)")
        return True
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        config = Path(tmp) / "export.json"
        config.write_text(json.dumps({"include_tags": osmium_expressions()}), encoding="utf-8")
        exported = Path(tmp) / "export.geojsonseq"
        command = [
            osmium,
            "export",
            str(extract),
            "--config",
            str(config),
            "--geometry-types",
            "point,polygon",
            "--output-format",
            "geojsonseq",
            "--output",
            str(exported),
            "--overwrite",
            "--fsync",
            "--no-progress",
        ]

        def osmium_export(_: None) -> None:
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

        cases: list[Case] = []
        counts: list[int] = []

        def new_case() -> Case:
            for done in cases:  # clean up the previous run outside the timed part
                done.close()
                shutil.rmtree(done.root)
            cases[:] = [init_case(Path(tmp) / "case", actor="benchmark")]
            return cases[0]

        def evidencelab_import(case: Case) -> None:
            counts.append(import_context(case, extract)["objects"])

        baseline_s = median_seconds(osmium_export, repeats)
        with open(exported, encoding="utf-8") as handle:
            osmium_objects = sum(1 for _ in handle)
        ours_s = median_seconds(evidencelab_import, repeats, new_case)
        for done in cases:
            done.close()
        print(
            f"{extract.name}: osmium export {osmium_objects:,} objects,"
            f" {osmium_objects / baseline_s:,.0f} objects/s; import {counts[-1]:,} objects,"
            f" {counts[-1] / ours_s:,.0f} objects/s",
            flush=True,
        )
        return report("context import (OSM extract)", "osmium export", ours_s, baseline_s, TARGET)
