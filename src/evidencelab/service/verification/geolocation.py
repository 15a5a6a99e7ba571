"""Geolocation records: where an item was taken or an incident happened, how that was found,
and who reviewed it; the incident place derived from the reviewed ones.

Each geolocation and each review is a row recorded by a custody event in the same
transaction. A geolocation's event carries the SHA-256 of its canonical JSON (the payload
holds no floats); a review's event carries the review's fields. Reviews are kept as
history; the latest is the current state. Nobody may review their own geolocation.

The incident place is derived from the reviewed geolocations (of the incident and of its
linked evidence) by `verify.geolocation.derive_place`, and a place is not written while any
disagreement (`verify.geolocation.disagreements`) stands.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from evidencelab.locker.case import Case, CaseError
from evidencelab.locker.custody import canonical_digest, event_payload
from evidencelab.locker.errors import InputError
from evidencelab.locker.inputs import coordinate, distance, text
from evidencelab.service.evidence.items import find_evidence
from evidencelab.service.evidence.status import moment_text
from evidencelab.service.verification.records import (
    DerivedPlace,
    GeolocationContent,
    GeolocationFileRecord,
    GeolocationFileReview,
    GeolocationRecord,
    GeolocationReviewRecord,
    PlaceApplied,
    PlaceFromGeolocations,
    PlaceUnchanged,
    ProposedGeolocation,
    RecordedGeolocation,
)
from evidencelab.store.tables import CustodyEvent, Incident, IncidentEvidence
from evidencelab.store.tables.verification import Geolocation, GeolocationReview
from evidencelab.verify.geolocation import (
    derive_place,
    disagreements,
    local_and_utc,
    metadata_geolocation,
)
from evidencelab.verify.timezones import timezone_at

#: How a geolocation was established.
METHODS: Final = ("metadata_gps", "satellite_landmark", "street_level", "witness", "other")
#: Review states of a geolocation; the latest review wins.
REVIEW_STATES: Final = ("unreviewed", "reviewed", "disputed")
GEOLOCATION_ACTION: Final = "geolocation"
REVIEW_ACTION: Final = "geolocation_review"
PLACE_ACTION: Final = "incident_place"
#: Fields of an incident place that describe its point, superseded by a derived point.
PLACE_POINT_KEYS: Final = ("lat", "lon", "precision_m", "notes")

UNREVIEWED: Final[GeolocationReviewRecord] = {
    "state": "unreviewed",
    "by": None,
    "at": None,
    "comment": None,
}


def _float(value: Any, field: str) -> float:
    """A number given by a person or a file, as float; an error naming ``field`` otherwise."""
    if isinstance(value, bool):
        raise InputError(field, repr(value), "not a number")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InputError(field, repr(value), "not a number") from None


def _subject(
    session: Session, evidence_id: str | None, incident_id: str | None
) -> tuple[str | None, str | None]:
    """(evidence id, incident id) with exactly one set, checked to exist."""
    if (evidence_id is None) == (incident_id is None):
        raise CaseError("geolocation: give exactly one of an evidence item or an incident")
    if evidence_id is not None:
        return find_evidence(session, evidence_id).id, None
    if session.get(Incident, incident_id) is None:
        raise CaseError(f"incident {incident_id}: no such incident")
    return None, incident_id


def _content(row: Geolocation) -> GeolocationContent:
    """What a geolocation's custody event vouches for (everything but its id and event)."""
    return {
        "evidence": row.evidence_id,
        "incident": row.incident_id,
        "lat": row.lat,
        "lon": row.lon,
        "precision_m": row.precision_m,
        "method": row.method,
        "reference": row.reference,
        "reasoning": row.reasoning,
        "author": row.author,
        "created_at": row.created_at,
    }


def _review_record(row: GeolocationReview) -> GeolocationReviewRecord:
    return {"state": row.state, "by": row.reviewer, "at": row.reviewed_at, "comment": row.comment}


def _record(row: Geolocation, reviews: Sequence[GeolocationReview]) -> GeolocationRecord:
    return {
        "id": row.id,
        **_content(row),
        "review": _review_record(reviews[-1]) if reviews else UNREVIEWED.copy(),
        "review_history": [_review_record(r) for r in reviews],
        "custody_event": row.custody_seq,
    }


