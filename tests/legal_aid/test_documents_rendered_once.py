"""
The documents of one family, rendered once for the module and read by every check that only reads
a rendered document (a render costs about a second of CPU; these checks had each rendered their
own, the same appeal and brief again and again):

- the Word version of each advocacy document (issue 18, point 6): real Word footnotes, made from
  the same snapshot as the PDF, downloaded beside it under the same approval and audit rules,
  opened by LibreOffice (headless) with the same text as the PDF, and checked for leaks like the
  PDF;
- pages that read right (issue 18, point 4; the made-up documents of
  test_documents_typesetting.py): real documents in English, Korean and Chinese fill their pages,
  and their pages are kept under var/test-artifacts/documents/ for a person to look at;
- PDF/UA that holds in a real document (test_documents_tagging.py for the made-up ones);
- the text layer of a real brief, in English and in Korean (test_documents_render.py).

A test that changes a document (approving it, editing its snapshot) does so in its own
transaction, undone for the next (`built_once`). Tests that render a document to see how a change
comes out (erasure, regeneration, a failure) keep their own render.
"""

import copy
import hashlib
import html
import io
import re
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pypdfium2
import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEvent
from casework.redaction import Redactor
from legal_aid import services
from legal_aid.documents import preview, rendering, word
from legal_aid.models import AdvocacyDocument

from ..conftest import FAST_HASHERS, built_once, sign_in
from ..factories import TeamFactory
from ..scenarios import FAMILY_SECRETS as SECRETS
from ..scenarios import case_with_one_member, persona
from ..scenarios import family_secret_values as secret_values
from .pdf_structure import marked_content, structure_tree
from .test_document_formats import (
    TEAM_DATA,
    assert_names_who_must_act,
    assert_translated,
    read_back,
    untranslated_strings,
)
from .test_documents_render import pdf_of, render, text_of
from .test_documents_render import squeezed as without_whitespace
from .test_documents_services import approve, build_family, name_everyone
from .test_documents_typesetting import page_texts
from .test_documents_views import api_client

Kind = AdvocacyDocument.Kind
Redaction = AdvocacyDocument.Redaction
LANGUAGES = ("en", "ko", "zh-hans")
ARTIFACTS = Path(django_settings.BASE_DIR) / "var" / "test-artifacts" / "documents"


def docx_url(document):
    return reverse("legal_aid:advocacy_download_docx", kwargs={"document_id": document.pk})


def squeezed(text: str) -> str:
    """Without whitespace (thin spaces too), so line and page breaks do not matter."""
    return re.sub(r"[\s\u2009\u200b]+", "", text)


def libreoffice_texts(docx: dict[str, bytes], folder: Path) -> dict[str, str]:
    """Each DOCX as LibreOffice opens it, saved as plain text: all of them in one soffice run (a
    start of LibreOffice costs more CPU than a conversion, and many seconds on a loaded machine)."""
    sources = []
    for key, content in docx.items():
        source = folder / f"{key}.docx"
        source.write_bytes(content)
        sources.append(str(source))
    profile = folder / "lo-profile"
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "txt:Text (encoded):UTF8",
            "--outdir",
            str(folder),
            *sources,
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return {key: (folder / f"{key}.txt").read_text(encoding="utf-8-sig") for key in docx}


