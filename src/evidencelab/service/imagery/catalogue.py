"""Catalogue search (STAC) for scenes covering an incident, and windowed fetch of a
scene's asset into the locker (HTTP range reads of a Cloud-Optimised GeoTIFF)."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from evidencelab.analysis.imagery.timing import label_acquisition
from evidencelab.locker.case import Case, CaseError
from evidencelab.locker.errors import InputError
from evidencelab.locker.inputs import parse_time
from evidencelab.service.imagery.records import CatalogueItem, CatalogueSearch, FetchedScene
from evidencelab.service.imagery.scenes import (
    get_incident,
    incident_place,
    link_scene,
    place_of,
    register_scenes,
    scene_and_item,
    scene_record,
    utc_text,
)
from evidencelab.store.tables import Derivative, Incident

DEFAULT_CATALOG = "https://earth-search.aws.element84.com/v1"


DEFAULT_COLLECTIONS = ("sentinel-2-l2a", "landsat-c2-l2")


CATALOG_ENV = "EVIDENCELAB_STAC_URL"


COLLECTIONS_ENV = "EVIDENCELAB_STAC_COLLECTIONS"


DEFAULT_DAYS = 30


DEFAULT_FETCH_RADIUS_M = 1000.0


MAX_ITEMS = 100


# Assets tried in order when none is named: a true-colour rendering first.
PREFERRED_ASSETS = ("visual", "rgb", "image", "red")


def catalogue(catalog: str | None, collections: list[str] | None) -> tuple[str, list[str]]:
    """The STAC API and collections to use: given, else from the environment
    (``EVIDENCELAB_STAC_URL``, comma-separated ``EVIDENCELAB_STAC_COLLECTIONS``), else
    Earth Search's Sentinel-2 L2A and Landsat Collection 2 L2."""
    url = catalog or os.environ.get(CATALOG_ENV) or DEFAULT_CATALOG
    if collections:
        return url, list(collections)
    env = os.environ.get(COLLECTIONS_ENV)
    if env:
        return url, [c.strip() for c in env.split(",") if c.strip()]
    return url, list(DEFAULT_COLLECTIONS)


@contextmanager
def _stac_errors(url: str) -> Iterator[None]:
    from pystac_client.exceptions import APIError

    try:
        yield
    except APIError as error:
        raise CaseError(
            f"catalogue {url}: {str(error).splitlines()[0] if str(error) else 'API error'}"
        ) from None
    except (OSError, ValueError) as error:  # requests' errors are OSErrors; bad JSON ValueError
        raise CaseError(f"catalogue {url}: {type(error).__name__}: {error}") from None


def _interval(
    incident: Incident, days_before: float, days_after: float
) -> tuple[datetime, datetime]:
    time = incident.time or {}
    try:
        start = parse_time(str(time.get("start")), what=f"incident {incident.id} start")
    except CaseError:
        raise CaseError(f"incident {incident.id}: has no start time with a UTC offset") from None
    end_text = time.get("end")
    end = parse_time(str(end_text), what=f"incident {incident.id} end") if end_text else start
    return start - timedelta(days=days_before), end + timedelta(days=days_after)


def _item_record(item: Any, incident_time: dict[str, Any] | None) -> CatalogueItem:
    props = item.properties
    moment = item.datetime or (
        datetime.fromisoformat(props["start_datetime"].replace("Z", "+00:00"))
        if props.get("start_datetime")
        else None
    )
    acquired = utc_text(moment) if moment is not None else None
    self_link = item.get_self_href()
    return {
        "id": item.id,
        "collection": item.collection_id,
        "acquired_at": acquired,
        "label": label_acquisition(acquired, incident_time),
        "cloud_cover": props.get("eo:cloud_cover"),
        "platform": props.get("platform"),
        "gsd": props.get("gsd"),
        "self": self_link,
        "assets": {
            name: asset.href
            for name, asset in item.assets.items()
            if "image/" in (asset.media_type or "") or name in PREFERRED_ASSETS
        },
    }


