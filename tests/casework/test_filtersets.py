"""CaseFilterSet: the filters of the case list and the API narrow a visible queryset, never widen it."""

import datetime
import unicodedata

import pytest
from django.test import RequestFactory

from casework import services
from casework.choices import (
    CaseStatus,
    Country,
    EntitlementKind,
    EntitlementStatus,
    LegalStatus,
    MemberRole,
    PersonRole,
    RiskLevel,
    StatusSource,
)
from casework.filtersets import CaseFilterSet
from casework.models import Case

from ..factories import MembershipFactory, TeamFactory

D = datetime.date
NAME = "김순희"  # stored as typed: NFC, one code point per syllable


def _filter(user, **data):
    request = RequestFactory().get("/cases/", data)
    request.user = user
    filterset = CaseFilterSet(data, queryset=Case.objects.visible_to(user), request=request)
    return filterset


def _refs(user, **data) -> set[str]:
    return {case.reference for case in _filter(user, **data).qs}


def _person(actor, name, role=PersonRole.REFUGEE, **fields):
    return services.person_create(actor=actor, full_name=name, role=role, **fields)


def _status(person, actor, status, start):
    services.legal_status_change(
        person=person,
        status=status,
        effective_from=start,
        actor=actor,
        country=Country.CHINA,
        source=StatusSource.CASEWORKER,
    )


@pytest.fixture
def mother(alice):
    return _person(alice, NAME, aliases=["Kim Sun Hui"], date_of_birth=D(1984, 5, 17))


@pytest.fixture
def child(alice):
    return _person(alice, "Li Ming", role=PersonRole.CHILD, date_of_birth=D(2012, 3, 4))


@pytest.fixture
def family_case(team_north, alice, mother, child):
    return services.case_open(
        team=team_north,
        actor=alice,
        risk_level=RiskLevel.HIGH,
        members=[(mother, MemberRole.PRINCIPAL), (child, MemberRole.CHILD)],
        caseworkers=[alice],
    )


@pytest.fixture
def quiet_case(team_north, alice):
    return services.case_open(
        team=team_north,
        actor=alice,
        risk_level=RiskLevel.LOW,
        members=[(_person(alice, "Pak Ok"), MemberRole.PRINCIPAL)],
        caseworkers=[alice],
    )


@pytest.fixture
def south_case(team_south, charlie):
    return services.case_open(
        team=team_south,
        actor=charlie,
        risk_level=RiskLevel.HIGH,
        members=[(_person(charlie, NAME), MemberRole.PRINCIPAL)],
        caseworkers=[charlie],
    )


def test_no_filter_lists_every_visible_case(alice, family_case, quiet_case, south_case):
    """Without filters the queryset is the visible one: nothing of team South for alice."""
    assert _refs(alice) == {family_case.reference, quiet_case.reference}


def test_it_filters_by_status_and_risk(alice, family_case, quiet_case):
    """Status and risk narrow to the matching cases."""
    services.case_update(case=quiet_case, actor=alice, status=CaseStatus.ON_HOLD)
    assert _refs(alice, status=CaseStatus.ON_HOLD) == {quiet_case.reference}
    assert _refs(alice, risk_level=RiskLevel.HIGH) == {family_case.reference}
    assert _refs(alice, risk_level=RiskLevel.CRITICAL) == set()


def test_team_choices_are_the_users_own(alice, charlie, family_case, south_case):
    """Alice may filter by North only; asking for South is a form error and lists nothing new."""
    filterset = _filter(alice)
    assert [team.name for team in filterset.form.fields["team"].queryset] == ["North"]
    assert _refs(alice, team=family_case.team_id) == {family_case.reference}
    refused = _filter(alice, team=south_case.team_id)
    assert "team" in refused.errors
    assert south_case.reference not in {case.reference for case in refused.qs}


def test_team_filter_for_a_member_of_two_teams(alice, team_north, family_case, south_case):
    """A user in two teams may narrow to either."""
    east = TeamFactory(name="East")
    MembershipFactory(user=alice, team=east)
    names = {team.name for team in _filter(alice).form.fields["team"].queryset}
    assert names == {"North", "East"}


