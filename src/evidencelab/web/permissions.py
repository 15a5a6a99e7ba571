"""The permission matrix: what each role may do, and which permission each route needs.

This is the one place access rules live. Every route of the app must appear in
ROUTE_PERMISSIONS (a route without a rule is refused to everyone, and the permission-matrix
test fails); docs/web.md prints the same table.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

PUBLIC: Final = "public"  # anyone, logged in or not (the login page)

# Permissions, from least to most trusted.
PERMISSIONS: Final = {
    "read": "see the case: incidents, evidence, map, timeline, custody log, search",
    "read_sensitive": "see sensitive sources and evidence (e.g. witness identities)",
    "edit": "create and edit incidents, link evidence, add casualty reports and claims",
    "upload": "upload evidence into the locker",
    "import": "import a case archive (sources, incidents and the evidence they name)",
    "review": "mark incident facts reviewed or disputed; sign off indicators; review geolocations",
    "flag": "set and clear sensitivity flags on evidence; note that an item was reviewed",
    "admin": "manage users: list, add, change a role, disable",
}

ROLE_PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    "admin": frozenset(PERMISSIONS),
    "investigator": frozenset({"read", "read_sensitive", "edit", "upload", "import", "flag"}),
    "reviewer": frozenset({"read", "review", "flag"}),
    "viewer": frozenset({"read"}),
}

# Route name (the endpoint function's name) -> the permission it needs.
ROUTE_PERMISSIONS: Final[dict[str, str]] = {
    # sign in and out
    "login_form": PUBLIC,
    "login": PUBLIC,
    "logout": "read",
    # pages
    "overview": "read",
    "incidents": "read",
    "incident_page": "read",
    "map_page": "read",
    "timeline": "read",
    "evidence_list": "read",
    "evidence_page": "read",
    "evidence_original": "read",
    "evidence_derivative": "read",
    "evidence_thumbnail": "read",  # a preview: the original's rule (sensitive items)
    "custody": "read",
    "search_page": "read",
    # discussion: anyone who reads the case may comment; only the author changes a comment
    "comment_form": "read",
    "comment_add": "read",
    "comment_edit_form": "read",
    "comment_update": "read",
    "comment_delete_form": "read",
    "comment_delete": "read",
    "activity_page": "read",
    "activity_seen": "read",
    # maps: the offline basemap's layers, the time zone at a picked place
    "basemap": "read",
    "time_zone": "read",
    # editing
    "incident_new": "edit",
    "incident_create": "edit",
    "incident_edit_form": "edit",
    "incident_update": "edit",
    "evidence_link": "edit",
    "evidence_unlink": "edit",
    "casualty_add": "edit",
    "upload_form": "upload",
    "upload": "upload",
    "import_form": "import",
    "case_import": "import",
    # users
    "users_page": "admin",
    "user_add": "admin",
    "user_role": "admin",
    "user_disable": "admin",
    # review
    "fact_review": "review",
    # workflow: status, assignee and due date of incidents, the case's statuses (the list
    # itself is "incidents" above)
    "incident_bulk": "edit",
    "incident_workflow_set": "edit",
    "workflow_statuses_page": "read",
    "workflow_statuses_set": "edit",
    # verification (checks are shown on the evidence, incident and upload pages)
    "duplicates_page": "read",
    "evidence_status_form": "edit",
    "evidence_status_set": "edit",
    # outputs (internal editions also need read_sensitive, checked by the route)
    "outputs_page": "read",
    "output_start": "read",
    "output_job": "read",
    "output_download": "read",
    # assessment and claims (a sign-off is a reviewer's decision)
    "assessment_page": "read",
    "indicator_sign_off": "review",
    "claims_page": "read",
    "claim_add": "edit",
    # geolocation and chronolocation (a geolocation's review is a reviewer's)
    "geolocation_add_evidence": "edit",
    "geolocation_add_incident": "edit",
    "geolocation_review": "review",
    "incident_place_confirm": "edit",
    "incident_place_apply": "edit",
    "chronolocation_run": "edit",
    # sources and casualty-report corrections
    "sources_page": "read",
    "source_create": "edit",
    "source_page": "read",
    "source_update": "edit",
    "casualty_form": "edit",
    "casualty_correct_form": "edit",
    "casualty_correct": "edit",
    "casualty_withdraw_form": "edit",
    "casualty_withdraw": "edit",
    # graphic-content safeguards: flags by investigators and reviewers, clearance for
    # publication by reviewers, viewing preferences by everyone for themselves
    "evidence_flags_form": "flag",
    "evidence_flags_set": "flag",
    "evidence_clearance_set": "review",
    "evidence_reviewed": "flag",
    "evidence_contact_sheet": "read",
    "evidence_bulk_flag": "flag",
    "evidence_bulk_link": "edit",
    "preferences_page": "read",
    "preferences_save": "read",
    # trusted timestamps (RFC 3161)
    "timestamps_page": "read",
    "timestamp_now": "edit",
    # content credentials: reading an item not read yet, from its page
    "evidence_credentials_read": "upload",
    # web capture: capturing adds evidence; a job is seen only by who started it
    "capture_form": "upload",
    "capture_start": "upload",
    "capture_job": "upload",
    "captures_page": "read",
    "capture_page": "read",
    "api_capture_start": "upload",
    "api_capture_job": "upload",
    "api_captures": "read",
    "api_capture": "read",
    # JSON API
    "api_openapi": "read",
    "api_summary": "read",
    "api_incident": "read",
    "api_evidence_list": "read",
    "api_evidence": "read",
    "api_evidence_sensitivity": "read",  # flagged items: the original's rule
    "api_evidence_flags": "flag",
    "api_custody": "read",
    "api_review_states": "read",
    "api_fact_review": "review",
    "api_incident_create": "edit",
    "api_evidence_link": "edit",
    "api_timestamps": "read",
    # JSON API of search, discussion, workflow and content credentials (the pages' rules)
    "api_search": "read",
    "api_incident_comments": "read",
    "api_incident_comment_add": "read",
    "api_evidence_comments": "read",
    "api_evidence_comment_add": "read",
    "api_activity": "read",
    "api_activity_seen": "read",
    "api_incidents": "read",
    "api_incident_workflow": "edit",
    "api_evidence_credentials": "read",
    "api_credentials_read": "upload",
}


def allowed(role: str | None, permission: str) -> bool:
    """Whether a user of ``role`` (None: not logged in) has ``permission``."""
    if permission == PUBLIC:
        return True
    return role is not None and permission in ROLE_PERMISSIONS.get(role, frozenset())


def matrix_markdown(routes: Iterable[tuple[str, str, set[str]]]) -> str:
    """The method-and-path × role table of docs/web.md, one row per method of each of
    ``routes`` (``web.app.route_table(app.routes)``: name, path, methods), in their order;
    tests/test_web_route_table.py compares it with the doc and rewrites the doc's table
    with ``--update-docs``."""
    roles = list(ROLE_PERMISSIONS)
    lines = [
        "| method and path | permission | " + " | ".join(roles) + " | anonymous |",
        "|---|---|" + "---|" * (len(roles) + 1),
    ]
    for name, path, methods in routes:
        permission = ROUTE_PERMISSIONS.get(name, "none (refused to everyone)")
        cells = ["yes" if allowed(r, permission) else "–" for r in roles]
        cells.append("yes" if permission == PUBLIC else "–")
        for method in sorted(methods - {"HEAD"}):
            lines.append(f"| {method} `{path}` | {permission} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
