"""Every action the custody log records: its name, what its subject names, and what its
payload holds.

The names are part of a permanent format (logs written years ago must still verify), so
they are kept as first written, whatever their spelling; a new action is added here, and
:func:`evidencelab.locker.custody.append_event` refuses any other. docs/custody-log.md is
this table, and a test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    name: str
    subject: str
    payload: str


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("create", "—", "the evidencelab version that created the case"),
        Action("migrate", "—", "schema revision before and after"),
        Action(
            "records",
            "the subject of the transaction's other events, when they share one",
            "every row the transaction wrote: table, key, operation, new and old values "
            "(large and secret values by SHA-256); `baseline: true` for a migrated case",
        ),
        Action("ingest", "evidence id", "SHA-256, size, file name, the acquisition's fields"),
        Action("acquire", "evidence id", "as `ingest`, for bytes already stored"),
        Action("import", "—", "case file name and SHA-256, title, ids of what it declared"),
        Action(
            "export", "—", "format (`bundle` for a bundle), public or not, SHA-256 of what left"
        ),
        Action("report", "—", "file, format, public or not, SHA-256, casualty figures printed"),
        Action("anchor", "—", "where the head was anchored, its sequence number, hash, time"),
        Action("finding", "evidence id", "kind and SHA-256 of the stored run"),
        Action("evidence_status", "evidence id", "state, reason, who and when"),
        Action("geolocation", "evidence or incident id", "SHA-256 of the record"),
        Action("geolocation_review", "evidence or incident id", "the review and its target"),
        Action("incident_place", "incident id", "place derived from reviewed geolocations"),
        Action("incident_create", "incident id", "the fields set, the facts stated"),
        Action("incident_edit", "incident id", "the fields changed (from, to), the facts"),
        Action("casualty_add", "incident id", "the casualty report added, the facts"),
        Action(
            "casualty_correct",
            "incident id",
            "the new report (with `supersedes` and `correction_reason`), the id it replaces",
        ),
        Action("casualty_withdraw", "incident id", "the report's place and id, the reason"),
        Action("evidence_link", "incident id", "the evidence id linked"),
        Action("evidence_unlink", "incident id", "the evidence id unlinked"),
        Action("fact_review", "incident id", "fact, state, comment, the fact's event"),
        Action(
            "indicator_signoff",
            "incident id/indicator code",
            "decision, comment, fingerprint of the facts, state before",
        ),
        Action("claim_add", "claim id", "the claim as recorded"),
        Action("source_add", "source id", "the source as declared"),
        Action("source_edit", "source id", "each field changed, before and after"),
        Action("context-import", "file SHA-256", "file, format, object counts by kind"),
        Action("context-add", "object id", "the object as recorded"),
        Action("imagery.scene", "evidence id", "scene kind, SHA-256 of the footprint"),
        Action("imagery.set", "evidence id", "scene facts changed (from, to), basis"),
        Action("imagery.link", "evidence id", "incident, basis, before/during/after"),
        Action("imagery.annotate", "evidence id", "the annotation as recorded"),
        Action("imagery.chip", "evidence id", "source and chip SHA-256, parameters"),
        Action("imagery.compare", "evidence id", "both scenes and the change map's SHA-256"),
        Action("imagery.fetch", "evidence id", "catalogue, item, asset, window, SHA-256"),
        Action("user_add", "user name", "role"),
        Action("user_role", "user name", "role, previous role"),
        Action("user_disable", "user name", "—"),
        Action("token_create", "user name", "SHA-256 of the token"),
    )
}


def check_action(name: str) -> str:
    """``name`` if it is a custody action; ValueError otherwise (a programming error)."""
    if name not in ACTIONS:
        raise ValueError(f"custody action {name!r} is not in evidencelab.locker.actions")
    return name


def actions_markdown() -> str:
    """The table of docs/custody-log.md."""
    rows = [f"| `{a.name}` | {a.subject} | {a.payload} |" for a in ACTIONS.values()]
    return "\n".join(["| action | subject | payload |", "|---|---|---|", *rows]) + "\n"
