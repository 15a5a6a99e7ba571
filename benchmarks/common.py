"""Timing helpers shared by the benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def median_seconds(
    run: Callable[[T], object],
    repeats: int,
    setup: Callable[[], T] = lambda: None,  # type: ignore[assignment,return-value]
) -> float:
    """Median wall-clock seconds of ``repeats`` runs of ``run(setup())``; setup is not timed."""
    times = []
    for _ in range(repeats):
        prepared = setup()
        start = time.perf_counter()
        run(prepared)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(name: str, baseline: str, ours_s: float, baseline_s: float, target: float) -> bool:
    """Print one result line; the ratio is baseline time / our time (higher is better)."""
    ratio = baseline_s / ours_s
    verdict = "meets" if ratio >= target else "BELOW"
    print(
        f"{name}: {ours_s:.3f} s vs {baseline} {baseline_s:.3f} s -> ratio {ratio:.2f} "
        f"({verdict} target {target:.2f})",
        flush=True,
    )
    return ratio >= target
