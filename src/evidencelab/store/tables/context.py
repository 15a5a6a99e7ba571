"""Tables for context objects: protected objects and possible military objectives."""

from __future__ import annotations
