"""Run the benchmarks: `./dev bench` (full sizes) or `./dev bench --quick`."""

from __future__ import annotations

import argparse
import sys

from benchmarks import ingest_large_file, ingest_photos


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    large = 100_000_000 if args.quick else 1_000_000_000
    photos = 50 if args.quick else 1000
    results = [
        ingest_large_file.run(large, args.repeats),
        ingest_photos.run(photos, 1 if not args.quick else args.repeats),
    ]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
