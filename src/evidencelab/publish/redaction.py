"""The public version of a report: what protects people is removed before rendering.

The same notion of "sensitive" as the public bundle (`evidencelab.service.outputs.bundle`), on
the report's plain dict:

* **protected sources** — a source marked ``sensitive``, and every ``witness`` source
  (a witness's identity is protected whether or not the flag was set): the id becomes
  ``protected-source-N`` everywhere it appears, even inside sentences; description, notes
  and URL go; kind and reliability stay, so the public figures equal the internal ones;
  their casualty reports keep the figures only (quote and notes go);
* **sensitive evidence** — an item marked ``sensitive`` is left out entirely (no
  thumbnail, no hash, no file name); its id, name and hash are withheld wherever else they
  appear;
* **collectors** — who collected an item can identify a witness: never shown in public;
* **fields marked sensitive** — any record may list its own field names under
  ``sensitive_fields`` (e.g. an incident ``sensitive_fields: [notes]``, a place
  ``sensitive_fields: [name]``): those values are replaced by None;
* **satellite scenes not marked publishable** — their licence may forbid publication: their
  chips are left out, their thumbnails go, and their attribution, licence and chip hashes
  are withheld wherever else they appear (unless a publishable scene states the same);
* **sensitive terms** — every source's ``sensitive_terms`` (a witness's name, a phone
  number, an address; sensitive source or not) are withheld wherever they occur inside any
  text, matched as `evidencelab.publish.terms` describes; the lists themselves go.

Finally every string of the dict is searched for every sensitive string (three characters
or more, as in the bundle) and each occurrence replaced, then for every sensitive term;
`leaks` and `term_leaks` search a rendered document's text the same way, so a template
that prints something new cannot leak it silently.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from html.parser import HTMLParser
from typing import Any, Final

from evidencelab.publish.terms import Term, TermMatcher, redact_values, source_terms

SENSITIVE_FIELDS: Final = "sensitive_fields"
PROTECTED_DESCRIPTION: Final = "protected source"
WITHHELD: Final = "[withheld]"
MIN_LENGTH: Final = 3


def protected_sources(sources: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Source id → placeholder (``protected-source-N``, in the order given) for every
    sensitive or witness source."""
    protected: dict[str, str] = {}
    for source in sources:
        if source.get("sensitive") or source.get("kind") == "witness":
            protected[source["id"]] = f"protected-source-{len(protected) + 1}"
    return protected


def _strings(*values: Any) -> set[str]:
    return {v for v in values if isinstance(v, str) and len(v) >= MIN_LENGTH}


