"""
Rendering advocacy documents to PDF and reading them back with pypdf: the citations a case's
facts call for, Korean text, the PDF/UA metadata, encryption at rest, footnotes on the page of
their call, and no trace of a non-consenting person's encrypted details.
"""

import io
import re

import pytest
from pypdf import PdfReader

from legal_aid import services
from legal_aid.documents import rendering
from legal_aid.models import AdvocacyDocument

from ..scenarios import family_secret_values as secret_values
from .test_documents_services import consent, family, request  # noqa: F401

Kind = AdvocacyDocument.Kind
Redaction = AdvocacyDocument.Redaction


def pdf_of(document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def squeezed(text: str) -> str:
    """Without any whitespace, so a value broken across lines is still found."""
    return re.sub(r"\s+", "", text)


def render(kind, *, case, subject, actor, **options):
    document = request(kind, case=case, subject=subject, actor=actor, **options)
    document = services.document_render(document_id=document.pk)
    assert document.status == AdvocacyDocument.Status.READY, document.failure_reason
    return document


@pytest.mark.parametrize(
    ("kind", "subject", "labels"),
    [
        (Kind.CHILD_ACCESS_BRIEF, "child", ["YB-2003-2", "YB-2003-3", "PRC-NAT-4"]),
        (
            Kind.DEPORTATION_APPEAL,
            "mother",
            ["MPS-2005-P4", "MPS-2005-P2", "YBF-2004-P2", "RC-33", "CAT-3", "CRC-CO-83c"],
        ),
        (Kind.CASELOAD_REPORT, None, ["YB-2003-2", "CC-2004-P2", "MPS-2005-P2"]),
    ],
)
def test_no_encrypted_value_of_a_non_consenting_person_reaches_the_pdf(
    north_case,
    family,  # noqa: F811
    alice,
    kind,
    subject,
    labels,
):
    """
    Nobody in the family consented to be named: at the most permissive level, each kind's PDF
    holds none of their encrypted values (names, aliases, birth dates, places, contacts, notes,
    status places and notes, entitlement notes, incident descriptions), and its citations.
    """
    for person in family.values():
        consent(person, statistics=True)
    if kind == Kind.CASELOAD_REPORT:
        document = services.document_request(
            kind=kind, language="en", redaction=Redaction.AGGREGATE_ONLY, actor=alice
        )
        document = services.document_render(document_id=document.pk)
    else:
        document = render(kind, case=north_case, subject=family[subject], actor=alice)
    text = text_of(pdf_of(document))
    flat = squeezed(text)
    for value in secret_values("mother", "father", "child"):
        assert squeezed(value) not in flat, value
    cited = document.snapshot["cited"]
    for label in labels:
        assert label in cited["provisions"] + cited["authorities"], label
        assert label not in text, label
    assert document.names_people is False
    if kind == Kind.DEPORTATION_APPEAL:
        assert "133,009" in text and "hunger and survival" in text
        assert re.search(r"Mother B \(aged \d+ to \d+\)", text)
        assert re.search(r"Child D \(aged \d+ to \d+\)", text)
        # The age band in brackets: the sentence reads on after it.
        assert re.search(
            r"Release Mother B \(aged \d+ to \d+\) from detention", " ".join(text.split())
        )
        body = text.split("Table of authorities")[0]
        # A year in the body only as an instrument's date in a full citation: "(1979)".
        assert not re.search(r"(1986|2015)(?!\))", body) and north_case.reference not in text
    if kind == Kind.CASELOAD_REPORT:
        assert "fewer than 5" in text and "6,341" in text
        assert "Mother B" not in text and "Child D" not in text


def test_each_footnote_lands_on_the_page_of_its_call(settings):
    """
    Forty paragraphs ending in a footnote call, over several pages: each note is printed on the
    page where its call is (the footnote area keeps the border and padding that TOOLCHAIN.md
    lists as safe from WeasyPrint issue 2502).

    Known limit, not covered here: WeasyPrint 70 may still defer a note whose call falls on the
    last line of a full page (seen with paragraphs of 60 words or more).
    """
    paragraphs = [
        {"text": "words " * 40 + f"[call {i:02d}]", "notes": [{"note": f"[note {i:02d}]"}]}
        for i in range(40)
    ]
    snapshot = {
        "kind": "child_access_brief",
        "kind_label": "Test",
        "language": "en",
        "title": "Footnotes",
        "reference": "AD-TEST",
        "version": 1,
        "requested_by": "tester",
        "generated_on": "2026-01-01",
        "subject": {"label": "Someone"},
        "sections": [{"heading": "Section", "paragraphs": paragraphs}],
    }
    pdf = rendering.render_pdf(snapshot, identifier=b"test")
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) > 3
    for i in range(40):
        call_page = next(n for n, page in enumerate(pages) if f"[call {i:02d}]" in page)
        assert f"[note {i:02d}]" in pages[call_page], f"note {i} is not on page {call_page + 1}"
