"""The case's list of incident workflow statuses (migration 0015).

The incident's own workflow fields (status, assignee, due date) are columns of the
``incident`` table; this table holds the statuses a case defines for itself, in order.
An empty table means the default list (``service/incidents/workflow.py``).
"""

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from evidencelab.store.tables.core import Base


class WorkflowStatus(Base):
    """One status of the case's own list; ``position`` orders the list (0 first)."""

    __tablename__ = "workflow_status"

    name: Mapped[str] = mapped_column(String, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
