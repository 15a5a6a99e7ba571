"""Near-duplicates and earliest appearance: pure functions, on real corpus hashes."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from evidencelab.extract import hamming_distance
from evidencelab.extract.pdq import pdq_hash_image
from evidencelab.verify.duplicates import (
    CAPTURE_LABEL,
    AppearanceRecord,
    HashedItem,
    HashIndex,
    Sighting,
    cluster_items,
    connected_components,
    distance_matrix,
    earliest_appearance,
    hamming_to_many,
    match_items,
    match_query,
    near_duplicate_pairs,
    pack_hashes,
    pairs_between,
)

PDQ = Path(__file__).parent / "corpus" / "pdq-threatexchange"
SAMPLE_B = "python-threatexchange/threatexchange/tests/hashing/resources/sample-b.jpg"
VPDQ = PDQ / "vpdq" / "sample-hashes"


def published_hashes() -> dict[str, str]:
    """Image path -> upstream's published hash (python implementations, no preprocessing)."""
    found: dict[str, str] = {}
    with open(PDQ / "expected_pdq_hashes.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["implementation"].startswith("python-") and "preprocess" not in row["note"]:
                found.setdefault(row["image"], row["pdq_hex"])
    return found


def measured_quality(image: str) -> int:
    """Quality by hashing the copied file (the CSV leaves many qualities blank)."""
    return pdq_hash_image(Image.open(PDQ / image)).quality


def random_hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


def flip_bits(hex_hash: str, count: int, rng: random.Random) -> str:
    value = int(hex_hash, 16)
    for bit in rng.sample(range(256), count):
        value ^= 1 << bit
    return f"{value:064x}"


# --- exactness --------------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 60), radius=st.integers(0, 256))
def test_pairs_equal_a_brute_force_python_loop(seed: int, n: int, radius: int) -> None:
    rng = random.Random(seed)
    base = [random_hex(rng) for _ in range(max(1, n // 4))]
    # Near copies of a few bases, so that there are pairs at every distance scale.
    hashes = [flip_bits(rng.choice(base), rng.randint(0, 64), rng) for _ in range(n)]
    qualities = [rng.choice([100, 100, 49, 50, 0]) for _ in range(n)]
    expected = sorted(
        (i, j, hamming_distance(hashes[i], hashes[j]))
        for i in range(n)
        for j in range(i + 1, n)
        if qualities[i] >= 50
        and qualities[j] >= 50
        and hamming_distance(hashes[i], hashes[j]) <= radius
    )
    assert near_duplicate_pairs(hashes, qualities, radius=radius) == expected


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 300))
def test_one_against_many_is_exact(seed: int, n: int) -> None:
    rng = random.Random(seed)
    query = random_hex(rng)
    corpus = [flip_bits(query, rng.randint(0, 256), rng) for _ in range(n)]
    expected = [hamming_distance(query, h) for h in corpus]
    packed_query = pack_hashes([query])
    assert hamming_to_many(packed_query, pack_hashes(corpus)).tolist() == expected
    index = HashIndex.from_hex(corpus)
    hits, distances = index.within(packed_query, 31)
    assert sorted(hits.tolist()) == [k for k, d in enumerate(expected) if d <= 31]
    assert list(distances) == sorted(d for d in expected if d <= 31)


def test_blocked_scans_cover_every_block(monkeypatch: pytest.MonkeyPatch) -> None:
    import evidencelab.verify.duplicates as duplicates

    monkeypatch.setattr(duplicates, "BLOCK_CELLS", 7)  # force many small, uneven blocks
    rng = random.Random(3)
    hashes = [random_hex(rng) for _ in range(23)]
    full = distance_matrix(pack_hashes(hashes), pack_hashes(hashes))
    between = pairs_between(pack_hashes(hashes), pack_hashes(hashes), radius=256)
    assert len(between) == 23 * 23
    assert (full[between.first, between.second] == between.distance).all()
    all_pairs = near_duplicate_pairs(hashes, [100] * 23, radius=256)
    assert len(all_pairs) == 23 * 22 // 2
    assert all(full[i, j] == d for i, j, d in all_pairs)


def test_bad_hash_text_is_refused() -> None:
    with pytest.raises(ValueError, match="64 hex"):
        pack_hashes(["abc"])
    with pytest.raises(ValueError, match="hexadecimal"):
        pack_hashes(["zz" * 32])


# --- real corpus hashes ----------------------------------------------------------------------


def test_published_bridge_edits_cluster_with_sample_b_and_labelme_do_not() -> None:
    published = published_hashes()
    images = [SAMPLE_B]
    images += sorted(p for p in published if "/bridge-mods/" in p)
    images += sorted(p for p in published if "/labelme-subset/" in p)
    hashes = [published[p] for p in images]
    # Qualities measured on the copied files where present; bridge-mods rows publish 100.
    qualities = [measured_quality(p) if (PDQ / p).exists() else 100 for p in images]
    pairs = near_duplicate_pairs(hashes, qualities)
    items = [HashedItem(p, (h,), (q,)) for p, h, q in zip(images, hashes, qualities, strict=True)]
    clusters = cluster_items(items, match_items(items))

    bridge = {p for p in images if "/bridge-mods/" in p} | {SAMPLE_B}
    assert len(clusters) == 1
    assert set(clusters[0].members) == bridge
    to_sample_b = [hamming_distance(published[SAMPLE_B], published[p]) for p in bridge - {SAMPLE_B}]
    assert (min(to_sample_b), max(to_sample_b)) == (4, 18)  # measured; radius is 31
    assert clusters[0].diameter_bits <= 31  # a tight cluster, not a chain
    labelme = [p for p in images if "/labelme-subset/" in p]
    nearest_negative = min(hamming_distance(published[SAMPLE_B], published[p]) for p in labelme)
    assert nearest_negative == 112  # q0291
    assert all(images[i] in bridge and images[j] in bridge for i, j, _ in pairs)


def test_copied_images_hashed_here_match_the_same_way() -> None:
    files = [*sorted((PDQ / "pdq" / "data").rglob("*.jpg")), PDQ / SAMPLE_B]
    hashed = {f: pdq_hash_image(Image.open(f)) for f in files}
    items = [HashedItem(f.name, (h.hash_hex,), (h.quality,)) for f, h in hashed.items()]
    [cluster] = cluster_items(items, match_items(items))
    expected = {f.name for f in files if "bridge-mods" in str(f)} | {"sample-b.jpg"}
    assert set(cluster.members) == expected
    # q0003 and q0004 (quality 3 and 4) and small.jpg (quality 0) are never compared.
    low = [f.name for f, h in hashed.items() if h.quality < 50]
    assert sorted(low) == ["q0003.jpg", "q0004.jpg", "small.jpg"]


def test_low_quality_hashes_never_match_even_when_identical() -> None:
    same = "f" * 64
    assert near_duplicate_pairs([same, same], [49, 100]) == []
    assert near_duplicate_pairs([same, same], [50, 50]) == [(0, 1, 0)]


# --- video ---------------------------------------------------------------------------------


def read_vpdq(name: str) -> HashedItem:
    """A vPDQ sample file (frame, quality, hash, seconds) as one video item."""
    lines = (VPDQ / f"{name}.txt").read_text().split()
    rows = [line.split(",") for line in lines]
    return HashedItem(
        name,
        tuple(r[2] for r in rows),
        tuple(int(r[1]) for r in rows),
        is_video=True,
        frame_times_s=tuple(float(r[3]) for r in rows),
    )


def test_video_rule_on_synthetic_frames() -> None:
    rng = random.Random(7)
    scenes = [random_hex(rng) for _ in range(10)]
    long_video = HashedItem("long", tuple(scenes), (100,) * 10, is_video=True)
    clip = HashedItem(  # re-encoded copy of 3 of the 10 scenes
        "clip", tuple(flip_bits(s, 8, rng) for s in scenes[:3]), (100,) * 3, is_video=True
    )
    partial = HashedItem(  # 1 of 4 frames from the long video: 25 % both ways
        "partial",
        (flip_bits(scenes[5], 6, rng), *(random_hex(rng) for _ in range(3))),
        (100,) * 4,
        is_video=True,
    )
    still = HashedItem("still", (flip_bits(scenes[7], 12, rng),), (100,))
    matches = {(m.a, m.b): m for m in match_items([long_video, clip, partial, still])}
    assert set(matches) == {("long", "clip"), ("long", "still")}
    clip_match = matches[("long", "clip")]
    assert (clip_match.fraction_a_matched, clip_match.fraction_b_matched) == (0.3, 1.0)
    assert clip_match.distance_bits == 8
    still_match = matches[("long", "still")]
    assert (still_match.fraction_a_matched, still_match.fraction_b_matched) == (0.1, 1.0)
    assert still_match.a_hash == 7  # the frame the image matched
    # With a lower share required, 'partial' (25 % each way) joins.
    loose = match_items([long_video, partial], min_frame_fraction=0.25)
    assert [(m.a, m.b) for m in loose] == [("long", "partial")]


def test_low_quality_and_repeated_frames_do_not_count() -> None:
    rng = random.Random(11)
    scene = random_hex(rng)
    # Four identical frames and one dark (quality 10) frame: one usable frame.
    video = HashedItem("v", (scene,) * 4 + (random_hex(rng),), (100,) * 4 + (10,), is_video=True)
    assert video.usable() == [0]
    other = HashedItem("w", (flip_bits(scene, 3, rng), random_hex(rng)), (100, 100), True)
    [match] = match_items([video, other])
    assert (match.fraction_a_matched, match.fraction_b_matched) == (1.0, 0.5)


def test_real_vpdq_hashes_subsampled_video_matches_and_other_video_does_not() -> None:
    doorknob = read_vpdq("doorknob-hd-no-bar")
    padded = read_vpdq("test-padded-dimensions")
    every_second = HashedItem(  # one frame a second, as our extractor samples
        "doorknob-1fps",
        doorknob.hashes[::30],
        doorknob.qualities[::30],
        is_video=True,
        frame_times_s=doorknob.frame_times_s[::30],
    )
    [match] = match_query(every_second, [doorknob, padded])
    assert match.b == "doorknob-hd-no-bar"
    assert match.fraction_a_matched == 1.0
    assert match.distance_bits == 0
    assert match_items([doorknob, padded]) == []


# --- clusters ------------------------------------------------------------------------------


def test_single_linkage_chain_reports_its_diameter() -> None:
    rng = random.Random(5)
    start = random_hex(rng)
    middle = flip_bits(start, 25, rng)
    # 'end' is 25 bits from 'middle' in bits not flipped before: 50 bits from 'start'.
    flipped = int(start, 16) ^ int(middle, 16)
    free = [b for b in range(256) if not (flipped >> b) & 1]
    end_value = int(middle, 16)
    for bit in rng.sample(free, 25):
        end_value ^= 1 << bit
    end = f"{end_value:064x}"
    items = [HashedItem(k, (h,), (100,)) for k, h in [("a", start), ("b", middle), ("c", end)]]
    matches = match_items(items)
    assert [(m.a, m.b) for m in matches] == [("a", "b"), ("b", "c")]
    [cluster] = cluster_items(items, matches)
    assert cluster.members == ("a", "b", "c")
    assert cluster.diameter_bits == 50
    assert cluster.is_chained()


def test_connected_components_include_singletons() -> None:
    assert connected_components(5, [(0, 3), (3, 4)]) == [[0, 3, 4], [1], [2]]


# --- earliest appearance -------------------------------------------------------------------


def test_earliest_is_by_instant_not_by_text_and_each_criterion_apart() -> None:
    records = [
        AppearanceRecord(
            "repost",
            captured_at="2022-02-24T10:00:00+02:00",  # 08:00Z
            sightings=(Sighting("2022-02-24T14:30:00Z", "https://example.org/b", "channel-b"),),
        ),
        AppearanceRecord(
            "older",
            captured_at="2021-06-01T09:00:00+03:00",
            sightings=(
                Sighting("2022-02-25T08:00:00+02:00", "https://example.org/late", "x"),
                # 13:00Z: earlier than 14:30Z although its text sorts later
                Sighting("2022-02-24T15:00:00+02:00", "https://example.org/a", "channel-a"),
            ),
        ),
    ]
    earliest = earliest_appearance(records)
    assert earliest.by_capture_time is not None
    assert earliest.by_capture_time.key == "older"
    assert earliest.by_capture_time.label == CAPTURE_LABEL
    assert earliest.by_collected_at is not None
    assert earliest.by_collected_at.key == "older"
    assert earliest.by_collected_at.url == "https://example.org/a"
    assert earliest.by_collected_at.source_id == "channel-a"
    assert earliest.collected_order == ("older", "repost")


def test_naive_capture_times_are_compared_only_when_all_are_naive() -> None:
    mixed = [
        AppearanceRecord("aware", captured_at="2022-02-24T10:00:00+02:00"),
        AppearanceRecord("naive-old", captured_at="2020-01-01T12:00:00"),
        AppearanceRecord("naive-close", captured_at="2022-02-24T18:00:00"),
    ]
    earliest = earliest_appearance(mixed)
    assert earliest.by_capture_time is not None
    assert earliest.by_capture_time.key == "aware"  # naive ones are set aside...
    assert earliest.capture_order == ("aware",)
    notes = " | ".join(earliest.notes)
    assert "without a UTC offset not compared" in notes  # ...and flagged
    assert "naive-old" in notes and "naive-close" in notes
    # 18:00 wall clock is 04:00Z at UTC+14, before 08:00Z: it could be earlier.
    [could] = [n for n in earliest.notes if "could be earlier" in n]
    assert "naive-close" in could and "naive-old" in could

    all_naive = [
        AppearanceRecord("b", captured_at="2022-02-24T18:00:00"),
        AppearanceRecord("a", captured_at="2022-02-24T09:00:00"),
    ]
    earliest = earliest_appearance(all_naive)
    assert earliest.by_capture_time is not None
    assert earliest.by_capture_time.key == "a"
    assert earliest.capture_order == ("a", "b")
    assert any("wall-clock" in n for n in earliest.notes)


def test_missing_and_differing_criteria_are_said() -> None:
    records = [
        AppearanceRecord("x", captured_at="2022-01-01T00:00:00Z"),
        AppearanceRecord("y", sightings=(Sighting("2022-03-01T00:00:00Z"),)),
    ]
    earliest = earliest_appearance(records)
    assert earliest.by_capture_time is not None and earliest.by_capture_time.key == "x"
    assert earliest.by_collected_at is not None and earliest.by_collected_at.key == "y"
    assert any("no collection time" in n and "x" in n for n in earliest.notes)
    assert any("different items" in n for n in earliest.notes)
    assert earliest_appearance([AppearanceRecord("z")]).by_capture_time is None


def test_ties_are_reported() -> None:
    records = [
        AppearanceRecord("a", sightings=(Sighting("2022-02-24T12:00:00+02:00"),)),
        AppearanceRecord("b", sightings=(Sighting("2022-02-24T10:00:00Z"),)),
    ]
    earliest = earliest_appearance(records)
    assert earliest.by_collected_at is not None
    assert earliest.by_collected_at.key == "a"
    assert earliest.by_collected_at.tied_with == ("b",)


def test_distance_matrix_shape_and_values() -> None:
    rng = random.Random(1)
    a = [random_hex(rng) for _ in range(3)]
    b = [random_hex(rng) for _ in range(5)]
    matrix = distance_matrix(pack_hashes(a), pack_hashes(b))
    assert matrix.shape == (3, 5)
    assert matrix.dtype == np.uint16
    assert matrix.tolist() == [[hamming_distance(x, y) for y in b] for x in a]
