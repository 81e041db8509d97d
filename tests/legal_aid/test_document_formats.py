"""
The forms recipients accept (legal_aid.documents.formats): a UN communication, a submission on a
child's nationality, registration and schooling, a letter to a Chinese authority, the caseload
report; each with its cover block, summary, numbered paragraphs, requests naming who acts,
evidence and provenance; citations in full at first use and short after, never an internal label.
Each rendered page is kept as a PNG under the test artifacts, to be looked at.
"""

import os
import re
from contextlib import contextmanager
from html import unescape
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import trans_real

from audit.models import AuditEvent
from legal_aid import services
from legal_aid.documents import preview, rendering
from legal_aid.documents.citations import _with_sic
from legal_aid.models import AdvocacyDocument, Authority, Provision, SourceDocument

from ..i18n.test_documents import assert_in_its_language
from ..scenarios import FAMILY_SECRETS as SECRETS
from .test_documents_services import consent, family, name_everyone, request  # noqa: F401
from .test_documents_typesetting import fonts_of

Kind = AdvocacyDocument.Kind
Format = AdvocacyDocument.RecipientFormat
Redaction = AdvocacyDocument.Redaction
LANGUAGES = ["en", "ko", "zh-hans"]
# A label of the library ("PRC-NAT-4", "CRC-CO-83c", "YB-2003-2", "MPS-2005-P4").
LABEL = re.compile(r"\b[A-Z]{2,}(?:-[A-Z]{2,})*-(?:\d{4}-)?P?\d+[a-z]?(?:-\d+)?\b")


def artifacts() -> Path:
    root = Path(os.environ.get("SHIMTEO_ARTIFACTS_DIR", "var/test-artifacts"))
    folder = root / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def rendered(kind, *, case=None, subject=None, actor, name: str, **options):
    """
    The document requested and rendered, and the text of its PDF (`read_back`). Composed and
    rendered while every string the catalogue leaves in English is noted: a Korean or Chinese
    document fails on any of them.
    """
    if kind == Kind.CASELOAD_REPORT:
        options.setdefault("language", "en")
    with untranslated_strings(options.get("language", "en")) as untranslated:
        if kind == Kind.CASELOAD_REPORT:
            document = services.document_request(
                kind=kind, redaction=Redaction.AGGREGATE_ONLY, actor=actor, **options
            )
        else:
            document = request(kind, case=case, subject=subject, actor=actor, **options)
        document = services.document_render(document_id=document.pk)
    assert document.status == AdvocacyDocument.Status.READY, document.failure_reason
    assert_translated(document.language, untranslated)
    return document, read_back(document, name=name)


def assert_translated(language: str, untranslated: list[str]) -> None:
    """A Korean or Chinese document was composed without a string left in English."""
    if language != "en":
        assert untranslated == [], untranslated


def read_back(document, *, name: str) -> str:
    """
    The text of the rendered document's PDF, set in the faces of its language; its pages kept as
    PNG (and the PDF beside them) under the artifacts.
    """
    with document.file.open("rb") as handle:
        pdf = handle.read()
    (artifacts() / f"{name}.pdf").write_bytes(pdf)
    assert_set_in_its_faces(document.language, fonts_of(pdf))
    for page in range(1, document.page_count + 1):
        png = preview.page_png(pdf, page, scale=60 / 72)
        (artifacts() / f"{name}-{page}.png").write_bytes(png)
    # Read by PDFium, as the app reads a document back (pypdf took seconds of CPU per document).
    return preview.pdf_text(pdf)


# The CJK face of each language (the Japanese one is what a fallback would pick).
CJK_FACE = {"ko": "Noto-Sans-CJK-KR", "zh-hans": "Noto-Sans-CJK-SC"}


def assert_set_in_its_faces(language: str, fonts: set[str]) -> None:
    """
    The fonts a PDF embeds, as pdffonts lists them: a Korean or Chinese document in its own Noto
    Sans CJK face (a chart's labels included), never the Japanese one, never a slanted CJK face;
    Latin letters (the English quotations) in Liberation Sans.
    """
    cjk = {f for f in fonts if "CJK" in f}
    assert not [f for f in cjk if "CJK-JP" in f or re.search("Italic|Oblique", f)], fonts
    if language in CJK_FACE:
        assert any(f.startswith(CJK_FACE[language]) for f in cjk), fonts
        assert fonts - cjk and all(f.startswith("Liberation-Sans") for f in fonts - cjk), fonts


def labels_in(text: str, document) -> list[str]:
    """Internal labels printed in `text` (the document's own reference excepted)."""
    text = text.replace(document.reference, "")
    known = [
        *Provision.objects.values_list("label", flat=True),
        *Authority.objects.values_list("label", flat=True),
        *(code for code in SourceDocument.objects.values_list("code", flat=True)),
    ]
    found = [label for label in known if "-" in label and re.search(rf"\b{label}\b", text)]
    return found + LABEL.findall(text)


