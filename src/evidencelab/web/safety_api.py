"""The JSON API of the safeguards around graphic content (docs/safety.md): an item's
sensitivity (flags with who set them and why, clearance, review notes) and setting or
clearing its flags, with the services, records and permissions of the pages (`read` to
read, `flag` to change)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from typing_extensions import TypedDict

from evidencelab.model.sensitivity import SensitivityFlag
from evidencelab.service.evidence.records import FlagChange, SensitivityRecord
from evidencelab.service.evidence.sensitivity import item_sensitivity, set_sensitivity
from evidencelab.web.api import ActingCase, ReadCase, SeesSensitive

router = APIRouter(prefix="/api", tags=["api"])


class FlagsIn(BaseModel):
    add: list[SensitivityFlag] = Field(default_factory=list, description="flags to set")
    remove: list[SensitivityFlag] = Field(default_factory=list, description="flags to clear")
    reason: str = Field(description="why; recorded in the custody event")


class ApiFlagsSet(TypedDict):
    """What a change of flags did (``change`` None: the item had them already) and the
    item's sensitivity after it."""

    change: FlagChange | None
    sensitivity: SensitivityRecord


@router.get("/evidence/{evidence_id}/sensitivity")
def api_evidence_sensitivity(
    case: ReadCase, sensitive: SeesSensitive, evidence_id: str
) -> SensitivityRecord:
    """The item's flags, clearance for publication and review notes."""
    return item_sensitivity(case, evidence_id, sensitive=sensitive)


@router.post("/evidence/{evidence_id}/flags")
async def api_evidence_flags(
    case: ActingCase, sensitive: SeesSensitive, evidence_id: str, body: FlagsIn
) -> ApiFlagsSet:
    """Set and clear flags on the item, as the signed-in user, with a reason: one custody
    event when its flags change."""
    changes = await run_in_threadpool(
        lambda: set_sensitivity(
            case,
            [evidence_id],
            add=body.add,
            remove=body.remove,
            reason=body.reason,
            sensitive=sensitive,
        )
    )
    after = await run_in_threadpool(item_sensitivity, case, evidence_id, sensitive=sensitive)
    return {"change": changes[0] if changes else None, "sensitivity": after}