def insert_geolocation(
    case: Case,
    session: Session,
    *,
    evidence_id: str | None = None,
    incident_id: str | None = None,
    lat: float,
    lon: float,
    precision_m: float,
    method: str,
    reference: str | None = None,
    reasoning: str,
    author: str | None = None,
    created_at: str | datetime | None = None,
) -> GeolocationRecord:
    """Record a geolocation inside the caller's transaction (no commit); its GEOLOCATION dict.

    ``author`` defaults to ``case.actor`` and ``created_at`` to now; the case-file importer
    passes the file's values. Raises :class:`CaseError` before writing anything on an unknown
    method or subject, a place outside WGS 84 ranges, a non-positive precision or no reasoning.
    """
    if method not in METHODS:
        raise InputError("method", repr(method), f"not one of {', '.join(METHODS)}")
    lat, lon = coordinate(lat, "lat"), coordinate(lon, "lon")
    precision = distance(precision_m, "precision")
    reasoning = text(reasoning, "reasoning", required=True) or ""
    reference = text(reference, "reference")
    created = moment_text(created_at, what="geolocation time")
    evidence, incident = _subject(session, evidence_id, incident_id)
    row = Geolocation(
        evidence_id=evidence,
        incident_id=incident,
        lat=lat,
        lon=lon,
        precision_m=precision,
        method=method,
        reference=reference,
        reasoning=reasoning,
        author=author or case.actor,
        created_at=created,
    )
    payload = {"evidence": evidence, "incident": incident, "method": method}
    event = case.record(
        session,
        GEOLOCATION_ACTION,
        evidence or incident,
        {**payload, "sha256": canonical_digest(_content(row))},
    )
    row.custody_seq = event.seq
    session.add(row)
    session.flush()
    return _record(row, [])


def add_geolocation(
    case: Case,
    *,
    evidence_id: str | None = None,
    incident_id: str | None = None,
    lat: float,
    lon: float,
    precision_m: float,
    method: str,
    reference: str | None = None,
    reasoning: str,
    author: str | None = None,
) -> GeolocationRecord:
    """Record a geolocation of an evidence item or an incident, now, as one transaction."""
    with case.transaction() as session:
        return insert_geolocation(
            case,
            session,
            evidence_id=evidence_id,
            incident_id=incident_id,
            lat=lat,
            lon=lon,
            precision_m=precision_m,
            method=method,
            reference=reference,
            reasoning=reasoning,
            author=author,
        )


def _reviews(session: Session, geolocation_id: int) -> list[GeolocationReview]:
    query = select(GeolocationReview).where(GeolocationReview.geolocation_id == geolocation_id)
    return list(session.scalars(query.order_by(GeolocationReview.id)))


def _geolocation(session: Session, geolocation_id: int | str) -> Geolocation:
    try:
        key = int(geolocation_id)
    except ValueError:
        raise CaseError(f"geolocation {geolocation_id}: not a geolocation number") from None
    row = session.get(Geolocation, key)
    if row is None:
        raise CaseError(f"geolocation {geolocation_id}: no such geolocation")
    return row


def insert_geolocation_review(
    case: Case,
    session: Session,
    geolocation_id: int | str,
    *,
    state: str,
    comment: str | None = None,
    by: str | None = None,
    at: str | datetime | None = None,
) -> GeolocationRecord:
    """Record a review inside the caller's transaction (no commit); the geolocation after it.

    ``by`` defaults to ``case.actor``. The geolocation's author may not review it.
    """
    if state not in REVIEW_STATES:
        raise InputError("state", repr(state), f"not one of {', '.join(REVIEW_STATES)}")
    reviewed_at = moment_text(at, what="review time")
    row = _geolocation(session, geolocation_id)
    reviewer = by or case.actor
    if reviewer == row.author:
        raise CaseError(
            f"geolocation {row.id}: {reviewer} made it and cannot review it; "
            "another person must review it"
        )
    review = GeolocationReview(
        geolocation_id=row.id,
        state=state,
        comment=comment or None,
        reviewer=reviewer,
        reviewed_at=reviewed_at,
    )
    payload = {"geolocation": row.id, **_review_record(review)}
    event = case.record(session, REVIEW_ACTION, row.evidence_id or row.incident_id, payload)
    review.custody_seq = event.seq
    session.add(review)
    session.flush()
    return _record(row, _reviews(session, row.id))


