"""A self-contained HTML report of a case (thumbnails embedded, no network needed)."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("evidencelab.publish", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_report(context: dict[str, Any]) -> str:
    """The report as HTML, from the plain values of ``evidencelab.service.report``."""
    return _environment().get_template("report.html.j2").render(**context)
