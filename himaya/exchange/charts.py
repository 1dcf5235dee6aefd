"""Charts drawn on the server as inline SVG, for printed reports (no script, no file).

WeasyPrint draws the text of an SVG without Arabic shaping, so a chart carries only
digits and Latin characters (month numbers, figures); its title and legend are written
in the page around it, in the reader's language.
"""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 320
HEIGHT = 130
TOP = 18  # room for the figure above the tallest bar
BOTTOM = 20  # room for the month under the bars
COLOUR = "#9db9d6"
CURRENT = "#1f4e79"
HIDDEN = "#d9d9d9"
HIDDEN_MARK = "*"


@dataclass(frozen=True)
class Bar:
    label: str  # digits and Latin letters only
    value: float | None  # none: nothing stored, or hidden
    shown: str  # the figure written above the bar
    hidden: bool = False
    current: bool = False


def bar_chart(bars: list[Bar], *, width: int = WIDTH, height: int = HEIGHT) -> SafeString:
    """Vertical bars from left to right, the figure above each, the label under it; a
    hidden figure is a short grey bar marked with an asterisk. An empty chart for no bar."""
    count = max(len(bars), 1)
    slot = width / count
    bar_width = slot * 0.62
    plot = height - TOP - BOTTOM
    top = max((b.value for b in bars if b.value is not None and not b.hidden), default=0.0)
    scale = plot / top if top > 0 else 0.0
    parts = []
    for index, bar in enumerate(bars):
        x = index * slot + (slot - bar_width) / 2
        middle = index * slot + slot / 2
        if bar.hidden:
            tall, fill, text = 4.0, HIDDEN, HIDDEN_MARK
        else:
            value = bar.value or 0.0
            tall = max(value * scale, 0.0)
            fill = CURRENT if bar.current else COLOUR
            text = bar.shown
        y = TOP + plot - tall
        parts.append(
            format_html(
                '<g class="bar" data-label="{label}" data-hidden="{hidden}">'
                '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}"/>'
                '<text x="{mx}" y="{ty}" text-anchor="middle" font-size="6.5">{text}</text>'
                '<text x="{mx}" y="{ly}" text-anchor="middle" font-size="8">{label}</text>'
                "</g>",
                label=bar.label,
                hidden="1" if bar.hidden else "0",
                x=f"{x:.1f}",
                y=f"{y:.1f}",
                w=f"{bar_width:.1f}",
                h=f"{tall:.1f}",
                fill=fill,
                mx=f"{middle:.1f}",
                ty=f"{y - 4:.1f}",
                ly=f"{height - 6:.1f}",
                text=text,
            )
        )
    baseline = TOP + plot
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{w}" height="{h}" '
        'viewBox="0 0 {w} {h}" font-family="Liberation Sans, sans-serif" direction="ltr">'
        '<line x1="0" y1="{b}" x2="{w}" y2="{b}" stroke="#777" stroke-width="0.6"/>'
        "{bars}</svg>",
        w=width,
        h=height,
        b=f"{baseline:.1f}",
        bars=format_html_join("", "{}", ((part,) for part in parts)),
    )
