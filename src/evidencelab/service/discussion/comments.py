"""Comment threads on incidents and evidence items, with @mentions of users.

Discussion is recorded with author and time but is not evidence: comments are not in the
custody log. Plain text (no markup), at most :data:`MAX_LENGTH` characters; only the author
edits or deletes a comment, and a deleted one leaves "comment deleted" in its thread.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidencelab.locker.case import Case
from evidencelab.locker.errors import InputError
from evidencelab.service.discussion.records import CommentRecord
from evidencelab.store.tables import EvidenceItem, Incident
from evidencelab.store.tables.search import Comment, CommentMention
from evidencelab.store.tables.users import WebUser

MAX_LENGTH = 4000
SUBJECT_KINDS = ("incident", "evidence")
# "@rita" after a space or at the start, not inside an e-mail address.
MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9_][A-Za-z0-9_.-]*[A-Za-z0-9_]|[A-Za-z0-9_])")


def now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def comment_record(comment: Comment, mentions: list[str]) -> CommentRecord:
    return {
        "id": comment.id,
        "subject_kind": comment.subject_kind,
        "subject_id": comment.subject_id,
        "author": comment.author,
        "body": comment.body,
        "mentions": mentions,
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
        "deleted": comment.deleted_at is not None,
    }


def visible_subject(session: Session, kind: str, subject_id: str, *, sensitive: bool) -> bool:
    """Whether the incident or evidence item exists for this reader (a sensitive item
    does not, to a reader without ``read_sensitive``)."""
    if kind == "incident":
        return session.get(Incident, subject_id) is not None
    item = session.get(EvidenceItem, subject_id)
    return item is not None and (sensitive or not item.sensitive)


def _require_subject(session: Session, kind: str, subject_id: str, *, sensitive: bool) -> None:
    if kind not in SUBJECT_KINDS:
        raise InputError("subject", kind, "comments are on an incident or an evidence item")
    if not visible_subject(session, kind, subject_id, sensitive=sensitive):
        noun = "incident" if kind == "incident" else "evidence item"
        raise InputError(kind, subject_id, f"no such {noun}")


def _require_user(session: Session, name: str, field: str) -> None:
    user = session.scalar(select(WebUser).where(WebUser.name == name))
    if user is None or user.disabled:
        raise InputError(field, name, "no such user")


def _checked_body(session: Session, body: str) -> tuple[str, list[str]]:
    """The comment's text and the users it names; refused if empty, too long, or naming
    someone who is not a user."""
    text = body.strip()
    if not text:
        raise InputError("body", None, "write something")
    if len(text) > MAX_LENGTH:
        raise InputError("body", None, f"{len(text)} characters; at most {MAX_LENGTH}")
    names = list(dict.fromkeys(MENTION.findall(text)))
    known = set(session.scalars(select(WebUser.name).where(WebUser.disabled.is_(False))))
    unknown = [n for n in names if n not in known]
    if unknown:
        shown = ", ".join(f"@{n}" for n in unknown)
        raise InputError("body", shown, "no such user to mention")
    return text, names


def add_comment(
    case: Case, author: str, kind: str, subject_id: str, body: str, *, sensitive: bool
) -> CommentRecord:
    """Add ``author``'s comment to the thread of an incident or evidence item."""
    with case.transaction() as session:
        _require_user(session, author, "user")
        _require_subject(session, kind, subject_id, sensitive=sensitive)
        text, names = _checked_body(session, body)
        comment = Comment(
            subject_kind=kind, subject_id=subject_id, author=author, body=text, created_at=now()
        )
        session.add(comment)
        session.flush()
        session.add_all(CommentMention(comment_id=comment.id, user_name=n) for n in names)
        return comment_record(comment, names)


def _mentions(session: Session, ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    rows = session.execute(
        select(CommentMention.comment_id, CommentMention.user_name)
        .where(CommentMention.comment_id.in_(ids))
        .order_by(CommentMention.user_name)
    )
    for comment_id, name in rows:
        found.setdefault(comment_id, []).append(name)
    return found


def records_of(session: Session, comments: list[Comment]) -> list[CommentRecord]:
    mentions = _mentions(session, [c.id for c in comments])
    return [comment_record(c, mentions.get(c.id, [])) for c in comments]


def list_comments(
    case: Case, kind: str, subject_id: str, *, sensitive: bool
) -> list[CommentRecord]:
    """The thread of an incident or evidence item, oldest first."""
    with case.sessions() as session:
        _require_subject(session, kind, subject_id, sensitive=sensitive)
        comments = session.scalars(
            select(Comment)
            .where(Comment.subject_kind == kind, Comment.subject_id == subject_id)
            .order_by(Comment.id)
        )
        return records_of(session, list(comments))


def _own_comment(session: Session, comment_id: int, author: str) -> Comment:
    comment = session.get(Comment, comment_id)
    if comment is None or comment.deleted_at is not None:
        raise InputError("comment", comment_id, "no such comment")
    if comment.author != author:
        raise InputError("comment", comment_id, "only its author may change it")
    return comment


def comment_of(case: Case, comment_id: int, author: str, *, sensitive: bool) -> CommentRecord:
    """``author``'s own comment (to edit or delete it), on a subject the reader may see."""
    with case.sessions() as session:
        comment = _own_comment(session, comment_id, author)
        if not visible_subject(
            session, comment.subject_kind, comment.subject_id, sensitive=sensitive
        ):
            raise InputError("comment", comment_id, "no such comment")
        return records_of(session, [comment])[0]


def edit_comment(case: Case, comment_id: int, author: str, body: str) -> CommentRecord:
    """Replace the text of ``author``'s own comment (its mentions follow the new text)."""
    with case.transaction() as session:
        comment = _own_comment(session, comment_id, author)
        text, names = _checked_body(session, body)
        comment.body, comment.edited_at = text, now()
        for old in session.scalars(
            select(CommentMention).where(CommentMention.comment_id == comment_id)
        ):
            session.delete(old)
        session.flush()
        session.add_all(CommentMention(comment_id=comment_id, user_name=n) for n in names)
        return comment_record(comment, names)


def delete_comment(case: Case, comment_id: int, author: str) -> CommentRecord:
    """Delete ``author``'s own comment: its text goes, its place in the thread stays."""
    with case.transaction() as session:
        comment = _own_comment(session, comment_id, author)
        comment.body, comment.deleted_at = None, now()
        for old in session.scalars(
            select(CommentMention).where(CommentMention.comment_id == comment_id)
        ):
            session.delete(old)
        return comment_record(comment, [])
