"""
Bar charts as SVG, drawn on the server with plain string building: no script, nothing fetched.
Every label is escaped; a suppressed count draws no bar and says so in words.

The SVG is laid out in CSS pixels (3/4 pt), so a font size of 11 is 8.25 pt on paper: no label
under 8 pt. The font is named, by the document's language, so that WeasyPrint does not fall back
to whichever CJK face fontconfig prefers (the Japanese one, with other glyph forms).
"""

from django.utils.html import escape
from django.utils.translation import get_language

ROW_HEIGHT = 20
LABEL_WIDTH = 250
BAR_WIDTH = 230
VALUE_WIDTH = 110
FONT_SIZE = 11
FONTS = {
    "zh-hans": "'Noto Sans CJK SC', 'Noto Sans CJK KR', sans-serif",
    "ko": "'Noto Sans CJK KR', 'Noto Sans CJK SC', sans-serif",
}
DEFAULT_FONT = "'Noto Sans CJK KR', 'Noto Sans CJK SC', sans-serif"


def font_family(language: str | None = None) -> str:
    """The font stack of a chart in `language` (the active one by default)."""
    return FONTS.get((language or get_language() or "").lower(), DEFAULT_FONT)


def bar_chart(rows: list[dict], *, title: str, language: str | None = None) -> str:
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
        f'aria-label="{escape(title)}" font-family="{escape(font_family(language))}" '
        f'font-size="{FONT_SIZE}">',
        f"<title>{escape(title)}</title>",
    ]
    baseline = ROW_HEIGHT - 6
    for index, row in enumerate(rows):
        y = 4 + index * ROW_HEIGHT
        parts.append(f'<text x="0" y="{y + baseline}">{escape(row["label"])}</text>')
        count = row["count"]
        if count:
            length = max(1, round(BAR_WIDTH * count / top)) if top else 0
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length}" height="{ROW_HEIGHT - 7}" '
                'fill="#35608a"/>'
            )
            text_x = LABEL_WIDTH + length + 4
        else:
            text_x = LABEL_WIDTH
        parts.append(f'<text x="{text_x}" y="{y + baseline}">{escape(row["shown"])}</text>')
    parts.append("</svg>")
    return "".join(parts)
