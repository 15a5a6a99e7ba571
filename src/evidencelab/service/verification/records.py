"""Records the verification capability returns: checks, near-duplicates, geolocations,
chronolocation runs and the findings that store them.

Times are ISO 8601 text; distances on the ground are metres (geodesic, WGS 84); distances
between perceptual hashes are bits; angles are degrees.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypeVar

from typing_extensions import TypedDict

from evidencelab.verify.checks import Severity
from evidencelab.verify.geolocation import (
    DerivedPlace as DerivedPlace,
)
from evidencelab.verify.geolocation import (
    Disagreement as Disagreement,
)
from evidencelab.verify.geolocation import (
    GeolocationProposal as GeolocationProposal,
)
from evidencelab.verify.geolocation import (
    LocalAndUtc as LocalAndUtc,
)
from evidencelab.verify.geolocation import (
    PlaceDerivation as PlaceDerivation,
)

# verify.sun's PolarState (equal, tested): importing it from there would load pvlib, pandas
# and SciPy with every record, also for the read path of `summary`.
PolarState = Literal["normal", "polar_day", "polar_night"]

# Checks


class CheckRecord(TypedDict):
    """One thing a consistency check found, about an item, an incident or the two together."""

    check: str
    severity: Severity
    evidence: str | None
    incident: str | None
    message: str
    details: dict[str, Any]  # what the check compared; its own fields per check


class CheckDescription(TypedDict):
    """A registered check: its code, worst severity, explanation and what it looks at."""

    check: str
    severity: Severity
    explanation: str
    scopes: list[str]


# Near-duplicates


class DuplicateItem(TypedDict):
    """An item as a near-duplicate: its times and where it was first collected."""

    evidence_id: str
    sha256: str
    sha256_prefix: str
    original_name: str
    kind: Literal["image", "video"]
    captured_at: str | None  # claimed by the file's metadata
    captured_at_naive: str | None  # a capture time without UTC offset, as written
    captured_at_note: str
    collected_at: str | None
    collected_url: str | None
    collected_source: str | None


class ClusterMember(DuplicateItem):
    """A member of a near-duplicate cluster."""

    distance_to_reference_bits: int | None  # None when no usable pair of hashes


class SimilarItem(DuplicateItem):
    """An item that matches a queried item directly."""

    distance_bits: int
    query_frame_time_s: float | None  # seconds into the queried video; None for an image
    frame_time_s: float | None  # seconds into this video; None for an image
    fraction_query_matched: float  # share of the queried item's frames matched, 0–1
    fraction_matched: float  # share of this item's frames matched, 0–1


class DuplicateMatch(TypedDict):
    """A direct match between two members of a cluster."""

    a: str
    b: str
    distance_bits: int
    a_frame_time_s: float | None  # seconds; None for an image
    b_frame_time_s: float | None
    fraction_a_matched: float  # 0–1
    fraction_b_matched: float


class EarliestMember(TypedDict):
    """The earliest member of a cluster by one criterion, with members at the same instant."""

    evidence_id: str
    time: str
    label: str
    url: str | None
    source: str | None
    tied_with: list[str]


class EarliestAppearance(TypedDict):
    """A cluster's earliest member by capture, collection and ingest time."""

    capture_time: EarliestMember | None
    collected_at: EarliestMember | None
    ingested_at: EarliestMember | None
    capture_order: list[str]
    collected_order: list[str]
    notes: list[str]


class ClusterReference(TypedDict):
    """The member distances are measured from, and the criterion that chose it."""

    evidence_id: str
    basis: str


class DuplicateCluster(TypedDict):
    """A cluster of near-duplicate items (single linkage within ``radius_bits``)."""

    cluster: int  # numbered from 1, largest first
    size: int
    radius_bits: int
    diameter_bits: int
    chained: bool  # diameter above the radius: held together by a chain
    reference: ClusterReference
    earliest: EarliestAppearance
    members: list[ClusterMember]
    matches: list[DuplicateMatch]


# Geolocation


class GeolocationReviewRecord(TypedDict):
    """A review of a geolocation (unreviewed: no reviewer, time or comment)."""

    state: str
    by: str | None
    at: str | None
    comment: str | None


class GeolocationContent(TypedDict):
    """What a geolocation's custody event vouches for: everything but its id and event."""

    evidence: str | None
    incident: str | None
    lat: float
    lon: float
    precision_m: float  # radius, metres
    method: str
    reference: str | None
    reasoning: str
    author: str
    created_at: str


class GeolocationRecord(TypedDict):
    """A geolocation of an item or an incident, its current review and review history."""

    id: int
    evidence: str | None
    incident: str | None
    lat: float
    lon: float
    precision_m: float  # radius, metres
    method: str
    reference: str | None
    reasoning: str
    author: str
    created_at: str
    review: GeolocationReviewRecord
    review_history: list[GeolocationReviewRecord]
    custody_event: int


class GeolocationFileReview(TypedDict):
    """The case file's ``review:`` of a geolocation (fields without a value left out)."""

    state: str
    by: NotRequired[str]
    at: NotRequired[str]
    comment: NotRequired[str]


