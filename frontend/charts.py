"""Server-rendered SVG charts for the compliance page: no script, nothing from a CDN, readable by screen readers.

Each chart is a `role="img"` SVG with a title and description; the page shows the same numbers as a table.
Text and grid classes (`axis`, `value`, `grid`) are styled by the page's stylesheet: the CSP allows no inline style.
Words are English msgids, translated by the `gettext` a chart is given (frontend/i18n.py; English by default).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from agents.triage import Level

WIDTH = 640
LEVEL_COLORS = {level.value: level.info.colour for level in Level}
SERIES_COLORS = ("#0b5cad", "#8a5a00", "#b00020")
#: Up to this many periods a latency chart is drawn as labelled bars rather than lines.
FEW_PERIODS = 2


def _english(message: str) -> str:
    return message


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    color: str


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[float | None]
    color: str


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100) of the values; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def bar_chart(bars: Sequence[Bar], *, title: str, chart_id: str, gettext: Callable[[str], str] = _english) -> str:
    """Horizontal bars, one per category (a category at zero keeps its row), labelled with count and share."""
    row_h, label_w, pad = 34, 190, 12
    height = max(1, len(bars)) * row_h + 2 * pad
    total = sum(b.value for b in bars) or 1
    widest = max((b.value for b in bars), default=0) or 1
    span = WIDTH - label_w - 110
    desc = gettext("{count} decisions by disposition").format(count=total if bars else 0)
    parts = [_open(chart_id, title, desc, height)]
    for i, bar in enumerate(bars):
        y = pad + i * row_h
        w = span * bar.value / widest
        share = 100 * bar.value / total
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 21}" text-anchor="end" class="axis">{escape(bar.label)}</text>'
            f'<rect x="{label_w}" y="{y + 6}" width="{w:.1f}" height="{row_h - 12}" rx="3" fill="{bar.color}"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 21}" class="value">{bar.value} ({share:.0f}%)</text>'
        )
    if not bars:
        empty = escape(gettext("No decisions yet"))
        parts.append(f'<text x="{WIDTH / 2}" y="{height / 2 + 4}" text-anchor="middle" class="axis">{empty}</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    chart_id: str,
    unit: str = "ms",
    counts: Sequence[int] | None = None,
    gettext: Callable[[str], str] = _english,
) -> str:
    """Lines over time buckets (x: labels), a shared y axis from zero with four grid lines.

    With few periods (FEW_PERIODS or fewer) lines say little and points of equal value hide each other, so the
    series are drawn as bars side by side, each with its value; `counts` (samples per period) label the axis."""
    if 0 < len(labels) <= FEW_PERIODS:
        return _grouped_bars(labels, series, title=title, chart_id=chart_id, unit=unit, counts=counts, gettext=gettext)
    height, left, right, top, bottom = 260, 56, 16, 14, 46
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    values = [v for s in series for v in s.points if v is not None]
    ceiling = _nice_ceiling(max(values, default=0))
    names = ", ".join(s.name for s in series)
    desc = (
        gettext("{names} per period, from {first} to {last}").format(names=names, first=labels[0], last=labels[-1])
        if labels
        else gettext("no data")
    )
    parts = [_open(chart_id, title, desc, height)]
    for i in range(5):
        value = ceiling * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">{value:g}</text>'
        )
    parts.append(f'<text x="{left}" y="{height - 4}" class="axis">{escape(unit)}</text>')

    def x_of(i: int) -> float:
        return left + (plot_w * (i + 0.5) / len(labels) if labels else 0)

    step = max(1, math.ceil(len(labels) / 8))
    for i, label in enumerate(labels):
        if i % step == 0:
            parts.append(
                f'<text x="{x_of(i):.1f}" y="{height - bottom + 18}" text-anchor="middle" class="axis">{escape(label)}</text>'
            )
    for s in series:
        points = [(x_of(i), top + plot_h - plot_h * v / ceiling) for i, v in enumerate(s.points) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{s.color}" stroke-width="2.5"/>')
        parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{s.color}"/>' for x, y in points)
    if not values:
        empty = escape(gettext("No timings yet"))
        parts.append(f'<text x="{WIDTH / 2}" y="{height / 2}" text-anchor="middle" class="axis">{empty}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _grouped_bars(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    chart_id: str,
    unit: str,
    counts: Sequence[int] | None,
    gettext: Callable[[str], str],
) -> str:
    """One group per period, one labelled bar per series (a missing value is a dash, "no data" in the description)."""
    height, left, right, top, bottom = 260, 56, 16, 22, 62
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    values = [v for s in series for v in s.points if v is not None]
    ceiling = _nice_ceiling(max(values, default=0))
    names = ", ".join(s.name for s in series)
    desc = "; ".join(
        f"{label}: " + ", ".join(f"{s.name} {_value(s.points[i], unit, gettext)}" for s in series)
        for i, label in enumerate(labels)
    )
    parts = [_open(chart_id, title, gettext("{names} per period. {values}").format(names=names, values=desc), height)]
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">{ceiling * i / 4:g}</text>'
        )
    parts.append(f'<text x="{left}" y="{height - 4}" class="axis">{escape(unit)}</text>')
    group_w = plot_w / len(labels)
    bar_w = min(56.0, group_w * 0.8 / max(1, len(series)))
    for i, label in enumerate(labels):
        centre = left + group_w * (i + 0.5)
        start = centre - bar_w * len(series) / 2
        for j, s in enumerate(series):
            x, v = start + j * bar_w, s.points[i]
            if v is None:
                parts.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h - 4:.1f}" text-anchor="middle" '
                    'class="axis">–</text>'
                )
                continue
            h = plot_h * v / ceiling
            mid, bar_top = x + bar_w / 2, top + plot_h - h
            parts.append(
                f'<rect x="{x + 2:.1f}" y="{bar_top:.1f}" width="{bar_w - 4:.1f}" height="{h:.1f}" rx="2" fill="{s.color}"/>'
                f'<text x="{mid:.1f}" y="{bar_top - 5:.1f}" text-anchor="middle" class="value">{v:.0f}</text>'
                f'<text x="{mid:.1f}" y="{top + plot_h + 14:.1f}" text-anchor="middle" class="axis">{escape(s.name)}</text>'
            )
        count = f" (n = {counts[i]})" if counts is not None and i < len(counts) else ""
        parts.append(
            f'<text x="{centre:.1f}" y="{height - bottom + 34}" text-anchor="middle" class="axis">'
            f"{escape(label)}{count}</text>"
        )
    if not values:
        empty = escape(gettext("No timings yet"))
        parts.append(f'<text x="{WIDTH / 2}" y="{height / 2}" text-anchor="middle" class="axis">{empty}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _value(v: float | None, unit: str, gettext: Callable[[str], str]) -> str:
    return gettext("no data") if v is None else f"{v:.0f} {unit}"


def _open(chart_id: str, title: str, desc: str, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" font-family="system-ui, sans-serif" font-size="13">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
    )


def _nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above the value (at least 1)."""
    if value <= 1:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= value)