def footnotes(docx: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        xml = archive.read("word/footnotes.xml").decode()
    notes = re.findall(r'<w:footnote w:id="\d+">(.*?)</w:footnote>', xml, flags=re.S)
    # The XML's character references ("People&#39;s") read as the characters Word shows.
    return [html.unescape("".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", note))) for note in notes]


def _documents_of_the_family() -> dict:
    """
    alice's case with the family, and the documents the tests read: the pseudonymised brief in
    each language (asked for before anyone consents to be named, as a caseworker would), then,
    everyone having consented, the named appeal and the named brief in each language. Each is a
    series of its own (version 1).
    """
    alice = persona("alice")
    # The cover of test_document_formats.py, whose partner lawyer's submission is the named brief
    # (alice's persona made the team: set on it, as a team's settings page does).
    team = TeamFactory(name="North")
    team.organisation = TEAM_DATA["organisation"]
    team.confidential_contact = TEAM_DATA["contact"]
    team.save()
    case = case_with_one_member(team=team, caseworker=alice)
    family = build_family(case, alice)
    # The strings each language's catalogue left in English while a named brief was composed.
    untranslated = {}

    def rendered(kind, subject, **options):
        return {
            language: render(
                kind, case=case, subject=subject, actor=alice, language=language, **options
            )
            for language in LANGUAGES
        }

    def named_brief(language):
        with untranslated_strings(language) as untranslated[language]:
            return render(
                Kind.CHILD_ACCESS_BRIEF,
                case=case,
                subject=family["child"],
                actor=alice,
                language=language,
            )

    briefs = rendered(Kind.CHILD_ACCESS_BRIEF, family["child"], redaction=Redaction.PSEUDONYMISED)
    name_everyone(case)
    return {
        "case": case,
        "family": family,
        "pseudonymised_brief": briefs,
        "named_appeal": rendered(Kind.DEPORTATION_APPEAL, family["mother"]),
        "named_brief": {language: named_brief(language) for language in LANGUAGES},
        "untranslated_in_named_brief": untranslated,
    }


# A render costs seconds of CPU, and every test here reads a document of the same family, changing
# it (approving, downloading) only inside its own transaction: each is rendered once per module.
_built_once, documents = built_once(_documents_of_the_family, name="documents")


@pytest.fixture
def north_case(documents):
    return documents["case"]


@pytest.fixture
def family(documents):
    return documents["family"]


@pytest.fixture
def named_appeal(documents):
    return documents["named_appeal"]["en"]


# The Word version.


def test_the_word_version_waits_for_approval_like_the_pdf(named_appeal, client, alice, sue):
    """403 (audited) before approval; after it a no-store DOCX attachment, its download audited
    with its format."""
    sign_in(client, alice)
    refused = client.get(docx_url(named_appeal))
    assert refused.status_code == 403
    assert AuditEvent.objects.filter(
        target_id=str(named_appeal.pk), action="denied", detail__refused_until="approval"
    ).exists()
    approve(named_appeal, sue)
    response = client.get(docx_url(named_appeal))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == (
        f'attachment; filename="{named_appeal.reference}-v1.docx"'
    )
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(
        target_id=str(named_appeal.pk), action="download", detail__format="docx"
    ).exists()
    page = client.get(named_appeal.get_absolute_url()).content.decode()
    assert docx_url(named_appeal) in page


def chunks(text: str, size: int = 12) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


WORD_READ_BACK = ("en", "ko")


@pytest.fixture(scope="module")
def appeals_in_word(_built_once, django_db_blocker, module_media, tmp_path_factory):
    """
    The named appeal in each of WORD_READ_BACK, approved by sue, its DOCX downloaded by her, and
    that DOCX's text as LibreOffice opens it, converted together. The approvals and downloads
    are rolled back: the other tests find the appeals as rendered.
    """
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=module_media, PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        sue = persona("sue")
        docx = {}
        for language in WORD_READ_BACK:
            appeal = approve(copy.deepcopy(_built_once["named_appeal"][language]), sue)
            docx[language] = services.document_download(
                document=appeal, actor=sue, file_format="docx"
            )
        transaction.set_rollback(True)
    texts = libreoffice_texts(docx, tmp_path_factory.mktemp("libreoffice"))
    return {language: (docx[language], texts[language]) for language in docx}


@pytest.mark.parametrize("language", WORD_READ_BACK)
def test_the_word_version_has_real_footnotes_and_the_pdfs_text(
    documents, appeals_in_word, language
):
    """
    LibreOffice opens the DOCX of the named appeal, in English and in Korean, as sue downloads it
    once she approved it. Its text is the PDF's: cut into pieces of 12 characters (the PDF's page
    breaks put a running header and the notes inside a paragraph), every line's pieces are found
    in the PDF but the few a page break cuts; every Word footnote is a note of the PDF; and the
    DOCX carries nearly all of the PDF's text.
    """
    docx, text = appeals_in_word[language]
    document = documents["named_appeal"][language]
    pdf_text = squeezed(preview.pdf_text(pdf_of(document)))
    lines = [squeezed(line) for line in text.splitlines() if line.strip()]
    assert len(lines) > 20
    pieces = [piece for line in lines for piece in chunks(line)]
    missing = [piece for piece in pieces if piece not in pdf_text]
    assert len(missing) <= max(3, len(pieces) // 50), missing
    notes = [squeezed(note) for note in footnotes(docx) if note.strip()]
    assert len(notes) >= 5
    for note in notes:
        assert all(piece in pdf_text for piece in chunks(note)), note
    assert len("".join(lines) + "".join(notes)) > 0.8 * len(pdf_text)


@pytest.mark.parametrize("language", ["ko", "zh-hans"])
def test_the_word_version_keeps_the_documents_language(documents, alice, language):
    """The DOCX says its language, and English passages keep theirs."""
    document = documents["pseudonymised_brief"][language]
    docx = services.document_download(document=document, actor=alice, file_format="docx")
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        core = archive.read("docProps/core.xml").decode()
        styles = archive.read("word/styles.xml").decode()
        fonts = archive.read("word/fontTable.xml").decode()
        # English passages are quoted in the notes: Word keeps those in footnotes.xml.
        body = (
            archive.read("word/document.xml").decode() + archive.read("word/footnotes.xml").decode()
        )
    assert f"<dc:language>{language}</dc:language>" in core
    assert 'w:val="en"' in body
    # Hangul and Hanzi in the PDF's face (Word substitutes the system's own where Noto is
    # missing), and East Asian text known as Korean or Chinese, not American English.
    face, substitute, east_asian = {
        "ko": ("Noto Sans CJK KR", "Malgun Gothic", "ko-KR"),
        "zh-hans": ("Noto Sans CJK SC", "Microsoft YaHei", "zh-CN"),
    }[language]
    defaults = re.search(r"<w:rPrDefault>.*?</w:rPrDefault>", styles, flags=re.S).group(0)
    assert f'w:eastAsia="{face}"' in defaults and f'w:eastAsia="{east_asian}"' in defaults
    assert f'<w:font w:name="{face}"><w:altName w:val="{substitute}" />' in fonts
    # The urgency stands out as in the PDF: bold, in a box, before the first section.
    boxed = re.findall(r"<w:p>((?:(?!</w:p>).)*<w:pBdr>.*?)</w:p>", body, flags=re.S)
    urgency = html.escape(document.snapshot["cover"]["urgency"], quote=False)
    assert len(boxed) == 1 and "<w:b />" in boxed[0] and urgency in boxed[0]
    assert body.index(urgency) < body.index(document.snapshot["sections"][0]["heading"])


def test_a_pseudonymised_word_version_leaks_nothing(documents, north_case, family, alice):
    """The DOCX of a pseudonymised brief shows no name, case reference or exact date, in its
    text, notes or properties; a snapshot changed to show a name is refused at download."""
    document = documents["pseudonymised_brief"]["en"]
    docx = services.document_download(document=document, actor=alice, file_format="docx")
    text = word.docx_text(docx)
    assert Redactor(north_case, level=document.redaction).leaks(text) == []
    for value in secret_values("mother", "father", "child"):
        assert value not in text
    assert "alice" not in text
    document.snapshot["title"] = family["mother"].full_name
    document.save(update_fields=["snapshot"])
    with pytest.raises(Exception, match="pseudonyms must hide"):
        services.document_download(document=document, actor=alice, file_format="docx")


def test_the_api_downloads_the_word_version(documents, alice, client):
    """GET …/download/docx/ answers the DOCX to the team, 404 to an unknown id."""
    document = documents["pseudonymised_brief"]["en"]
    api = api_client(client, alice)
    response = api.get(f"/api/v1/legal/documents/{document.pk}/download/docx/")
    assert response.status_code == 200, response.content
    assert response.content.startswith(b"PK")
    assert api.get(f"/api/v1/legal/documents/{document.pk}x/download/docx/").status_code == 404


# Pages that read right, in real documents (made-up ones: test_documents_typesetting.py).


def body_fill(png_page) -> float:
    """How far down the text area (between the page margins) the lowest ink reaches, 0 to 1."""
    image = png_page.convert("L")
    width, height = image.size
    top, bottom = round(height * 22 / 297), round(height * (297 - 24) / 297)
    lowest = top
    pixels = image.load()
    for y in range(top, bottom):
        if any(pixels[x, y] < 160 for x in range(0, width, 3)):
            lowest = y
    return (lowest - top) / (bottom - top)


def keep_pages(pdf: bytes, name: str) -> list:
    """Each page as a PNG under var/test-artifacts/documents/, and the images."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    document = pypdfium2.PdfDocument(pdf)
    images = []
    try:
        for number, page in enumerate(document, start=1):
            image = page.render(scale=preview.SCALE).to_pil()
            image.save(ARTIFACTS / f"{name}-p{number}.png")
            images.append(image)
    finally:
        document.close()
    return images


def stranded_headings(snapshot: dict, pages: list[str]) -> list[str]:
    """The section headings printed on another page than the start of their first paragraph."""
    pages = [without_whitespace(page) for page in pages]
    stranded = []
    for section in snapshot["sections"]:
        if not section.get("paragraphs"):
            continue
        heading = without_whitespace(section["heading"])
        start = without_whitespace(section["paragraphs"][0]["text"])[:12]
        if not any(heading in page and start in page for page in pages):
            stranded.append(section["heading"])
    return stranded


@pytest.mark.parametrize("language", LANGUAGES)
def test_real_documents_fill_their_pages_and_are_kept_as_images(documents, language):
    """The appeal and the child's brief in each language: every page but the last is at least a
    third full (no forced break leaves a page nearly empty), every heading is on the page where
    its first paragraph starts; their pages are kept as PNG files, and the appeal shows its
    urgency."""
    for kind, document in (
        ("deportation_appeal", documents["named_appeal"][language]),
        ("child_access_brief", documents["named_brief"][language]),
    ):
        pdf = pdf_of(document)
        images = keep_pages(pdf, f"{kind}-{language}")
        for number, image in enumerate(images[:-1], start=1):
            assert body_fill(image) > 1 / 3, f"{kind} {language}: page {number} under a third"
        assert stranded_headings(document.snapshot, page_texts(pdf)) == []
        if kind == "deportation_appeal":
            assert "Urgent" in page_texts(pdf)[0] or language != "en"


# PDF/UA in a real document (made-up ones: test_documents_tagging.py).


def test_a_rendered_document_is_tagged_the_same_way(documents):
    """A real appeal in Korean: its footnotes are notes, its margins artifacts, its English
    quotations tagged English; after signing the tree is still there."""
    document = documents["named_appeal"]["ko"]
    pdf = pdf_of(document)
    tree = structure_tree(pdf)
    assert tree.find("Note") and len(tree.find("Note")) == len(tree.find("Reference"))
    assert tree.children[0].tag in ("H1", "P")
    assert all(str(h.attributes.get("/Scope")) == "/Row" for h in tree.find("Table")[0].find("TH"))
    # Every passage in another language than Korean carries its /Lang: the English quotations,
    # a name in Chinese characters or in Latin letters among the identifiers.
    html = rendering.render_html(document.snapshot)
    other = Counter(
        lang for lang in re.findall(r'<(?!html\b)\w+[^>]*\blang="([^"]+)"', html) if lang != "ko"
    )
    tagged = Counter(element.lang for element in tree.walk() if element.lang)
    # (A Korean name may say /Lang ko again: its own language, harmless.)
    assert other["en"] and set(tagged) - {"ko"} == set(other)
    assert all(tagged[lang] >= count for lang, count in other.items()), (tagged, other)
    # On every page the running header, the watermark and the page number are artifacts, and
    # no text is left outside both the tree and the artifacts.
    for sequences in marked_content(pdf):
        assert len([s for s in sequences if s[0] == "/Artifact" and s[2]]) >= 3
        assert all(text == 0 for tag, _, text in sequences if tag == "(unmarked)")


# The text layer of a real brief (test_documents_render.py reads the pseudonymised ones).


def test_a_child_brief_cites_the_notice_and_the_law_for_the_childs_refusals(documents):
    """
    The brief of a child refused registration, school and care cites items 2 and 3 of the
    Yanbian notice, nationality first, the 2015 hukou opinion and the schooling and health
    authorities; it names the family, who all consented.
    """
    document = documents["named_brief"]["en"]
    pdf = pdf_of(document)
    text = text_of(pdf)
    cited = document.snapshot["cited"]
    assert {"YB-2003-2", "YB-2003-3"} <= set(cited["provisions"])
    assert {
        "PRC-NAT-4",
        "PRC-HUKOU-2015",
        "PRC-EDU-4",
        "CRC-7",
        "CRC-24",
        "CRC-28",
        "CRC-CO-83c",
    } <= set(cited["authorities"])
    # Cited in full, never by the library's labels.
    assert "YB-2003" not in text and "PRC-NAT-4" not in text
    assert "NationalityLawofthePeople'sRepublicofChina(1980),art.4" in without_whitespace(text)
    assert SECRETS["mother"]["full_name"] in text and SECRETS["child"]["full_name"] in text
    assert f"{document.reference} · v1 · requested by: Caseworker" in text
    assert "alice" not in text
    assert "page 1 of" in text
    assert "not been independently verified" in " ".join(text.split())
    # Integrity and storage: the checksum is the plaintext's, the file on disk is not a PDF.
    assert document.sha256 == hashlib.sha256(pdf).hexdigest()
    assert document.page_count == len(PdfReader(io.BytesIO(pdf)).pages)
    raw = document.file.storage.read_raw(document.file.name)
    assert not raw.startswith(b"%PDF") and b"YB-2003" not in raw
    # Tagged PDF/UA-1 with the document's title, and an identifier kept by later versions.
    reader = PdfReader(io.BytesIO(pdf))
    xmp = reader.xmp_metadata.stream.get_data()
    assert b'pdfuaid:part="1"' in xmp
    assert document.reference.encode() in xmp
    assert reader.trailer["/ID"][0] == document.series.hex


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_partner_lawyers_submission_on_the_child_names_who_must_act(documents, language):
    """
    The named brief is the child's submission to the partner lawyer (its usual form), as
    test_document_formats.py checks the other forms of it: its addressee, numbered paragraphs,
    requests each to an office, no label, every string in the document's language, its faces;
    its pages kept as PNG under the artifacts.
    """
    document = documents["named_brief"][language]
    assert document.recipient_format == AdvocacyDocument.RecipientFormat.LAWYER_SUBMISSION
    assert_translated(language, documents["untranslated_in_named_brief"][language])
    text = read_back(document, name=f"{document.recipient_format}-{language}")
    assert_names_who_must_act(document, text)


def test_a_chinese_table_of_authorities_sets_its_colons_full_width(documents):
    """
    In Chinese the status of each instrument is followed by a full-width colon, as the requests
    are (the document's label separator), not by a Latin colon and a space ("中国是缔约国: 自…").
    """
    text = squeezed(text_of(pdf_of(documents["pseudonymised_brief"]["zh-hans"])))
    assert "中国是缔约国\uff1a" in text  # the full-width colon
    assert "中国是缔约国:" not in text


def test_a_korean_brief_renders_and_extracts_hangul_and_hanzi(documents):
    """In Korean the headings are Hangul, hukou keeps its Hanja, and both extract from the PDF.
    (The brief asked for before anyone consented to be named, as this test's own render was.)"""
    document = documents["pseudonymised_brief"]["ko"]
    reader = PdfReader(io.BytesIO(pdf_of(document)))
    text = text_of(pdf_of(document))
    assert "아동" in text and "호적(户口)" in text
    assert {"YB-2003-2"} <= set(document.snapshot["cited"]["provisions"])
    assert "PRC-NAT-4" not in text
    assert b'xml:lang="ko"' in reader.xmp_metadata.stream.get_data() or "ko" in str(
        reader.trailer["/Root"].get("/Lang")
    )


def test_a_chinese_brief_runs_its_sentences_on(documents):
    """
    Chinese leaves no space after a full stop, comma or colon: the composers join sentences
    with one, as English and Korean need, and the Chinese brief's summary and table of
    authorities read "…。 …" until the snapshot was closed up. Quoted English keeps its spaces.
    """
    spaced = re.compile("[\u3002\uff0c\uff1a] ")
    found = []

    def walk(value):
        if isinstance(value, str):
            found.extend(spaced.findall(value))
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict) and not value.get("lang"):
            for item in value.values():
                walk(item)

    snapshot = documents["pseudonymised_brief"]["zh-hans"].snapshot
    walk(snapshot)
    assert not found
    assert "\u3002" in snapshot["summary"]
