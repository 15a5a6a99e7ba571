"""Near-duplicate images and videos by PDQ hash, and the earliest appearance of each group.

Distances are exact Hamming distances between 256-bit PDQ hashes (bits, 0..256), computed
with numpy as the popcount of the XOR of four 64-bit words: every pair within the radius
is found (recall 1.0 by construction), unlike approximate graph indexes.

References:

* PDQ, facebook/ThreatExchange ``pdq/README.md``: two hashes within Hamming distance 31
  (of 256 bits) are a match; hashes of quality below 50 are too featureless to use
  (as quoted in ``tests/corpus/pdq-threatexchange/README.md``).
* vPDQ, facebook/ThreatExchange ``vpdq/README.md`` and python-threatexchange
  ``extensions/vpdq/vpdq_util.py`` / ``vpdq_brute_matcher.py``: keep frames of quality
  ≥ 50, drop repeated frame hashes, count a frame as matched when it lies within 31 bits of
  any frame of the other video, and report the matched share of the query's frames and of
  the compared video's frames. A match needs 80 % of the query's frames (75 % in later
  releases) and 0 % of the other's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

PDQ_BITS = 256
PDQ_BYTES = PDQ_BITS // 8
PDQ_HEX_CHARS = PDQ_BITS // 4
PDQ_WORDS = PDQ_BITS // 64

MATCH_RADIUS_BITS = 31  # pdq/README.md: distance ≤ 31 is a match
MIN_QUALITY = 50  # pdq/README.md: discard quality ≤ 49
MIN_FRAME_FRACTION = 0.8  # vpdq_util.py VPDQ_QUERY_MATCH_THRESHOLD_PERCENT = 80.0

# Cells (rows × columns) in one block of the all-pairs scan. 2**17 keeps the block's 1 MiB
# XOR array in a core's cache: measured fastest of 2**14..2**22 on 20 000 hashes.
BLOCK_CELLS = 2**17

Packed = npt.NDArray[np.uint8]  # (n, 32): each hash as 32 bytes, first bit most significant
Distances = npt.NDArray[np.uint16]
Indices = npt.NDArray[np.intp]


# --- exact Hamming distances --------------------------------------------------------------


def pack_hashes(hashes: Sequence[str]) -> Packed:
    """Hex PDQ hashes (64 hex chars each) as an ``(n, 32)`` uint8 array of their bytes."""
    for text in hashes:
        if len(text) != PDQ_HEX_CHARS:
            raise ValueError(f"PDQ hash {text!r}: expected {PDQ_HEX_CHARS} hex chars")
    try:
        raw = bytes.fromhex("".join(hashes))
    except ValueError:
        raise ValueError("PDQ hashes: not all are hexadecimal") from None
    return np.frombuffer(raw, dtype=np.uint8).reshape(len(hashes), PDQ_BYTES).copy()


def _columns(packed: Packed) -> npt.NDArray[np.uint64]:
    """The bits as four 64-bit words per hash, word-major: shape ``(4, n)``.

    Word-major layout lets each XOR and popcount run over one contiguous array; on the
    reference machine it scans 1 M hashes about six times faster than ``(n, 4)`` rows.
    Byte order within a word does not matter for XOR and popcount.
    """
    rows = np.ascontiguousarray(packed, dtype=np.uint8).reshape(-1, PDQ_BYTES).view(np.uint64)
    return np.ascontiguousarray(rows.T)


def _distance_block(cols_a: npt.NDArray[np.uint64], cols_b: npt.NDArray[np.uint64]) -> Distances:
    """Distances (bits) of every hash of ``cols_a`` to every hash of ``cols_b``."""
    shape = (cols_a.shape[1], cols_b.shape[1])
    total = np.zeros(shape, dtype=np.uint16)
    xor = np.empty(shape, dtype=np.uint64)
    for word in range(PDQ_WORDS):  # one word at a time keeps the temporary array small
        np.bitwise_xor.outer(cols_a[word], cols_b[word], out=xor)
        total += np.bitwise_count(xor)
    return total


class HashIndex:
    """PDQ hashes laid out for exact scans: the distance of a query to each, in bits."""

    def __init__(self, packed: Packed) -> None:
        self.columns = _columns(packed)

    @classmethod
    def from_hex(cls, hashes: Sequence[str]) -> HashIndex:
        return cls(pack_hashes(hashes))

    def __len__(self) -> int:
        return int(self.columns.shape[1])

    def distances(self, query: Packed) -> Distances:
        """Exact Hamming distance (bits) from one packed hash to every indexed hash."""
        query_words = _columns(query).reshape(PDQ_WORDS)
        total = np.zeros(len(self), dtype=np.uint16)
        xor = np.empty(len(self), dtype=np.uint64)
        for word in range(PDQ_WORDS):
            np.bitwise_xor(self.columns[word], query_words[word], out=xor)
            total += np.bitwise_count(xor)
        return total

    def within(self, query: Packed, radius: int = MATCH_RADIUS_BITS) -> tuple[Indices, Distances]:
        """Indices and distances of the indexed hashes within ``radius`` bits, nearest first."""
        distances = self.distances(query)
        hits = np.flatnonzero(distances <= radius)
        order = np.argsort(distances[hits], kind="stable")
        return hits[order], distances[hits[order]]


def hamming_to_many(query: Packed, corpus: Packed) -> Distances:
    """Exact Hamming distances (bits) from one packed hash to each of ``corpus``'s ``n``.

    For repeated queries build a ``HashIndex`` once instead.
    """
    return HashIndex(corpus).distances(query)


def distance_matrix(packed_a: Packed, packed_b: Packed) -> Distances:
    """Full ``(len(a), len(b))`` matrix of Hamming distances (bits); for small sets."""
    return _distance_block(_columns(packed_a), _columns(packed_b))


@dataclass(frozen=True)
class HashPairs:
    """Pairs of hashes within a radius: ``first[k]``, ``second[k]`` at ``distance[k]`` bits."""

    first: Indices
    second: Indices
    distance: Distances

    def __len__(self) -> int:
        return len(self.first)


def _block_rows(columns: int) -> int:
    return max(1, BLOCK_CELLS // max(1, columns))


def pairs_within_radius(packed: Packed, radius: int = MATCH_RADIUS_BITS) -> HashPairs:
    """All pairs ``i < j`` of one set whose distance is ≤ ``radius`` bits, exactly.

    Scans the upper triangle in blocks of rows; memory stays near ``BLOCK_CELLS`` words.
    """
    columns = _columns(packed)
    n = columns.shape[1]
    firsts: list[Indices] = []
    seconds: list[Indices] = []
    distances: list[Distances] = []
    start = 0
    while start < n:
        stop = min(n, start + _block_rows(n - start))
        block = _distance_block(columns[:, start:stop], columns[:, start:])
        rows, cols = np.nonzero(block <= radius)
        upper = cols > rows  # column c of the block is hash start + c, row r is start + r
        firsts.append(rows[upper] + start)
        seconds.append(cols[upper] + start)
        distances.append(block[rows[upper], cols[upper]])
        start = stop
    return _concat_pairs(firsts, seconds, distances)


def pairs_between(packed_a: Packed, packed_b: Packed, radius: int = MATCH_RADIUS_BITS) -> HashPairs:
    """All pairs (index in ``a``, index in ``b``) within ``radius`` bits, exactly."""
    cols_a, cols_b = _columns(packed_a), _columns(packed_b)
    firsts: list[Indices] = []
    seconds: list[Indices] = []
    distances: list[Distances] = []
    step = _block_rows(cols_b.shape[1])
    for start in range(0, cols_a.shape[1], step):
        block = _distance_block(cols_a[:, start : start + step], cols_b)
        rows, cols = np.nonzero(block <= radius)
        firsts.append(rows + start)
        seconds.append(cols)
        distances.append(block[rows, cols])
    return _concat_pairs(firsts, seconds, distances)


def _concat_pairs(
    firsts: list[Indices], seconds: list[Indices], distances: list[Distances]
) -> HashPairs:
    if not firsts:
        empty = np.zeros(0, dtype=np.intp)
        return HashPairs(empty, empty.copy(), np.zeros(0, dtype=np.uint16))
    return HashPairs(
        np.concatenate(firsts).astype(np.intp),
        np.concatenate(seconds).astype(np.intp),
        np.concatenate(distances).astype(np.uint16),
    )


def near_duplicate_pairs(
    hashes: Sequence[str],
    qualities: Sequence[int],
    radius: int = MATCH_RADIUS_BITS,
    min_quality: int = MIN_QUALITY,
) -> list[tuple[int, int, int]]:
    """Pairs ``(i, j, distance_bits)``, ``i < j``, of PDQ hashes that match.

    A match is a Hamming distance ≤ ``radius`` (default 31 of 256 bits) between two hashes
    that both have quality ≥ ``min_quality`` (default 50, 0..100), as pdq/README.md of
    facebook/ThreatExchange recommends. Indices refer to the input lists.
    """
    if len(hashes) != len(qualities):
        raise ValueError("hashes and qualities differ in length")
    usable = np.flatnonzero(np.asarray(qualities, dtype=np.int64) >= min_quality)
    pairs = pairs_within_radius(pack_hashes([hashes[int(k)] for k in usable]), radius)
    result = zip(usable[pairs.first], usable[pairs.second], pairs.distance, strict=True)
    return sorted((int(i), int(j), int(d)) for i, j, d in result)


# --- items: images and videos -------------------------------------------------------------


@dataclass(frozen=True)
class HashedItem:
    """One evidence item with its PDQ hashes: one for an image, one per sampled video frame.

    ``frame_times_s`` (seconds from the start, per hash) is empty for images.
    """

    key: str
    hashes: tuple[str, ...]
    qualities: tuple[int, ...]
    is_video: bool = False
    frame_times_s: tuple[float | None, ...] = ()

    def usable(self, min_quality: int = MIN_QUALITY) -> list[int]:
        """Indices of hashes of quality ≥ ``min_quality``, repeated hashes dropped (as vPDQ)."""
        seen: set[str] = set()
        keep: list[int] = []
        for index, (text, quality) in enumerate(zip(self.hashes, self.qualities, strict=True)):
            if quality >= min_quality and text not in seen:
                seen.add(text)
                keep.append(index)
        return keep

    def frame_time(self, index: int) -> float | None:
        return self.frame_times_s[index] if index < len(self.frame_times_s) else None


@dataclass(frozen=True)
class ItemMatch:
    """Two items that match, with the evidence for it.

    ``distance_bits`` is the smallest distance between any usable hash of ``a`` and of ``b``
    (at hash indices ``a_hash``/``b_hash``); ``fraction_a_matched`` is the share of ``a``'s
    usable hashes (frames) within the radius of some hash of ``b``, and the reverse. An
    image has one hash, so its fraction is 1.0 whenever it matches anything.
    """

    a: str
    b: str
    distance_bits: int
    a_hash: int
    b_hash: int
    fraction_a_matched: float
    fraction_b_matched: float


class _Flat:
    """The usable hashes of many items in one packed array, with their owners."""

    def __init__(self, items: Sequence[HashedItem], min_quality: int) -> None:
        self.items = items
        usable = [item.usable(min_quality) for item in items]
        self.counts = [len(u) for u in usable]
        self.owner = np.repeat(np.arange(len(items), dtype=np.intp), self.counts)
        self.local = np.asarray([k for u in usable for k in u], dtype=np.intp)
        self.packed = pack_hashes([items[i].hashes[k] for i, u in enumerate(usable) for k in u])


def _summarise(
    left: _Flat, right: _Flat, pairs: HashPairs, min_frame_fraction: float
) -> list[ItemMatch]:
    """Group hash pairs by their two owners and apply the frame-share rule."""
    groups: dict[tuple[int, int], list[int]] = {}
    owners_a = left.owner[pairs.first]
    owners_b = right.owner[pairs.second]
    for k in range(len(pairs)):
        a, b = int(owners_a[k]), int(owners_b[k])
        if left.items[a].key != right.items[b].key:
            groups.setdefault((a, b), []).append(k)
    matches: list[ItemMatch] = []
    for (a, b), ks in sorted(groups.items()):
        chosen = np.asarray(ks, dtype=np.intp)
        frac_a = len(set(pairs.first[chosen].tolist())) / left.counts[a]
        frac_b = len(set(pairs.second[chosen].tolist())) / right.counts[b]
        if max(frac_a, frac_b) < min_frame_fraction:
            continue
        best = int(chosen[np.argmin(pairs.distance[chosen])])
        matches.append(
            ItemMatch(
                a=left.items[a].key,
                b=right.items[b].key,
                distance_bits=int(pairs.distance[best]),
                a_hash=int(left.local[pairs.first[best]]),
                b_hash=int(right.local[pairs.second[best]]),
                fraction_a_matched=frac_a,
                fraction_b_matched=frac_b,
            )
        )
    return matches


def match_items(
    items: Sequence[HashedItem],
    radius: int = MATCH_RADIUS_BITS,
    min_quality: int = MIN_QUALITY,
    min_frame_fraction: float = MIN_FRAME_FRACTION,
) -> list[ItemMatch]:
    """Every pair of items that match (``a`` before ``b`` in ``items``).

    Hashes match at ≤ ``radius`` bits with quality ≥ ``min_quality`` (pdq/README.md). Two
    items match when at least ``min_frame_fraction`` of the usable hashes of either one lie
    within the radius of the other (vPDQ's rule, applied in both directions so that a short
    clip cut from a long video matches it). An image has one hash, so an image matching any
    single frame of a video, or another image, is a match.
    """
    flat = _Flat(items, min_quality)
    pairs = pairs_within_radius(flat.packed, radius)
    return _summarise(flat, flat, pairs, min_frame_fraction)


def match_query(
    query: HashedItem,
    candidates: Sequence[HashedItem],
    radius: int = MATCH_RADIUS_BITS,
    min_quality: int = MIN_QUALITY,
    min_frame_fraction: float = MIN_FRAME_FRACTION,
) -> list[ItemMatch]:
    """The candidates that match ``query`` directly (``a`` is always the query), nearest first."""
    left = _Flat([query], min_quality)
    right = _Flat(candidates, min_quality)
    pairs = pairs_between(left.packed, right.packed, radius)
    matches = _summarise(left, right, pairs, min_frame_fraction)
    return sorted(matches, key=lambda m: (m.distance_bits, m.b))


def item_distance(a: HashedItem, b: HashedItem, min_quality: int = MIN_QUALITY) -> int | None:
    """Smallest distance (bits) between usable hashes of two items; None if one has none."""
    ua, ub = a.usable(min_quality), b.usable(min_quality)
    if not ua or not ub:
        return None
    matrix = distance_matrix(
        pack_hashes([a.hashes[k] for k in ua]), pack_hashes([b.hashes[k] for k in ub])
    )
    return int(matrix.min())


# --- clusters ------------------------------------------------------------------------------


class UnionFind:
    """Disjoint sets over ``0..n-1`` (union by size, path halving)."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.size = [1] * n

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, x: int, y: int) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx == ry:
            return
        if self.size[rx] < self.size[ry]:
            rx, ry = ry, rx
        self.parent[ry] = rx
        self.size[rx] += self.size[ry]


