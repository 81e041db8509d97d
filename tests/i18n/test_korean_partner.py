"""
How Korean pages name a partner in an unregistered union (QA: the family heading read 사실혼,
"de facto marriage", above a list holding a registered spouse; the import's relation read
동거인(미혼 배우자), an "unmarried spouse"). A Korean NGO worker writes 사실혼 배우자 for the
partner, 배우자 for either in a heading, 부부 for a couple.
"""

from types import SimpleNamespace

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from casework.choices import RelationshipKind
from intake.import_values import Relation, choice_of


def test_a_korean_family_heading_names_spouses_and_partners_alike():
    family = SimpleNamespace(
        parents=[],
        children=[],
        partners=[
            SimpleNamespace(
                person=SimpleNamespace(reference="P-1", pk=1, full_name="김영희"),
                kind=RelationshipKind.PARTNER_OF,
                marriage_registered=False,
            ),
            SimpleNamespace(
                person=SimpleNamespace(reference="P-2", pk=2, full_name="박철수"),
                kind=RelationshipKind.SPOUSE_OF,
                marriage_registered=True,
            ),
        ],
    )
    with translation.override("ko"):
        page = render_to_string("casework/includes/family.html", {"family": family})
    assert "<dt>배우자</dt>" in page
    assert "사실혼 배우자" in page
    assert "<dt>사실혼</dt>" not in page


def test_the_intake_still_asks_whether_the_couple_are_de_facto_or_married():
    with translation.override("ko"):
        assert gettext("Partners") == "사실혼"
        assert str(RelationshipKind.PARTNER_OF.label) == "…의 사실혼 배우자"


def test_the_import_names_and_reads_a_de_facto_partner_in_korean():
    with translation.override("ko"):
        assert str(Relation.PARTNER.label) == "사실혼 배우자(혼인 미등록)"
        assert gettext("Parents above their children; partners side by side.") == (
            "부모는 자녀 위에, 부부는 나란히 표시됩니다."
        )
    for written in ("사실혼", "사실혼 배우자", "사실혼 배우자(혼인 미등록)", "동거인"):
        assert choice_of("relation", written, {}) == Relation.PARTNER, written
    assert choice_of("relation", "배우자", {}) == Relation.SPOUSE
