"""Each user's viewing preferences: whether media is shown greyscale and blurred until they
reveal it. Both are on unless the user turns them off for themselves (docs/safety.md); the
warning over flagged items and the muted sound are not preferences and always apply."""

from __future__ import annotations

from sqlalchemy import select

from evidencelab.locker.case import Case
from evidencelab.locker.errors import InputError
from evidencelab.service.access.records import ViewingPreferences
from evidencelab.store.tables.safety import ViewingPreference
from evidencelab.store.tables.users import WebUser


def viewing_preferences(case: Case, user: str) -> ViewingPreferences:
    """``user``'s preferences; both safeguards on for a user who never chose."""
    with case.sessions() as session:
        row = session.scalar(select(ViewingPreference).join(WebUser).where(WebUser.name == user))
        if row is None:
            return {"user": user, "greyscale": True, "blur": True}
        return {"user": user, "greyscale": row.greyscale, "blur": row.blur}


def set_viewing_preferences(
    case: Case, user: str, *, greyscale: bool, blur: bool
) -> ViewingPreferences:
    """Store ``user``'s choice (not a record of the case: never in the custody log)."""
    with case.transaction() as session:
        account = session.scalar(select(WebUser).where(WebUser.name == user))
        if account is None:
            raise InputError("user", user, "no such user")
        row = session.get(ViewingPreference, account.id) or ViewingPreference(user_id=account.id)
        row.greyscale, row.blur = greyscale, blur
        session.add(row)
    return {"user": user, "greyscale": greyscale, "blur": blur}
