"""The casework read selectors: current state, history, family and search."""

import datetime

import pytest
from django.db import connection

from casework import services
from casework.choices import (
    Country,
    EntitlementKind,
    EntitlementStatus,
    LegalStatus,
    MemberRole,
    PersonRole,
    RelationshipKind,
    StatusSource,
)
from casework.models import Relationship
from casework.selectors.people import (
    case_people_with_status,
    current_entitlements,
    current_status,
    entitlements_of,
    family_of,
    status_timeline,
)
from casework.selectors.search import people_search

from ..factories import CaseMemberFactory, PersonFactory

D = datetime.date


def _change(person, actor, status, start):
    return services.legal_status_change(
        person=person,
        status=status,
        effective_from=start,
        actor=actor,
        country=Country.CHINA,
        place="",
        source=StatusSource.CASEWORKER,
        note="",
    )


@pytest.fixture
def mother(north_case):
    return north_case.people.get()


def _add(case, actor, **fields):
    fields.setdefault("role", PersonRole.CHILD)
    person = services.person_create(actor=actor, **fields)
    services.case_add_member(case=case, person=person, role=MemberRole.CHILD, actor=actor)
    return person


def test_current_status_is_the_open_record(mother, alice):
    """After two changes the current status is the latest."""
    assert current_status(mother) is None
    _change(mother, alice, LegalStatus.UNDOCUMENTED_CN, D(2010, 1, 1))
    latest = _change(mother, alice, LegalStatus.DETAINED_CN, D(2012, 1, 1))
    assert current_status(mother) == latest


def test_status_timeline_is_oldest_first(mother, alice):
    """The timeline lists periods in the order they happened, however they were entered."""
    _change(mother, alice, LegalStatus.DETAINED_CN, D(2012, 1, 1))
    services.legal_status_record_add(
        person=mother,
        status=LegalStatus.UNDOCUMENTED_CN,
        effective_from=D(2004, 1, 1),
        effective_to=D(2012, 1, 1),
        actor=alice,
        country=Country.CHINA,
        source=StatusSource.FAMILY,
    )
    timeline = status_timeline(mother)
    assert [r.status for r in timeline] == [LegalStatus.UNDOCUMENTED_CN, LegalStatus.DETAINED_CN]


def test_case_people_with_status_takes_one_round_trip_however_many_people(
    north_case, alice, django_assert_num_queries, pipelines
):
    """
    The people of a case and their statuses load without a query per person: two queries,
    sent together to PostgreSQL (one pipeline, one round trip).
    """
    for n in range(4):
        child = _add(north_case, alice, full_name=f"Child {n}", date_of_birth=D(2010, 1, n + 1))
        _change(child, alice, LegalStatus.STATELESS, D(2010, 2, 1))
    with django_assert_num_queries(2):
        rows = case_people_with_status(north_case)
        statuses = [row.status.status if row.status else None for row in rows]
    assert len(pipelines) == (1 if connection.vendor == "postgresql" else 0)
    assert statuses == [None] + [LegalStatus.STATELESS] * 4
    assert [row.role for row in rows] == [MemberRole.PRINCIPAL] + [MemberRole.CHILD] * 4


def test_current_entitlements_gives_the_latest_of_each_kind(mother, alice):
    """Only the latest record of each benefit is current."""
    for kind, status, as_of in [
        (EntitlementKind.SCHOOL, EntitlementStatus.DENIED, D(2019, 9, 1)),
        (EntitlementKind.SCHOOL, EntitlementStatus.GRANTED, D(2021, 9, 1)),
        (EntitlementKind.SCHOOL, EntitlementStatus.PENDING, D(2020, 9, 1)),
        (EntitlementKind.MEDICAL_CARE, EntitlementStatus.DENIED, D(2018, 1, 1)),
    ]:
        services.entitlement_record(
            person=mother, kind=kind, status=status, as_of=as_of, note="", actor=alice
        )
    current = {e.kind: e.status for e in current_entitlements(mother)}
    assert current == {
        EntitlementKind.SCHOOL: EntitlementStatus.GRANTED,
        EntitlementKind.MEDICAL_CARE: EntitlementStatus.DENIED,
    }


