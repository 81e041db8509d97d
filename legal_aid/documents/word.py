"""
The Word version of an advocacy document, made by pandoc (Debian's /usr/bin/pandoc) from the same
HTML as the PDF, so that both say the same thing from one composed document; UN offices and
lawyers edit in Word. A footnote of the PDF is a real Word footnote (pandoc/word.lua), the
document's language is set on the document and each `lang` passage keeps its own.

Why pandoc and not python-docx: python-docx has no footnotes (they would be hand-written XML),
while pandoc writes Word footnotes, lists, tables and languages from the HTML we already have.
pandoc reads only the HTML it is given on stdin, and the filter drops every image and raw block
before the writer runs, so no URL in a document can make it fetch a file or a page (pandoc 2.17's
`--sandbox` cannot write DOCX: it locks out pandoc's own templates).
"""

import io
import re
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from django.conf import settings

from .rendering import render_html

FILTER = Path(__file__).resolve().parent / "pandoc" / "word.lua"
TIMEOUT = 60


class WordError(RuntimeError):
    """pandoc failed, or is not installed."""


# pandoc's HTML reader keeps `lang` only on <div> and <span>: a quotation's language moves there.
LANG_BLOCK = re.compile(r'<(blockquote|q)\s+lang="([^"]+)"([^>]*)>(.*?)</\1>', flags=re.S)


def _language_wrappers(html: str) -> str:
    def wrap(match):
        tag, lang, rest, inner = match.groups()
        outer = "div" if tag == "blockquote" else "span"
        return f'<{outer} lang="{lang}"><{tag}{rest}>{inner}</{tag}></{outer}>'

    return LANG_BLOCK.sub(wrap, html)


# pandoc's HTML reader drops a <p>'s class: the cover's urgency line moves into a <div> the
# filter can find (and writes as a boxed, bold paragraph, as prominent as in the PDF).
URGENCY = re.compile(r'<p class="urgency">(.*?)</p>', flags=re.S)


def _urgency_block(html: str) -> str:
    return URGENCY.sub(r'<div class="urgency"><p>\1</p></div>', html)


# The face of Korean and Chinese text, as in the PDF (pdf.css), with the face Word substitutes on
# a computer without Noto (every Windows has Malgun Gothic and Microsoft YaHei); the East Asian
# language Word checks spelling and breaks lines by. pandoc sets neither: its defaults leave
# Hangul and Hanzi to the theme's Latin face and call East Asian text American English.
EAST_ASIAN = {
    # language: (face, substitute, Word's charset for the script, East Asian language)
    "ko": ("Noto Sans CJK KR", "Malgun Gothic", "81", "ko-KR"),
    "zh-hans": ("Noto Sans CJK SC", "Microsoft YaHei", "86", "zh-CN"),
}
# The people named are Korean: an English document's Hangul is set as in a Korean one.
EAST_ASIAN["en"] = EAST_ASIAN["ko"]
DEFAULT_FONTS = re.compile(
    r"(<w:rPrDefault>\s*<w:rPr>\s*)<w:rFonts [^>]*/>(.*?)<w:lang ([^>]*)/>", re.S
)


def _east_asian_text(docx: bytes, language: str) -> bytes:
    """`docx` with its default East Asian face and language set for `language`."""
    face, substitute, charset, east_asian = EAST_ASIAN.get(language, EAST_ASIAN["en"])

    def defaults(match):
        head, between, lang = match.groups()
        lang = re.sub(r'\s*w:eastAsia="[^"]*"', "", lang)
        return (
            f'{head}<w:rFonts w:asciiTheme="minorHAnsi" w:hAnsiTheme="minorHAnsi" '
            f'w:cstheme="minorBidi" w:eastAsia="{face}" />{between}'
            f'<w:lang w:eastAsia="{east_asian}" {lang}/>'
        )

    font = (
        f'<w:font w:name="{face}"><w:altName w:val="{substitute}" />'
        f'<w:charset w:val="{charset}" /><w:family w:val="swiss" />'
        '<w:pitch w:val="variable" /></w:font></w:fonts>'
    )
    source, output = zipfile.ZipFile(io.BytesIO(docx)), io.BytesIO()
    with source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/styles.xml":
                data = DEFAULT_FONTS.sub(defaults, data.decode(), count=1).encode()
            elif item.filename == "word/fontTable.xml":
                data = data.decode().replace("</w:fonts>", font, 1).encode()
            target.writestr(item, data)
    return output.getvalue()


def render_docx(snapshot: dict) -> bytes:
    """The DOCX of `snapshot`."""
    html = _urgency_block(_language_wrappers(render_html(snapshot)))
    command = [
        settings.SHIMTEO_PANDOC,
        "--from=html",
        "--to=docx",
        f"--lua-filter={FILTER}",
        f"--metadata=lang:{snapshot['language']}",
        "--output=-",
    ]
    try:
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            command, input=html.encode(), capture_output=True, timeout=TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise WordError(f"pandoc could not run ({type(error).__name__}).") from error
    if result.returncode != 0:
        raise WordError(f"pandoc failed with exit status {result.returncode}.")
    return _east_asian_text(result.stdout, snapshot["language"])


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Everything in a DOCX a reader (or Word's "document properties") can show.
TEXT_PARTS = ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml", "word/comments.xml")
PROPERTY_PARTS = ("docProps/core.xml", "docProps/app.xml", "docProps/custom.xml")


def docx_text(docx: bytes) -> str:
    """All the text of `docx`, a line per paragraph, its footnotes and its properties, for the
    checks that a pseudonymised document leaks nothing."""
    lines = []
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        names = set(archive.namelist())
        for part in TEXT_PARTS:
            if part not in names:
                continue
            # Our own pandoc's output, not a file from outside.
            root = ElementTree.fromstring(archive.read(part))  # noqa: S314
            for paragraph in root.iter(f"{W}p"):
                lines.append("".join(node.text or "" for node in paragraph.iter(f"{W}t")))
        for part in PROPERTY_PARTS:
            if part in names:
                root = ElementTree.fromstring(archive.read(part))  # noqa: S314
                lines.extend(node.text for node in root.iter() if node.text and node.text.strip())
    return "\n".join(lines)
