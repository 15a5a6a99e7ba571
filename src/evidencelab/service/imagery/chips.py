"""Chips and before/after comparisons: derived works stored in the locker with a custody
event naming the source scene(s) and the parameters; chips for reports."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from evidencelab.analysis.imagery.drawing import draw_annotations
from evidencelab.locker.case import Case, CaseError
from evidencelab.locker.custody import canonical_digest
from evidencelab.service.imagery.annotations import list_annotations
from evidencelab.service.imagery.records import (
    ChangeRegion,
    ChipAnnotation,
    ChipParams,
    ChipRecord,
    CompareParams,
    ComparisonRecord,
    IncidentScene,
    ReportChip,
    StoredDerivative,
)
from evidencelab.service.imagery.scenes import (
    Place,
    place_of,
    scenes_for_incident,
)
from evidencelab.store.atomic import write_bytes_atomic
from evidencelab.store.tables import Derivative

DEFAULT_RADIUS_M = 500.0


# Scene order for a single chip: the first scene after the incident shows its effects.
_CHIP_PREFERENCE = {"after": 0, "during": 1, "before": 2, "unknown": 3}


@dataclass(frozen=True)
class _SceneRef:
    id: str
    sha256: str
    resolution_m: float
    acquired_at: str | None
    attribution: str | None
    label: str


def _scene_ref(record: IncidentScene) -> _SceneRef:
    if record["resolution_m"] is None:
        raise CaseError(f"scene {record['id']}: not georeferenced")
    return _SceneRef(
        record["id"],
        record["sha256"],
        float(record["resolution_m"]),
        record["acquired_at"],
        record["attribution"],
        record["label"],
    )


def _credit(scene: _SceneRef) -> str:
    return scene.attribution or "attribution not recorded"


def _acquired_text(scene: _SceneRef) -> str:
    if scene.acquired_at is None:
        return "acquired: unknown"
    return "acquired " + scene.acquired_at.replace("T", " ").replace("Z", " UTC")


def _read(case: Case, scene: _SceneRef, grid: Any) -> tuple[Any, Any]:
    import rasterio

    from evidencelab.analysis.imagery.warp import OutsideScene, display_bands, read_to_grid
    from evidencelab.extract.raster import gdal_env

    try:
        with (
            gdal_env(),
            rasterio.open(case.objects.path(scene.sha256)) as dataset,
            _gridded(dataset, scene.id) as source,
        ):
            return read_to_grid(source, grid, scene.resolution_m, display_bands(source.count))
    except OutsideScene:
        raise CaseError(f"scene {scene.id}: does not cover the chip's area") from None


@contextmanager
def _gridded(dataset: Any, scene_id: str) -> Iterator[Any]:
    """The dataset on a regular grid: as it is when it has a geotransform; warped through
    its ground control points (GDAL's GCP transformer in a virtual warped dataset, which
    reads only the source blocks a window needs) when it has only those."""
    from rasterio.enums import Resampling
    from rasterio.vrt import WarpedVRT

    if dataset.crs is not None and not dataset.transform.is_identity:
        yield dataset
        return
    gcps, gcp_crs = dataset.gcps
    if not gcps or gcp_crs is None:
        raise CaseError(
            f"scene {scene_id}: georeferenced by RPCs only; chips need an orthorectified scene"
        )
    with WarpedVRT(dataset, crs=gcp_crs, resampling=Resampling.bilinear) as warped:
        yield warped


def _decorate(image: Any, grid: Any, place: Place) -> None:
    from evidencelab.analysis.imagery.grid import grid_convergence_deg
    from evidencelab.analysis.imagery.render import (
        draw_centre_mark,
        draw_north_arrow,
        draw_scale_bar,
    )

    draw_centre_mark(image)
    draw_scale_bar(image, grid.pixel_m)
    draw_north_arrow(image, grid_convergence_deg(place.lat, place.lon, grid.epsg))


def _grid_text(grid: Any) -> str:
    zone = grid.epsg % 100
    hemisphere = "N" if grid.epsg < 32700 else "S"
    return f"WGS 84 / UTM zone {zone}{hemisphere}, north up, {grid.pixel_m:.2f} m per pixel"


def _pick(scenes: list[IncidentScene], scene_ref: str | None, incident_id: str) -> IncidentScene:
    if scene_ref is not None:
        for record in scenes:
            if scene_ref in (record["id"], record["sha256"]) or (
                len(scene_ref) >= 6 and record["sha256"].startswith(scene_ref)
            ):
                return record
        raise CaseError(f"scene {scene_ref}: does not cover the place of incident {incident_id}")
    if not scenes:
        raise CaseError(f"incident {incident_id}: no scene covers its place")
    return min(
        scenes,
        key=lambda r: (
            _CHIP_PREFERENCE[r["label"]],
            r["acquired_at"] or "" if r["label"] != "before" else _reverse(r["acquired_at"]),
        ),
    )


def _reverse(text: str | None) -> str:
    """Sort key that orders ISO times latest first."""
    return "".join(chr(0x10FFFF - ord(c)) for c in (text or ""))


def make_chip(
    case: Case,
    incident_id: str,
    *,
    radius_m: float = DEFAULT_RADIUS_M,
    scene_ref: str | None = None,
    out: Path | None = None,
    annotations: bool = False,
    reuse: bool = True,
) -> ChipRecord:
    """A north-up PNG chip of a scene around an incident's place, in the local UTM zone,
    with scale bar, north arrow, acquisition date and attribution burned in; with
    ``annotations``, the scene's annotations inside the chip drawn on and numbered.

    Without ``scene_ref`` the scene is the first acquired after the incident, else one
    during it, else the last before it. Stored in the locker as a derivative of the scene
    with a custody event ``imagery.chip`` naming the scene and parameters; written to
    ``out`` too when given. A chip already stored for the same parameters, caption and
    annotations is reused without reading the scene again, unless ``reuse`` is false (to
    check a stored chip against a fresh rendering, or to time the rendering).
    """
    from evidencelab.analysis.imagery.grid import chip_grid

    if not radius_m > 0:
        raise CaseError(f"radius {radius_m}: must be a positive number of metres")
    scenes = scenes_for_incident(case, incident_id)
    scene = _scene_ref(_pick(scenes, scene_ref, incident_id))
    place = place_of(case, incident_id)
    grid = chip_grid(place.lat, place.lon, radius_m, scene.resolution_m)
    drawn = chip_annotations(case, scene.id, grid) if annotations else []
    lines = [
        f"{_acquired_text(scene)} · {_credit(scene)}",
        f"scene {scene.id} ({scene.label} the incident) · {_grid_text(grid)}",
        f"±{radius_m:g} m around incident {incident_id} (ring: {place.lat:.5f}, {place.lon:.5f})",
    ]
    if drawn:
        listed = "; ".join(
            f"{a['number']}: annotation {a['id']}, {a['kind'].replace('_', ' ')}" for a in drawn
        )
        lines.append(f"drawn in cyan: {listed}")
    params: ChipParams = {
        "incident": incident_id,
        "radius_m": radius_m,
        "epsg": grid.epsg,
        "pixel_m": grid.pixel_m,
        "width": grid.width,
        "height": grid.height,
        "centre": [place.lat, place.lon],
        "resampling": "bilinear",
    }
    payload: dict[str, Any] = {"scene": scene.id, "params": params, "caption": lines}
    if drawn:
        payload["annotations"] = [a["id"] for a in drawn]
    role = _derivative_role("chip", payload)
    stored = _stored_derivative(case, scene.id, role) if reuse else None
    if stored is None:
        png = _render_chip(case, scene, grid, place, lines, drawn)
        stored = _store_derivative(case, scene, "chip", png, payload, role)
    if out is not None:
        _write_atomic(out, Path(stored["path"]).read_bytes())
    return {
        **stored,
        "scene": scene.id,
        "label": scene.label,
        "acquired_at": scene.acquired_at,
        "attribution": scene.attribution,
        "params": params,
        "annotations": drawn,
        "out": str(out) if out is not None else None,
    }


def _render_chip(
    case: Case,
    scene: _SceneRef,
    grid: Any,
    place: Place,
    lines: list[str],
    drawn: list[ChipAnnotation],
) -> bytes:
    from evidencelab.analysis.imagery.render import picture, with_caption
    from evidencelab.analysis.imagery.warp import to_display

    data, valid = _read(case, scene, grid)
    image = picture(to_display(data, valid), valid)
    draw_annotations(image, grid, drawn)
    _decorate(image, grid, place)
    return _png(with_caption(image, lines))


def chip_annotations(case: Case, scene_id: str, grid: Any) -> list[ChipAnnotation]:
    """Annotations of a scene that reach into a chip's square, oldest first, each with its
    ``number`` as drawn on the chip (1, 2, …)."""
    from pyproj import CRS
    from shapely.geometry import box, shape

    from evidencelab.analysis.imagery.geometry import WGS84, densify, reproject_geometry

    square = reproject_geometry(densify(box(*grid.bounds)), CRS.from_epsg(grid.epsg), WGS84)
    records = [
        record
        for record in list_annotations(case, scene_id)
        if shape(record["geometry"]).intersects(square)
    ]
    return [ChipAnnotation(**record, number=n) for n, record in enumerate(records, start=1)]


def compare(
    case: Case,
    incident_id: str,
    *,
    radius_m: float = DEFAULT_RADIUS_M,
    threshold: float | None = None,
    before_ref: str | None = None,
    after_ref: str | None = None,
    out: Path | None = None,
) -> ComparisonRecord:
    """Before/after pair around an incident on one common grid, and a change map.

    Scenes: the last acquired before the incident and the first after it (or those
    given). Grid: the local UTM zone at the coarser of the two resolutions. Change measure:
    :func:`evidencelab.analysis.imagery.change.change_map` (standardised luminance
    difference, thresholded; the threshold is reported). Stored as a derivative of the
    after scene with a custody event ``imagery.compare`` naming both scenes.
    """
    from evidencelab.analysis.imagery.change import DEFAULT_THRESHOLD, change_map
    from evidencelab.analysis.imagery.grid import chip_grid
    from evidencelab.analysis.imagery.render import (
        overlay_changes,
        picture,
        side_by_side,
        with_caption,
    )
    from evidencelab.analysis.imagery.warp import to_display

    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    if not radius_m > 0 or not threshold > 0:
        raise CaseError("radius and threshold must be positive numbers")
    scenes = scenes_for_incident(case, incident_id)
    before_rec = _pick(scenes, before_ref, incident_id) if before_ref else _latest(scenes, "before")
    after_rec = _pick(scenes, after_ref, incident_id) if after_ref else _earliest(scenes, "after")
    if before_rec is None or after_rec is None:
        missing = "before" if before_rec is None else "after"
        raise CaseError(
            f"incident {incident_id}: no scene covering its place was acquired {missing} it "
            "(set acquisition times with `imagery set`, or name the scenes)"
        )
    before, after = _scene_ref(before_rec), _scene_ref(after_rec)
    if before.id == after.id:
        raise CaseError("compare: the before and after scenes are the same scene")
    place = place_of(case, incident_id)
    grid = chip_grid(place.lat, place.lon, radius_m, max(before.resolution_m, after.resolution_m))
    data_b, valid_b = _read(case, before, grid)
    data_a, valid_a = _read(case, after, grid)
    valid = valid_b & valid_a
    result = change_map(data_b, data_a, valid, threshold)
    pictures = []
    for data, scene_valid in ((data_b, valid_b), (data_a, valid_a)):
        image = picture(to_display(data, scene_valid), scene_valid)
        _decorate(image, grid, place)
        pictures.append(image)
    changes = overlay_changes(pictures[1], result.changed)
    fraction = result.changed_pixels / result.valid_pixels if result.valid_pixels else 0.0
    lines = [
        f"before: scene {before.id}, {_acquired_text(before)} · {_credit(before)}",
        f"after: scene {after.id}, {_acquired_text(after)} · {_credit(after)}",
        f"change (red): |Δ standardised luminance| > {threshold:g} σ, 3×3 opening; "
        f"{fraction:.2%} of {result.valid_pixels} common pixels · {_grid_text(grid)}",
    ]
    panel = side_by_side([("before", pictures[0]), ("after", pictures[1]), ("change", changes)])
    png = _png(with_caption(panel, lines))
    params: CompareParams = {
        "incident": incident_id,
        "radius_m": radius_m,
        "threshold_sigma": threshold,
        "measure": "abs difference of standardised BT.601 luminance, 3x3 opening",
        "epsg": grid.epsg,
        "pixel_m": grid.pixel_m,
        "width": grid.width,
        "height": grid.height,
        "centre": [place.lat, place.lon],
    }
    stored = _store_derivative(
        case, after, "compare", png, {"before": before.id, "after": after.id, "params": params}
    )
    if out is not None:
        _write_atomic(out, png)
    return {
        **stored,
        "before": {"scene": before.id, "acquired_at": before.acquired_at},
        "after": {"scene": after.id, "acquired_at": after.acquired_at},
        "threshold_sigma": threshold,
        "valid_pixels": result.valid_pixels,
        "changed_pixels": result.changed_pixels,
        "changed_fraction": fraction,
        "changed_area_m2": result.changed_pixels * grid.pixel_m**2,
        "regions": [_region_record(region, grid) for region in result.regions],
        "params": params,
        "out": str(out) if out is not None else None,
    }


def _region_record(region: tuple[int, int, int, int], grid: Any) -> ChangeRegion:
    from pyproj import Transformer

    row0, col0, row1, col1 = region
    x, y = grid.transform @ ((col0 + col1 + 1) / 2, (row0 + row1 + 1) / 2)
    lon, lat = Transformer.from_crs(grid.epsg, 4326, always_xy=True).transform(x, y)
    return {
        "pixels": [row0, col0, row1, col1],
        "centre": [round(lat, 6), round(lon, 6)],
        "width_m": (col1 - col0 + 1) * grid.pixel_m,
        "height_m": (row1 - row0 + 1) * grid.pixel_m,
    }


def _latest(scenes: list[IncidentScene], label: str) -> IncidentScene | None:
    matching = [r for r in scenes if r["label"] == label]
    return matching[-1] if matching else None


def _earliest(scenes: list[IncidentScene], label: str) -> IncidentScene | None:
    matching = [r for r in scenes if r["label"] == label]
    return matching[0] if matching else None


def _png(image: Any) -> bytes:
    from evidencelab.analysis.imagery.render import png_bytes

    return png_bytes(image)


def _derivative_role(what: str, payload: dict[str, Any]) -> str:
    """Role of a derived PNG: ``WHAT-<digest of its parameters>``."""
    return f"{what}-{canonical_digest(payload)[:16]}"


def _stored_derivative(case: Case, scene_id: str, role: str) -> StoredDerivative | None:
    """A derivative already stored under ``role`` whose object is in the locker."""
    with case.sessions() as session:
        existing = session.scalars(
            select(Derivative).where(Derivative.evidence_id == scene_id, Derivative.role == role)
        ).first()
        if existing is None:
            return None
        path = case.objects.path(existing.sha256)
        if not path.is_file():
            return None
        return {"sha256": existing.sha256, "path": str(path), "role": role, "new": False}


def _store_derivative(
    case: Case,
    scene: _SceneRef,
    what: str,
    png: bytes,
    payload: dict[str, Any],
    role: str | None = None,
) -> StoredDerivative:
    """Store a derived PNG as an object and a derivative row of ``scene`` (role
    ``WHAT-<parameters digest>``), with a custody event; the same parameters and bytes
    again record nothing new."""
    role = role or _derivative_role(what, payload)
    stored = case.objects.put_bytes(png)
    with case.transaction() as session:
        existing = session.scalars(
            select(Derivative).where(Derivative.evidence_id == scene.id, Derivative.role == role)
        ).first()
        if existing is not None and existing.sha256 == stored.sha256:
            return {"sha256": stored.sha256, "path": str(stored.path), "role": role, "new": False}
        event = case.record(
            session,
            f"imagery.{what}",
            scene.id,
            {**payload, "source_sha256": scene.sha256, "sha256": stored.sha256, "role": role},
        )
        if existing is not None:  # same parameters, other pixels: a newer program version
            existing.sha256 = stored.sha256
        else:
            session.add(
                Derivative(
                    evidence_id=scene.id, role=role, sha256=stored.sha256, media_type="image/png"
                )
            )
        return {
            "sha256": stored.sha256,
            "path": str(stored.path),
            "role": role,
            "new": True,
            "custody_event": event.seq,
        }


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all."""
    if not path.parent.is_dir():
        raise CaseError(f"{path}: folder does not exist")
    write_bytes_atomic(path, data)