def review_geolocation(
    case: Case, geolocation_id: int | str, state: str, comment: str | None = None
) -> GeolocationRecord:
    """Review a geolocation as ``case.actor``, now: reviewed, disputed or back to unreviewed."""
    with case.transaction() as session:
        return insert_geolocation_review(
            case, session, geolocation_id, state=state, comment=comment
        )


def _matches(row: Geolocation, geolocation: dict[str, Any]) -> bool:
    """Whether a stored row is this case-file GEOLOCATION (author and time when it has them)."""
    given = {
        "lat": _float(geolocation["lat"], "lat"),
        "lon": _float(geolocation["lon"], "lon"),
        "precision_m": _float(geolocation["precision_m"], "precision"),
        "method": geolocation["method"],
        "reference": geolocation.get("reference") or None,
        "reasoning": (geolocation.get("reasoning") or "").strip(),
        "author": geolocation.get("author"),
        "created_at": geolocation.get("created_at"),
    }
    if isinstance(given["created_at"], datetime):
        given["created_at"] = given["created_at"].isoformat()
    stored = _content(row)
    return all(
        (value is None and key in ("author", "created_at")) or stored.get(key) == value
        for key, value in given.items()
    )


def import_geolocation(
    case: Case,
    session: Session,
    geolocation: dict[str, Any],
    *,
    evidence_id: str | None = None,
    incident_id: str | None = None,
) -> GeolocationRecord:
    """Record a case file's GEOLOCATION (with its ``review``, if any) inside the caller's
    transaction; the stored GEOLOCATION dict after it.

    Importing the same file again changes nothing: a geolocation already stored is matched
    (see :func:`_matches`) rather than added, and its review is recorded only when it differs
    from the current one. An ``unreviewed`` review without a reviewer records no event.
    """
    evidence, incident = _subject(session, evidence_id, incident_id)
    existing = [
        row
        for row in _rows(session, evidence_id=evidence, incident_id=incident)
        if _matches(row, geolocation)
    ]
    if existing:
        row = existing[0]
        record = _record(row, _reviews(session, row.id))
    else:
        record = insert_geolocation(
            case,
            session,
            evidence_id=evidence,
            incident_id=incident,
            lat=geolocation["lat"],
            lon=geolocation["lon"],
            precision_m=geolocation["precision_m"],
            method=geolocation["method"],
            reference=geolocation.get("reference"),
            reasoning=geolocation.get("reasoning") or "",
            author=geolocation.get("author"),
            created_at=geolocation.get("created_at"),
        )
    review = geolocation.get("review") or {}
    if review.get("state", "unreviewed") == "unreviewed" and not review.get("by"):
        return record
    at = review.get("at")
    current = record["review"]
    wanted = {
        "state": review["state"],
        "by": review.get("by"),
        "at": at.isoformat() if isinstance(at, datetime) else at,
        "comment": review.get("comment") or None,
    }
    if all(
        (value is None and key in ("by", "at")) or current.get(key) == value
        for key, value in wanted.items()
    ):
        return record
    return insert_geolocation_review(
        case,
        session,
        record["id"],
        state=review["state"],
        comment=review.get("comment"),
        by=review.get("by"),
        at=review.get("at"),
    )


def _rows(
    session: Session,
    *,
    evidence_id: str | None = None,
    incident_id: str | None = None,
    include_linked: bool = False,
) -> list[Geolocation]:
    query = select(Geolocation).order_by(Geolocation.id)
    if evidence_id is not None:
        query = query.where(Geolocation.evidence_id == find_evidence(session, evidence_id).id)
    elif incident_id is not None:
        if session.get(Incident, incident_id) is None:
            raise CaseError(f"incident {incident_id}: no such incident")
        condition = Geolocation.incident_id == incident_id
        if include_linked:
            linked = select(IncidentEvidence.evidence_id).where(
                IncidentEvidence.incident_id == incident_id
            )
            condition = or_(condition, Geolocation.evidence_id.in_(linked))
        query = query.where(condition)
    return list(session.scalars(query))


