"""A self-contained HTML report of a case (thumbnails, maps and timeline embedded; no
network needed), from the plain dict of `evidencelab.service.outputs.report`.

The same HTML is the source of the PDF (`evidencelab.publish.pdf_report`): its stylesheet
carries the print rules (A4 pages, running footer, page numbers in the contents).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from evidencelab.publish.svg_map import draw_map, format_distance
from evidencelab.publish.svg_timeline import draw_timeline

# Singular forms of the casualty breakdown groups (docs/case-file-format.md, "count"),
# for "1 man", "2 men".
_SINGULAR = {"women": "woman", "men": "man", "children": "child"}
#: Overview maps with more incidents than this carry no labels.
LABEL_LIMIT = 60
#: Map roles for context objects, by category.
_CATEGORY_ROLE = {"protected": "protected", "military": "military", "population": "population"}


def people(count: int, group: str) -> str:
    """ "1 man", "2 women", "6 healthcare workers": a breakdown figure in words."""
    words = group.replace("_", " ")
    if count == 1:
        words = _SINGULAR.get(group, words.removesuffix("s"))
    return f"{count} {words}"


def _located(record: dict[str, Any] | None) -> bool:
    return bool(record) and record.get("lat") is not None and record.get("lon") is not None  # type: ignore[union-attr]


def overview_map(context: Mapping[str, Any]) -> str | None:
    """Every located incident (labelled by place, with its precision circle) and every
    recorded objective."""
    points: list[dict[str, Any]] = []
    many = sum(1 for i in context["incidents"] if _located(i["place"])) > 25
    for n, incident in enumerate(context["incidents"], start=1):
        place = incident["place"]
        if not _located(place):
            continue
        points.append(
            {
                "id": incident["id"],
                "lat": place["lat"],
                "lon": place["lon"],
                "role": "incident",
                "label": str(n) if many else f"{n}. {place.get('name') or ''}",
                "precision_m": place.get("precision_m"),
            }
        )
        objective = incident["objective"]
        if _located(objective):
            points.append(
                {"lat": objective["lat"], "lon": objective["lon"], "role": "objective", "label": ""}
            )
    if not points:
        return None
    # Past LABEL_LIMIT incidents the numbers would hide the points: the table lists them.
    located = sum(1 for p in points if p["role"] == "incident")
    # A wide margin leaves room for the basemap's places and coasts around the incidents.
    return draw_map(
        points,
        title="All incidents",
        width=680,
        height=440,
        labels=located <= LABEL_LIMIT,
        margin=90.0,
    )


def incident_map(incident: dict[str, Any]) -> str | None:
    """One incident, centred on its recorded point: precision circle, the likely objective
    and its distance, context objects nearby, and geolocations of its evidence."""
    place = incident["place"]
    if not _located(place):
        return None
    centre = (float(place["lat"]), float(place["lon"]))
    points: list[dict[str, Any]] = [
        {
            "id": incident["id"],
            "lat": centre[0],
            "lon": centre[1],
            "role": "incident",
            "label": place.get("name") or "",
            "precision_m": place.get("precision_m"),
        }
    ]
    links = []
    objective = incident["objective"]
    if _located(objective):
        points.append(
            {
                "lat": objective["lat"],
                "lon": objective["lon"],
                "role": "objective",
                "label": objective.get("name") or "",
            }
        )
        if objective.get("distance_m") is not None:
            links.append(
                {
                    "from": centre,
                    "to": (objective["lat"], objective["lon"]),
                    "label": format_distance(float(objective["distance_m"])),
                }
            )
    for obj in (incident.get("context_objects") or [])[:12]:
        if _located(obj):
            points.append(
                {
                    "lat": obj["lat"],
                    "lon": obj["lon"],
                    "role": _CATEGORY_ROLE.get(str(obj.get("category")), "other"),
                    "label": obj.get("name") or ", ".join(obj.get("kinds") or []),
                }
            )
    for geo in incident.get("geolocations") or []:
        if _located(geo):
            points.append(
                {
                    "lat": geo["lat"],
                    "lon": geo["lon"],
                    "role": "geolocation",
                    "label": "",
                    "precision_m": geo.get("precision_m"),
                }
            )
    radius = float(place.get("precision_m") or 0)
    return draw_map(
        points,
        links=links,
        title=f"Map of {incident['title']}",
        centre=centre,
        width=680,
        height=360,
        min_half_extent_m=max(1000.0, radius * 1.15),
    )


def timeline(context: Mapping[str, Any]) -> str | None:
    """The incidents on a UTC time axis, numbered as in the report."""
    events = [
        {
            "id": i["id"],
            "label": f"{n}. {(i['place'] or {}).get('name') or i['title']}",
            "start": i["time"].get("start"),
            "end": i["time"].get("end"),
            "approximate": i["time"].get("approximate"),
        }
        for n, i in enumerate(context["incidents"], start=1)
    ]
    if not events:
        return None
    return draw_timeline(events, title="Incidents in time (UTC)")


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("evidencelab.publish", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["people"] = people
    environment.filters["distance"] = format_distance
    return environment


def render_report(context: Mapping[str, Any]) -> str:
    """The report as HTML, from the plain values of ``evidencelab.service.outputs.report``.

    The SVG drawings are built here from the same values (they escape their own text) and
    passed to the template as markup.
    """
    maps = {i["id"]: Markup(incident_map(i) or "") for i in context["incidents"]}
    overview = Markup(overview_map(context) or "")
    line = Markup(timeline(context) or "")
    return (
        _environment()
        .get_template("report.html.j2")
        .render(**context, overview_map=overview, timeline_svg=line, incident_maps=maps)
    )