def test_entitlements_of_reads_the_current_ones_and_the_history_at_once(
    mother, alice, django_assert_num_queries
):
    """The person page's benefits now and before from one query: now as current_entitlements
    says it (a voided latest record is not current), the history with the voided ones if asked."""
    recorded = {}
    for kind, status, as_of in [
        (EntitlementKind.SCHOOL, EntitlementStatus.DENIED, D(2019, 9, 1)),
        (EntitlementKind.SCHOOL, EntitlementStatus.GRANTED, D(2021, 9, 1)),
        (EntitlementKind.SCHOOL, EntitlementStatus.PENDING, D(2020, 9, 1)),
        (EntitlementKind.MEDICAL_CARE, EntitlementStatus.DENIED, D(2018, 1, 1)),
        (EntitlementKind.MEDICAL_CARE, EntitlementStatus.GRANTED, D(2018, 1, 1)),
        (EntitlementKind.KINDERGARTEN, EntitlementStatus.DENIED, D(2016, 1, 1)),
    ]:
        recorded[kind, status] = services.entitlement_record(
            person=mother, kind=kind, status=status, as_of=as_of, note="", actor=alice
        )
    services.record_void(
        record=recorded[EntitlementKind.SCHOOL, EntitlementStatus.GRANTED],
        reason="Entered on the wrong person",
        actor=alice,
    )
    services.record_void(
        record=recorded[EntitlementKind.KINDERGARTEN, EntitlementStatus.DENIED],
        reason="Entered on the wrong person",
        actor=alice,
    )
    for include_voided in (False, True):
        with django_assert_num_queries(1):
            now, history = entitlements_of(mother, include_voided=include_voided)
        assert now == list(current_entitlements(mother))
        assert [e.status for e in now] == [EntitlementStatus.GRANTED, EntitlementStatus.PENDING]
        assert [e.as_of for e in history] == sorted((e.as_of for e in history), reverse=True)
        assert len(history) == (6 if include_voided else 4)


def test_family_of_lists_parents_partners_and_children(north_case, mother, alice):
    """From the mother's side and the child's, the family reads the same ties."""
    child = _add(north_case, alice, full_name="Child", date_of_birth=D(2012, 1, 1))
    partner = _add(north_case, alice, full_name="Partner", role=PersonRole.PARTNER)
    services.relationship_create(
        from_person=mother, to_person=child, kind=RelationshipKind.PARENT_OF, actor=alice
    )
    services.relationship_create(
        from_person=partner,
        to_person=mother,
        kind=RelationshipKind.PARTNER_OF,
        marriage_registered=False,
        actor=alice,
    )
    family = family_of(mother, user=alice)
    assert (family.parents, family.children) == ([], [child])
    assert [(p.person, p.marriage_registered) for p in family.partners] == [(partner, False)]
    assert family_of(child, user=alice).parents == [mother]


def test_family_of_leaves_out_relatives_the_user_cannot_see(mother, alice, team_south):
    """A relative who is only in another team's case is not named."""
    father = CaseMemberFactory(
        case__team=team_south, person=PersonFactory(date_of_birth=D(1950, 1, 1), birth_year=1950)
    ).person
    # Alice may not record this tie (the father is not hers to change): stored as a tie made
    # before a case moved team would be.
    Relationship.objects.create(
        from_person=father, to_person=mother, kind=RelationshipKind.PARENT_OF
    )
    assert family_of(mother, user=alice).parents == []


def test_people_search_finds_by_alias_within_visible_cases(mother, alice, charlie):
    """A name search finds the visible person by alias, and nothing for an outsider."""
    services.person_alias_add(person=mother, name="Kim Sun Hui", actor=alice)
    assert people_search(user=alice, name="KIM SUNHUI").people == [mother]
    assert people_search(user=charlie, name="Kim Sun Hui").people == []
