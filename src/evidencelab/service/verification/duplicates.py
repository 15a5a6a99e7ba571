"""Near-duplicates in a case and the earliest appearance of each group, as plain records.

Read-only: reads perceptual hashes, metadata and acquisitions; records nothing. The method
and its thresholds are in ``evidencelab.verify.duplicates`` and ``docs/duplicates.md``.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from evidencelab.locker.case import Case, CaseError
from evidencelab.service.evidence.items import find_evidence
from evidencelab.service.verification import records
from evidencelab.service.verification.records import (
    ClusterMember,
    DuplicateCluster,
    DuplicateItem,
    DuplicateMatch,
    EarliestMember,
    SimilarItem,
)
from evidencelab.store.tables import EvidenceItem
from evidencelab.verify.duplicates import (
    MATCH_RADIUS_BITS,
    MIN_FRAME_FRACTION,
    MIN_QUALITY,
    AppearanceRecord,
    Earliest,
    EarliestAppearance,
    HashedItem,
    ItemMatch,
    Sighting,
    cluster_items,
    earliest_appearance,
    earliest_sighting,
    item_distance,
    match_items,
    match_query,
)

SHA256_PREFIX = 12
IMAGE_ALGORITHM = "pdq"
FRAME_ALGORITHM = "pdq-frame"


def _load_items(session: Session, *, sensitive: bool = True) -> list[EvidenceItem]:
    """Items with perceptual hashes; sensitive ones only when ``sensitive``."""
    query = (
        select(EvidenceItem)
        .options(
            selectinload(EvidenceItem.perceptual_hashes),
            selectinload(EvidenceItem.acquisitions),
        )
        .order_by(EvidenceItem.first_ingested_at, EvidenceItem.id)
    )
    if not sensitive:
        query = query.where(EvidenceItem.sensitive.is_(False))
    return [item for item in session.scalars(query) if item.perceptual_hashes]


def _hashed(item: EvidenceItem) -> HashedItem:
    rows = [r for r in item.perceptual_hashes if r.algorithm in (IMAGE_ALGORITHM, FRAME_ALGORITHM)]
    return HashedItem(
        key=item.id,
        hashes=tuple(r.hash_hex for r in rows),
        qualities=tuple(r.quality for r in rows),
        is_video=any(r.algorithm == FRAME_ALGORITHM for r in rows),
        frame_times_s=tuple(r.frame_time_s for r in rows),
    )


def _appearance(item: EvidenceItem) -> AppearanceRecord:
    return AppearanceRecord(
        key=item.id,
        captured_at=item.metadata_normalised.get("captured_at"),
        sightings=tuple(
            Sighting(
                collected_at=a.collected_at,
                url=a.url,
                source_id=a.source_id,
                ingested_at=a.ingested_at,
            )
            for a in item.acquisitions
        ),
    )


def _member(item: EvidenceItem, hashed: HashedItem) -> DuplicateItem:
    meta = item.metadata_normalised
    first_seen = earliest_sighting(_appearance(item).sightings)
    return {
        "evidence_id": item.id,
        "sha256": item.sha256,
        "sha256_prefix": item.sha256[:SHA256_PREFIX],
        "original_name": item.original_name,
        "kind": "video" if hashed.is_video else "image",
        "captured_at": meta.get("captured_at"),
        "captured_at_naive": meta.get("captured_at_naive"),
        "captured_at_note": "claimed by the file's metadata; can be edited",
        "collected_at": first_seen.collected_at if first_seen else None,
        "collected_url": first_seen.url if first_seen else None,
        "collected_source": first_seen.source_id if first_seen else None,
    }


def _earliest_record(earliest: Earliest | None) -> EarliestMember | None:
    if earliest is None:
        return None
    return {
        "evidence_id": earliest.key,
        "time": earliest.time,
        "label": earliest.label,
        "url": earliest.url,
        "source": earliest.source_id,
        "tied_with": list(earliest.tied_with),
    }


def _reference(earliest: EarliestAppearance, members: tuple[str, ...]) -> tuple[str, str]:
    """The member that distances are measured from, and which criterion chose it.

    Collection time is preferred because our collector witnessed it; a capture time is a
    claim of the file. The basis is always reported, so nothing is merged silently.
    """
    if earliest.by_collected_at is not None:
        return earliest.by_collected_at.key, "earliest collected_at"
    if earliest.by_capture_time is not None:
        return earliest.by_capture_time.key, "earliest capture time (claimed by metadata)"
    if earliest.by_ingested_at is not None:
        return earliest.by_ingested_at.key, "earliest ingest into this case"
    return members[0], "first member (no times known)"


def _match_record(match: ItemMatch, by_key: dict[str, HashedItem]) -> DuplicateMatch:
    return {
        "a": match.a,
        "b": match.b,
        "distance_bits": match.distance_bits,
        "a_frame_time_s": by_key[match.a].frame_time(match.a_hash),
        "b_frame_time_s": by_key[match.b].frame_time(match.b_hash),
        "fraction_a_matched": round(match.fraction_a_matched, 4),
        "fraction_b_matched": round(match.fraction_b_matched, 4),
    }


def _earliest_summary(earliest: EarliestAppearance) -> records.EarliestAppearance:
    return {
        "capture_time": _earliest_record(earliest.by_capture_time),
        "collected_at": _earliest_record(earliest.by_collected_at),
        "ingested_at": _earliest_record(earliest.by_ingested_at),
        "capture_order": list(earliest.capture_order),
        "collected_order": list(earliest.collected_order),
        "notes": list(earliest.notes),
    }


def find_near_duplicates(
    case: Case,
    *,
    radius: int = MATCH_RADIUS_BITS,
    min_quality: int = MIN_QUALITY,
    min_frame_fraction: float = MIN_FRAME_FRACTION,
    sensitive: bool = True,
) -> list[DuplicateCluster]:
    """Clusters of near-duplicate items in the case, largest first (without ``sensitive``,
    as if the sensitive items were not in the case: for a role that may not see them).

    Each cluster lists its members (id, SHA-256, kind, distance in bits to the reference
    member, claimed capture time, earliest collection with its URL and source), the direct
    matches that join them, its diameter (a diameter above the radius means single linkage
    chained dissimilar ends together), and its earliest member by each criterion.
    """
    with case.sessions() as session:
        rows = _load_items(session, sensitive=sensitive)
        hashed = [_hashed(row) for row in rows]
        by_key = {h.key: h for h in hashed}
        row_by_key = {row.id: row for row in rows}
        matches = match_items(hashed, radius, min_quality, min_frame_fraction)
        clusters = cluster_items(hashed, matches, min_quality)
        result: list[DuplicateCluster] = []
        for number, cluster in enumerate(clusters, start=1):
            earliest = earliest_appearance([_appearance(row_by_key[k]) for k in cluster.members])
            reference, basis = _reference(earliest, cluster.members)
            members: list[ClusterMember] = [
                {
                    **_member(row_by_key[key], by_key[key]),
                    "distance_to_reference_bits": item_distance(
                        by_key[reference], by_key[key], min_quality
                    ),
                }
                for key in cluster.members
            ]
            result.append(
                {
                    "cluster": number,
                    "size": len(cluster.members),
                    "radius_bits": radius,
                    "diameter_bits": cluster.diameter_bits,
                    "chained": cluster.is_chained(radius),
                    "reference": {"evidence_id": reference, "basis": basis},
                    "earliest": _earliest_summary(earliest),
                    "members": members,
                    "matches": [_match_record(m, by_key) for m in cluster.matches],
                }
            )
        return result


def similar_to(
    case: Case,
    evidence_id: str,
    *,
    radius: int = MATCH_RADIUS_BITS,
    min_quality: int = MIN_QUALITY,
    min_frame_fraction: float = MIN_FRAME_FRACTION,
) -> list[SimilarItem]:
    """Items that match one item directly (no chaining), nearest first.

    ``evidence_id`` may also be a SHA-256 prefix of at least six hex digits. Each result
    is a member record with ``distance_bits``, the matched frame shares both ways, and
    the frame times (seconds) of the closest pair when videos are involved.
    """
    with case.sessions() as session:
        target = find_evidence(session, evidence_id)
        rows = _load_items(session)
        query = _hashed(target)
        if not query.usable(min_quality):
            raise CaseError(
                f"evidence {target.id}: no perceptual hash of quality ≥ {min_quality} to compare"
            )
        others = [_hashed(row) for row in rows if row.id != target.id]
        by_key = {h.key: h for h in [query, *others]}
        row_by_key = {row.id: row for row in rows}
        found: list[SimilarItem] = []
        for match in match_query(query, others, radius, min_quality, min_frame_fraction):
            details = _match_record(match, by_key)
            found.append(
                {
                    **_member(row_by_key[match.b], by_key[match.b]),
                    "distance_bits": match.distance_bits,
                    "query_frame_time_s": details["a_frame_time_s"],
                    "frame_time_s": details["b_frame_time_s"],
                    "fraction_query_matched": details["fraction_a_matched"],
                    "fraction_matched": details["fraction_b_matched"],
                }
            )
        return found