def marked_values(value: Any) -> set[str]:
    """String values of every field marked sensitive, anywhere in ``value`` (a report dict
    or a case file's)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for name in value.get(SENSITIVE_FIELDS) or ():
            found |= _all_strings(value.get(name))
        for child in value.values():
            found |= marked_values(child)
    elif isinstance(value, list):
        for child in value:
            found |= marked_values(child)
    return found


def _all_strings(value: Any) -> set[str]:
    if isinstance(value, str):
        return _strings(value)
    if isinstance(value, dict):
        return set().union(*(_all_strings(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_all_strings(v) for v in value)) if value else set()
    return set()


def sensitive_strings(context: Mapping[str, Any]) -> set[str]:
    """Every string the public report must not contain: protected sources' ids,
    descriptions, notes and URLs; sensitive items' ids, file names, hashes and
    acquisition details; collectors; quotes and notes of protected sources' casualty
    reports; and every value of a field marked sensitive."""
    protected = protected_sources(context.get("sources", []))
    found: set[str] = set()
    for source in context.get("sources", []):
        if source["id"] in protected:
            found |= _strings(source["id"], source.get("description"), source.get("notes"))
            found |= _strings(source.get("url"))
    for item in context.get("evidence", []):
        for acquisition in item.get("acquisitions", []):
            found |= _strings(acquisition.get("collector"))
            if item.get("sensitive"):
                found |= _strings(acquisition.get("url"), acquisition.get("note"))
        if item.get("sensitive"):
            found |= _strings(item["id"], item.get("name"), item.get("sha256"))
            found |= _strings(item.get("description"))
    for incident in context.get("incidents", []):
        for report in incident.get("reports", []):
            if report.get("source") in protected:
                found |= _strings(report.get("quote"), report.get("notes"))
    found |= marked_values(context)
    found |= _unpublishable_scene_strings(context)
    # A protected id's placeholder is public by design; never treat it as sensitive.
    return found - set(protected.values()) - {PROTECTED_DESCRIPTION, WITHHELD}


def report_terms(context: Mapping[str, Any]) -> TermMatcher:
    """The sensitive terms every source of a report dict declares."""
    return TermMatcher(source_terms(context.get("sources", [])))


def _chips(context: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [c for i in context.get("incidents", []) for c in i.get("imagery") or []]


def _unpublishable_scene_strings(context: Mapping[str, Any]) -> set[str]:
    """Attribution, licence and chip hash of scenes not marked publishable, less what a
    publishable scene states too (two scenes from one open archive share a credit)."""
    hidden: set[str] = set()
    shown: set[str] = set()
    for chip in _chips(context):
        strings = _strings(chip.get("attribution"), chip.get("licence"), chip.get("sha256"))
        if chip.get("publishable"):
            shown |= strings
        else:
            hidden |= strings
    return hidden - shown


def _withhold_marked(value: Any) -> Any:
    if isinstance(value, dict):
        result = {k: _withhold_marked(v) for k, v in value.items()}
        for name in value.get(SENSITIVE_FIELDS) or ():
            if name in result:
                result[name] = None
        return result
    if isinstance(value, list):
        return [_withhold_marked(v) for v in value]
    return value


def replace_strings(value: Any, pattern: re.Pattern[str] | None, swap: dict[str, str]) -> Any:
    if pattern is None:
        return value
    if isinstance(value, str):
        if value.startswith("data:"):  # an embedded image, not text
            return value
        return pattern.sub(lambda m: swap.get(m.group(0), WITHHELD), value)
    if isinstance(value, dict):
        return {k: replace_strings(v, pattern, swap) for k, v in value.items()}
    if isinstance(value, list):
        return [replace_strings(v, pattern, swap) for v in value]
    return value


def sensitive_pattern(strings: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted(set(strings), key=len, reverse=True)  # longest first: no partial swaps
    return re.compile("|".join(re.escape(s) for s in ordered)) if ordered else None


def public_report(context: Mapping[str, Any]) -> dict[str, Any]:
    """The report dict with everything sensitive removed (rules: module docstring)."""
    protected = protected_sources(context.get("sources", []))
    secrets = sensitive_strings(context)
    terms = report_terms(context)
    data = copy.deepcopy(dict(context))
    sensitive_items = {e["id"] for e in data.get("evidence", []) if e.get("sensitive")}
    data["sources"] = [
        {
            "id": s["id"],
            "kind": s.get("kind"),
            "reliability": s.get("reliability"),
            "description": PROTECTED_DESCRIPTION,
            "sensitive": True,
            "notes": None,
            "url": None,
        }
        if s["id"] in protected
        else s | {"sensitive_terms": []}
        for s in data.get("sources", [])
    ]
    data["evidence"] = [e for e in data.get("evidence", []) if e["id"] not in sensitive_items]
    for item in data["evidence"]:
        for acquisition in item.get("acquisitions", []):
            acquisition["collector"] = None
        if item.get("scene_publishable") is False:
            item["thumbnail"] = None
        if item.get("media_publishable") is False:  # flagged graphic, not cleared
            item["thumbnail"] = None
    for incident in data.get("incidents", []):
        incident["evidence"] = [e for e in incident.get("evidence", []) if e not in sensitive_items]
        for report in incident.get("reports", []):
            if report.get("source") in protected:
                report["quote"] = None
                report["notes"] = None
        if incident.get("imagery"):
            incident["imagery"] = [c for c in incident["imagery"] if c.get("publishable")]
        if incident.get("checks"):
            incident["checks"] = [
                c for c in incident["checks"] if c.get("evidence") not in sensitive_items
            ]
    if "summary" in data:
        data["summary"]["evidence_items"] = len(data["evidence"])
    data = _withhold_marked(data)
    data["public"] = True
    data["redaction"] = {
        "protected_sources": len(protected),
        "withheld_evidence": len(sensitive_items),
        "unpublishable_scenes": len(
            {c["scene"] for c in _chips(context) if not c.get("publishable")}
        ),
    }
    # Ids become their placeholders; every other sensitive string is withheld.
    swap = dict(protected)
    data = replace_strings(data, sensitive_pattern(secrets | set(protected)), swap)
    return dict(redact_values(data, terms, WITHHELD))


class _Text(HTMLParser):
    """Text and attribute values of an HTML document (embedded data URIs skipped)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.extend(v for _, v in attrs if v and not v.startswith("data:"))


def _document_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


def term_leaks(html: str, terms: TermMatcher) -> list[Term]:
    """The sensitive terms found in an HTML document's text or attribute values."""
    return terms.found(_document_text(html)) if terms else []


def leaks(html: str, strings: Iterable[str]) -> list[str]:
    """The sensitive strings found in an HTML document's text or attribute values."""
    text = _document_text(html)
    flat = re.sub(r"\s+", " ", text)
    return sorted(s for s in strings if s in text or re.sub(r"\s+", " ", s) in flat)
