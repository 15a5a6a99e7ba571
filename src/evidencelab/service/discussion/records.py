"""Comments and the activity feed, as typed records."""

from __future__ import annotations

from typing_extensions import TypedDict


class CommentRecord(TypedDict):
    """A comment in a thread; a deleted one keeps its place with no text."""

    id: int
    subject_kind: str  # incident | evidence
    subject_id: str
    author: str
    body: str | None  # None: "comment deleted"
    mentions: list[str]  # user names
    created_at: str  # UTC, ISO 8601
    edited_at: str | None
    deleted: bool


class ActivityEvent(TypedDict):
    """A custody event in the feed, in words."""

    seq: int
    recorded_at: str
    actor: str
    action: str
    words: str  # what the action records (locker.actions)
    subject: str | None


class ActivityFeed(TypedDict):
    """What changed in the case since a user last marked the feed seen."""

    user: str
    seen_at: str | None  # when the user last marked it seen; None: never
    events: list[ActivityEvent]  # newest first, the user's own left out
    mentions: list[CommentRecord]  # comments by others that name the user, newest first
    count: int
