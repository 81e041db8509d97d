"""Resolving citations, searching the corpus, and matching case records to restrictions."""

import datetime

import pytest

from casework.choices import (
    EntitlementKind,
    EntitlementStatus,
    IncidentKind,
    MemberRole,
    PersonRole,
    Region,
)
from casework.models import Entitlement, Incident
from legal_aid import selectors
from legal_aid.models import Authority, Figure, Provision, Restriction

from ..factories import AssignmentFactory, CaseFactory, CaseMemberFactory, PersonFactory


def _deportation(case, person, user):
    incident = Incident.objects.create(
        case=case,
        kind=IncidentKind.DEPORTATION,
        occurred_on=datetime.date(2020, 5, 4),
        region=Region.JILIN,
        recorded_by=user,
    )
    incident.people.add(person)
    return incident


def test_a_provision_is_found_by_its_label(db):
    """YB-2003-2 is item 2 of the Yanbian notice of 16 November 2003."""
    provision = selectors.provision_by_label("YB-2003-2")
    assert provision.document.code == "YB-2003"
    assert provision.number == 2
    assert provision.text.startswith("Treat all offspring")
    assert provision.get_absolute_url() == "/legal/provisions/YB-2003-2/"


def test_an_unknown_label_raises(db):
    with pytest.raises(Provision.DoesNotExist):
        selectors.provision_by_label("YB-2003-9")


def test_authorities_and_figures_are_found_by_label(db):
    assert selectors.authority_by_label("CRC-7").citation == "CRC art. 7"
    assert selectors.figure_by_key("deported-by-2004").value == 133009
    with pytest.raises(Authority.DoesNotExist):
        selectors.authority_by_label("CRC-99")
    with pytest.raises(Figure.DoesNotExist):
        selectors.figure_by_key("nothing")


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("kindergarten", "YB-2003-3"),
        ("bigamy", "CC-2004-P2"),
        ("detention camps", "YBF-2004-P2"),
        ("133,009", "MPS-2005-P2"),
        ("YB-2003-4", "YB-2003-4"),
    ],
)
def test_search_finds_a_provision_by_a_word_in_it(db, query, label):
    assert label in [p.label for p in selectors.search_provisions(query)]


def test_search_requires_every_word(db):
    """A word that appears nowhere in the corpus empties the result."""
    assert selectors.search_provisions("kindergarten zeppelin") == []
    assert selectors.search_provisions("   ") == []


def test_affected_people_count_only_the_viewers_people(child_denied_hukou, alice, charlie, sue):
    """alice and her supervisor see the child; a caseworker of another team counts nobody."""
    restriction = Restriction.objects.get(slug="child-registration-denied")
    assert list(selectors.affected_people([restriction], user=alice)) == [child_denied_hukou]
    assert selectors.affected_count([restriction], user=sue) == 1
    assert selectors.affected_count([restriction], user=charlie) == 0


def test_a_granted_registration_or_an_adult_is_not_evidence(north_case, alice):
    """Only a denial counts, and only for the role the restriction concerns."""
    child = PersonFactory(role=PersonRole.CHILD)
    CaseMemberFactory(case=north_case, person=child, role=MemberRole.CHILD)
    Entitlement.objects.create(
        person=child,
        kind=EntitlementKind.HOUSEHOLD_REGISTRATION,
        status=EntitlementStatus.GRANTED,
        as_of=datetime.date(2020, 1, 1),
    )
    mother = north_case.people.exclude(pk=child.pk).get()
    Entitlement.objects.create(
        person=mother,
        kind=EntitlementKind.HOUSEHOLD_REGISTRATION,
        status=EntitlementStatus.DENIED,
        as_of=datetime.date(2020, 1, 1),
    )
    child_rule = Restriction.objects.get(slug="child-registration-denied")
    refugee_rule = Restriction.objects.get(slug="refugee-registration-denied")
    assert selectors.affected_count([child_rule], user=alice) == 0
    assert list(selectors.affected_people([refugee_rule], user=alice)) == [mother]


def test_incidents_count_only_when_the_viewer_sees_their_case(
    north_case, alice, charlie, team_south
):
    """
    A person in two cases: charlie sees her through his own case, but the deportation recorded in
    alice's case is not his to see, so it does not count for him.
    """
    person = north_case.people.get()
    south_case = CaseFactory(team=team_south, owner=charlie)
    AssignmentFactory(case=south_case, user=charlie)
    CaseMemberFactory(case=south_case, person=person)
    _deportation(north_case, person, alice)
    restriction = Restriction.objects.get(slug="forced-return")
    assert selectors.affected_count([restriction], user=alice) == 1
    assert selectors.affected_count([restriction], user=charlie) == 0
    assert selectors.restrictions_evidenced_by(person, user=charlie) == []


def test_restrictions_evidenced_by_a_person(child_denied_hukou, alice):
    """The child's denied hukou evidences the registration restriction, with the record itself."""
    found = selectors.restrictions_evidenced_by(child_denied_hukou, user=alice)
    assert [f.restriction.slug for f in found] == ["child-registration-denied"]
    assert [e.kind for e in found[0].entitlements] == [EntitlementKind.HOUSEHOLD_REGISTRATION]
    assert found[0].incidents == []


def test_restrictions_evidenced_by_incidents(north_case, alice):
    person = north_case.people.get()
    incident = _deportation(north_case, person, alice)
    found = selectors.restrictions_evidenced_by(person, user=alice)
    assert [(f.restriction.slug, f.incidents) for f in found] == [("forced-return", [incident])]
