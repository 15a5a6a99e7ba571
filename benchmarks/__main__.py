"""Run the benchmarks: `./dev bench` (full sizes) or `./dev bench --quick`."""

from __future__ import annotations

import argparse
import sys

from benchmarks import (
    capture,
    cli_startup,
    context_import,
    context_queries,
    duplicates_search,
    imagery_chip,
    ingest_batches,
    ingest_large_file,
    ingest_photos,
    records_logging,
    report_render,
    web_latency,
)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--only",
        choices=[
            "large-file",
            "photos",
            "batches",
            "duplicates",
            "context-queries",
            "context-import",
            "report",
            "imagery",
            "web",
            "records",
            "capture",
            "cli",
        ],
        help="run one benchmark",
    )
    args = parser.parse_args()
    large = 100_000_000 if args.quick else 1_000_000_000
    photos = 50 if args.quick else 1000
    results = []
    if args.only in (None, "large-file"):
        results.append(ingest_large_file.run(large, args.repeats))
    if args.only in (None, "photos"):
        results.append(ingest_photos.run(photos, args.repeats if args.quick else 1))
    if args.only in (None, "batches"):
        results.append(ingest_batches.run(args.repeats))
    if args.only in (None, "context-queries"):
        results.append(context_queries.run(100_000 if args.quick else 1_000_000, 100))
    if args.only in (None, "duplicates"):
        results.append(duplicates_search.run(100_000 if args.quick else 1_000_000, 20))
    if args.only in (None, "context-import"):
        results.append(context_import.run(args.repeats))
    if args.only in (None, "report"):
        results.append(report_render.run(20 if args.quick else 200, 1))
    if args.only in (None, "imagery"):
        results.append(imagery_chip.run(2_000 if args.quick else 10_000, 1))
    if args.only in (None, "web"):
        evidence, incidents = (1_000, 50) if args.quick else (10_000, 500)
        results.append(web_latency.run(evidence, incidents, 200))
    if args.only in (None, "records"):
        evidence, incidents = (1_000, 50) if args.quick else (10_000, 500)
        results.append(records_logging.run(photos // 5, evidence, incidents, 3))
    if args.only in (None, "capture"):
        results.append(capture.run(args.repeats))
    if args.only in (None, "cli"):
        results.append(cli_startup.run(5 if args.quick else 15))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
