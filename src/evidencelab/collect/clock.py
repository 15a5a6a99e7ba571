"""This machine's clock as the capture reads it, and whether the kernel says it is
synchronised.

Linux keeps the synchronisation state an NTP or PTP daemon last set: ``adjtimex(2)`` with
no change returns ``TIME_ERROR`` (5) while the clock is not synchronised, and the
estimated error in microseconds (``esterror``) otherwise (Linux man page adjtimex(2);
RFC 5905 §12 for the kernel discipline). Where the call is unavailable the answer is
``unknown``, never a guess.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from datetime import UTC, datetime

from evidencelab.collect.records import ClockReading

TIME_ERROR = 5


class _Timex(ctypes.Structure):
    # struct timex of <sys/timex.h> up to esterror; the kernel writes the whole struct, so
    # the rest is padding large enough for it.
    _fields_ = [
        ("modes", ctypes.c_uint),
        ("offset", ctypes.c_long),
        ("freq", ctypes.c_long),
        ("maxerror", ctypes.c_long),
        ("esterror", ctypes.c_long),
        ("rest", ctypes.c_byte * 256),
    ]


def read_clock() -> ClockReading:
    """The UTC time now, with the kernel's synchronisation state (see the module)."""
    utc = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    name = ctypes.util.find_library("c")
    if name is None:
        return ClockReading(
            utc=utc, synchronised="unknown", estimated_error_us=None, basis="no C library"
        )
    try:
        state = ctypes.CDLL(name, use_errno=True).adjtimex(ctypes.byref(timex := _Timex()))
    except (OSError, AttributeError):
        return ClockReading(
            utc=utc, synchronised="unknown", estimated_error_us=None, basis="adjtimex unavailable"
        )
    if state < 0:
        return ClockReading(
            utc=utc, synchronised="unknown", estimated_error_us=None, basis="adjtimex failed"
        )
    synced = state != TIME_ERROR
    return ClockReading(
        utc=utc,
        synchronised="yes" if synced else "no",
        estimated_error_us=int(timex.esterror) if synced else None,
        basis=f"kernel adjtimex state {state}",
    )
