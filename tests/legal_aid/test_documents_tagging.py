"""
PDF/UA that holds, read from the structure tree with pikepdf: footnotes are Note elements (each
with its ID and its number as Lbl) and their calls References; the running header, the page
numbers and the watermark are artifacts, never content read before the title; an English
passage in a Korean or Chinese document carries /Lang; the header facts are a table of row
headers. Every marked-content sequence either belongs to an element of the tree or is an
artifact. These are made-up documents; a real Korean appeal is read the same way in
test_documents_rendered_once.py, which renders it once for several modules' checks.
"""

import io

import pikepdf
import pytest

from legal_aid.documents import accessibility, rendering

from .pdf_structure import marked_content, snapshot, structure_tree

QUOTE = "Everyone has the right to a nationality."


def _note(i: int) -> dict:
    """A source; the first quotes a provision in English, as the notes of documents do."""
    if i:
        return {"note": f"Source {i}."}
    parts = [{"text": "Source 0. "}, {"text": QUOTE, "lang": "en", "quoted": True}]
    return {"note": f"Source 0. {QUOTE}", "parts": parts}


def tagged(language: str, *, paragraphs: int = 12) -> bytes:
    return rendering.render_pdf(
        snapshot(
            language=language,
            paragraphs=[
                {"text": f"Paragraph {i} " + "text " * 60, "notes": [_note(i)]}
                for i in range(paragraphs)
            ],
            annex=[
                {
                    "label": "UDHR-15",
                    "document": "Universal Declaration of Human Rights",
                    "place": "art. 15",
                    "issuer": "UN General Assembly",
                    "issued_on": "1948",
                    "text": QUOTE,
                }
            ],
        ),
        identifier=b"test",
    )


@pytest.fixture(scope="module", params=["en", "ko", "zh-hans"])
def document(request):
    pdf = tagged(request.param)
    return request.param, pdf, structure_tree(pdf)


def test_footnotes_are_notes_with_an_id_and_a_label(document):
    """Twelve footnotes: twelve Note elements with unique IDs, each led by its Lbl, and thirty
    Reference calls in the text."""
    _, _, tree = document
    notes = tree.find("Note")
    assert len(notes) == 12
    assert len({note.id for note in notes}) == 12 and all(note.id for note in notes)
    assert all(note.children and note.children[0].tag == "Lbl" for note in notes)
    assert len(tree.find("Reference")) == 12
    # The calls sit in the paragraphs they belong to, not in the footnote area.
    assert sum(len(paragraph.find("Reference")) for paragraph in tree.find("P")) == 12


def test_the_margins_and_the_watermark_are_artifacts(document):
    """Each page has its header, watermark and page numbers as artifacts; all other marked
    content belongs to the tree, and the first thing read is the title."""
    _, pdf, tree = document
    pages = marked_content(pdf)
    assert len(pages) > 1
    tree_mcids = sum(len(element.mcids) for element in tree.walk())
    content_mcids = 0
    for sequences in pages:
        artifacts = [s for s in sequences if s[0] == "/Artifact" and s[2]]
        # Running header, watermark, "page N of M" (several runs of text).
        assert len(artifacts) >= 3
        assert all(text == 0 for tag, _, text in sequences if tag == "(unmarked)")
        content_mcids += sum(1 for _, mcid, _ in sequences if mcid is not None)
    assert content_mcids == tree_mcids
    assert tree.children[0].tag == "H1"


def test_an_english_passage_carries_its_language(document):
    """The provision quoted in a note (lang="en") is tagged /Lang en in every document."""
    language, _, tree = document
    quotes = [element for note in tree.find("Note") for element in note.walk() if element.lang]
    assert quotes and all(quote.lang == "en" for quote in quotes)
    if language != "en":
        assert not [e for e in tree.walk() if e.lang and e.lang != "en"]


def test_the_header_facts_are_a_table_of_row_headers(document):
    """The prepared-on day and the reference are TH with /Scope /Row, each beside its value."""
    _, _, tree = document
    table = tree.find("Table")[0]
    headers = table.find("TH")
    assert len(headers) >= 2
    assert all(str(header.attributes.get("/Scope")) == "/Row" for header in headers)
    assert len(table.find("TD")) == len(headers)


def test_artifacts_are_marked_in_a_stream_that_pydyf_did_not_write():
    """The margins become artifacts by a substitution in the stream as pydyf writes it; a stream
    written otherwise (here by qpdf, one instruction a line) is rewritten operator by operator,
    with the same marked content."""
    import weasyprint

    html = rendering.render_html(snapshot(paragraphs=[{"text": "text", "notes": [_note(1)]}]))
    with accessibility.tagging():
        raw = weasyprint.HTML(string=html, url_fetcher=rendering.fetcher()).write_pdf(
            pdf_variant=rendering.PDF_VARIANT, pdf_identifier=b"test"
        )
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        for page in pdf.pages:
            content = pikepdf.unparse_content_stream(pikepdf.parse_content_stream(page))
            assert not accessibility.MARKED.search(content)
            page.Contents = pdf.make_stream(content)
        out = io.BytesIO()
        pdf.save(out)
    marked = marked_content(accessibility.mark_artifacts(raw))
    assert [s for s in marked[0] if s[0] == "/Artifact" and s[2]]
    assert marked_content(accessibility.mark_artifacts(out.getvalue())) == marked
