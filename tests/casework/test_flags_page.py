"""The flags page offers, per flag, only the action that applies: raise it, or lower it (issue 16)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from casework import services
from casework.models import CaseFlag

from ..conftest import sign_in

pytestmark = pytest.mark.django_db
Kind = CaseFlag.Kind


def _offered_to_raise(page: str) -> list[str]:
    select = re.search(r'<select name="kind".*?</select>', page, re.S)
    return re.findall(r'<option value="([^"]+)"', select.group(0)) if select else []


def _offered_to_lower(page: str) -> list[str]:
    return re.findall(r'name="clear" value="([^"]+)"', page)


def test_a_raised_flag_is_offered_to_lower_not_to_raise(client, alice, north_case):
    services.case_flag_set(case=north_case, kind=Kind.CHILD_AT_RISK, actor=alice)
    sign_in(client, alice)
    page = client.get(reverse("casework:flag_set", args=[north_case.reference])).content.decode()
    assert _offered_to_lower(page) == [Kind.CHILD_AT_RISK]
    raisable = _offered_to_raise(page)
    assert Kind.CHILD_AT_RISK not in raisable
    assert set(raisable) == set(Kind.values) - {Kind.CHILD_AT_RISK}


def test_when_every_flag_is_raised_none_is_offered_to_raise(client, alice, north_case):
    for kind in Kind.values:
        services.case_flag_set(case=north_case, kind=kind, actor=alice)
    sign_in(client, alice)
    page = client.get(reverse("casework:flag_set", args=[north_case.reference])).content.decode()
    assert _offered_to_raise(page) == []
    assert "Every flag is raised on this case" in page
    assert sorted(_offered_to_lower(page)) == sorted(Kind.values)


def test_a_posted_raise_of_a_raised_flag_changes_nothing(client, alice, north_case):
    services.case_flag_set(case=north_case, kind=Kind.CHILD_AT_RISK, actor=alice)
    sign_in(client, alice)
    url = reverse("casework:flag_set", args=[north_case.reference])
    client.post(url, {"kind": Kind.CHILD_AT_RISK})
    assert CaseFlag.objects.filter(case=north_case).count() == 1


def test_the_service_is_the_one_home_of_both_refusals(alice, north_case):
    """Raising a raised flag and lowering a lowered one are refused by the services themselves."""
    services.case_flag_set(case=north_case, kind=Kind.CHILD_AT_RISK, actor=alice)
    with pytest.raises(ValidationError):
        services.case_flag_set(case=north_case, kind=Kind.CHILD_AT_RISK, actor=alice)
    services.case_flag_clear(case=north_case, kind=Kind.CHILD_AT_RISK, actor=alice)
    with pytest.raises(ValidationError):
        services.case_flag_clear(case=north_case, kind=Kind.CHILD_AT_RISK, actor=alice)
