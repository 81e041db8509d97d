"""
A paragraph's footnote holds its sources one after another. English and Korean put a space
between two sources; Chinese runs on after the full stop that ends each one, as it does in
its sentences (legal_aid.documents.chinese), so "。 参见" never reaches a Chinese document.
"""

import re

import pytest

from legal_aid.documents import rendering
from tests.legal_aid.pdf_structure import snapshot

SOURCES = {
    "zh-hans": ("《禁止酷刑公约》第3条。", "参见 CAT/C/GC/4。", "第3条。参见 CAT/C/GC/4。"),
    "ko": ("고문방지협약 제3조.", "CAT/C/GC/4 참조.", "제3조. CAT/C/GC/4 참조."),
    "en": ("Convention against Torture, art. 3.", "See CAT/C/GC/4.", "art. 3. See CAT/C/GC/4."),
}


@pytest.mark.parametrize("language", SOURCES)
def test_two_sources_of_one_footnote_are_joined_as_the_language_writes(language):
    first, second, joined = SOURCES[language]
    html = rendering.render_html(
        snapshot(
            language=language,
            paragraphs=[{"text": "text", "notes": [{"note": first}, {"note": second}]}],
        )
    )
    footnote = re.search(r'<span class="footnote">(.*?)</span>', html).group(1)
    assert joined in footnote