ALTERNATIVES = (
    "은(는)",
    "(은)는",
    "이(가)",
    "(이)가",
    "을(를)",
    "(을)를",
    "와(과)",
    "(으)로",
    "父/母",
)
ENGLISH_RUN = re.compile(r"[A-Za-z][a-z]+(?:[ ,;:'\u2019-]+[A-Za-z][a-z]+){2,}")
LATIN_SHARE = 0.12  # UN symbols and names in Latin letters, nothing else


def printed_text(document) -> str:
    """The document's own words: its HTML without the English quotations (lang="en"), the
    reference, the team's data typed by users, and markup."""
    html = rendering.render_html(document.snapshot)
    html = re.sub(r"<span lang=\"en\">.*?</span>", " ", html, flags=re.S)
    html = re.sub(r"<(style|svg)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<title>.*?</title>", " ", html, flags=re.S)
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    for value in (document.reference, TEAM_DATA["organisation"], TEAM_DATA["contact"]):
        text = text.replace(value, " ")
    return text


def assert_complete_in(language: str, document) -> None:
    """
    A Korean or Chinese document is in that language throughout: no English sentence outside the
    quotations of the papers, no particle printed as alternatives, Latin letters a small share.
    """
    if language == "en":
        return
    text = printed_text(document)
    runs = ENGLISH_RUN.findall(text)
    assert runs == [], runs[:10]
    for alternative in ALTERNATIVES:
        assert alternative not in text, alternative
    if language == "zh-hans":
        # Chinese punctuates Chinese: no Latin comma or full stop after a character.
        latin_stops = re.findall(r"[\u4e00-\u9fff\u300b\uff09]+[,.](?!\d)", text)
        assert latin_stops == [], latin_stops[:10]
    letters = [c for c in text if c.isalpha()]
    latin = [c for c in letters if c.isascii()]
    assert len(latin) <= LATIN_SHARE * len(letters), (len(latin), len(letters))
    snapshot = document.snapshot
    # The table of authorities says what each one holds, in the document's language.
    unsummarised = [
        authority["citation"] or authority["heading"]
        for group in snapshot["authorities"]
        for authority in group["authorities"]
        if not authority["summary"]
    ]
    assert unsummarised == []
    # Every provision quoted in English has our translation beside it, marked unofficial.
    provisions = {_with_sic(text) for text in Provision.objects.values_list("text", flat=True)}
    for paragraph in _paragraphs(snapshot):
        for note in paragraph.get("notes", []):
            parts = note.get("parts", [])
            quoted = [p for p in parts if p["quoted"] and p["text"] in provisions]
            for quotation in quoted:
                assert quotation["lang"] == "en"
                after = parts[parts.index(quotation) + 1 :]
                assert any(p["unofficial"] and not p["quoted"] for p in after), note["note"]


# A catalogue's string kept as it is by design: placeholders and punctuation only, a UN symbol.
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
SAME_IN_EVERY_LANGUAGE = re.compile(r"^[^a-z]*$|^[A-Z]+(/[A-Z0-9.-]+)+$")


@contextmanager
def untranslated_strings(language: str):
    """
    The strings looked up in `language`'s catalogue while the block runs that came back in
    English: the real catalogue answers, and each miss is noted on the way back.
    """
    missed: list[str] = []
    catalogue = trans_real.translation(language)
    lookups = {"gettext": catalogue.gettext, "ngettext": catalogue.ngettext}

    def noted(message: str, result: str) -> str:
        message = message.split(trans_real.CONTEXT_SEPARATOR)[-1]
        kept = SAME_IN_EVERY_LANGUAGE.match(PLACEHOLDER.sub("", message))
        if result.endswith(message) and not kept:
            missed.append(message)
        return result

    catalogue.gettext = lambda message: noted(message, lookups["gettext"](message))
    catalogue.ngettext = lambda singular, plural, n: noted(
        singular if n == 1 else plural, lookups["ngettext"](singular, plural, n)
    )
    try:
        yield missed
    finally:
        del catalogue.gettext, catalogue.ngettext


TEAM_DATA = {
    "organisation": "Shelter Network",
    "contact": "protection desk, secure line on request",
}


@pytest.fixture
def team_cover(north_case):
    team = north_case.team
    team.organisation = TEAM_DATA["organisation"]
    team.confidential_contact = TEAM_DATA["contact"]
    team.save()
    return team