def search_catalogue(
    case: Case,
    incident_id: str,
    *,
    days_before: float = DEFAULT_DAYS,
    days_after: float = DEFAULT_DAYS,
    catalog: str | None = None,
    collections: list[str] | None = None,
    max_items: int = MAX_ITEMS,
) -> CatalogueSearch:
    """Scenes in a STAC API covering the incident's place from ``days_before`` its start
    to ``days_after`` its end, oldest first, with cloud cover, label and asset links."""
    from pystac_client import Client

    if days_before < 0 or days_after < 0:
        raise CaseError("days before and after must not be negative")
    url, names = catalogue(catalog, collections)
    with case.sessions() as session:
        incident = get_incident(session, incident_id)
        place = incident_place(incident)
        start, end = _interval(incident, days_before, days_after)
        incident_time = incident.time
    with _stac_errors(url):
        client = Client.open(url)
        search = client.search(
            collections=names,
            intersects={"type": "Point", "coordinates": [place.lon, place.lat]},
            datetime=[start, end],
            max_items=max_items,
        )
        items = [_item_record(item, incident_time) for item in search.items()]
    items.sort(key=lambda r: (r["acquired_at"] or "", r["id"]))
    return {
        "catalog": url,
        "collections": names,
        "incident": incident_id,
        "point": [place.lat, place.lon],
        "from": utc_text(start),
        "to": utc_text(end),
        "items": items,
    }


def _choose_asset(item: Any, asset: str | None) -> tuple[str, str]:
    if asset is not None:
        if asset not in item.assets:
            raise CaseError(f"item {item.id}: no asset {asset!r}; has {', '.join(item.assets)}")
        return asset, item.assets[asset].get_absolute_href() or item.assets[asset].href
    for name in PREFERRED_ASSETS:
        if name in item.assets:
            return name, item.assets[name].get_absolute_href() or item.assets[name].href
    for name, candidate in item.assets.items():
        if "image/tiff" in (candidate.media_type or ""):
            return name, candidate.get_absolute_href() or candidate.href
    raise InputError("asset", None, f"item {item.id} has no GeoTIFF asset; name one")


def gdal_path(href: str) -> str:
    """The GDAL path of an asset: ``/vsicurl/`` for HTTP(S) (range reads), as is otherwise."""
    return f"/vsicurl/{href}" if href.startswith(("http://", "https://")) else href


# GDAL over HTTP: no directory listing, no side-car probing, so only the file's own ranges.
VSICURL_OPTIONS = {
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".tif,.tiff,.TIF,.TIFF,.jp2",
    "GDAL_HTTP_MAX_RETRY": 2,
    "GDAL_HTTP_TIMEOUT": 60,
    "VSI_CACHE": False,
}


