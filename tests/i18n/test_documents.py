"""
Every advocacy document kind comes out in Simplified Chinese and Korean: headings and argument
through the catalogue, while the provisions quoted keep the English translation that is our
source, with a note in the document's language saying so.
"""

import pytest

from legal_aid import services
from legal_aid.models import AdvocacyDocument
from tests.legal_aid.test_documents_render import pdf_of, squeezed, text_of
from tests.legal_aid.test_documents_services import consent, family, request  # noqa: F401

Kind = AdvocacyDocument.Kind
Redaction = AdvocacyDocument.Redaction

SOURCE_NOTE = {
    "zh-hans": "所引条文均采用我们所依据的英文译本\uff0c并附我们的非官方译文。",
    "ko": "인용한 조항은 출처인 영어 번역본의 문구로 싣고, 그 옆에 우리의 비공식 번역을 붙인다.",
}


def _rendered(kind, language, *, case, family, actor):  # noqa: F811
    for person in family.values():
        consent(person, statistics=True)
    if kind == Kind.CASELOAD_REPORT:
        document = services.document_request(
            kind=kind, language=language, redaction=Redaction.AGGREGATE_ONLY, actor=actor
        )
    else:
        subject = family["child" if kind == Kind.CHILD_ACCESS_BRIEF else "mother"]
        document = request(
            kind,
            case=case,
            subject=subject,
            actor=actor,
            language=language,
            redaction=Redaction.PSEUDONYMISED,
        )
    document = services.document_render(document_id=document.pk)
    assert document.status == AdvocacyDocument.Status.READY, document.failure_reason
    return text_of(pdf_of(document))


# The appeal in Chinese and in Korean is read from test_document_formats.py's renders of it
# (`assert_in_its_language`): one render of each checks its form and its language.
@pytest.mark.parametrize(
    ("kind", "headings"),
    [
        (Kind.CHILD_ACCESS_BRIEF, ["儿童的国籍、户口登记与入学", "致合作律师的意见书"]),
        (Kind.CASELOAD_REPORT, ["个案总体报告", "按当前法律身份统计的人数"]),
    ],
)
def test_each_kind_renders_in_chinese_with_the_source_note(
    north_case,
    family,  # noqa: F811
    alice,
    kind,
    headings,
):
    """
    A zh-hans document has Chinese headings and says, in Chinese, that quoted provisions are in
    the English translation; the provisions are cited in full, never by the library's labels.
    """
    text = squeezed(_rendered(kind, "zh-hans", case=north_case, family=family, actor=alice))
    assert_in_its_language("zh-hans", text, headings)


def assert_in_its_language(language: str, squeezed_text: str, words: list[str]) -> None:
    """
    The text of a document in `language` (without whitespace) holds `words` (its headings,
    through the catalogue) and the note, in its language, that the provisions quoted keep our
    English source; the provisions are cited in full, never by the library's labels.
    """
    for word in words:
        assert word in squeezed_text, word
    assert squeezed(SOURCE_NOTE[language]) in squeezed_text
    assert "YB-2003-2" not in squeezed_text and "MPS-2005-P2" not in squeezed_text
