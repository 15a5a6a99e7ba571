"""Records the access capability returns: web users and their roles.

Times are UTC ISO 8601 text.
"""

from __future__ import annotations

from typing_extensions import TypedDict


class UserRecord(TypedDict):
    """A web user: name, role and whether the account is disabled."""

    name: str
    role: str  # admin, investigator, reviewer or viewer
    created_at: str
    disabled: bool


class ListedUser(UserRecord):
    """A web user in the user list, with when their newest live session began."""

    signed_in_since: str | None  # None: no live session (logins are not otherwise kept)


class ViewingPreferences(TypedDict):
    """How a user wants media shown before they reveal it (both on by default)."""

    user: str
    greyscale: bool
    blur: bool
