"""Near-duplicates in a real case: corpus images and a video ingested through the locker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import pytest
from sqlalchemy import func, select

from evidencelab.locker.case import Case, CaseError, init_case
from evidencelab.locker.ingest import IngestRequest, ingest
from evidencelab.service.evidence.sources import add_source
from evidencelab.service.verification.duplicates import find_near_duplicates, similar_to
from evidencelab.store.tables import CustodyEvent

PDQ = Path(__file__).parent / "corpus" / "pdq-threatexchange"
SAMPLE_B = next(PDQ.rglob("sample-b.jpg"))
SHRINK = PDQ / "pdq" / "data" / "bridge-mods" / "shrink-a-lot.jpg"
SQUARE = PDQ / "pdq" / "data" / "bridge-mods" / "square-256x256.jpg"
LABELME = PDQ / "pdq" / "data" / "reg-test-input" / "labelme-subset" / "q0291.jpg"
DARK = PDQ / "pdq" / "data" / "reg-test-input" / "labelme-subset" / "q0003.jpg"  # quality 3
VIDEO = PDQ / "tmk" / "sample-videos" / "doorknob-hd-no-bar.mp4"


def still_from_video(video: Path, seconds: float, out: Path) -> Path:
    """A JPEG screenshot of one frame, as someone might repost a still from a video."""
    with av.open(str(video)) as container:
        for frame in container.decode(video=0):
            if frame.time is not None and frame.time >= seconds:
                frame.to_image().save(out, quality=85)
                return out
    raise AssertionError("video too short")


@pytest.fixture
def populated(tmp_path: Path) -> tuple[Case, dict[str, str]]:
    case = init_case(tmp_path / "case")
    for channel in ("channel-a", "channel-b", "channel-c"):
        add_source(case, {"id": channel, "kind": "social_media"})
    # Sampled frames at 0, 1, 2, 3 s have quality 100, 68, 0, 24: take the still at 1 s.
    still = still_from_video(VIDEO, 1.0, tmp_path / "doorknob-still.jpg")
    requests = [
        # 15:00+02:00 is 13:00Z: earlier than 14:30Z although its text sorts later.
        IngestRequest(
            path=SAMPLE_B,
            url="https://example.org/post/1",
            source_id="channel-a",
            collected_at="2022-02-24T15:00:00+02:00",
        ),
        IngestRequest(
            path=SHRINK,
            url="https://example.org/post/2",
            source_id="channel-b",
            collected_at="2022-02-24T14:30:00Z",
        ),
        IngestRequest(path=SQUARE, collected_at="2022-02-25T09:00:00+03:00"),
        IngestRequest(path=LABELME, collected_at="2022-02-20T09:00:00Z"),
        IngestRequest(path=DARK, collected_at="2022-02-20T09:00:00Z"),
        IngestRequest(path=VIDEO, url="https://example.org/video", source_id="channel-c"),
        IngestRequest(path=still, collected_at="2022-02-26T00:00:00-05:00"),
    ]
    outcomes = ingest(case, requests, workers=1)
    ids = {o.path.name: o.evidence_id or "" for o in outcomes}
    assert all(o.status == "new" for o in outcomes)
    return case, ids


def cluster_of(clusters: list[dict[str, Any]], evidence_id: str) -> dict[str, Any]:
    [found] = [c for c in clusters if evidence_id in {m["evidence_id"] for m in c["members"]}]
    return found


def test_clusters_group_bridge_edits_and_video_still(
    populated: tuple[Case, dict[str, str]],
) -> None:
    case, ids = populated
    with case.sessions() as session:
        events_before = session.scalar(select(func.count()).select_from(CustodyEvent))
    clusters = find_near_duplicates(case)

    member_sets = [{m["evidence_id"] for m in c["members"]} for c in clusters]
    bridge = {ids["sample-b.jpg"], ids["shrink-a-lot.jpg"], ids["square-256x256.jpg"]}
    video = {ids["doorknob-hd-no-bar.mp4"], ids["doorknob-still.jpg"]}
    assert sorted(member_sets, key=len, reverse=True) == [bridge, video]
    assert all(ids[name] not in set().union(*member_sets) for name in ("q0291.jpg", "q0003.jpg"))

    photos = cluster_of(clusters, ids["sample-b.jpg"])
    assert photos["size"] == 3
    assert photos["chained"] is False
    assert photos["diameter_bits"] <= 31
    # Earliest collection by instant: sample-b (13:00Z) before shrink-a-lot (14:30Z).
    collected = photos["earliest"]["collected_at"]
    assert collected["evidence_id"] == ids["sample-b.jpg"]
    assert collected["time"] == "2022-02-24T15:00:00+02:00"
    assert collected["url"] == "https://example.org/post/1"
    assert collected["source"] == "channel-a"
    assert photos["earliest"]["collected_order"] == [
        ids["sample-b.jpg"],
        ids["shrink-a-lot.jpg"],
        ids["square-256x256.jpg"],
    ]
    assert photos["reference"] == {
        "evidence_id": ids["sample-b.jpg"],
        "basis": "earliest collected_at",
    }
    by_id = {m["evidence_id"]: m for m in photos["members"]}
    assert by_id[ids["sample-b.jpg"]]["distance_to_reference_bits"] == 0
    assert by_id[ids["shrink-a-lot.jpg"]]["distance_to_reference_bits"] == 16
    assert by_id[ids["square-256x256.jpg"]]["distance_to_reference_bits"] == 12
    sample = by_id[ids["sample-b.jpg"]]
    assert sample["sha256"].startswith(sample["sha256_prefix"])
    assert sample["kind"] == "image"
    assert sample["original_name"] == "sample-b.jpg"

    clip = cluster_of(clusters, ids["doorknob-still.jpg"])
    kinds = {m["evidence_id"]: m["kind"] for m in clip["members"]}
    assert kinds[ids["doorknob-hd-no-bar.mp4"]] == "video"
    [match] = clip["matches"]
    frame_time = match["a_frame_time_s"] if match["a"] == ids["doorknob-hd-no-bar.mp4"] else None
    assert frame_time == 1.0  # the still was taken at 1 s
    # The video has no collection time: the still's is the only one, and that is said.
    assert clip["earliest"]["collected_at"]["evidence_id"] == ids["doorknob-still.jpg"]
    assert any("no collection time" in note for note in clip["earliest"]["notes"])

    with case.sessions() as session:  # read-only: nothing was recorded
        assert session.scalar(select(func.count()).select_from(CustodyEvent)) == events_before
    case.close()


def test_similar_to_lists_direct_matches_nearest_first(
    populated: tuple[Case, dict[str, str]],
) -> None:
    case, ids = populated
    found = similar_to(case, ids["sample-b.jpg"])
    assert [f["evidence_id"] for f in found] == [ids["square-256x256.jpg"], ids["shrink-a-lot.jpg"]]
    assert [f["distance_bits"] for f in found] == [12, 16]
    assert similar_to(case, ids["q0291.jpg"]) == []
    from_still = similar_to(case, ids["doorknob-still.jpg"])
    assert [f["evidence_id"] for f in from_still] == [ids["doorknob-hd-no-bar.mp4"]]
    assert from_still[0]["frame_time_s"] == 1.0
    with pytest.raises(CaseError, match="quality"):
        similar_to(case, ids["q0003.jpg"])
    case.close()
