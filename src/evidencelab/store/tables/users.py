"""Tables for web users, sessions and API tokens."""

from __future__ import annotations