def geolocations_for(
    case: Case,
    *,
    evidence_id: str | None = None,
    incident_id: str | None = None,
    include_linked: bool = False,
) -> list[GeolocationRecord]:
    """GEOLOCATION dicts, oldest first: of an item, of an incident (with ``include_linked``
    also those of its linked evidence), or of the whole case when neither is given."""
    with case.sessions() as session:
        rows = _rows(
            session,
            evidence_id=evidence_id,
            incident_id=incident_id,
            include_linked=include_linked,
        )
        reviews: dict[int, list[GeolocationReview]] = {row.id: [] for row in rows}
        # One query for every review, not one per geolocation: the whole case may be asked.
        query = select(GeolocationReview).order_by(GeolocationReview.id)
        if evidence_id is not None or incident_id is not None:
            query = query.where(GeolocationReview.geolocation_id.in_(list(reviews)))
        for review in session.scalars(query):
            reviews[review.geolocation_id].append(review)
        return [_record(row, reviews[row.id]) for row in rows]


def geolocation_file_records(
    session: Session, *, evidence_id: str | None = None, incident_id: str | None = None
) -> list[GeolocationFileRecord]:
    """An item's or incident's geolocations in the case file's GEOLOCATION shape (current
    review only; the review history stays in the case and its custody log)."""
    records = []
    for row in _rows(session, evidence_id=evidence_id, incident_id=incident_id):
        record: GeolocationFileRecord = {
            "lat": row.lat,
            "lon": row.lon,
            "precision_m": row.precision_m,
            "method": row.method,
            "reasoning": row.reasoning,
            "author": row.author,
            "created_at": row.created_at,
            "review": _file_review(_reviews(session, row.id)),
        }
        if row.reference is not None:
            record["reference"] = row.reference
        records.append(record)
    return records


def _file_review(reviews: Sequence[GeolocationReview]) -> GeolocationFileReview:
    """The current review in the case file's shape (fields without a value left out)."""
    if not reviews:
        return {"state": "unreviewed"}
    current = reviews[-1]
    review: GeolocationFileReview = {
        "state": current.state,
        "by": current.reviewer,
        "at": current.reviewed_at,
    }
    if current.comment is not None:
        review["comment"] = current.comment
    return review


def incident_place_from_geolocations(case: Case, incident_id: str) -> PlaceFromGeolocations:
    """The incident place derived from the reviewed geolocations of the incident and of its
    linked evidence, the disagreements among them, what was left out and why, and the
    incident's start in the place's local time and UTC."""
    candidates = geolocations_for(case, incident_id=incident_id, include_linked=True)
    reviewed = [g for g in candidates if g["review"]["state"] == "reviewed"]
    place = derive_place(reviewed)
    with case.sessions() as session:
        incident = session.get(Incident, incident_id)
        start = ((incident.time if incident else None) or {}).get("start")
        current = incident.place if incident else None
    return {
        "incident": incident_id,
        "place": place,
        "current_place": current,
        "zone": timezone_at(place["lat"], place["lon"]) if place else None,
        "incident_start": local_and_utc(str(start), place["lat"], place["lon"])
        if place and start
        else None,
        "disagreements": disagreements(reviewed),
        "left_out": [
            {"id": g["id"], "state": g["review"]["state"]}
            for g in candidates
            if g["review"]["state"] != "reviewed"
        ],
    }


def placed(before: dict[str, Any], place: DerivedPlace) -> dict[str, Any]:
    """An incident place with the derived point written in (pure).

    Name, admin1, country and other fields stay. The point it had before (lat, lon,
    precision_m, notes), which the derived point supersedes, moves into
    ``derived_from.replaced``: a note such as "town centre, not the impact point" must not
    stay beside a point it no longer describes, nor be lost. Once a place is derived, its
    ``replaced`` keeps the original, not an earlier derived point (those follow from the
    geolocations and the custody log).
    """
    kept = {k: v for k, v in before.items() if k not in (*PLACE_POINT_KEYS, "derived_from")}
    earlier = before.get("derived_from")
    if isinstance(earlier, dict):
        replaced = earlier.get("replaced")
    else:
        replaced = {k: before[k] for k in PLACE_POINT_KEYS if before.get(k) is not None} or None
    name = before.get("name") or f"{place['lat']:.5f}, {place['lon']:.5f}"
    derived_from = {**place["derived_from"], **({"replaced": replaced} if replaced else {})}
    return {**kept, "name": name, **place, "derived_from": derived_from}