def scene_chips_for_report(case: Case, incident_id: str, public: bool) -> list[ReportChip]:
    """Chips of every georeferenced scene covering an incident's place, for a report, in
    acquisition order, each made once and then reused from the locker (same parameters,
    caption and annotations): ``scene``, ``label`` (before/during/after/unknown),
    ``acquired_at``, ``resolution_m`` (the scene's), ``pixel_m`` (the chip's),
    ``sensor``, ``provider``, ``attribution``, ``licence``, ``publishable``, ``sha256``
    and ``path`` of the PNG, ``media_type``, ``radius_m``, and the scene's
    ``annotations`` drawn on the chip (numbered, with their measures). A scene no chip
    can be made of (RPCs only, unreadable pixels) is listed with ``error`` saying why and
    no picture. With ``public``, scenes not marked publishable are left out and no chip
    is made for them."""
    chips: list[ReportChip] = []
    for record in scenes_for_incident(case, incident_id):
        if record["resolution_m"] is None or (public and not record["publishable"]):
            continue
        facts: ReportChip = {
            "scene": record["id"],
            "label": record["label"],
            "acquired_at": record["acquired_at"],
            "acquired_at_source": record["acquired_at_source"],
            "resolution_m": record["resolution_m"],
            "sensor": record["sensor"],
            "provider": record["provider"],
            "attribution": record["attribution"],
            "licence": record["licence"],
            "publishable": record["publishable"],
            "annotations": [],
            "error": None,
        }
        try:
            chip = make_chip(case, incident_id, scene_ref=record["id"], annotations=True)
        except CaseError as error:  # one scene that cannot be shown does not stop a report
            chips.append({**facts, "error": str(error)})
            continue
        facts["annotations"] = [
            {
                "number": annotation["number"],
                "id": annotation["id"],
                "kind": annotation["kind"],
                "measures": annotation["measures"],
                "diameter_m": annotation["diameter_m"],
                "note": annotation["note"],
            }
            for annotation in chip["annotations"]
        ]
        chips.append(
            {
                **facts,
                "pixel_m": chip["params"]["pixel_m"],
                "sha256": chip["sha256"],
                "path": chip["path"],
                "media_type": "image/png",
                "radius_m": chip["params"]["radius_m"],
            }
        )
    return chips
