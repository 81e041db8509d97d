"""
Pages that read right (issue 18, point 4), checked in the PDF's text layer, its fonts and its
pages drawn as images, on made-up documents. Real documents (rendered once for several modules'
checks) are read in test_documents_rendered_once.py, which keeps their pages as images.
"""

import io
import random
import re

import pikepdf
import pypdfium2

from legal_aid.documents import charts, rendering

from .pdf_structure import snapshot

HTML = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>t</title>
<link rel="stylesheet" href="shimteo-static:css/pdf.css"></head><body>{body}</body></html>"""


def html_pdf(body: str, *, lang: str = "en") -> bytes:
    import weasyprint

    html = HTML.format(lang=lang, body=body)
    return weasyprint.HTML(string=html, url_fetcher=rendering.fetcher()).write_pdf()


def page_texts(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range().replace("\r\n", "\n"))
            textpage.close()
        return texts
    finally:
        document.close()


def fonts_of(pdf: bytes) -> set[str]:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return {
            str(font.BaseFont).split("+", 1)[-1]
            for page in document.pages
            for font in page.Resources.get("/Font", {}).values()
        }


def test_a_call_after_a_number_stays_apart_from_it():
    """In the text layer a call after "9" reads "9 1", never "91" or "9.1"; two calls in a row
    are two numbers."""
    pdf = html_pdf(
        '<p>The team counted 9<span class="footnote">Source one.</span> people.</p>'
        '<p>Refused status.<span class="footnote">Two.</span><span class="footnote">Three.'
        "</span></p>"
    )
    text = page_texts(pdf)[0]
    assert re.search(r"counted 9\s+1\s", text), text
    assert not re.search(r"9\.?1", text)
    assert re.search(r"status\.\s+2\s+3", text), text


def test_every_note_is_on_the_page_of_its_call_even_after_long_paragraphs():
    """Paragraphs of 20 to 220 words and notes of one to three lines: every note is printed on
    the page of its call (footnote-policy: line moves the calling line instead)."""
    generator = random.Random(18)
    lengths = [generator.randint(20, 220) for _ in range(30)]
    paragraphs = [
        {
            "text": "words " * length + f"[call{i:02d}]",
            "notes": [{"note": "source " * generator.choice([4, 30, 60]) + f"[note{i:02d}]"}],
        }
        for i, length in enumerate(lengths)
    ]
    pdf = rendering.render_pdf(snapshot(paragraphs=paragraphs), identifier=b"test")
    pages = [re.sub(r"\s+", "", text) for text in page_texts(pdf)]
    assert len(pages) > 4
    for i in range(30):
        page = next(n for n, text in enumerate(pages) if f"[call{i:02d}]" in text)
        assert f"[note{i:02d}]" in pages[page], f"note {i} is not on page {page + 1}"


def test_a_note_holds_no_line_break_of_its_own():
    """A newline stored inside a note (an issuing body's name over three lines) is a space."""
    paragraphs = [{"text": "Text.", "notes": [{"note": "Yanbian Public\nSecurity\r\nBureau"}]}]
    pdf = rendering.render_pdf(snapshot(paragraphs=paragraphs), identifier=b"test")
    assert "Yanbian Public Security Bureau" in re.sub(r"[ \u2009]", " ", page_texts(pdf)[0])


def test_korean_breaks_between_words_only():
    """A long Korean paragraph: every line of the text layer is made of whole words."""
    words = ["기록됨", "확인되었습니다", "출생등록을", "거부당한", "아동의", "국적과", "교육"]
    text = " ".join(words[i % len(words)] for i in range(300))
    paragraphs = [{"text": text, "notes": [{"note": text[:200]}]}]
    pdf = rendering.render_pdf(snapshot(language="ko", paragraphs=paragraphs), identifier=b"t")
    lines = [
        line.split()
        for page in page_texts(pdf)
        for line in page.split("\n")
        if sum(token in words for token in line.split()) >= 3
    ]
    assert len(lines) > 5
    for tokens in lines:
        hangul = [token for token in tokens if re.search("[\uac00-\ud7a3]", token)]
        assert all(token.strip(".") in words for token in hangul), " ".join(tokens)


def test_korean_words_are_joined_between_characters_only():
    """The joiner goes between two characters of a Korean word in the body: never inside an
    escaped character, between a decomposed syllable's jamo or before a combining mark, never in
    markup, the title or an SVG, and never into a word without Hangul."""
    joined = rendering.keep_korean_words(
        '<title>제목</title><p class="기록">기록됨 (출생&amp;등록) \u1100\u1161\u11a8가 a\u0301가 English'
        "</p><svg><text>구금</text></svg>"
    )
    j = "\u2060"
    assert joined == (
        f'<title>제목</title><p class="기록">기{j}록{j}됨 ({j}출{j}생{j}&amp;{j}등{j}록{j}) '
        f"\u1100\u1161\u11a8{j}가 a\u0301{j}가 English</p><svg><text>구금</text></svg>"
    )


def test_latin_quotations_in_cjk_documents_use_a_latin_face_and_cjk_stays_upright():
    """An English quotation in a Korean document is set in Liberation Sans; Korean in <em> or
    in a source note uses no oblique CJK font."""
    for lang in ("ko", "zh-hans"):
        pdf = html_pdf(
            '<p>본문 <em>강조</em> <q lang="en">People\'s right</q></p>'
            '<p class="source-note">출처 설명</p>',
            lang=lang,
        )
        fonts = fonts_of(pdf)
        assert any(font.startswith("Liberation") for font in fonts), fonts
        assert not [f for f in fonts if "CJK" in f and re.search("Oblique|Italic", f)], fonts


def test_charts_name_their_font_by_language_at_8_points_or_more():
    """The SVG names Noto Sans CJK SC for Chinese, KR otherwise; 11 px is 8.25 pt."""
    rows = [{"label": "구금", "count": 12, "shown": "12"}]
    svg_zh = charts.bar_chart(rows, title="t", language="zh-hans")
    svg_ko = charts.bar_chart(rows, title="t", language="ko")
    assert 'font-family="&#x27;Noto Sans CJK SC&#x27;' in svg_zh
    assert 'font-family="&#x27;Noto Sans CJK KR&#x27;' in svg_ko
    sizes = [float(size) for size in re.findall(r'font-size="([\d.]+)"', svg_ko)]
    assert sizes and min(sizes) * 0.75 >= 8


def test_a_cover_label_is_never_broken_over_two_lines():
    """The Korean cover's "비밀 연락처" (confidential contact) stays on one line, however long
    the contact beside it."""
    contact = "보호 담당 데스크, 암호화된 메일로만 연락, 요청이 있으면 보안 회선을 안내함 " * 3
    cover = {
        "addressee": "유엔 특별절차",
        "organisation": "쉼터 네트워크",
        "contact": contact,
        "date": "2026년 1월 1일",
        "urgency": "긴급",
    }
    pdf = rendering.render_pdf(
        snapshot(language="ko", paragraphs=[{"text": "본문."}], cover=cover), identifier=b"t"
    )
    assert "비밀 연락처" in page_texts(pdf)[0]
