"""Tables for geolocation records and review states (verify layer)."""

from __future__ import annotations
