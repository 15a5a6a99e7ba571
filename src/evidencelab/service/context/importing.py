"""Importing a map extract (OpenStreetMap or GeoJSON) into the case, streamed in batches in
one transaction and recorded by the file's SHA-256.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Final

from sqlalchemy import select

from evidencelab.analysis.context.geojson import read_geojson
from evidencelab.analysis.context.kinds import ANY, KEYS, RULES, kinds_for
from evidencelab.analysis.context.objects import ContextDataError
from evidencelab.analysis.context.osm import OSM_SUFFIXES, ReadStats, iter_osm_features
from evidencelab.locker.case import Case, CaseError
from evidencelab.locker.custody import utc_now
from evidencelab.service.context.records import ContextImportOutcome, ContextImportRecord
from evidencelab.service.context.writing import BATCH_SIZE, _Feature, _Writer, _writer
from evidencelab.store.tables.context import ContextImport

GEOJSON_SUFFIXES = (".geojson", ".json")
Progress = Callable[[int], None]


# --- Reading files ---------------------------------------------------------------------


def file_format(path: Path) -> str:
    """`osm-pbf`, `osm-xml` or `geojson`, from the file name (as pyosmium chooses)."""
    name = path.name.lower()
    if name.endswith(GEOJSON_SUFFIXES):
        return "geojson"
    if name.endswith(".pbf"):
        return "osm-pbf"
    if name.endswith(OSM_SUFFIXES):
        return "osm-xml"
    raise CaseError(
        f"{path}: not a map extract (expected one of {', '.join(OSM_SUFFIXES + GEOJSON_SUFFIXES)})"
    )


def file_sha256(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size in bytes of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _rule_values() -> dict[str, frozenset[str]]:
    values: dict[str, set[str]] = {}
    for rule in RULES:
        values.setdefault(rule.key, set()).add(rule.value)
    values.setdefault("aeroway", set()).add("aerodrome")
    return {key: frozenset(found) for key, found in values.items()}


#: For each key a kind rule looks at, the values it accepts (`ANY`: all but "no").
_RULE_VALUES: Final = _rule_values()


def may_have_kind(tags: Mapping[str, str]) -> bool:
    """Whether some kind rule could match these tags: true for every object that
    `kinds_for` gives a kind (and for a few it then refuses). Checking one tag at a time
    against a table is much cheaper than evaluating every rule, and most objects that
    reach Python (any `building=*`, `amenity=*`) have no kind."""
    for key, value in tags.items():
        accepted = _RULE_VALUES.get(key)
        if accepted is not None and (value in accepted or (ANY in accepted and value != "no")):
            return True
    return False


def _osm_features(path: Path, stats: ReadStats) -> Iterator[_Feature]:
    for feature in iter_osm_features(path, may_have_kind, KEYS, stats=stats):
        kinds = kinds_for(feature.tags)
        if not kinds:
            continue
        yield _Feature(
            origin="osm",
            ref=f"{feature.osm_type}/{feature.osm_id}",
            osm_type=feature.osm_type,
            osm_id=feature.osm_id,
            kinds=kinds,
            tags=feature.tags,
            geometry=feature.geometry,
        )


def _geojson_features(path: Path) -> Iterator[_Feature]:
    # The whole document is parsed first (JSON has no streaming reader in the standard
    # library); rows still go in by batches.
    for obj in read_geojson(path):
        yield _Feature(
            origin="geojson",
            ref=obj.ref,
            osm_type=obj.osm_type,
            osm_id=obj.osm_id,
            kinds=obj.kinds,
            tags=obj.tags,
            geometry=obj.geometry,
        )


# --- Import ----------------------------------------------------------------------------


def _import_record(row: ContextImport) -> ContextImportRecord:
    return {
        "file": row.file_name,
        "sha256": row.sha256,
        "format": row.format,
        "objects": row.objects,
        "by_kind": dict(row.by_kind),
        "skipped": dict(row.skipped),
        "imported_at": row.imported_at,
        "imported_by": row.imported_by,
        "custody_event": row.custody_seq,
    }


def import_context(
    case: Case, path: str | Path, progress: Progress | None = None
) -> ContextImportOutcome:
    """Read an OSM extract (`.osm`, `.osm.bz2`, `.osm.gz`, `.osm.pbf`) or a GeoJSON
    FeatureCollection into the case.

    OSM files stream through pyosmium and rows go in by batches of `BATCH_SIZE`, so memory
    does not grow with the file (beyond pyosmium's node-location index); everything is one
    transaction with one custody event naming the file's SHA-256 and the counts. An OSM
    object already in the case (same type and id, from an overlapping extract) is not
    stored twice. The same file again (same SHA-256) changes nothing and says so
    (`already_imported`). A missing or malformed file raises `CaseError` and leaves the
    case as it was. `progress(n)` is called with the number of objects read so far.
    """
    path = Path(path)
    if not path.exists():
        raise CaseError(f"{path}: file not found")
    if not path.is_file():
        raise CaseError(f"{path}: not a file")
    file_kind = file_format(path)
    sha256, size = file_sha256(path)
    with case.transaction() as session:
        done = session.scalars(select(ContextImport).where(ContextImport.sha256 == sha256)).first()
        if done is not None:
            return {**_import_record(done), "already_imported": True}
        row = ContextImport(
            file_name=path.name,
            sha256=sha256,
            size_bytes=size,
            format=file_kind,
            objects=0,
            by_kind={},
            skipped={},
            imported_at=utc_now(),
            imported_by=case.actor,
            custody_seq=-1,  # replaced by the event's below, in the same transaction
        )
        session.add(row)
        session.flush()
        stats = ReadStats()
        features = _geojson_features(path) if file_kind == "geojson" else _osm_features(path, stats)
        writer = _writer(session, case, row.id)
        by_kind: Counter[str] = Counter()
        batch: list[_Feature] = []
        read = 0
        try:
            for feature in features:
                batch.append(feature)
                if len(batch) >= BATCH_SIZE:
                    read += _flush(writer, batch, by_kind, progress, read)
            read += _flush(writer, batch, by_kind, progress, read)
        except ContextDataError as error:
            raise CaseError(str(error)) from None
        skipped = {"already_in_case": writer.already_in_case}
        if file_kind != "geojson":
            skipped |= {
                "unclosed_ways": stats.skipped_unclosed_ways,
                "other_relations": stats.skipped_relations,
                "unassembled_areas": stats.skipped_bad_areas,
            }
        row.objects = writer.stored
        row.by_kind = dict(sorted(by_kind.items()))
        row.skipped = skipped
        event = case.record(
            session,
            "context-import",
            sha256,
            {
                "file": path.name,
                "sha256": sha256,
                "size_bytes": size,
                "format": file_kind,
                "objects": writer.stored,
                "by_kind": row.by_kind,
                "skipped": skipped,
            },
        )
        row.custody_seq = event.seq
        session.flush()
        return {**_import_record(row), "already_imported": False}


def _flush(
    writer: _Writer,
    batch: list[_Feature],
    by_kind: Counter[str],
    progress: Progress | None,
    read: int,
) -> int:
    count = len(batch)
    for _, feature in writer.write(batch):
        by_kind.update(feature.kinds)
    batch.clear()
    if progress is not None:
        progress(read + count)
    return count


def list_imports(case: Case) -> list[ContextImportRecord]:
    """Every map extract read into the case, oldest first."""
    with case.sessions() as session:
        rows = session.scalars(select(ContextImport).order_by(ContextImport.id)).all()
        return [_import_record(row) for row in rows]