def fetch_item(
    case: Case,
    incident_id: str,
    item_id: str,
    *,
    catalog: str | None = None,
    collections: list[str] | None = None,
    asset: str | None = None,
    radius_m: float = DEFAULT_FETCH_RADIUS_M,
    progress: Callable[[str], None] | None = None,
) -> FetchedScene:
    """Download the window of a STAC item's asset around an incident into the locker.

    Only the tiles the window overlaps are read (GDAL ``/vsicurl/`` range requests on a
    Cloud-Optimised GeoTIFF). The window is written as a GeoTIFF (DEFLATE), ingested as
    evidence of kind ``satellite`` with the asset URL, and the STAC item JSON is stored
    beside it as a derivative (role ``stac-item``) for provenance. The scene's acquisition
    time, platform, instruments and licence come from the item; one custody event
    ``imagery.fetch``.
    """
    import rasterio
    from pystac_client import Client
    from rasterio.windows import Window, from_bounds

    from evidencelab.analysis.imagery.geometry import point_box
    from evidencelab.extract.raster import gdal_env
    from evidencelab.locker.ingest import IngestRequest, ingest

    if not radius_m > 0:
        raise CaseError(f"radius {radius_m}: must be a positive number of metres")
    url, names = catalogue(catalog, collections)
    place = place_of(case, incident_id)
    with _stac_errors(url):
        client = Client.open(url)
        found = list(client.search(ids=[item_id], collections=names, max_items=1).items())
    if not found:
        raise CaseError(f"item {item_id}: not found in {url} ({', '.join(names)})")
    item = found[0]
    asset_name, href = _choose_asset(item, asset)
    if progress:
        progress(f"reading a ±{radius_m:g} m window of {href}")
    with tempfile.TemporaryDirectory(prefix="evidencelab-fetch-") as folder:
        target = Path(folder) / f"{item.id}-{asset_name}-window.tif"
        try:
            with gdal_env(**VSICURL_OPTIONS), rasterio.open(gdal_path(href)) as dataset:
                square = point_box(place.lat, place.lon, radius_m, dataset.crs)
                window = from_bounds(*square.bounds, transform=dataset.transform)
                window = window.round_offsets().round_lengths()
                window = window.intersection(Window(0, 0, dataset.width, dataset.height))
                data = dataset.read(window=window)
                profile = {
                    **dataset.profile,
                    "driver": "GTiff",
                    "width": int(window.width),
                    "height": int(window.height),
                    "transform": dataset.window_transform(window),
                    "compress": "deflate",
                    "tiled": True,
                    "blockxsize": 256,
                    "blockysize": 256,
                }
                for key in ("photometric", "jpeg_quality"):
                    profile.pop(key, None)
                tags = dataset.tags()
            with rasterio.open(target, "w", **profile) as out:
                out.write(data)
                out.update_tags(**tags)
        except rasterio.errors.WindowError:
            raise CaseError(
                f"item {item.id}: does not cover incident {incident_id}'s place"
            ) from None
        except rasterio.errors.RasterioIOError as error:
            raise CaseError(f"asset {href}: {str(error).splitlines()[0]}") from None
        pixel_window = [
            int(window.col_off),
            int(window.row_off),
            int(window.width),
            int(window.height),
        ]
        [outcome] = ingest(
            case,
            [
                IngestRequest(
                    path=target,
                    kind="satellite",
                    url=href,
                    note=f"window ±{radius_m:g} m around incident {incident_id} of STAC item "
                    f"{item.id} ({item.collection_id}), asset {asset_name}",
                )
            ],
            workers=1,
        )
    if outcome.evidence_id is None:
        raise CaseError(f"item {item.id}: window not stored: {outcome.message}")
    register_scenes(case)
    item_json = json.dumps(item.to_dict(), indent=2, sort_keys=True).encode()
    stored = case.objects.put_bytes(item_json)
    record = _item_record(item, None)
    facts = {
        "acquired_at": record["acquired_at"],
        "acquired_at_source": "stac" if record["acquired_at"] else None,
        "sensor": ", ".join(item.properties.get("instruments") or []) or None,
        "provider": item.properties.get("platform"),
        "licence": item.properties.get("license") or _collection_licence(item),
    }
    with case.transaction() as session:
        scene, evidence = scene_and_item(session, outcome.evidence_id)
        event = case.record(
            session,
            "imagery.fetch",
            evidence.id,
            {
                "catalog": url,
                "item": item.id,
                "collection": item.collection_id,
                "asset": asset_name,
                "href": href,
                "window": pixel_window,
                "radius_m": radius_m,
                "incident": incident_id,
                "stac_item_sha256": stored.sha256,
                "set": facts,
            },
        )
        for key, value in facts.items():
            if value is not None:
                setattr(scene, key, value)
        scene.updated_at = event.recorded_at
        scene.custody_seq = event.seq
        if (
            session.scalars(
                select(Derivative).where(
                    Derivative.evidence_id == evidence.id, Derivative.role == "stac-item"
                )
            ).first()
            is None
        ):
            session.add(
                Derivative(
                    evidence_id=evidence.id,
                    role="stac-item",
                    sha256=stored.sha256,
                    media_type="application/geo+json",
                )
            )
        session.flush()
        link_scene(case, session, scene)
        result = scene_record(scene, evidence)
    return {
        "scene": result,
        "item": item.id,
        "asset": asset_name,
        "href": href,
        "window": pixel_window,
        "stac_item_sha256": stored.sha256,
        "status": outcome.status,
    }


def _collection_licence(item: Any) -> str | None:
    for link in item.links:
        if link.rel == "license":
            return str(link.href)
    return None