# The organisation's name and contact as a team may give them in Korean (none in Chinese): what
# the cover of a document in each language prints, and what it must not.
COVER_NAMES = {
    "en": (("ShelterNetwork", "protectiondesk,securelineonrequest"), ("쉼터",)),
    "ko": (("쉼터네트워크", "보호담당,요청시보안회선"), ("ShelterNetwork", "protectiondesk")),
    # No Chinese name set: the default stands.
    "zh-hans": (("ShelterNetwork", "protectiondesk,securelineonrequest"), ("쉼터",)),
}


# What the urgent appeal says in Korean and in Chinese through the catalogue: non-refoulement as
# Korean names it (송환금지 원칙), the title of the appeal to the special procedures in Chinese.
APPEAL_IN_ITS_LANGUAGE = {"ko": ["송환금지원칙"], "zh-hans": ["致联合国特别程序的紧急呼吁"]}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_un_communication_follows_the_mechanisms_order(
    north_case,
    family,  # noqa: F811
    alice,
    team_cover,
    language,
):
    """
    The detained mother's urgent appeal to the UN special procedures: the cover names the
    addressee, the organisation and its confidential contact in the document's language; the
    sections come in the order the mechanism asks for; paragraphs are numbered; no internal
    label is printed.

    QA (issue 21): a Korean urgent appeal printed the submitting organisation and its contact in
    English. A team may name itself in Korean and Chinese; the PDF, read back, prints the name of
    its language, else the default. In Korean and Chinese its headings and the note on the
    provisions' English source are in the document's language (tests/i18n/test_documents.py's
    checks). (One render per language checks all of it: the same appeal.)
    """
    team_cover.organisation_ko = "쉼터 네트워크"
    team_cover.confidential_contact_ko = "보호 담당, 요청 시 보안 회선"
    team_cover.save()
    document, text = rendered(
        Kind.DEPORTATION_APPEAL,
        case=north_case,
        subject=family["mother"],
        actor=alice,
        language=language,
        redaction=Redaction.PSEUDONYMISED,
        name=f"un-communication-{language}",
    )
    snapshot = document.snapshot
    assert snapshot["recipient_format"] == Format.UN_COMMUNICATION
    squeezed = "".join(text.split())
    printed, not_printed = COVER_NAMES[language]
    for words in printed:
        assert words in squeezed, f"the {language} cover does not print {words}"
    for words in not_printed:
        assert words not in squeezed, f"the {language} cover prints {words}"
    assert labels_in(text, document) == []
    assert "CAT-3" in snapshot["cited"]["authorities"]
    assert [s["number"] for s in _paragraphs(snapshot)] == list(
        range(1, len(_paragraphs(snapshot)) + 1)
    )
    assert all(r["who"] and r["what"] for r in snapshot["requests"])
    assert_complete_in(language, document)
    if language in APPEAL_IN_ITS_LANGUAGE:
        assert_in_its_language(language, squeezed, APPEAL_IN_ITS_LANGUAGE[language])
    if language == "en":
        headings = [s["heading"] for s in snapshot["sections"]]
        order = [
            "The person concerned",
            "What happened",
            "The authorities involved",
            "Domestic steps taken",
            "The individual risk, and the law",
            "Consent to transmit identity",
            "Submitting organisation and confidential contact",
        ]
        assert [h for h in headings if h in order] == order
        assert len(snapshot["summary"].split()) <= 150
        # Full citation at first use, short after.
        assert "Convention against Torture and Other Cruel" in text
        assert "supra n." in text or "Ibid." in text
        assert "identity may not be transmitted to the Government of China" in " ".join(
            text.split()
        )


def _paragraphs(snapshot):
    return [p for s in snapshot["sections"] for p in s.get("paragraphs", [])]


def test_a_un_urgent_appeal_is_not_offered_for_someone_in_hiding(
    north_case,
    family,  # noqa: F811
    alice,
):
    """The father, at no risk, and anyone merely in hiding: no UN communication announces them."""
    from casework.choices import LegalStatus
    from casework.models import Incident, LegalStatusRecord

    # In hiding: no detention, no arrest on record.
    Incident.objects.filter(people=family["mother"]).delete()
    LegalStatusRecord.objects.filter(person=family["mother"]).delete()
    LegalStatusRecord.objects.create(
        person=family["mother"],
        status=LegalStatus.UNDOCUMENTED_CN,
        effective_from=family["mother"].date_of_birth.replace(year=2020),
        country="CN",
    )
    with pytest.raises(ValidationError, match="announce them"):
        request(
            Kind.DEPORTATION_APPEAL,
            case=north_case,
            subject=family["mother"],
            actor=alice,
            recipient_format=Format.UN_COMMUNICATION,
        )


