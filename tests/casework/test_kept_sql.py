"""
Queries of one shape compiled once (accounts.kept_sql `rows_of_shape`): what they give is what
the queryset gives, for every key asked after the first, and nothing of an answer is kept.
"""

import datetime
import uuid

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from accounts import kept_sql
from casework.models import CaseMember, Incident, Person, Relationship
from tests.scenarios import household_with_every_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def households(team_north, alice, sue):
    return [
        household_with_every_record(
            team=team_north, caseworker=alice, actor=sue, mother_name=name, tag=name
        )
        for name in ("Kept one", "Kept two")
    ]


def _members(case_id):
    return CaseMember.objects.filter(case=case_id).select_related("person").order_by("pk")


def _ties(person_id):
    return (
        Relationship.objects.filter(Q(from_person=person_id) | Q(to_person=person_id))
        .select_related("from_person", "to_person")
        .order_by("pk")
    )


def _fields(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def test_rows_are_the_querysets_for_each_key_and_joined_rows_come_built(households):
    for household in households:
        kept = kept_sql.rows_of_shape("test members", _members, household.case.pk)
        plain = list(_members(household.case.pk))
        assert [_fields(m) for m in kept] == [_fields(m) for m in plain]
        # The joined person is built, decrypted, and not read again.
        with CaptureQueriesContext(connection) as queries:
            assert [m.person.full_name for m in kept] == [m.person.full_name for m in plain]
        assert len(queries) == 0
        ties = kept_sql.rows_of_shape("test ties", _ties, household.mother.pk)
        assert [(t.pk, t.from_person.full_name, t.to_person.full_name) for t in ties] == [
            (t.pk, t.from_person.full_name, t.to_person.full_name)
            for t in _ties(household.mother.pk)
        ]
        assert ties


def test_each_call_reads_the_rows_afresh(households):
    household = households[0]
    before = kept_sql.rows_of_shape("test members", _members, household.case.pk)
    CaseMember.objects.filter(case=household.case, person=household.child).delete()
    after = kept_sql.rows_of_shape("test members", _members, household.case.pk)
    assert len(after) == len(before) - 1
    assert household.child.pk not in {m.person_id for m in after}


def test_values_prefetch_and_many_keys(households):
    mothers = [household.mother.pk for household in households]

    def people(*keys):
        return (
            Person.objects.filter(pk__in=keys)
            .values("pk")
            .annotate(ties=Count("relationships_from"))
        )

    assert sorted(kept_sql.rows_of_shape("test values", people, *mothers), key=str) == sorted(
        people(*mothers), key=str
    )

    def incidents(case_id):
        return Incident.objects.filter(case=case_id).prefetch_related("people").order_by("pk")

    for household in households:
        kept = kept_sql.rows_of_shape("test prefetch", incidents, household.case.pk)
        with CaptureQueriesContext(connection) as queries:
            kept_people = [{p.pk for p in incident.people.all()} for incident in kept]
        assert len(queries) == 0
        assert kept_people == [
            {p.pk for p in incident.people.all()} for incident in incidents(household.case.pk)
        ]
        # A plain many-to-many is read by a kept query of its own, in the people's order, and
        # a narrower question of the manager still asks the database.
        assert [[p.pk for p in incident.people.all()] for incident in kept] == [
            [p.pk for p in incident.people.order_by("reference")]
            for incident in incidents(household.case.pk)
        ]
        if kept and kept_people[0]:
            someone = next(iter(kept_people[0]))
            assert [p.pk for p in kept[0].people.filter(pk=someone)] == [someone]
            assert not kept[0].people.filter(pk=uuid.uuid4()).exists()


def test_a_key_the_orm_changes_on_its_way_is_refused(households):
    with pytest.raises(ValueError, match="stand-in"):
        kept_sql.rows_of_shape(
            "test pattern",
            lambda reference: Person.objects.filter(reference__contains=reference),
            "P-",
        )


def test_a_query_that_finds_nothing_by_construction_gives_no_rows():
    assert (
        kept_sql.rows_of_shape(
            "test nothing", lambda key: Person.objects.filter(pk=key, pk__in=[]), uuid.uuid4()
        )
        == []
    )


def test_a_day_is_a_key_and_a_query_may_have_none(households):
    # The dashboard's lists: a day bound (due by, since) given as a parameter, and a user's own
    # list whose SQL names nothing but the user.
    incidents = Incident.objects.order_by("pk")
    days = sorted({incident.occurred_on for incident in incidents})
    assert days  # every household has incidents: the first day finds them all, the last+1 none
    for day in [days[0], days[-1], days[-1] + datetime.timedelta(days=1)]:

        def since(bound):
            return Incident.objects.filter(occurred_on__gte=bound).order_by("pk")

        assert [i.pk for i in kept_sql.rows_of_shape("test since", since, day)] == [
            i.pk for i in since(day)
        ]
    assert [i.pk for i in kept_sql.rows_of_shape("test no key", lambda: incidents)] == [
        i.pk for i in incidents
    ]


def test_padded_keys_find_the_same_rows_with_one_shape_for_three_and_four(households):
    people = [
        member.person_id for household in households for member in household.case.members.all()
    ]
    assert len(people) >= 4

    def of(*keys):
        return Person.objects.filter(pk__in=keys).order_by("pk")

    assert kept_sql.keys_padded([]) == []
    assert kept_sql.keys_padded(people[:3]) == [*people[:3], people[2]]
    assert kept_sql.keys_padded(people[:4]) == people[:4]
    for count in (1, 3, 4):
        kept = kept_sql.rows_of_shape("test padded", of, *kept_sql.keys_padded(people[:count]))
        assert [p.pk for p in kept] == [p.pk for p in of(*people[:count])]
    shapes = {key[1] for key in kept_sql._SHAPES._kept if key[0] == "test padded"}
    assert shapes == {1, 4}


def test_shapes_asked_together_give_each_querys_rows_in_one_round_trip(households, pipelines):
    """
    `rows_of_shapes` (the timeline's records of each kind): each query's rows as
    `rows_of_shape` gives them, a query that finds nothing by construction among them; on
    PostgreSQL the queries are sent at once, in one pipeline (a prefetch of their rows still
    runs after).
    """
    first, second = households

    def nothing(key):
        return Person.objects.filter(pk=key, pk__in=[])

    def incidents(case_id):
        return Incident.objects.filter(case=case_id).prefetch_related("people").order_by("pk")

    asked = [
        ("test members", _members, [first.case.pk]),
        ("test nothing", nothing, [uuid.uuid4()]),
        ("test ties", _ties, [second.mother.pk]),
        ("test members", _members, [second.case.pk]),
    ]
    with CaptureQueriesContext(connection) as queries:
        together = kept_sql.rows_of_shapes(*asked)
    alone = [kept_sql.rows_of_shape(name, build, *values) for name, build, values in asked]
    assert [[_fields(row) for row in rows] for rows in together] == [
        [_fields(row) for row in rows] for rows in alone
    ]
    assert together[1] == [] and all(together[0]) and all(together[2])
    # The joined rows come built, as from one query alone.
    assert [m.person.full_name for m in together[3]] == [m.person.full_name for m in alone[3]]
    if connection.vendor == "postgresql":
        # Three statements (the one that finds nothing is not sent), sent before any answer.
        assert len(queries) == 3 and len(pipelines) == 1
    # A prefetch runs once its query's rows are read.
    [kept, members] = kept_sql.rows_of_shapes(
        ("test prefetch", incidents, [first.case.pk]), ("test members", _members, [first.case.pk])
    )
    assert [{p.pk for p in i.people.all()} for i in kept] == [
        {p.pk for p in i.people.all()} for i in incidents(first.case.pk)
    ]
    assert len(members) == len(alone[0])


@pytest.mark.postgres
def test_a_kept_shape_is_planned_once_per_connection_unless_behind_a_pooler(
    households, monkeypatch
):
    """
    PostgreSQL prepares a kept shape on its first run on a connection and runs it by name after
    (its plan made once, not on every page); Django's own statements stay unprepared, and behind
    a pooler in transaction mode (`SHIMTEO_DB_BEHIND_POOLER`) nothing is prepared.
    """
    first, second = households

    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [row[0] for row in cursor.fetchall()]

    before = prepared()
    for _ in range(3):
        members = kept_sql.rows_of_shape("test members prepared", _members, first.case.pk)
    assert members
    added = [sql for sql in prepared() if sql not in before]
    assert len(added) == 1 and "casework_casemember" in added[0]
    list(CaseMember.objects.filter(case=first.case))  # Django's own, three times
    list(CaseMember.objects.filter(case=first.case))
    list(CaseMember.objects.filter(case=first.case))
    assert len(prepared()) == len(before) + 1

    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    assert kept_sql.rows_of_shape("test members behind a pooler", _members, second.case.pk)
    assert len(prepared()) == len(before) + 1
