"""
A consent's staff witness is a caseworker or supervisor of the person's case team; the team's legal
advocate is not offered, and a post naming her is refused by the service (issue 16).
"""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from casework.models import Case
from casework.permissions import can_witness_consent, consent_witnesses
from casework.services import person_consent_record, person_consent_renew
from consent.models import Consent, Method, Scope

from ..conftest import consent_answer, sign_in

pytestmark = pytest.mark.django_db


def _witness_choices(page: str) -> set[str]:
    select = re.search(r'<select name="witnessed_by_user".*?</select>', page, re.S).group(0)
    return {value for value in re.findall(r'<option value="([^"]*)"', select) if value}


def test_the_witness_list_offers_caseworkers_and_supervisors_not_advocates(
    client, alice, bob, sue, lena, charlie, north_case
):
    person = north_case.people.get()
    sign_in(client, alice)
    page = client.get(reverse("casework:consent_record", args=[person.reference]))
    assert _witness_choices(page.content.decode()) == {str(u.pk) for u in (alice, bob, sue)}


def test_the_rule_is_one_named_function(alice, sue, lena, charlie, north_case):
    cases = Case.objects.filter(pk=north_case.pk)
    assert set(consent_witnesses(cases)) == {alice, sue}
    assert can_witness_consent(sue, cases) is True
    assert can_witness_consent(lena, cases) is False
    assert can_witness_consent(charlie, cases) is False


def test_a_posted_advocate_witness_is_refused(client, alice, lena, north_case):
    person = north_case.people.get()
    sign_in(client, alice)
    before = Consent.objects.count()
    client.post(
        reverse("casework:consent_record", args=[person.reference]),
        consent_answer(witnessed_by_user=lena.pk),
    )
    assert Consent.objects.count() == before
    with pytest.raises(ValidationError) as refused:
        person_consent_record(
            person=person,
            actor=alice,
            method=Method.VERBAL,
            scopes=[Scope.STORE_DATA],
            witnessed_by_user=lena,
        )
    assert "witnessed_by_user" in refused.value.message_dict
    assert Consent.objects.count() == before


def test_a_renewal_witnessed_by_an_advocate_is_refused(alice, lena, north_case):
    person = north_case.people.get()
    person_consent_record(
        person=person, actor=alice, method=Method.VERBAL, scopes=[Scope.STORE_DATA]
    )
    with pytest.raises(ValidationError):
        person_consent_renew(
            person=person, actor=alice, method=Method.VERBAL, witnessed_by_user=lena
        )
    person_consent_renew(person=person, actor=alice, method=Method.VERBAL, witnessed_by_user=alice)
