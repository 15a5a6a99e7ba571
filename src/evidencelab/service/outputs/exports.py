"""Exports of a case for others: the case file, GeoJSON and ACLED-style CSV of incidents.

Every export is logged in the custody log with the SHA-256 of the text that left the case.
"""

from __future__ import annotations

import json

from evidencelab.analysis.casualties import incident_casualties_for_case
from evidencelab.locker.case import Case
from evidencelab.locker.errors import InputError
from evidencelab.model.casefile import dump_case_file
from evidencelab.publish.exports import incidents_csv, incidents_geojson
from evidencelab.service.exchange.casefile import export_case
from evidencelab.service.outputs.bundle import public_case_file, refuse_term_leaks
from evidencelab.store.objects import sha256_text

FORMATS = ("case", "geojson", "csv")


def check_export(fmt: str, syntax: str, public: bool) -> None:
    """Refuse an export that cannot be made (InputError of field format, syntax or public)."""
    if fmt not in FORMATS:
        raise InputError("format", fmt, f"unknown export format (available: {', '.join(FORMATS)})")
    if syntax not in ("yaml", "json"):
        raise InputError("syntax", syntax, "must be yaml or json")
    if public and fmt == "case":
        raise InputError("public", None, "a public case file comes in the public bundle")


def export_text(case: Case, fmt: str, *, syntax: str = "yaml", public: bool = False) -> str:
    """The case in ``fmt``: ``case`` (YAML or JSON by ``syntax``), ``geojson`` or ``csv``.

    ``public`` (GeoJSON and CSV) exports from the case file a public bundle holds: the
    public report's rules (protected and witness sources, sensitive items, collectors,
    fields marked sensitive). A public case file is part of ``evidencelab bundle --public``.
    """
    check_export(fmt, syntax, public)
    case_file, redaction = public_case_file(case) if public else (export_case(case), None)
    if fmt == "case":
        text = dump_case_file(case_file, "json" if syntax == "json" else "yaml")
    elif fmt == "geojson":
        figures = incident_casualties_for_case(case_file)
        text = (
            json.dumps(incidents_geojson(case_file, figures), indent=2, ensure_ascii=False) + "\n"
        )
    else:
        figures = incident_casualties_for_case(case_file)
        text = incidents_csv(case_file, figures, public=public)
    if redaction is not None:
        refuse_term_leaks(f"public {fmt} export", text, redaction.terms)
    with case.transaction() as session:
        case.record(
            session,
            "export",
            None,
            {"format": fmt, "syntax": syntax, "public": public, "sha256": sha256_text(text)},
        )
    return text
