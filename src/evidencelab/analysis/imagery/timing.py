"""Where a scene's acquisition falls relative to an incident's time interval."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

Label = Literal["before", "during", "after", "unknown"]


def _moment(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo is not None else None


def label_acquisition(acquired_at: str | None, incident_time: dict[str, Any] | None) -> Label:
    """``before``/``during``/``after`` the incident interval, or ``unknown``.

    The interval is ``[start, end]`` of the incident's time (``end`` missing: the instant
    ``start``); both ends count as ``during``. Times must carry a UTC offset; a naive time
    on either side, or a missing one, gives ``unknown`` rather than a guess.
    """
    acquired = _moment(acquired_at)
    if acquired is None or not incident_time:
        return "unknown"
    start = _moment(incident_time.get("start"))
    if start is None:
        return "unknown"
    end = _moment(incident_time.get("end")) or start
    if acquired < start:
        return "before"
    if acquired > end:
        return "after"
    return "during"


def seconds_from_interval(acquired_at: str, incident_time: dict[str, Any]) -> float:
    """Signed seconds from the incident interval to the acquisition (0 inside it):
    negative before ``start``, positive after ``end``. Both times must carry offsets."""
    acquired = _moment(acquired_at)
    start = _moment(incident_time.get("start"))
    if acquired is None or start is None:
        raise ValueError("acquisition and incident start need times with UTC offsets")
    end = _moment(incident_time.get("end")) or start
    if acquired < start:
        return (acquired - start).total_seconds()
    if acquired > end:
        return (acquired - end).total_seconds()
    return 0.0
