"""
Bar charts as SVG, drawn on the server with plain string building: no script, nothing fetched.
Every label is escaped; a suppressed count draws no bar and says so in words.
"""

from django.utils.html import escape

ROW_HEIGHT = 18
LABEL_WIDTH = 230
BAR_WIDTH = 250
VALUE_WIDTH = 90


def bar_chart(rows: list[dict], *, title: str) -> str:
    """
    A horizontal bar chart of `rows` ({"label", "count", "shown"}: `shown` is the text printed
    beside the bar, e.g. "12" or "fewer than 5"; `count` is None when suppressed).
    """
    top = max([row["count"] for row in rows if row["count"] is not None] or [0])
    height = ROW_HEIGHT * len(rows) + 8
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, row in enumerate(rows):
        y = 4 + index * ROW_HEIGHT
        parts.append(f'<text x="0" y="{y + 12}" font-size="9">{escape(row["label"])}</text>')
        count = row["count"]
        if count:
            length = max(1, round(BAR_WIDTH * count / top)) if top else 0
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{length}" height="{ROW_HEIGHT - 6}" '
                'fill="#35608a"/>'
            )
            text_x = LABEL_WIDTH + length + 4
        else:
            text_x = LABEL_WIDTH
        parts.append(f'<text x="{text_x}" y="{y + 12}" font-size="9">{escape(row["shown"])}</text>')
    parts.append("</svg>")
    return "".join(parts)
