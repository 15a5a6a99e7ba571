"""An item's stored content credentials (C2PA) as a record, with what they say in words."""

from __future__ import annotations

from evidencelab.service.evidence.records import CredentialsRecord
from evidencelab.store.tables.credentials import ContentCredentials
from evidencelab.verify import credentials as words

# The state of an item stored before content credentials were read.
NOT_READ = "not_read"


def credentials_record(evidence_id: str, row: ContentCredentials | None) -> CredentialsRecord:
    """An item's stored reading (``not_read`` without one) with what it says in words."""
    state = row.state if row is not None else NOT_READ
    manifest = row.manifest if row is not None else None
    results = row.validation_results if row is not None else None
    return {
        "evidence_id": evidence_id,
        "state": state,
        "state_words": words.STATE_WORDS.get(state, state),
        "signer": words.signer(manifest),
        "signed_at": words.signed_at(manifest),
        "claim_generator": words.claim_generator(manifest),
        "title": None if not manifest or not manifest.get("title") else str(manifest["title"]),
        "actions": [
            {
                "action": str(a["action"]),
                "when": a["when"],
                "software_agent": a["software_agent"],
                "digital_source_type": a["digital_source_type"],
            }
            for a in words.actions(manifest)
        ],
        "ingredients": [
            {"title": i["title"], "format": i["format"], "relationship": i["relationship"]}
            for i in words.ingredients(manifest)
        ],
        "results": [
            {
                "outcome": r["outcome"],
                "code": r["code"],
                "words": r["words"],
                "explanation": r["explanation"],
            }
            for r in words.results(results)
        ],
        "problem": row.problem if row is not None else None,
        "library": row.library if row is not None else None,
        "anchors_sha256": row.anchors_sha256 if row is not None else None,
        "read_at": row.read_at if row is not None else None,
        "manifest": manifest,
        "validation_results": results,
    }
