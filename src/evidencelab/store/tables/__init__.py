"""The case database's tables, one module per layer that owns them.

Importing this package registers every table on ``Base.metadata``, which Alembic and the
schema test compare against the migrations.
"""

from evidencelab.store.tables import (
    assessment,
    capture,
    context,
    credentials,
    imagery,
    safety,
    search,
    timestamps,
    users,
    verification,
    workflow,
)
from evidencelab.store.tables.core import (
    Acquisition,
    Base,
    CaseInfo,
    CasualtyReportRow,
    CustodyEvent,
    Derivative,
    EvidenceItem,
    Finding,
    Incident,
    IncidentEvidence,
    PerceptualHashRow,
    Source,
)

__all__ = [
    "Acquisition",
    "Base",
    "CaseInfo",
    "CasualtyReportRow",
    "CustodyEvent",
    "Derivative",
    "EvidenceItem",
    "Finding",
    "Incident",
    "IncidentEvidence",
    "PerceptualHashRow",
    "Source",
    "assessment",
    "capture",
    "context",
    "credentials",
    "imagery",
    "safety",
    "search",
    "timestamps",
    "users",
    "verification",
    "workflow",
]