class GeolocationFileRecord(TypedDict):
    """A geolocation in the case file's shape (fields without a value left out)."""

    lat: float
    lon: float
    precision_m: float
    method: str
    reference: NotRequired[str]
    reasoning: str
    author: str
    created_at: str
    review: GeolocationFileReview


class ProposedGeolocation(GeolocationProposal):
    """A proposal shown, not recorded."""

    recorded: Literal[False]


class RecordedGeolocation(GeolocationRecord):
    """A geolocation recorded from a proposal."""

    recorded: Literal[True]


class LeftOut(TypedDict):
    """A geolocation left out of a derived place, with its review state."""

    id: int
    state: str


class PlaceFromGeolocations(TypedDict):
    """An incident place derived from its reviewed geolocations, and what stands against it."""

    incident: str
    place: DerivedPlace | None
    current_place: dict[str, Any] | None  # the incident's place as recorded
    zone: str | None
    incident_start: LocalAndUtc | None
    disagreements: list[Disagreement]
    left_out: list[LeftOut]


class PlaceUnchanged(PlaceFromGeolocations):
    """The derived place, which the incident's place already says."""

    applied: Literal[False]
    incident_place: dict[str, Any]  # the incident's place as it stays


class PlaceApplied(PlaceFromGeolocations):
    """The derived place written into the incident's place by one custody event."""

    applied: Literal[True]
    incident_place: dict[str, Any]  # the incident's place after
    custody_event: int


# Chronolocation


class RecordedFinding(TypedDict):
    """A run stored as a finding on an item, with the custody event that recorded it."""

    finding: int
    evidence: str
    custody_event: int


class ElevationRange(TypedDict):
    """Sun elevation consistent with a shadow, degrees."""

    estimate: float
    low: float
    high: float


class SunPositionInputs(TypedDict):
    """What a sun-position run was asked."""

    lat: float
    lon: float
    time: str
    elevation_m: float
    pressure_hpa: float | None
    temperature_c: float
    tz: str


class SunPositionResult(TypedDict):
    """The sun seen from a place at an instant, and that day's sunrise, noon and sunset."""

    time_local: str
    time_utc: str
    apparent_elevation_deg: float
    apparent_zenith_deg: float
    true_elevation_deg: float
    azimuth_deg: float  # from true north, clockwise
    equation_of_time_min: float
    pressure_hpa: float
    sunrise: str | None  # None in polar day or night
    solar_noon: str
    sunset: str | None
    polar: PolarState


class SunPositionRun(TypedDict):
    """A sun-position run, re-runnable from its inputs."""

    kind: Literal["chronolocation.sun_position"]
    method: str
    inputs: SunPositionInputs
    result: SunPositionResult
    stored: NotRequired[RecordedFinding]  # the finding it was stored as, when stored


class ShadowTimesInputs(TypedDict):
    """What a shadow-times run was asked (lengths in metres)."""

    lat: float
    lon: float
    date: str
    object_height_m: float
    shadow_length_m: float
    height_uncertainty_m: float
    length_uncertainty_m: float
    shadow_azimuth_deg: float | None
    azimuth_tolerance_deg: float
    tz: str


class ShadowTimesResult(TypedDict):
    """Times when the sun casts the measured shadow."""

    sun_elevation_deg: ElevationRange
    windows: list[dict[str, Any]]  # evidencelab.verify.shadows.TimeWindow.to_dict()


class ShadowTimesRun(TypedDict):
    """A shadow-times run, re-runnable from its inputs."""

    kind: Literal["chronolocation.shadow_times"]
    method: str
    inputs: ShadowTimesInputs
    result: ShadowTimesResult
    stored: NotRequired[RecordedFinding]  # the finding it was stored as, when stored


class ShadowPlacesInputs(TypedDict):
    """What a shadow-places run was asked (lengths in metres, box and step in degrees)."""

    time: str
    object_height_m: float
    shadow_length_m: float
    height_uncertainty_m: float
    length_uncertainty_m: float
    shadow_azimuth_deg: float | None
    azimuth_tolerance_deg: float
    bbox: list[float]  # west, south, east, north
    step_deg: float
    local_clock: bool


class ShadowPlacesResult(TypedDict):
    """The band of places where the sun casts the measured shadow."""

    sun_elevation_deg: ElevationRange
    cells: int
    lat_range: list[float] | None  # [lowest, highest]; None when no cell fits
    lon_range: list[float] | None
    notes: list[str]
    strips: list[list[float]]  # the band as [south, north, west, east] rectangles, degrees
    geojson: str | None  # path written, if any
    png: str | None


class ShadowPlacesRun(TypedDict):
    """A shadow-places run, re-runnable from its inputs."""

    kind: Literal["chronolocation.shadow_places"]
    method: str
    inputs: ShadowPlacesInputs
    result: ShadowPlacesResult
    stored: NotRequired[RecordedFinding]  # the finding it was stored as, when stored


ChronolocationRun = SunPositionRun | ShadowTimesRun | ShadowPlacesRun
#: One of the runs, the same one in and out.
RunT = TypeVar("RunT", SunPositionRun, ShadowTimesRun, ShadowPlacesRun)
