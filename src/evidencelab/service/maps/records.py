"""Records the maps service answers with."""

from __future__ import annotations

from typing_extensions import TypedDict


class MapContextObject(TypedDict):
    """A context object of the case near an incident, as the incident page's map draws it."""

    id: str
    name: str | None
    kinds: list[str]  # hospital, school, military, …
    category: str | None  # protected, military, population
    lat: float  # a point inside the object
    lon: float
    distance_m: float  # from the incident's recorded point to the object's edge


class PlaceTimeZone(TypedDict):
    """The IANA time zone at a place and its UTC offset at a given moment."""

    lat: float
    lon: float
    zone: str | None  # None at sea, where no zone applies
    utc_offset: str | None  # "+02:00" at the moment asked about
