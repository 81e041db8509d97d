"""affected_counts: every restriction's count in one query, equal to counting them one by one."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.choices import IncidentKind, Region
from casework.models import Incident, Person
from legal_aid import selectors

pytestmark = pytest.mark.django_db


def test_affected_counts_equal_the_counts_one_by_one(child_denied_hukou, north_case, alice, sue):
    """Each restriction's count is what affected_people gives for it, for any viewer."""
    incident = Incident.objects.create(
        case=north_case,
        kind=IncidentKind.DEPORTATION,
        occurred_on=datetime.date(2020, 5, 4),
        region=Region.JILIN,
        recorded_by=alice,
    )
    incident.people.add(child_denied_hukou)
    restrictions = list(selectors.restriction_catalogue())
    among = Person.objects.all()
    for viewer in (alice, sue):
        expected = [
            selectors.affected_people([r], user=viewer).filter(pk__in=among.values("pk")).count()
            for r in restrictions
        ]
        assert selectors.affected_counts(restrictions, user=viewer, among=among) == expected
    assert any(expected)


def test_affected_counts_take_one_query(child_denied_hukou, alice):
    """However many restrictions, the counts come from a single query."""
    restrictions = list(selectors.restriction_catalogue())
    with CaptureQueriesContext(connection) as queries:
        selectors.affected_counts(restrictions, user=alice, among=Person.objects.all())
    assert len(queries) == 1


def test_affected_counts_leave_out_people_the_viewer_cannot_see(child_denied_hukou, charlie):
    """Another team's caseworker counts nobody, even when `among` holds everyone."""
    restrictions = list(selectors.restriction_catalogue())
    counts = selectors.affected_counts(restrictions, user=charlie, among=Person.objects.all())
    assert counts == [0] * len(restrictions)
