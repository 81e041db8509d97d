import datetime

import pytest
from django.db import connection

from audit.models import AuditEvent
from casework.models import Person
from consent.checks import allows, current_consent, people_allowing, refusing
from consent.models import Consent, Method, Scope
from consent.services import consent_record

from ..factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_no_consent_on_file_allows_nothing():
    """A person with no consent recorded may not be shared, named or counted."""
    person = PersonFactory()
    assert current_consent(person) is None
    assert all(allows(person, scope) is False for scope in Scope)


def test_the_latest_consent_is_in_force(alice):
    """A withdrawal is a new record, and it wins over what was agreed before."""
    person = PersonFactory()
    consent_record(
        person=person,
        actor=alice,
        method=Method.INTERPRETER,
        scopes=[Scope.STORE_DATA, Scope.SHARE_WITH_ADVOCATES, Scope.STATISTICS],
    )
    assert allows(person, Scope.SHARE_WITH_ADVOCATES) is True
    assert allows(person, Scope.NAMED_IN_DOCUMENTS) is False

    consent_record(person=person, actor=alice, method=Method.VERBAL, scopes=[Scope.STORE_DATA])

    assert allows(person, Scope.SHARE_WITH_ADVOCATES) is False
    assert Consent.objects.filter(person=person).count() == 2


def test_refusing_and_people_allowing_use_the_consent_in_force(alice):
    sharing, withdrawn, silent = PersonFactory(), PersonFactory(), PersonFactory()
    consent_record(person=sharing, actor=alice, method="written", scopes=["statistics"])
    consent_record(person=withdrawn, actor=alice, method="written", scopes=["statistics"])
    consent_record(person=withdrawn, actor=alice, method="written", scopes=[])

    assert refusing([sharing, withdrawn, silent], "statistics") == [withdrawn, silent]
    counted = people_allowing(Person.objects.all(), "statistics")
    assert list(counted) == [sharing]


def test_recording_consent_is_audited_without_the_witness_name(alice):
    person = PersonFactory()
    consent = consent_record(
        person=person,
        actor=alice,
        method=Method.WRITTEN,
        witnessed_by="박영수",
        given_on=datetime.date(2026, 3, 1),
        scopes=[Scope.STORE_DATA],
    )
    event = AuditEvent.objects.get(action="create", target_id=str(consent.pk))
    assert event.detail == {"scopes": ["store_data"], "kind": "given"}
    assert "박영수" not in str(event.detail)


@pytest.mark.postgres
def test_the_witness_is_encrypted_at_rest(alice):
    person = PersonFactory()
    consent_record(
        person=person, actor=alice, method="written", witnessed_by="박영수", scopes=["store_data"]
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT witnessed_by FROM consent_consent")
        (raw,) = cursor.fetchone()
    assert "박영수" not in raw
    assert raw.startswith("v1:")


def test_an_unknown_scope_is_refused():
    person = PersonFactory()
    with pytest.raises(ValueError):
        allows(person, "sell_to_anyone")


def test_of_two_consents_recorded_at_the_same_moment_the_later_id_is_in_force(alice):
    """The tie-break `current_consent` uses (recorded_at, then id) holds for lists as well."""
    person = PersonFactory()
    first = consent_record(person=person, actor=alice, method="written", scopes=["statistics"])
    second = consent_record(person=person, actor=alice, method="written", scopes=[])
    Consent.objects.filter(pk__in=[first.pk, second.pk]).update(recorded_at=first.recorded_at)
    in_force = max(first.pk, second.pk)

    assert current_consent(person).pk == in_force
    assert list(Consent.objects.current().filter(person=person).values_list("pk", flat=True)) == [
        in_force
    ]
    counted = people_allowing(Person.objects.filter(pk=person.pk), "statistics")
    assert counted.exists() is (in_force == first.pk)
