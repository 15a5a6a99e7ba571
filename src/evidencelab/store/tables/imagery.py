"""Tables for satellite scenes' annotations (imagery)."""

from __future__ import annotations
