"""A self-contained HTML report of a case (thumbnails embedded, no network needed)."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

# Singular forms of the casualty breakdown groups (DESIGN.md), for "1 man", "2 men".
_SINGULAR = {"women": "woman", "men": "man", "children": "child"}


def people(count: int, group: str) -> str:
    """ "1 man", "2 women", "6 healthcare workers": a breakdown figure in words."""
    words = group.replace("_", " ")
    if count == 1:
        words = _SINGULAR.get(group, words.removesuffix("s"))
    return f"{count} {words}"


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("evidencelab.publish", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["people"] = people
    return environment


def render_report(context: dict[str, Any]) -> str:
    """The report as HTML, from the plain values of ``evidencelab.service.report``."""
    return _environment().get_template("report.html.j2").render(**context)