# The partner lawyer's submission, the child's brief in its usual form, is read from the family's
# documents rendered once (test_documents_rendered_once.py), which the same cover names.
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("recipient_format", [Format.CRC_SUBMISSION, Format.UNHCR_SUBMISSION])
def test_a_child_submission_names_who_must_act(
    north_case,
    family,  # noqa: F811
    alice,
    team_cover,
    recipient_format,
    language,
):
    """The child's submission: its addressee, numbered paragraphs, requests each to an office."""
    name_everyone(north_case)
    document, text = rendered(
        Kind.CHILD_ACCESS_BRIEF,
        case=north_case,
        subject=family["child"],
        actor=alice,
        language=language,
        recipient_format=recipient_format,
        name=f"{recipient_format}-{language}",
    )
    assert_names_who_must_act(document, text)


def assert_names_who_must_act(document, text: str) -> None:
    """
    A submission on the child named with everyone's consent, under TEAM_DATA's cover: its
    addressee, numbered paragraphs, requests each to an office, the identifiers a recipient
    needs, no label, in its language throughout.
    """
    language = document.language
    snapshot = document.snapshot
    assert labels_in(text, document) == []
    assert {"YB-2003-2", "YB-2003-3"} <= set(snapshot["cited"]["provisions"])
    assert "PRC-NAT-4" in snapshot["cited"]["authorities"]
    assert snapshot["cover"]["addressee"]
    assert all(r["who"] for r in snapshot["requests"])
    # Named with everyone's consent: the identifiers a recipient needs.
    assert SECRETS["child"]["full_name"] in text
    # The team gave no name in the document's language: its default name and contact stand.
    assert "ShelterNetwork" in "".join(text.split()), f"no organisation on the {language} cover"
    labels = [i["label"] for s in snapshot["sections"] for i in s.get("identifiers", [])]
    assert labels
    assert_complete_in(language, document)
    if language == "en":
        assert "child access brief" not in text.lower()
        # How the app redacted is the app's business, not the recipient's: no such cover row.
        assert "Redaction" not in text and "Name those who consented" not in text
        assert "Nationality Law of the People's Republic of China (1980), art. 4" in text
        assert "Education bureau" in text or "education bureau" in text
        assert len(snapshot["summary"].split()) <= 150


def test_a_letter_to_an_authority_is_in_chinese_and_warns_when_they_do_not_know_the_person(
    north_case,
    family,  # noqa: F811
    alice,
    team_cover,
):
    """
    A letter to a Chinese authority is written in Chinese. About the father, whom no authority
    holds or refused, it is refused with a warning, and sent only on a decision that is audited.
    """
    with pytest.raises(ValidationError, match="Chinese"):
        request(
            Kind.CHILD_ACCESS_BRIEF,
            case=north_case,
            subject=family["child"],
            actor=alice,
            recipient_format=Format.AUTHORITY_LETTER,
        )
    document, text = rendered(
        Kind.DEPORTATION_APPEAL,
        case=north_case,
        subject=family["mother"],
        actor=alice,
        language="zh-hans",
        redaction=Redaction.PSEUDONYMISED,
        recipient_format=Format.AUTHORITY_LETTER,
        name="authority-letter-zh-hans",
    )
    assert document.sent_despite_unknown is False
    assert labels_in(text, document) == []
    assert_complete_in("zh-hans", document)


def test_a_letter_about_someone_unknown_needs_a_recorded_decision(
    north_case,
    family,  # noqa: F811
    alice,
):
    """A letter about a child no office refused yet waits for the requester's audited decision."""
    from casework.models import Entitlement

    Entitlement.objects.filter(person=family["child"]).update(status="pending")
    with pytest.raises(ValidationError) as refused:
        request(
            Kind.CHILD_ACCESS_BRIEF,
            case=north_case,
            subject=family["child"],
            actor=alice,
            language="zh-hans",
            recipient_format=Format.AUTHORITY_LETTER,
        )
    assert "proceed_despite_unknown" in refused.value.error_dict
    document = request(
        Kind.CHILD_ACCESS_BRIEF,
        case=north_case,
        subject=family["child"],
        actor=alice,
        language="zh-hans",
        recipient_format=Format.AUTHORITY_LETTER,
        proceed_despite_unknown=True,
    )
    assert document.sent_despite_unknown is True
    event = AuditEvent.objects.get(target_id=str(document.pk), action="create")
    assert event.detail["sent_despite_unknown"] is True


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_caseload_report_has_the_common_form(alice, team_cover, north_case, language):
    """The caseload report: cover, summary, numbered paragraphs, requests, no label."""
    document, text = rendered(
        Kind.CASELOAD_REPORT, actor=alice, language=language, name=f"caseload-{language}"
    )
    assert labels_in(text, document) == []
    assert document.snapshot["summary"] and document.snapshot["requests"]
    assert_complete_in(language, document)