def test_it_filters_by_a_members_current_legal_status(alice, family_case, quiet_case, mother):
    """Only the current status counts: a past detention does not match."""
    _status(mother, alice, LegalStatus.DETAINED_CN, D(2020, 1, 1))
    assert _refs(alice, legal_status=LegalStatus.DETAINED_CN) == {family_case.reference}
    _status(mother, alice, LegalStatus.REPATRIATED, D(2021, 1, 1))
    assert _refs(alice, legal_status=LegalStatus.DETAINED_CN) == set()
    assert _refs(alice, legal_status=LegalStatus.REPATRIATED) == {family_case.reference}


def test_it_finds_children_without_hukou(alice, family_case, quiet_case, mother, child):
    """A current hukou denial to a child matches; a denial later granted does not."""

    def deny(person, as_of, status=EntitlementStatus.DENIED):
        services.entitlement_record(
            person=person,
            kind=EntitlementKind.HOUSEHOLD_REGISTRATION,
            status=status,
            as_of=as_of,
            actor=alice,
        )

    children_without_hukou = {
        "entitlement_denied": EntitlementKind.HOUSEHOLD_REGISTRATION,
        "denied_to": MemberRole.CHILD,
    }
    deny(mother, D(2015, 1, 1))
    # The mother's denial matches the benefit alone, not the children's filter.
    assert _refs(alice, entitlement_denied=EntitlementKind.HOUSEHOLD_REGISTRATION) == {
        family_case.reference
    }
    assert _refs(alice, **children_without_hukou) == set()
    deny(child, D(2016, 1, 1))
    assert _refs(alice, **children_without_hukou) == {family_case.reference}
    deny(child, D(2018, 1, 1), status=EntitlementStatus.GRANTED)
    assert _refs(alice, **children_without_hukou) == set()
    assert _refs(alice, entitlement_denied=EntitlementKind.SCHOOL) == set()
    # Of two records dated the same day, the one entered last is the child's situation.
    deny(child, D(2018, 1, 1))
    assert _refs(alice, **children_without_hukou) == {family_case.reference}
    deny(child, D(2018, 1, 1), status=EntitlementStatus.GRANTED)
    assert _refs(alice, **children_without_hukou) == set()


def test_denied_to_alone_does_not_filter(alice, family_case, quiet_case):
    """The role only refines a benefit filter."""
    assert _refs(alice, denied_to=MemberRole.CHILD) == {family_case.reference, quiet_case.reference}


def test_search_by_case_reference_in_any_case(alice, family_case, quiet_case):
    """A case reference finds its case, typed in lower case too."""
    assert _refs(alice, q=family_case.reference.lower()) == {family_case.reference}


def test_search_by_person_reference(alice, family_case, quiet_case, child):
    """A person reference finds the cases that person belongs to."""
    assert _refs(alice, q=child.reference) == {family_case.reference}


def test_search_by_name_in_any_unicode_form(alice, family_case, quiet_case, south_case):
    """A Hangul name typed decomposed (NFD) finds the composed name, within alice's cases only."""
    decomposed = unicodedata.normalize("NFD", NAME)
    assert decomposed != NAME
    assert _refs(alice, q=decomposed) == {family_case.reference}


def test_search_by_alias(alice, family_case, quiet_case):
    """An alias finds the person's cases, whatever its case and spacing."""
    assert _refs(alice, q="kim sun hui") == {family_case.reference}
    assert _refs(alice, q="KIM SUNHUI") == {family_case.reference}


def test_search_never_widens_the_queryset(charlie, family_case, south_case):
    """Charlie searching alice's case's reference or person finds nothing of North."""
    assert _refs(charlie, q=family_case.reference) == set()
    assert _refs(charlie, q=NAME) == {south_case.reference}


def test_an_unknown_name_finds_nothing(alice, family_case):
    """A name nobody has matches no case."""
    assert _refs(alice, q="Nobody Known") == set()
