"""Incidents on a time axis (UTC) as SVG text: a point for a time, a bar for an interval.

Input times are ISO 8601 strings with a UTC offset; times without one cannot be placed
on a common axis and are listed under the chart instead. An approximate time (a source
said "about 10.30") is drawn hollow with "≈": no bounds are invented for it. Up to
`MAX_ROWS` incidents get one labelled row each; more are packed into unlabelled lanes.
All text is XML-escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from xml.sax.saxutils import escape, quoteattr

MAX_ROWS: Final = 40

_MINUTE = timedelta(minutes=1)
#: Tick steps to choose from, smallest first.
STEPS: Final[tuple[timedelta, ...]] = (
    5 * _MINUTE,
    15 * _MINUTE,
    30 * _MINUTE,
    timedelta(hours=1),
    timedelta(hours=2),
    timedelta(hours=3),
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(days=1),
    timedelta(days=2),
    timedelta(days=7),
    timedelta(days=14),
    timedelta(days=30),
    timedelta(days=91),
    timedelta(days=365),
)


def _utc(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return None if parsed.tzinfo is None else parsed.astimezone(UTC)


def tick_step(span: timedelta, max_ticks: int = 8) -> timedelta:
    """The smallest step in `STEPS` giving at most ``max_ticks`` ticks over ``span``."""
    for step in STEPS:
        if span / step <= max_ticks:
            return step
    return STEPS[-1]


def _ticks(start: datetime, end: datetime, step: timedelta) -> list[datetime]:
    epoch = datetime(2000, 1, 3, tzinfo=UTC)  # a Monday: weekly ticks fall on Mondays
    first = epoch + step * -(-(start - epoch) // step)
    ticks: list[datetime] = []
    tick = first
    while tick <= end and len(ticks) < 60:
        ticks.append(tick)
        tick += step
    return ticks


def _tick_label(tick: datetime, step: timedelta) -> str:
    if step < timedelta(days=1):
        return tick.strftime("%H:%M") if tick.hour or tick.minute else tick.strftime("%d %b %H:%M")
    if step < timedelta(days=30):
        return tick.strftime("%d %b")
    return tick.strftime("%b %Y")


def draw_timeline(events: Sequence[Mapping[str, Any]], *, title: str, width: float = 680.0) -> str:
    """A timeline as SVG text.

    ``events``: ``{"id", "label", "start" (ISO 8601), "end" (ISO 8601 or None),
    "approximate" (bool)}``. Rows are in the order given.
    """
    placed = [(e, _utc(e.get("start")), _utc(e.get("end"))) for e in events]
    timed = [(e, s, t) for e, s, t in placed if s is not None]
    untimed = [e for e, s, _ in placed if s is None]
    label_w = 190.0 if len(timed) <= MAX_ROWS else 10.0
    left, right = label_w, width - 20
    if timed:
        lo = min(s for _, s, _ in timed if s is not None)
        hi = max(max(s, t or s) for _, s, t in timed if s is not None)
    else:
        lo = hi = datetime(2000, 1, 1, tzinfo=UTC)
    span = max(hi - lo, timedelta(hours=1))
    pad = span * 0.06
    lo, hi = lo - pad, hi + pad
    step = tick_step(hi - lo)

    def x_of(t: datetime) -> float:
        return left + (right - left) * ((t - lo) / (hi - lo))

    lanes = _rows(timed, x_of) if timed else []
    row_h = 20.0 if len(timed) <= MAX_ROWS else 9.0
    top = 14.0
    axis_y = top + row_h * max(len(set(lanes)), 1) + 8
    height = axis_y + 34 + (16 * min(len(untimed), 10) + 8 if untimed else 0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 {width:g}'
        f' {height:g}" width="{width:g}" height="{height:g}" role="img"'
        ' font-family="DejaVu Sans, Noto Sans, Noto Sans Arabic, sans-serif">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in _ticks(lo, hi, step):
        x = x_of(tick)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 6:g}" x2="{x:.1f}" y2="{axis_y:g}" stroke="#e3ded0"'
            ' stroke-width="0.8"/>'
            f'<text x="{x:.1f}" y="{axis_y + 14:g}" font-size="9.5" text-anchor="middle"'
            f' fill="#4a4a4a">{escape(_tick_label(tick, step))}</text>'
        )
    parts.append(
        f'<line x1="{left:g}" y1="{axis_y:g}" x2="{right:g}" y2="{axis_y:g}" stroke="#1b1b1b"'
        ' stroke-width="1"/>'
        f'<text x="{right:g}" y="{axis_y + 28:g}" font-size="9.5" text-anchor="end"'
        f' fill="#4a4a4a">{escape(_axis_caption(lo, hi, step))}</text>'
    )
    for (event, start, end), lane in zip(timed, lanes, strict=True):
        assert start is not None
        y = top + row_h * lane + row_h / 2
        parts.append(_event(event, x_of(start), x_of(end) if end else None, y, label_w))
    for i, event in enumerate(untimed[:10]):
        y = axis_y + 46 + 16 * i
        parts.append(
            f'<text x="{left:g}" y="{y:g}" font-size="10" fill="#4a4a4a">'
            f"{escape(str(event.get('label') or event.get('id')))}: not placed (no UTC offset"
            " or no time recorded)</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _axis_caption(lo: datetime, hi: datetime, step: timedelta) -> str:
    if step < timedelta(days=1):
        days = lo.strftime("%d %b %Y")
        if hi.date() != lo.date():
            days += " – " + hi.strftime("%d %b %Y")
        return f"Time (UTC), {days}"
    return "Date (UTC)"


def _rows(
    timed: Sequence[tuple[Mapping[str, Any], datetime | None, datetime | None]],
    x_of: Callable[[datetime], float],
) -> list[int]:
    """One row per event when few; else greedy lanes so marks at least 8 units apart."""
    if len(timed) <= MAX_ROWS:
        return list(range(len(timed)))
    ends: list[float] = []
    order = sorted(range(len(timed)), key=lambda i: timed[i][1] or datetime.min)
    assigned = [0] * len(timed)
    for i in order:
        _, start, end = timed[i]
        assert start is not None
        x0, x1 = x_of(start), x_of(end or start)
        for lane, last in enumerate(ends):
            if x0 - last >= 8:
                ends[lane] = x1
                assigned[i] = lane
                break
        else:
            ends.append(x1)
            assigned[i] = len(ends) - 1
    return assigned


def _event(event: Mapping[str, Any], x0: float, x1: float | None, y: float, label_w: float) -> str:
    ident = quoteattr(str(event.get("id", "")))
    approximate = bool(event.get("approximate"))
    parts = [f'<g class="event" data-id={ident} data-x="{x0:.3f}">']
    if label_w > 20:
        label = str(event.get("label") or event.get("id") or "")
        if len(label) > 30:
            label = label[:29] + "…"
        parts.append(
            f'<text x="{label_w - 10:g}" y="{y + 3.5:.1f}" font-size="10.5" text-anchor="end"'
            f' fill="#1b1b1b">{escape(label)}</text>'
        )
    if x1 is not None and x1 - x0 >= 1:
        parts.append(
            f'<rect class="interval" x="{x0:.2f}" y="{y - 4:.1f}" width="{x1 - x0:.2f}"'
            ' height="8" rx="4" fill="#b3261e" fill-opacity="0.35" stroke="#b3261e"'
            ' stroke-width="1"/>'
        )
    fill = "#ffffff" if approximate else "#b3261e"
    parts.append(
        f'<circle cx="{x0:.2f}" cy="{y:.1f}" r="4.5" fill="{fill}" stroke="#b3261e"'
        ' stroke-width="1.8"/>'
    )
    if approximate and label_w > 20:
        parts.append(
            f'<text x="{x0 + 8:.1f}" y="{y + 3.5:.1f}" font-size="10" fill="#b3261e">≈</text>'
        )
    parts.append("</g>")
    return "".join(parts)
