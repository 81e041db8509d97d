"""
From a snapshot to PDF bytes, with WeasyPrint. WeasyPrint's own fetcher reads file:// paths and
the network, and `<link rel=attachment>` can embed any file it can read; so every render goes
through StaticOnlyFetcher, which serves our own static files and refuses everything else, and
`fail_on_errors=True` turns a refusal into a failed render rather than a silent gap. The
templates reference static files as `shimteo-static:<path>` and take no URL from users.

Charts are inline <svg> elements in the HTML, so data: URLs are not needed and are refused too.
"""

import re
import unicodedata
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import override

STATIC_SCHEME = "shimteo-static:"
PDF_VARIANT = "pdf/ua-1"
TEMPLATES = {
    "child_access_brief": "legal_aid/pdf/child_access_brief.html",
    "deportation_appeal": "legal_aid/pdf/deportation_appeal.html",
    "caseload_report": "legal_aid/pdf/caseload_report.html",
}
CONTENT_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}


class RefusedURL(ValueError):
    """A URL the document may not load."""


def _static_roots() -> list[Path]:
    roots = [Path(root).resolve() for root in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


def static_file(path: str) -> Path:
    """The file behind `shimteo-static:<path>`, only if it lies under one of our static roots."""
    if not path or path.startswith("/") or "\\" in path or ".." in Path(path).parts:
        raise RefusedURL("Only a relative path to one of our static files may be loaded.")
    if Path(path).suffix not in CONTENT_TYPES:
        raise RefusedURL("Only stylesheets and images may be loaded.")
    found = finders.find(path)
    if not found:
        raise RefusedURL("No such static file.")
    resolved = Path(found).resolve()
    if not any(resolved.is_relative_to(root) for root in _static_roots()):
        raise RefusedURL("The static file lies outside our static folders.")
    return resolved


def fetcher():
    """A new StaticOnlyFetcher (built lazily: importing WeasyPrint costs most of a second)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(STATIC_SCHEME):
                raise RefusedURL("Only our own static files may be loaded.")
            path = static_file(url.removeprefix(STATIC_SCHEME))
            return URLFetcherResponse(
                url,
                body=path.read_bytes(),
                headers={"Content-Type": CONTENT_TYPES[path.suffix]},
            )

    return StaticOnlyFetcher(fail_on_errors=True)


def _one_line(value):
    """`value` with every line break inside its strings made a space: a note, a title or an
    issuing body is one run of text, as the reader expects, whatever the corpus stored."""
    if isinstance(value, str):
        return LINE_BREAK.sub(" ", value)
    if isinstance(value, list):
        return [_one_line(item) for item in value]
    if isinstance(value, dict):
        return {key: _one_line(item) for key, item in value.items()}
    return value


LINE_BREAK = re.compile(r"\s*[\r\n]+\s*")
# Markup, or text: a Korean word is a run of non-space characters with a Hangul syllable in it.
TOKENS = re.compile(r"(<[^>]*>)")
HANGUL_WORD = re.compile(r"[^\s<>]*[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f][^\s<>]*")
NOT_BODY_TEXT = ("svg", "head", "title", "style")
# A word's characters, an escaped one (`&amp;`, `&#x27;`) as one: no joiner inside an entity.
CHARACTERS = re.compile(r"&#?\w+;|.", re.DOTALL)
WORD_JOINER = "\u2060"
# Characters that belong to the one before them (combining marks, a decomposed syllable's vowel
# and final consonant, joiners and selectors): a joiner before one would split what is drawn as
# one. Nothing could break before them anyway.
JAMO_AFTER_FIRST = re.compile(r"[\u1160-\u11ff\ud7b0-\ud7ff]")
JOINERS = ("\u200c", "\u200d")


def _attached(character: str) -> bool:
    return bool(
        JAMO_AFTER_FIRST.match(character)
        or character in JOINERS
        or unicodedata.category(character[0]).startswith("M")
    )


def _joined(word: str) -> str:
    """`word` with U+2060 WORD JOINER between its characters: no line break inside it."""
    out = []
    for character in CHARACTERS.findall(word):
        if out and not _attached(character) and out[-1] not in JOINERS:
            out.append(WORD_JOINER)
        out.append(character)
    return "".join(out)


def keep_korean_words(html: str) -> str:
    """
    Each Korean word of the body's text joined by U+2060 WORD JOINER between its characters, so
    that Pango breaks a Korean line between words only. CSS says this with `word-break:
    keep-all`, which WeasyPrint 70 rejects; Pango breaks Hangul between any two syllables
    ("기/록됨"). A joiner is a character with no width and no glyph: the words in the text layer
    (pdftotext, pypdf, PDFium, so the leak check too) are as before, without it. It replaced a
    `<span class="kw">` (nowrap) around each word: the same breaks, but an inline box per word
    was nearly half of a Korean document's layout time.
    """
    out, skipping = [], []
    for token in TOKENS.split(html):
        if token.startswith("<"):
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", token)
            tag = name.group(1).lower() if name else ""
            if tag in NOT_BODY_TEXT and not token.endswith("/>"):
                if token.startswith("</"):
                    if skipping and skipping[-1] == tag:
                        skipping.pop()
                else:
                    skipping.append(tag)
            out.append(token)
        elif skipping:
            out.append(token)
        else:
            out.append(HANGUL_WORD.sub(lambda m: _joined(m.group(0)), token))
    return "".join(out)


def render_html(snapshot: dict, *, template: str | None = None) -> str:
    with override(snapshot["language"]):
        return render_to_string(
            template or TEMPLATES[snapshot["kind"]], {"doc": _one_line(snapshot)}
        )


def render_pdf(snapshot: dict, *, identifier: bytes, template: str | None = None) -> bytes:
    """
    The PDF of `snapshot`, as PDF/UA-1, its tagging completed where WeasyPrint stops
    (`accessibility`); `identifier` (the series) is kept across versions.
    """
    import weasyprint

    from . import accessibility

    html = render_html(snapshot, template=template)
    if snapshot["language"] == "ko":
        html = keep_korean_words(html)
    with accessibility.tagging():
        pdf = weasyprint.HTML(string=html, url_fetcher=fetcher()).write_pdf(
            pdf_variant=PDF_VARIANT, pdf_identifier=identifier
        )
    return accessibility.mark_artifacts(pdf)


def render_document(snapshot: dict, *, identifier: bytes) -> bytes:
    """
    The PDF as it is stored and sent: rendered, then signed with the organisation's key. Signing
    is last: any change after it would break the signature.
    """
    from . import signing

    return signing.sign_pdf(render_pdf(snapshot, identifier=identifier))


def page_count(pdf: bytes) -> int:
    # PDFium (as the preview uses) reads the page tree alone; pypdf parsed every object of the
    # file in Python first, a quarter of a second of CPU for a Korean document with its fonts.
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()
