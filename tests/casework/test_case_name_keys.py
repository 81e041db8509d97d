"""
The cases' copies of their members' name keys (`CaseNameKey`), which the case search walks in
list order, are kept by PostgreSQL's triggers (migrations 0023, 0025) through every write that
moves a name key, a member (its role too) or a case's place in the list or its team: after
each, they are exactly the name keys joined to the members and their cases, as the ORM reads
them. (The team lets the search pass over other teams' cases; whether a case is seen is still
asked of the case itself.)
"""

import pytest
from django.core.management import call_command
from django.db import connection

from casework import services
from casework.erasure import person_erase_identifying_details
from casework.models import Case, CaseMember, CaseNameKey, NameKey, Person, PersonAlias
from tests.scenarios import people_to_find

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="kept by PostgreSQL's triggers only"
    ),
]


def kept() -> set:
    return set(
        CaseNameKey.objects.values_list(
            "case_id",
            "person_id",
            "key_id",
            "alias_id",
            "kind",
            "digest",
            "risk_rank",
            "reference",
            "team_id",
            "role",
        )
    )


def expected() -> set:
    """Every name key joined to each case its person is a member of, read through the ORM."""
    cases = {case.pk: case for case in Case.objects.all()}
    members: dict = {}
    for person_id, case_id, role in CaseMember.objects.values_list("person_id", "case_id", "role"):
        members.setdefault(person_id, []).append((cases[case_id], role))
    return {
        (
            case.pk,
            key.person_id,
            key.pk,
            key.alias_id,
            key.kind,
            key.digest,
            case.risk_rank,
            case.reference,
            case.team_id,
            role,
        )
        for key in NameKey.objects.all()
        for case, role in members.get(key.person_id, [])
    }


def assert_kept():
    entries = kept()
    assert entries, "the scenario holds name keys of members"
    assert entries == expected()


@pytest.fixture
def people(team_north, alice):
    found = people_to_find(team=team_north, caseworker=alice)
    assert_kept()
    return found


def test_a_rename_an_alias_and_a_void_move_the_cases_copies(people, alice):
    services.person_update(person=people.kwon_m, actor=alice, full_name="박민수")
    assert_kept()
    alias = services.person_alias_add(person=people.kim, name="Kim Yong Chol", actor=alice)
    assert_kept()
    services.record_void(record=alias, reason="typed for the wrong person", actor=alice)
    assert_kept()


def test_a_member_added_or_a_case_opened_copies_their_keys(people, alice, team_north):
    newcomer = services.person_create(actor=alice, full_name="권순자", role="refugee")
    assert not CaseNameKey.objects.filter(person=newcomer).exists()
    services.case_add_member(case=people.case, person=newcomer, role="relative", actor=alice)
    assert_kept()
    services.case_open(
        team=team_north,
        actor=alice,
        risk_level="critical",
        members=[(newcomer, "principal")],
        caseworkers=[alice],
    )
    assert_kept()
    assert CaseNameKey.objects.filter(person=newcomer).values("case").distinct().count() == 2


def test_a_change_of_risk_moves_the_case_in_its_copies(people, alice):
    case = Case.objects.get(pk=people.case.pk)
    services.case_update(case=case, actor=alice, risk_level="critical")
    assert set(CaseNameKey.objects.filter(case=case).values_list("risk_rank", flat=True)) == {
        Case.objects.get(pk=case.pk).risk_rank
    }
    assert_kept()


def test_erasure_and_deletion_leave_no_copy(people, alice):
    person = Person.objects.get(pk=people.kwon.pk)
    person_erase_identifying_details(person=person, actor=alice, because="consent_withdrawn")
    assert not CaseNameKey.objects.filter(person=person).exists()
    assert_kept()
    CaseMember.objects.filter(person=people.ri).delete()
    assert not CaseNameKey.objects.filter(person=people.ri).exists()
    assert_kept()
    Case.objects.filter(pk=people.case.pk).delete()
    assert not CaseNameKey.objects.exists()


def test_a_merge_moves_the_copies_to_the_person_kept(people, sue):
    services.person_merge(source=people.kwon_k, target=people.kwon, actor=sue)
    assert not CaseNameKey.objects.filter(person=people.kwon_k.pk).exists()
    assert_kept()


def test_reindex_names_and_a_bulk_load_keep_the_copies(people, alice, capsys):
    NameKey.objects.all().delete()
    assert not CaseNameKey.objects.exists()
    call_command("reindex_names", "--batch-size", "2")
    assert "recomputed for 6 of 6 people" in capsys.readouterr().out
    assert_kept()
    PersonAlias.objects.filter(person=people.kwon).update(person=people.kwon_k)
    call_command("reindex_names")
    assert_kept()


def test_a_truncate_of_the_keys_empties_the_copies(people, alice, capsys):
    with connection.cursor() as cursor:
        # The test's transaction holds deferred foreign key checks, which a TRUNCATE waits for.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE casework_namekey")
    assert not CaseNameKey.objects.exists()
    call_command("reindex_names")
    assert_kept()


def test_a_transfer_and_a_change_of_role_move_the_copies(people, team_south):
    # Written as any writer may (the triggers are the tables', not the services'): the
    # transfer's service asks consents this scenario does not record.
    case = Case.objects.get(pk=people.case.pk)
    Case.objects.filter(pk=case.pk).update(team=team_south)
    assert set(CaseNameKey.objects.filter(case=case).values_list("team_id", flat=True)) == {
        team_south.pk
    }
    assert_kept()
    CaseMember.objects.filter(case=case, person=people.ri).update(role="other")
    assert set(CaseNameKey.objects.filter(person=people.ri).values_list("role", flat=True)) == {
        "other"
    }
    assert_kept()
