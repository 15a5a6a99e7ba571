"""Tables for claims register and indicator sign-offs (assess layer)."""

from __future__ import annotations
