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
    title: str = ""  # what happened, in words (the pages show it beside the name)

    @property
    def words(self) -> str:
        """What the event records, in words: its title, else its name spelled out."""
        return self.title or self.name.replace("_", " ").replace(".", ": ").capitalize()


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action(
            "create", "—", "the evidencelab version that created the case", title="Case created"
        ),
        Action(
            "migrate", "—", "schema revision before and after", title="Database schema upgraded"
        ),
        Action(
            "records",
            "the subject of the transaction's other events, when they share one",
            "every row the transaction wrote: table, key, operation, new and old values "
            "(large and secret values by SHA-256); `baseline: true` for a migrated case",
            title="Rows written, each logged",
        ),
        Action(
            "ingest",
            "evidence id",
            "SHA-256, size, file name, the acquisition's fields",
            title="Evidence ingested",
        ),
        Action(
            "acquire",
            "evidence id",
            "as `ingest`, for bytes already stored",
            title="Evidence acquired again (bytes already stored)",
        ),
        Action(
            "import",
            "—",
            "case file name and SHA-256, title, ids of what it declared",
            title="Case file imported",
        ),
        Action(
            "export",
            "—",
            "format (`bundle` for a bundle), public or not, SHA-256 of what left",
            title="Case exported",
        ),
        Action(
            "report",
            "—",
            "file, format, public or not, SHA-256, casualty figures printed",
            title="Report written",
        ),
        Action(
            "anchor",
            "—",
            "where the head was anchored, its sequence number, hash, time",
            title="Custody head anchored",
        ),
        Action(
            "finding",
            "evidence id",
            "kind and SHA-256 of the stored run",
            title="Verification finding stored",
        ),
        Action(
            "evidence_status",
            "evidence id",
            "state, reason, who and when",
            title="Verification status set",
        ),
        Action(
            "evidence_flag",
            "evidence id",
            "sensitivity flags added and removed, the flags after, the reason",
            title="Sensitivity flags changed",
        ),
        Action(
            "evidence_clearance",
            "evidence id",
            "cleared for publication or clearance withdrawn, the flags covered, the reason",
            title="Clearance for publication decided",
        ),
        Action(
            "evidence_reviewed",
            "evidence id",
            "who watched the item in full, when, a note",
            title="Evidence reviewed (watched in full)",
        ),
        Action(
            "geolocation",
            "evidence or incident id",
            "SHA-256 of the record",
            title="Geolocation recorded",
        ),
        Action(
            "geolocation_review",
            "evidence or incident id",
            "the review and its target",
            title="Geolocation reviewed",
        ),
        Action(
            "incident_place",
            "incident id",
            "place derived from reviewed geolocations",
            title="Incident place derived from geolocations",
        ),
        Action(
            "incident_create",
            "incident id",
            "the fields set, the facts stated",
            title="Incident created",
        ),
        Action(
            "incident_edit",
            "incident id",
            "the fields changed (from, to), the facts",
            title="Incident edited",
        ),
        Action(
            "casualty_add",
            "incident id",
            "the casualty report added, the facts",
            title="Casualty report added",
        ),
        Action(
            "casualty_correct",
            "incident id",
            "the new report (with `supersedes` and `correction_reason`), the id it replaces",
            title="Casualty report corrected",
        ),
        Action(
            "casualty_withdraw",
            "incident id",
            "the report's place and id, the reason",
            title="Casualty report withdrawn",
        ),
        Action(
            "evidence_link",
            "incident id",
            "the evidence id linked",
            title="Evidence linked to incident",
        ),
        Action(
            "evidence_unlink",
            "incident id",
            "the evidence id unlinked",
            title="Evidence unlinked from incident",
        ),
        Action(
            "fact_review",
            "incident id",
            "fact, state, comment, the fact's event",
            title="Fact reviewed",
        ),
        Action(
            "incident_status", "incident id", "workflow status from, to", title="Status changed"
        ),
        Action(
            "incident_assign",
            "incident id",
            "assignee (a user name or none) from, to",
            title="Incident assigned",
        ),
        Action(
            "incident_due",
            "incident id",
            "due date (ISO 8601 or none) from, to",
            title="Due date set",
        ),
        Action(
            "workflow_statuses",
            "—",
            "the case's list of incident statuses, before and after",
            title="Status list changed",
        ),
        Action(
            "indicator_signoff",
            "incident id/indicator code",
            "decision, comment, fingerprint of the facts, state before",
            title="Indicator signed off",
        ),
        Action("claim_add", "claim id", "the claim as recorded", title="Claim added"),
        Action("source_add", "source id", "the source as declared", title="Source declared"),
        Action(
            "source_edit",
            "source id",
            "each field changed, before and after",
            title="Source edited",
        ),
        Action(
            "context-import",
            "file SHA-256",
            "file, format, object counts by kind",
            title="Map context imported",
        ),
        Action(
            "context-add", "object id", "the object as recorded", title="Map context object added"
        ),
        Action(
            "imagery.scene",
            "evidence id",
            "scene kind, SHA-256 of the footprint",
            title="Satellite scene recorded",
        ),
        Action(
            "imagery.set",
            "evidence id",
            "scene facts changed (from, to), basis",
            title="Scene facts changed",
        ),
        Action(
            "imagery.link",
            "evidence id",
            "incident, basis, before/during/after",
            title="Scene linked to incident",
        ),
        Action(
            "imagery.annotate", "evidence id", "the annotation as recorded", title="Scene annotated"
        ),
        Action(
            "imagery.chip",
            "evidence id",
            "source and chip SHA-256, parameters",
            title="Scene chip made",
        ),
        Action(
            "imagery.compare",
            "evidence id",
            "both scenes and the change map's SHA-256",
            title="Before/after change map made",
        ),
        Action(
            "imagery.fetch",
            "evidence id",
            "catalogue, item, asset, window, SHA-256",
            title="Satellite imagery fetched",
        ),
        Action("user_add", "user name", "role", title="User added"),
        Action("user_role", "user name", "role, previous role", title="User role changed"),
        Action("user_disable", "user name", "—", title="User disabled"),
        Action("token_create", "user name", "SHA-256 of the token", title="API token created"),
        Action(
            "web_capture",
            "capture id",
            "URL entered and final, status, the items made (role, id, SHA-256), clock reading "
            "and whether synchronised, tool versions, declared transformations",
            title="Web page captured",
        ),
        Action(
            "timestamp",
            "manifest SHA-256",
            "authority name and URL, serial, genTime, policy, items covered, SHA-256 of the "
            "token, request and previous manifest",
            title="Trusted timestamp recorded (RFC 3161)",
        ),
        Action(
            "timestamp_authority_add",
            "authority name",
            "URL, policy, SHA-256 of the roots",
            title="Time-stamping authority added",
        ),
        Action(
            "timestamp_authority_remove",
            "authority name",
            "URL",
            title="Time-stamping authority removed",
        ),
        Action(
            "content_credentials_read",
            "evidence id",
            "state found, the C2PA library's version, SHA-256 of the trust anchors",
            title="Content credentials (C2PA) read again",
        ),
        Action(
            "capture_key_create",
            "capture-signing-key",
            "the public key (base64 DER) and its SHA-256; the private key stays in the case folder",
            title="Capture signing key created",
        ),
    )
}


def check_action(name: str) -> str:
    """``name`` if it is a custody action; ValueError otherwise (a programming error)."""
    if name not in ACTIONS:
        raise ValueError(f"custody action {name!r} is not in evidencelab.locker.actions")
    return name


def actions_markdown() -> str:
    """The table of docs/custody-log.md."""
    rows = [f"| `{a.name}` | {a.words} | {a.subject} | {a.payload} |" for a in ACTIONS.values()]
    head = ["| action | in words | subject | payload |", "|---|---|---|---|"]
    return "\n".join([*head, *rows]) + "\n"
