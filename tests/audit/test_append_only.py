"""
The trail is append-only: the ORM refuses every change, and on PostgreSQL a trigger refuses
UPDATE, DELETE and TRUNCATE whoever sends them. Concurrent writers still make one chain.
"""

import threading

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit import record
from audit.chain import verify_chain
from audit.exceptions import AppendOnlyError
from audit.models import AuditEvent
from tests.factories import CaseFactory, TeamFactory, UserFactory


@pytest.fixture
def event(alice, north_case):
    return record(alice, "view", north_case)


def test_the_orm_cannot_change_or_remove_events(event):
    """update(), delete(), save() of an existing event and delete() of one are refused."""
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="login")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    event.action = "login"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()

    event.refresh_from_db()
    assert event.action == "view"
    assert verify_chain().intact


def test_the_orm_cannot_add_events_around_record(alice):
    """Events are only added by record(), which chains them."""
    forged = {"occurred_at": timezone.now(), "action": "login", "prev_hash": "0", "hash": "0"}
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.create(**forged)
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_create([AuditEvent(**forged)])
    assert not AuditEvent.objects.exists()


def refused(sql, params=()):
    """Run raw SQL in a savepoint and return the database's error, or None if it was accepted."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as error:
        return str(error)
    return None


@pytest.mark.postgres
def test_postgresql_refuses_raw_update(event):
    """An UPDATE sent straight to PostgreSQL is refused, naming the audit trail."""
    error = refused("UPDATE audit_auditevent SET detail = '{}' WHERE sequence = %s", [event.pk])

    assert error is not None and "audit trail is append-only" in error
    assert verify_chain().intact


@pytest.mark.postgres
def test_postgresql_refuses_raw_delete(event):
    """A DELETE sent straight to PostgreSQL is refused, naming the audit trail."""
    error = refused("DELETE FROM audit_auditevent WHERE sequence = %s", [event.pk])

    assert error is not None and "audit trail is append-only" in error
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.postgres
def test_postgresql_refuses_truncate(event):
    """TRUNCATE is refused unless the session explicitly allows it (only the test suite does)."""
    error = refused("SET LOCAL shimteo.audit_allow_truncate = 'off'; TRUNCATE audit_auditevent")

    assert error is not None and "audit trail is append-only" in error
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_make_one_chain():
    """Many writers at once, some in longer transactions, still append to a single chain."""
    team = TeamFactory(name="Concurrency")
    case = CaseFactory(team=team)
    users = [UserFactory(username=f"writer{n}") for n in range(8)]
    start = threading.Barrier(len(users))
    errors = []

    def write(user):
        try:
            start.wait()
            for n in range(5):
                with transaction.atomic():
                    record(user, "view", case, n=n)
                    record(user, "download", case, n=n)
        except Exception as error:  # reported below; a thread cannot fail the test itself
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    report = verify_chain()
    assert report.intact
    assert report.count == len(users) * 10
