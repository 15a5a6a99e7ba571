"""Ranges of the numbers a case file may hold, shared by the schema's checks and by the
commands that take the same numbers as options.

A number outside them is a typing mistake or a hostile file, never a figure to store: no
attack has a casualty count above ten million, and a count of 2^63 would not even fit the
database's integers.
"""

from __future__ import annotations

# Casualty counts, their bounds and breakdowns.
MAX_COUNT = 10_000_000
# Radius of a place's or a geolocation's uncertainty, and a crater's diameter: 1,000 km.
MAX_DISTANCE_M = 1_000_000
# Ids given as numbers (scene annotations): the largest integer every JSON reader keeps
# exactly (2^53 - 1).
MAX_NUMERIC_ID = 2**53 - 1
# Python refuses to read integers longer than this from text (int-string conversion
# limit); longer ones are reported before that refusal can surface as a traceback.
MAX_NUMBER_DIGITS = 4300
