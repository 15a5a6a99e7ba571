"""Open-data exports of a case's incidents: GeoJSON (RFC 7946) and ACLED-style CSV.

The field mapping is documented in ``docs/exports.md``. Casualty columns are the
supported minima of `evidencelab.analysis.casualties` (the largest "exact" or "at least"
figure among civilian reports of incident scope from sources not graded low), in the
spirit of ACLED's rule to record the most conservative estimate.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from evidencelab.analysis.casualties import CasualtyFigure, IncidentCasualties
from evidencelab.model import CaseFile
from evidencelab.model.case import Source
from evidencelab.model.incident import Incident

PROTECTED_SOURCE = "protected source"

ACLED_COLUMNS: tuple[str, ...] = (
    "event_date",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "fatalities",
    "notes",
    "source",
)
EXTRA_COLUMNS: tuple[str, ...] = ("event_id", "time_local", "precision_m", "injured_min", "weapon")
CSV_COLUMNS: tuple[str, ...] = ACLED_COLUMNS + EXTRA_COLUMNS

Figures = Mapping[str, IncidentCasualties]


def incidents_geojson(case_file: CaseFile, figures: Figures) -> dict[str, Any]:
    """The incidents as an RFC 7946 FeatureCollection of points ([lon, lat], WGS 84).

    An incident without coordinates has a null geometry (RFC 7946 §3.2). Properties carry
    no source ids, so the same document serves public and internal use.
    """
    return {
        "type": "FeatureCollection",
        "features": [
            _feature(incident, figures.get(incident.id)) for incident in case_file.incidents
        ],
    }


def _feature(incident: Incident, figure: IncidentCasualties | None) -> dict[str, Any]:
    place = incident.place
    geometry = None
    if place is not None and place.lat is not None and place.lon is not None:
        geometry = {"type": "Point", "coordinates": [place.lon, place.lat]}
    properties = {
        "id": incident.id,
        "title": incident.title,
        "start": incident.time.start.isoformat() if incident.time else None,
        "place": place.name if place else None,
        "admin1": place.admin1 if place else None,
        "country": place.country if place else None,
        "precision_m": place.precision_m if place else None,
        "weapon": _weapon(incident),
        "killed_min": figure.killed.minimum if figure else None,
        "injured_min": figure.injured.minimum if figure else None,
    }
    return {"type": "Feature", "id": incident.id, "geometry": geometry, "properties": properties}


def incidents_csv(
    case_file: CaseFile,
    figures: Figures,
    sources: Iterable[Source] | None = None,
    *,
    public: bool = False,
) -> str:
    """The incidents as CSV text: ACLED-style columns first, then ours (`CSV_COLUMNS`).

    `sources` are the sources whose `sensitive` flag decides redaction (default: the case
    file's own). With `public=True` the id of a sensitive or witness source in the `source`
    column is written as "protected source".
    """
    sensitive = {
        s.id
        for s in (case_file.sources if sources is None else sources)
        if s.sensitive or s.kind == "witness"
    }
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for incident in case_file.incidents:
        row = _csv_row(incident, figures.get(incident.id), sensitive if public else set())
        writer.writerow(row)
    return buffer.getvalue()


def _csv_row(
    incident: Incident, figure: IncidentCasualties | None, protected: set[str]
) -> dict[str, Any]:
    place = incident.place
    start = incident.time.start if incident.time else None
    killed = figure.killed if figure else None
    injured = figure.injured if figure else None
    return {
        "event_date": start.date().isoformat() if start else "",
        "admin1": _text(place.admin1 if place else None),
        "location": place.name if place else "",
        "latitude": _text(place.lat if place else None),
        "longitude": _text(place.lon if place else None),
        "fatalities": _text(killed.minimum if killed else None),
        "notes": _notes(incident),
        "source": _source_column(killed, protected),
        "event_id": incident.id,
        "time_local": start.isoformat() if start else "",
        "precision_m": _text(place.precision_m if place else None),
        "injured_min": _text(injured.minimum if injured else None),
        "weapon": _text(_weapon(incident)),
    }


def _source_column(figure: CasualtyFigure | None, protected: set[str]) -> str:
    """The sources supporting the minimum killed, `;`-separated, protected ones masked."""
    if figure is None:
        return ""
    names = [PROTECTED_SOURCE if s in protected else s for s in figure.minimum_sources]
    return "; ".join(dict.fromkeys(names))


def _notes(incident: Incident) -> str:
    """A short description: title, weapon and what was hit (never free-text notes)."""
    parts = [incident.title]
    weapon = _weapon(incident)
    if weapon:
        parts.append(f"weapon: {weapon}")
    hit = [f"{o.kind} ({o.name})" if o.name else o.kind for o in incident.objects_hit]
    if hit:
        parts.append("hit: " + ", ".join(hit))
    return "; ".join(parts)


def _weapon(incident: Incident) -> str | None:
    return incident.weapon.munition if incident.weapon else None


def _text(value: object) -> str:
    return "" if value is None else str(value)