def connected_components(n: int, edges: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Groups of ``0..n-1`` joined by ``edges`` (single linkage), each sorted, singletons too."""
    sets = UnionFind(n)
    for x, y in edges:
        sets.union(x, y)
    groups: dict[int, list[int]] = {}
    for x in range(n):
        groups.setdefault(sets.find(x), []).append(x)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


@dataclass(frozen=True)
class Cluster:
    """Items joined by matches (single linkage at the radius).

    Single linkage chains: A may match B and B match C while A and C are far apart.
    ``diameter_bits`` is the largest item distance between any two members, so a
    diameter above the radius shows that the cluster is held together by a chain.
    """

    members: tuple[str, ...]
    matches: tuple[ItemMatch, ...]
    diameter_bits: int

    def is_chained(self, radius: int = MATCH_RADIUS_BITS) -> bool:
        return self.diameter_bits > radius


def cluster_items(
    items: Sequence[HashedItem], matches: Sequence[ItemMatch], min_quality: int = MIN_QUALITY
) -> list[Cluster]:
    """Clusters of two or more items, largest first, members in the order of ``items``."""
    position = {item.key: k for k, item in enumerate(items)}
    edges = [(position[m.a], position[m.b]) for m in matches]
    clusters: list[Cluster] = []
    for group in connected_components(len(items), edges):
        if len(group) < 2:
            continue
        keys = {items[k].key for k in group}
        diameter = 0
        for x, first in enumerate(group):
            for second in group[x + 1 :]:
                distance = item_distance(items[first], items[second], min_quality)
                diameter = max(diameter, distance or 0)
        clusters.append(
            Cluster(
                members=tuple(items[k].key for k in group),
                matches=tuple(m for m in matches if m.a in keys),
                diameter_bits=diameter,
            )
        )
    return clusters


# --- earliest appearance --------------------------------------------------------------------

CAPTURE_LABEL = "capture time claimed by the file's metadata; can be edited"
COLLECTED_LABEL = "when our collector saw it (acquisition collected_at)"
INGESTED_LABEL = "when it entered this case (first ingest)"

# Offsets in use run from UTC−12:00 to UTC+14:00: a naive time could be any instant in
# that span around its wall-clock value.
_EARLIEST_OFFSET = timedelta(hours=14)


@dataclass(frozen=True)
class Sighting:
    """One acquisition of an item: when our collector saw it, and where."""

    collected_at: str | None
    url: str | None = None
    source_id: str | None = None
    ingested_at: str | None = None


@dataclass(frozen=True)
class AppearanceRecord:
    """What is known about when one item appeared.

    ``captured_at`` is ISO 8601 from the file's metadata (claimed, editable); naive when
    the metadata carried no UTC offset.
    """

    key: str
    captured_at: str | None = None
    sightings: tuple[Sighting, ...] = ()


@dataclass(frozen=True)
class Earliest:
    """The earliest member by one criterion; ``tied_with`` lists others at the same instant."""

    criterion: str  # "capture_time" | "collected_at" | "ingested_at"
    label: str
    key: str
    time: str
    url: str | None = None
    source_id: str | None = None
    tied_with: tuple[str, ...] = ()


@dataclass(frozen=True)
class EarliestAppearance:
    """Earliest member of a group by each criterion, reported separately, never merged.

    ``capture_order`` and ``collected_order`` list the members whose time could be
    compared, earliest first; ``notes`` say what could not be compared and why.
    """

    by_capture_time: Earliest | None
    by_collected_at: Earliest | None
    by_ingested_at: Earliest | None
    capture_order: tuple[str, ...]
    collected_order: tuple[str, ...]
    notes: tuple[str, ...]


def parse_time(text: str | None) -> datetime | None:
    """An ISO 8601 time (``Z`` accepted), naive if it has no offset; None if absent or bad."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def earliest_sighting(sightings: Sequence[Sighting]) -> Sighting | None:
    """The acquisition with the earliest offset-aware ``collected_at``, if any."""
    dated = [(t, s) for s in sightings if (t := parse_time(s.collected_at)) and t.tzinfo]
    return min(dated, key=lambda pair: pair[0])[1] if dated else None


def _ranked(
    timed: list[tuple[datetime, str, Any]],
) -> tuple[list[tuple[datetime, str, Any]], tuple[str, ...]]:
    """Sorted by instant then key; also the keys tied with the first."""
    timed.sort(key=lambda entry: (entry[0], entry[1]))
    tied = tuple(key for moment, key, _ in timed[1:] if moment == timed[0][0]) if timed else ()
    return timed, tied


def _capture_times(
    records: Sequence[AppearanceRecord],
) -> tuple[list[tuple[datetime, str, Any]], list[str]]:
    """Comparable capture times and notes; naive times only when every one is naive."""
    parsed = [(parse_time(r.captured_at), r) for r in records if r.captured_at]
    notes: list[str] = []
    unreadable = [r.key for t, r in parsed if t is None]
    if unreadable:
        notes.append(f"capture time not readable for {', '.join(unreadable)}")
    valid = [(t, r) for t, r in parsed if t is not None]
    aware = [(t, r.key, r.captured_at) for t, r in valid if t.tzinfo is not None]
    naive = [(t, r.key, r.captured_at) for t, r in valid if t.tzinfo is None]
    if naive and not aware:
        notes.append(
            "all capture times lack a UTC offset; compared as wall-clock times, which "
            "is only sound if they were recorded in the same time zone"
        )
        return naive, notes
    if naive:
        earliest_aware = min(t for t, _, _ in aware)
        could_precede = [
            key for t, key, _ in naive if t.replace(tzinfo=UTC) - _EARLIEST_OFFSET < earliest_aware
        ]
        notes.append(
            "capture time without a UTC offset not compared with offset-aware ones: "
            + ", ".join(key for _, key, _ in naive)
        )
        if could_precede:
            notes.append(
                "depending on its time zone, the capture time of "
                + ", ".join(could_precede)
                + " could be earlier than the earliest one reported"
            )
    return aware, notes


def earliest_appearance(records: Sequence[AppearanceRecord]) -> EarliestAppearance:
    """The earliest member of a group by capture time, by collection and by ingest.

    Each criterion is reported on its own with its label: capture time is a claim of the
    file's metadata and can be edited; ``collected_at`` is when our collector saw the item
    (earliest of its acquisitions, with that acquisition's URL and source); ingest time is
    when it entered this case. Naive capture times are compared only when all are naive.
    """
    captures, notes = _capture_times(records)
    captures, capture_ties = _ranked(captures)
    by_capture = None
    if captures:
        _, key, text = captures[0]
        by_capture = Earliest("capture_time", CAPTURE_LABEL, key, text, tied_with=capture_ties)

    collected: list[tuple[datetime, str, Any]] = []
    ingested: list[tuple[datetime, str, Any]] = []
    undated: list[str] = []
    for record in records:
        sighting = earliest_sighting(record.sightings)
        if sighting is None:
            undated.append(record.key)
        else:
            seen_at = parse_time(sighting.collected_at)
            assert seen_at is not None
            collected.append((seen_at, record.key, sighting))
        entries = [(t, s) for s in record.sightings if (t := parse_time(s.ingested_at))]
        if entries:
            first_time, first = min(entries, key=lambda pair: pair[0])
            ingested.append((first_time, record.key, first))
    if undated:
        notes.append(f"no collection time with a UTC offset for {', '.join(undated)}")
    collected, collected_ties = _ranked(collected)
    ingested, ingested_ties = _ranked(ingested)

    by_collected = None
    if collected:
        _, key, sighting = collected[0]
        by_collected = Earliest(
            "collected_at",
            COLLECTED_LABEL,
            key,
            sighting.collected_at,
            url=sighting.url,
            source_id=sighting.source_id,
            tied_with=collected_ties,
        )
    by_ingested = None
    if ingested:
        _, key, sighting = ingested[0]
        by_ingested = Earliest(
            "ingested_at",
            INGESTED_LABEL,
            key,
            sighting.ingested_at,
            url=sighting.url,
            source_id=sighting.source_id,
            tied_with=ingested_ties,
        )
    if by_capture and by_collected and by_capture.key != by_collected.key:
        notes.append(
            f"earliest by capture time ({by_capture.key}) and by collection "
            f"({by_collected.key}) are different items"
        )
    return EarliestAppearance(
        by_capture_time=by_capture,
        by_collected_at=by_collected,
        by_ingested_at=by_ingested,
        capture_order=tuple(key for _, key, _ in captures),
        collected_order=tuple(key for _, key, _ in collected),
        notes=tuple(notes),
    )
