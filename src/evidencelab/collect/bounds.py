"""The bounds that stop a capture short and still leave a capture: the page kept as it
stood when the bound was reached, and the capture record saying so among its declared
transformations (the Berkeley Protocol on Digital Open Source Investigations, OHCHR and UC
Berkeley, 2022, asks that any limitation of a collection be documented with it).

Bounds that would leave a capture half made (a body over the size limit, a page that
answers nothing at all) refuse the capture instead; see collect/browser.py.
"""

from __future__ import annotations

BOUNDS = ("time", "scroll", "requests")
_PREFIX = "capture stopped at its {} bound: "


def bound_statement(bound: str, limit: float) -> str:
    """The declared transformation for ``bound`` reached at ``limit`` (seconds for
    ``time``, screens for ``scroll``, requests for ``requests``)."""
    what = {
        "time": f"the page had not finished loading after {limit:g} s; loading was stopped "
        "and the page kept as it stood, requests still pending listed as failed",
        "scroll": f"the page still grew after {limit:g} screens of scrolling; what it would "
        "have loaded further down was not loaded",
        "requests": f"the page asked for more than {limit:g} resources; the later requests "
        "were refused and are listed as refused",
    }[bound]
    return _PREFIX.format(bound) + what


def bounds_in(transformations: list[str]) -> list[str]:
    """The bounds a capture reached, read back from its declared transformations."""
    return [b for b in BOUNDS if any(t.startswith(_PREFIX.format(b)) for t in transformations)]
