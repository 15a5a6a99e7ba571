"""The activity feed: what changed in the case since a user last marked it seen.

Custody events by others (new evidence, reviews, status changes: every action but the
``records`` events that accompany them, each described by ``locker.actions``) and
comments by others that mention the user. How far the user has read is stored per user.
"""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from evidencelab.locker.actions import ACTIONS
from evidencelab.locker.case import Case
from evidencelab.locker.errors import InputError
from evidencelab.service.access.withholding import Withholding, withholding
from evidencelab.service.discussion.comments import now, records_of, visible_subject
from evidencelab.service.discussion.records import ActivityEvent, ActivityFeed, CommentRecord
from evidencelab.service.integrity.custody import event_record
from evidencelab.store.tables import CustodyEvent
from evidencelab.store.tables.search import ActivitySeen, Comment, CommentMention
from evidencelab.store.tables.users import WebUser

LIMIT = 100
QUIET_ACTIONS = ("records",)  # the row-by-row log of a change another event names


def _seen(session: Session, user: str) -> ActivitySeen | None:
    if session.scalar(select(WebUser.id).where(WebUser.name == user)) is None:
        raise InputError("user", user, "no such user")
    return session.get(ActivitySeen, user)


def _events_query(user: str, after: int) -> Select[CustodyEvent]:
    return (
        select(CustodyEvent)
        .where(
            CustodyEvent.seq > after,
            CustodyEvent.actor != user,
            CustodyEvent.action.not_in(QUIET_ACTIONS),
        )
        .order_by(CustodyEvent.seq.desc())
        .limit(LIMIT)
    )


def _events(session: Session, user: str, after: int, withheld: Withholding) -> list[ActivityEvent]:
    rows = session.scalars(_events_query(user, after))
    events = [withheld.event(event_record(row)) for row in rows]
    return [
        {
            "seq": e["seq"],
            "recorded_at": e["recorded_at"],
            "actor": e["actor"],
            "action": e["action"],
            "words": ACTIONS[e["action"]].payload if e["action"] in ACTIONS else e["action"],
            "subject": e["subject"],
        }
        for e in events
    ]


def _mentioning(session: Session, user: str, after: int, sensitive: bool) -> list[Comment]:
    comments = session.scalars(
        select(Comment)
        .join(CommentMention, CommentMention.comment_id == Comment.id)
        .where(
            CommentMention.user_name == user,
            Comment.id > after,
            Comment.author != user,
            Comment.deleted_at.is_(None),
        )
        .order_by(Comment.id.desc())
        .limit(LIMIT)
    )
    return [
        c
        for c in comments
        if visible_subject(session, c.subject_kind, c.subject_id, sensitive=sensitive)
    ]


def _mentions(session: Session, user: str, after: int, sensitive: bool) -> list[CommentRecord]:
    return records_of(session, _mentioning(session, user, after, sensitive))


def activity(case: Case, user: str, *, sensitive: bool) -> ActivityFeed:
    """``user``'s feed since they last marked it seen (everything, if they never did)."""
    with case.sessions() as session:
        seen = _seen(session, user)
        withheld = withholding(session, sensitive=sensitive)
        events = _events(session, user, seen.event_seq if seen else 0, withheld)
        mentions = _mentions(session, user, seen.comment_id if seen else 0, sensitive)
    return {
        "user": user,
        "seen_at": seen.seen_at if seen else None,
        "events": events,
        "mentions": mentions,
        "count": len(events) + len(mentions),
    }


def activity_count(case: Case, user: str, *, sensitive: bool) -> int:
    """How many entries ``user``'s feed holds (the number beside "Activity"): the feed's
    count, without building its entries, since every page shows it."""
    with case.sessions() as session:
        seen = _seen(session, user)
        after_event, after_comment = (seen.event_seq, seen.comment_id) if seen else (0, 0)
        events = session.scalar(
            select(func.count()).select_from(_events_query(user, after_event).subquery())
        )
        mentions = _mentioning(session, user, after_comment, sensitive)
    return (events or 0) + len(mentions)


def mark_seen(case: Case, user: str, *, sensitive: bool) -> ActivityFeed:
    """Mark everything up to now seen for ``user``; returns the (now empty) feed."""
    with case.transaction() as session:
        seen = _seen(session, user)
        event_seq = session.scalar(select(func.max(CustodyEvent.seq))) or 0
        comment_id = session.scalar(select(func.max(Comment.id))) or 0
        if seen is None:
            seen = ActivitySeen(user_name=user, event_seq=0, comment_id=0, seen_at="")
            session.add(seen)
        seen.event_seq, seen.comment_id, seen.seen_at = event_seq, comment_id, now()
    return activity(case, user, sensitive=sensitive)