def apply_incident_place(case: Case, incident_id: str) -> PlaceApplied | PlaceUnchanged:
    """Write the derived point, radius and ``derived_from`` into the incident's place (see
    :func:`placed`); one custody event records it. Nothing is written when the place already
    says this.

    Refused while reviewed geolocations disagree, or when none is reviewed.
    """
    derived = incident_place_from_geolocations(case, incident_id)
    place, found = derived["place"], derived["disagreements"]
    if place is None:
        raise CaseError(f"incident {incident_id}: no reviewed geolocation to set its place from")
    if found:
        raise CaseError(
            f"incident {incident_id}: {len(found)} disagreement(s) between reviewed "
            f"geolocations ({found[0]['message']}); dispute the wrong one first"
        )
    with case.transaction() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise CaseError(f"incident {incident_id}: no such incident")
        before = dict(incident.place or {})
        after = placed(before, place)
        if after == before:
            return {**derived, "applied": False, "incident_place": before}
        event = case.record(
            session,
            PLACE_ACTION,
            incident_id,
            {
                "geolocation": place["derived_from"]["geolocation"],
                "reviewed": place["derived_from"]["reviewed"],
                "before_sha256": canonical_digest(before) if before else None,
                "sha256": canonical_digest(after),
            },
        )
        incident.place = after
        return {
            **derived,
            "applied": True,
            "incident_place": after,
            "custody_event": event.seq,
        }


def geolocation_from_metadata(
    case: Case, evidence_id: str, *, record: bool = False
) -> ProposedGeolocation | RecordedGeolocation:
    """Propose a ``metadata_gps`` geolocation from an item's GPS metadata; with ``record``
    store it (as ``case.actor``) and return the stored GEOLOCATION dict."""
    with case.sessions() as session:
        item = find_evidence(session, evidence_id)
        try:
            proposal = metadata_geolocation(item.id, item.metadata_normalised, item.metadata_raw)
        except ValueError as error:
            raise CaseError(str(error)) from None
    if not record:
        return {**proposal, "recorded": False}
    return {**add_geolocation(case, **proposal), "recorded": True}


def geolocation_custody_problems(session: Session, events: Sequence[CustodyEvent]) -> list[str]:
    """Geolocations and reviews that differ from, or lack, the custody events that recorded
    them; and such events whose record is missing from the case."""
    by_seq = {event.seq: event for event in events}
    problems: list[str] = []
    rows = list(session.scalars(select(Geolocation).order_by(Geolocation.id)))
    for row in rows:
        event = by_seq.get(row.custody_seq)
        payload = event_payload(event) if event is not None else None
        if event is None or event.action != GEOLOCATION_ACTION or payload is None:
            problems.append(f"geolocation {row.id}: not recorded in the custody log")
        elif payload.get("sha256") != canonical_digest(_content(row)):
            problems.append(f"geolocation {row.id}: changed since custody event {event.seq}")
    reviews = list(session.scalars(select(GeolocationReview).order_by(GeolocationReview.id)))
    for review in reviews:
        event = by_seq.get(review.custody_seq)
        payload = event_payload(event) if event is not None else None
        expected = {"geolocation": review.geolocation_id, **_review_record(review)}
        label = f"geolocation {review.geolocation_id}: review {review.id} ({review.state})"
        if event is None or event.action != REVIEW_ACTION or payload is None:
            problems.append(f"{label}: not recorded in the custody log")
        elif payload != expected:
            problems.append(f"{label}: changed since custody event {event.seq}")
    recorded = {row.custody_seq for row in rows} | {r.custody_seq for r in reviews}
    problems.extend(
        f"custody log: event {event.seq} ({event.action} {event.subject}): "
        "its record is missing from the case"
        for event in events
        if event.action in (GEOLOCATION_ACTION, REVIEW_ACTION) and event.seq not in recorded
    )
    return problems
