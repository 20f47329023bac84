"""Bar charts as inline SVG, drawn on the server (no JavaScript), with every label escaped.

Colours are SVG attributes, not styles, so the console's Content-Security-Policy can forbid
inline styles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from intake import Ratio

WIDTH = 720
_FONT = 'font-family="sans-serif" font-size="12"'
_AXIS = "#888"
_TEXT = "#222"


@dataclass(frozen=True)
class Series:
    """One colour of a stacked chart: its name, colour and a value per category."""

    label: str
    colour: str
    values: Sequence[int]


def _svg(title: str, height: int, body: list[str]) -> Markup:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" {_FONT}>',
        f"<title>{escape(title)}</title>",
        *body,
        "</svg>",
    ]
    return Markup("".join(parts))


def _text(x: float, y: float, content: str, *, anchor: str = "start", fill: str = _TEXT) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}">'
        f"{escape(content)}</text>"
    )


def _nice_max(value: int) -> int:
    """A round top for the axis, at least ``value`` and divisible by 4 (for integer ticks)."""
    if value <= 4:
        return 4
    magnitude = int(10 ** (len(str(value)) - 1))
    for multiple in (1, 2, 4, 5, 8, 10):
        nice = multiple * magnitude
        if nice >= value and nice % 4 == 0:
            return nice
    return (value + 3) // 4 * 4


def stacked_columns(title: str, categories: Sequence[str], series: Sequence[Series]) -> Markup:
    """Columns per category, each stacked from the series (bottom first), with a legend.

    Args:
        title: The chart's accessible title.
        categories: The labels under the columns (e.g. months).
        series: The parts of each column.

    Returns:
        The SVG element.

    """
    height, top, bottom, left, right = 300, 36, 40, 44, 12
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    top_value = _nice_max(max(totals, default=0))
    body = _legend(series, left)
    body += _y_axis(top_value, left, top, plot_w, plot_h)
    slot = plot_w / max(1, len(categories))
    bar = max(2.0, slot * 0.6)
    every = max(1, -(-len(categories) // 12))
    for i, category in enumerate(categories):
        x = left + i * slot + (slot - bar) / 2
        y: float = top + plot_h
        for part in series:
            value = part.values[i]
            if value <= 0:
                continue
            h = plot_h * value / top_value
            y -= h
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{part.colour}"><title>{escape(category)} {escape(part.label)}：'
                f"{value}</title></rect>"
            )
        if totals[i]:
            body.append(_text(x + bar / 2, y - 4, str(totals[i]), anchor="middle"))
        if i % every == 0:
            body.append(_text(x + bar / 2, top + plot_h + 16, category, anchor="middle"))
    return _svg(title, height, body)


def rate_bars(title: str, rows: Sequence[tuple[str, Ratio]], empty: str) -> Markup:
    """Horizontal bars of rates (0–100 %), one per row, with the counts written beside them.

    Args:
        title: The chart's accessible title.
        rows: A label and its rate; rows whose rate is undefined are left out.
        empty: What to say when no row has a rate.

    Returns:
        The SVG element.

    """
    shown = [(label, ratio) for label, ratio in rows if ratio.denominator]
    if not shown:
        return _svg(title, 40, [_text(8, 24, empty)])
    row_h, top, left, right = 24, 8, 120, 140
    height = top * 2 + row_h * len(shown)
    plot_w = WIDTH - left - right
    body = []
    for i, (label, ratio) in enumerate(shown):
        y = top + i * row_h
        w = plot_w * ratio.numerator / ratio.denominator
        body.append(_text(left - 8, y + 16, label, anchor="end"))
        body.append(
            f'<rect x="{left}" y="{y + 4}" width="{plot_w}" height="{row_h - 8}" fill="#eee"/>'
        )
        body.append(
            f'<rect x="{left}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" fill="#2a7d4f">'
            f"<title>{escape(label)}：{ratio.percent()}</title></rect>"
        )
        summary = f"{ratio.percent()}（{ratio.numerator}/{ratio.denominator}）"
        body.append(_text(left + plot_w + 8, y + 16, summary))
    return _svg(title, height, body)


def columns(title: str, categories: Sequence[str], values: Sequence[int], colour: str) -> Markup:
    """One column per category, with its value above it."""
    height, top, bottom, left, right = 240, 16, 40, 44, 12
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    top_value = _nice_max(max(values, default=0))
    body = _y_axis(top_value, left, top, plot_w, plot_h)
    slot = plot_w / max(1, len(categories))
    bar = min(80.0, slot * 0.5)
    for i, (category, value) in enumerate(zip(categories, values, strict=True)):
        x = left + i * slot + (slot - bar) / 2
        h = plot_h * value / top_value
        body.append(
            f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
            f'fill="{colour}"><title>{escape(category)}：{value}</title></rect>'
        )
        body.append(_text(x + bar / 2, top + plot_h - h - 4, str(value), anchor="middle"))
        body.append(_text(x + bar / 2, top + plot_h + 16, category, anchor="middle"))
    return _svg(title, height, body)


def _legend(series: Sequence[Series], left: int) -> list[str]:
    body = []
    x = float(left)
    for part in series:
        body.append(f'<rect x="{x:.1f}" y="8" width="12" height="12" fill="{part.colour}"/>')
        body.append(_text(x + 16, 18, part.label))
        x += 28 + 13 * len(part.label)
    return body


def _y_axis(top_value: int, left: int, top: int, plot_w: int, plot_h: int) -> list[str]:
    body = []
    for step in range(5):
        value = top_value * step // 4
        y = top + plot_h - plot_h * step / 4
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
            f'stroke="{"#ccc" if step else _AXIS}" stroke-width="1"/>'
        )
        body.append(_text(left - 6, y + 4, str(value), anchor="end"))
    return body
