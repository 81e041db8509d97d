"""
The legal library's texts in the reader's language, where our catalogues translate them.

The library (the papers, the authorities, the restrictions) is stored in English, the language of
the translation that is our source. A Korean or Chinese page shows each title, heading and summary
as the catalogues translate it, as the advocacy documents do (`corpus_text`); a text they do not
translate yet is shown in English and marked so (`lang="en"`), so that a screen reader reads it as
English. A provision's own words are quoted in English, with our translation beside them, marked
as unofficial.
"""

from django import template
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import get_language

from legal_aid.documents.citations import corpus_text

register = template.Library()


@register.simple_tag
def corpus(value: str):
    """`value` translated; else as stored, marked as English on a page in another language."""
    if not value:
        return ""
    translated = corpus_text(value)
    if _reading_english() or translated != _in_english(value):
        return translated
    return format_html('<span lang="en">{}</span>', translated)


@register.filter
def unofficial_translation(value: str) -> str:
    """Our translation of a paper's words into the page's language, or "" where there is none."""
    if not value or _reading_english():
        return ""
    translated = corpus_text(value)
    return "" if translated == _in_english(value) else translated


def _reading_english() -> bool:
    return (get_language() or "en").startswith("en")


def _in_english(value: str) -> str:
    with translation.override("en"):
        return corpus_text(value)
