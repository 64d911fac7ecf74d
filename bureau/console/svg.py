"""Charts as server-rendered SVG, inline in the page (the console runs no script).

Two kinds: horizontal bars (one or more series side by side per category: long Chinese names
read well on the left) and lines over a time axis.  Each chart has a <title> and <desc> that
name it for screen readers, axis ticks with gridlines, a legend, and its value at the end of
every bar; the page puts the same numbers in a table under it.  Text is the page's font (the
bureau's CJK font), every string escaped.
"""

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

COLOURS = ("#9a3412", "#2563eb", "#15803d", "#a16207", "#7c3aed")  # the console's accent first
FONT = "Bureau CJK, sans-serif"
WIDTH = 960
SIZE = 14  # the labels' font size (px)
INK, MUTED, GRID = "#1f2933", "#52606d", "#d9e2ec"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]
    labels: Sequence[str] | None = None  # shown at each bar's end (default: the value)


def bar_chart(
    chart_id: str, title: str, desc: str, categories: Sequence[str], series: Sequence[Series], top: float | None = None
) -> Markup:
    """Horizontal bars: a row per category, a bar per series in it.  `top`: the axis' end (default:
    a round number at or above the largest value)."""
    bar, gap = 20, 14
    left = min(max((_width(c) for c in categories), default=40) + 16, 300)
    labels = [lab for s in series for lab in (s.labels or [_number(v) for v in s.values])]
    right, head = max((_width(lab) for lab in labels), default=20) + 16, 44
    group = bar * len(series)
    plot_h = max(len(categories), 1) * (group + gap)
    height = head + plot_h + 36
    plot_w = WIDTH - left - right
    largest = max((v for s in series for v in s.values), default=0)
    steps = ticks(max(largest, top or 0))
    scale = plot_w / steps[-1]
    parts = [_open(chart_id, title, desc, height), _legend(series, left)]
    for t in steps:  # the value axis at the bottom: gridlines and ticks
        x = left + t * scale
        parts.append(f'<line x1="{x:.1f}" y1="{head - 6}" x2="{x:.1f}" y2="{head + plot_h}" stroke="{GRID}"/>')
        parts.append(_text(x, head + plot_h + 20, _number(t), anchor="middle", fill=MUTED, cls="tick"))
    for i, category in enumerate(categories):
        y0 = head + i * (group + gap) + gap / 2
        parts.append(_text(left - 8, y0 + group / 2 + 5, category, anchor="end", cls="category"))
        for j, s in enumerate(series):
            value = s.values[i]
            y, w = y0 + j * bar, max(value * scale, 0)
            label = s.labels[i] if s.labels is not None else _number(value)
            parts.append(
                f'<rect class="bar" data-series="{escape(s.name)}" x="{left}" y="{y:.1f}" width="{w:.1f}" '
                f'height="{bar - 3}" fill="{COLOURS[j % len(COLOURS)]}"><title>{escape(category)} · '
                f"{escape(s.name)}：{escape(label)}</title></rect>"
            )
            parts.append(_text(left + w + 5, y + bar - 7, label, cls="value", size=SIZE - 1))
    parts.append(f'<line x1="{left}" y1="{head - 6}" x2="{left}" y2="{head + plot_h}" stroke="{MUTED}"/>')
    return Markup("".join(parts) + "</svg>")


def line_chart(
    chart_id: str, title: str, desc: str, points: Sequence[str], ticks_at: dict[int, str], series: Sequence[Series]
) -> Markup:
    """Lines over a time axis: `points` names each x (for the tooltips), `ticks_at` labels some of them."""
    left, right, head, foot = 64, 24, 44, 40
    height = 340
    plot_w, plot_h = WIDTH - left - right, height - head - foot
    largest = max((v for s in series for v in s.values), default=0)
    steps = ticks(largest)
    y_of = lambda v: head + plot_h - v / steps[-1] * plot_h
    x_of = lambda i: left + (i * plot_w / max(len(points) - 1, 1))
    parts = [_open(chart_id, title, desc, height), _legend(series, left)]
    for t in steps:
        y = y_of(t)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(_text(left - 8, y + 5, _number(t), anchor="end", fill=MUTED, cls="tick"))
    for i, label in ticks_at.items():
        x = x_of(i)
        parts.append(
            f'<line x1="{x:.1f}" y1="{head + plot_h}" x2="{x:.1f}" y2="{head + plot_h + 5}" stroke="{MUTED}"/>'
        )
        parts.append(_text(x, head + plot_h + 22, label, anchor="middle", fill=MUTED, cls="xtick"))
    parts.append(f'<line x1="{left}" y1="{head + plot_h}" x2="{left + plot_w}" y2="{head + plot_h}" stroke="{MUTED}"/>')
    for j, s in enumerate(series):
        colour = COLOURS[j % len(COLOURS)]
        dash = ' stroke-dasharray="6 4"' if j else ""
        coords = " ".join(f"{x_of(i):.1f},{y_of(v):.1f}" for i, v in enumerate(s.values))
        parts.append(f'<g class="series" data-series="{escape(s.name)}">')
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>')
        for i, v in enumerate(s.values):
            parts.append(
                f'<circle class="point" cx="{x_of(i):.1f}" cy="{y_of(v):.1f}" r="3" fill="{colour}">'
                f"<title>{escape(points[i])} · {escape(s.name)}：{_number(v)}</title></circle>"
            )
        parts.append("</g>")
    return Markup("".join(parts) + "</svg>")


def ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least `top` (1, 2 or 5 times a power of ten apart; whole numbers)."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = max(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw), 1)
    return [i * step for i in range(math.ceil(top / step - 1e-9) + 1)]


def _open(chart_id: str, title: str, desc: str, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" font-family="{FONT}" font-size="{SIZE}" fill="{INK}">'
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title><desc id="{escape(chart_id)}-d">{escape(desc)}</desc>'
        f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>'
    )


def _legend(series: Sequence[Series], left: int) -> str:
    parts, x = ['<g class="legend">'], left
    for j, s in enumerate(series):
        colour = COLOURS[j % len(COLOURS)]
        parts.append(f'<rect x="{x}" y="12" width="14" height="14" fill="{colour}"/>')
        parts.append(_text(x + 20, 24, s.name, cls="legend-item"))
        x += 20 + _width(s.name) + 28
    parts.append("</g>")
    return "".join(parts)


def _text(
    x: float, y: float, text: str, anchor: str = "start", fill: str = INK, cls: str = "", size: int = SIZE
) -> str:
    return (
        f'<text class="{cls}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}" font-size="{size}">'
        f"{escape(text)}</text>"
    )


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _width(text: str) -> int:
    """About how wide `text` is at SIZE px: a Chinese character a full em, others about half."""
    return sum(SIZE if unicodedata.east_asian_width(c) in "WF" else SIZE * 0.6 for c in text).__ceil__()
