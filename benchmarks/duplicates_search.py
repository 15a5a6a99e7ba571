"""Near-duplicate search: one PDQ hash against 1 000 000, exact, versus brute-force numpy.

The corpus is random 256-bit hashes with planted near-duplicates of each query at every
distance from 0 to 40 bits. Ours is `HashIndex.within` (word-major uint64 layout, XOR and
`np.bitwise_count` one word at a time). Two baselines answer the same question exactly:

* textbook numpy: XOR of the (n, 32) byte rows, `np.unpackbits`, sum per row;
* row-major popcount: XOR of (n, 4) uint64 rows and `np.bitwise_count`, summed per row.

Recall is the share of the baseline's matches within 31 bits that ours returns (it must
be 1.0: approximate indexes miss a third or more at this radius, DEPENDENCIES.md).
"""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt

from benchmarks.common import report
from evidencelab.verify.duplicates import MATCH_RADIUS_BITS, HashIndex

TARGET = 25.0
PLANTED_DISTANCES = range(0, 41)


def corpus_with_planted(
    count: int, queries: int, seed: int = 7
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]:
    """`count` random packed hashes; for each of `queries` query hashes, one copy at each
    planted distance (bits flipped at random positions) written over random rows."""
    rng = np.random.default_rng(seed)
    corpus = rng.integers(0, 256, size=(count, 32), dtype=np.uint8)
    query_rows = rng.integers(0, 256, size=(queries, 32), dtype=np.uint8)
    slots = rng.choice(count, size=queries * len(PLANTED_DISTANCES), replace=False)
    slot = iter(slots)
    for query in query_rows:
        bits = np.unpackbits(query)
        for distance in PLANTED_DISTANCES:
            flipped = bits.copy()
            flipped[rng.choice(256, size=distance, replace=False)] ^= 1
            corpus[next(slot)] = np.packbits(flipped)
    return corpus, query_rows


def textbook(corpus: npt.NDArray[np.uint8], query: npt.NDArray[np.uint8]) -> npt.NDArray[np.intp]:
    distances = np.unpackbits(np.bitwise_xor(corpus, query), axis=1).sum(axis=1)
    return np.flatnonzero(distances <= MATCH_RADIUS_BITS)


def row_major(rows: npt.NDArray[np.uint64], query: npt.NDArray[np.uint64]) -> npt.NDArray[np.intp]:
    distances = np.bitwise_count(np.bitwise_xor(rows, query)).sum(axis=1)
    return np.flatnonzero(distances <= MATCH_RADIUS_BITS)


def _seconds_per_query(search: object, queries: list[object]) -> float:
    start = time.perf_counter()
    for query in queries:
        search(query)  # type: ignore[operator]
    return (time.perf_counter() - start) / len(queries)


def run(count: int, queries: int) -> bool:
    corpus, query_rows = corpus_with_planted(count, queries)
    index = HashIndex(corpus)
    rows = corpus.view(np.uint64)

    found = [set(index.within(q[None, :])[0].tolist()) for q in query_rows]
    truth = [set(textbook(corpus, q).tolist()) for q in query_rows]
    true_matches = sum(len(t) for t in truth)
    recall = sum(len(f & t) for f, t in zip(found, truth, strict=True)) / true_matches
    extra = sum(len(f - t) for f, t in zip(found, truth, strict=True))
    print(
        f"duplicates search: {count:,} hashes, {queries} queries, {true_matches} true matches "
        f"within {MATCH_RADIUS_BITS} bits: recall {recall:.3f}, {extra} false matches",
        flush=True,
    )

    ours = _seconds_per_query(lambda q: index.within(q[None, :]), list(query_rows))
    book = _seconds_per_query(lambda q: textbook(corpus, q), list(query_rows))
    popcount = _seconds_per_query(lambda q: row_major(rows, q.view(np.uint64)), list(query_rows))
    print(f"  per query: ours {ours * 1000:.2f} ms", flush=True)
    report(
        "duplicates search (row-major popcount baseline)",
        "row-major uint64 bitwise_count",
        ours,
        popcount,
        1.0,
    )
    return (
        recall == 1.0
        and extra == 0
        and report("duplicates search", "textbook numpy unpackbits", ours, book, TARGET)
    )
