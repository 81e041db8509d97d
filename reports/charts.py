"""
Charts as SVG drawn on the server with plain string building: no script, nothing fetched, no
`style` attribute (the CSP allows no inline style; presentation attributes such as `fill` are
not style). Each chart is an image with a title and a description for screen readers, and the
table beside it carries the same figures. Every label is escaped. A hidden (suppressed) value
draws nothing: no bar, a gap in the line.

legal_aid.documents.charts draws the bars of printed documents; these charts also need a
description, several series and a time axis, so they are drawn here.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Okabe-Ito colours, told apart with colour-blindness; lines also differ by dash pattern.
COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#56b4e9", "#e69f00", "#000000", "#7f7f7f")
DASHES = ("", "6 3", "2 2", "8 3 2 3", "1 3", "10 4", "4 4", "12 2")

FONT = 11
ROW = 22
LABEL_WIDTH = 220
BAR_WIDTH = 300
VALUE_WIDTH = 110


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-family="sans-serif" '
        'role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>',
    ]


def bar_chart(
    *, chart_id: str, title: str, desc: str, bars: list[tuple[str, int | None, str]]
) -> SafeString:
    """Horizontal bars: `bars` are (label, value or None when hidden, text printed beside)."""
    top = max([value for _label, value, _text in bars if value] or [0])
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    height = ROW * len(bars) + 8
    parts = _open(chart_id, title, desc, width, height)
    for index, (label, value, text) in enumerate(bars):
        y = 4 + index * ROW
        baseline = y + ROW // 2 + FONT // 3
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{baseline}" font-size="{FONT}" '
            f'text-anchor="end">{escape(label)}</text>'
        )
        x = LABEL_WIDTH
        if value:
            length = max(1, round(BAR_WIDTH * value / top))
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length}" height="{ROW - 6}" '
                f'fill="{COLOURS[0]}"/>'
            )
            x += length
        parts.append(f'<text x="{x + 4}" y="{baseline}" font-size="{FONT}">{escape(text)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above


def line_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    x_labels: list[str],
    series: list[tuple[str, list[int | None]]],
) -> SafeString:
    """One line per series over `x_labels`; a hidden value breaks its line."""
    # Room on the left for the first rotated month name.
    left, right, top_margin, plot_height = 96, 16, 12, 200
    step = 56
    plot_width = max(step * max(len(x_labels) - 1, 1), 200)
    legend_top = top_margin + plot_height + 56
    height = legend_top + ROW * len(series) + 4
    width = left + plot_width + right
    values = [v for _label, points in series for v in points if v is not None]
    top = max(values or [0])
    scale_top = _nice_ceiling(top)
    parts = _open(chart_id, title, desc, width, height)

    def x_at(index: int) -> float:
        if len(x_labels) == 1:
            return left + plot_width / 2
        return left + plot_width * index / (len(x_labels) - 1)

    def y_at(value: int) -> float:
        return top_margin + plot_height - plot_height * value / scale_top

    for tick in range(5):
        value = scale_top * tick / 4
        y = y_at(value)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_width}" y2="{y:.1f}" '
            'stroke="#d0d0d0" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + FONT / 3:.1f}" font-size="{FONT}" '
            f'text-anchor="end">{value:g}</text>'
        )
    for index, label in enumerate(x_labels):
        x = x_at(index)
        base = top_margin + plot_height + 14
        parts.append(
            f'<text x="{x:.1f}" y="{base}" font-size="{FONT - 1}" text-anchor="end" '
            f'transform="rotate(-35 {x:.1f} {base})">{escape(label)}</text>'
        )
    for number, (label, points) in enumerate(series):
        colour, dash = COLOURS[number % len(COLOURS)], DASHES[number % len(DASHES)]
        dashing = f' stroke-dasharray="{dash}"' if dash else ""
        for run in _runs(points):
            coordinates = " ".join(f"{x_at(i):.1f},{y_at(v):.1f}" for i, v in run)
            if len(run) > 1:
                parts.append(
                    f'<polyline points="{coordinates}" fill="none" stroke="{colour}" '
                    f'stroke-width="2"{dashing}/>'
                )
            for i, v in run:
                parts.append(
                    f'<circle cx="{x_at(i):.1f}" cy="{y_at(v):.1f}" r="3" fill="{colour}"/>'
                )
        y = legend_top + number * ROW
        parts.append(
            f'<line x1="{left}" y1="{y}" x2="{left + 28}" y2="{y}" stroke="{colour}" '
            f'stroke-width="2"{dashing}/>'
        )
        parts.append(
            f'<text x="{left + 36}" y="{y + FONT / 3:.1f}" font-size="{FONT}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above


def _runs(points: list[int | None]) -> list[list[tuple[int, int]]]:
    """Consecutive shown values, so that a hidden value leaves a gap."""
    runs, current = [], []
    for index, value in enumerate(points):
        if value is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((index, value))
    if current:
        runs.append(current)
    return runs


def _nice_ceiling(value: int) -> int:
    """The axis top: the least multiple of four at least `value`, so the four ticks are whole."""
    return 4 * max(1, -(-int(value) // 4))
