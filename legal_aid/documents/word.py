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


def render_docx(snapshot: dict) -> bytes:
    """The DOCX of `snapshot`."""
    html = _language_wrappers(render_html(snapshot))
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
    return result.stdout


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
