import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import TransactionTestCase

from accounts.models import User
from casework.models import CaseloadCount
from casework.services.caseload import caseload_recount
from legal_aid.models import Provision
from tests.scenarios import case_with_one_member, persona


@pytest.mark.django_db(transaction=True)
def test_reference_data_comes_back_after_a_flush():
    """Flushing the database (as transactional tests do) keeps the legal corpus and role groups."""
    call_command("flush", interactive=False, verbosity=0)
    assert Provision.objects.filter(label="YB-2003-2").exists()
    assert Group.objects.filter(name="Caseworker").exists()


def _flush_ending_a_transactional_test():
    """The teardown of a transactional test (as tests/conftest.py makes it), run here and now."""
    TransactionTestCase()._fixture_teardown()


@pytest.mark.django_db(transaction=True)
def test_reference_data_a_test_changed_is_put_back_by_the_flush_after_it():
    _flush_ending_a_transactional_test()  # the next flush now knows the reference data
    Group.objects.filter(name="Caseworker").update(name="Renamed by a test")
    Provision.objects.filter(label="YB-2003-2").delete()
    ContentType.objects.create(app_label="made_up", model="by_a_test")

    _flush_ending_a_transactional_test()

    assert Group.objects.filter(name="Caseworker").exists()
    assert not Group.objects.filter(name="Renamed by a test").exists()
    assert Provision.objects.filter(label="YB-2003-2").exists()
    assert not ContentType.objects.filter(app_label="made_up").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_flush_after_a_test_keeps_unchanged_reference_data_and_empties_the_rest():
    _flush_ending_a_transactional_test()
    persona("alice")
    groups = dict(Group.objects.values_list("name", "pk"))
    content_types = set(ContentType.objects.values_list("pk", flat=True))
    permissions = Group.objects.get(name="Caseworker").permissions.count()

    _flush_ending_a_transactional_test()

    assert not User.objects.exists()
    assert dict(Group.objects.values_list("name", "pk")) == groups  # the same rows, not new ones
    assert set(ContentType.objects.values_list("pk", flat=True)) == content_types
    assert Group.objects.get(name="Caseworker").permissions.count() == permissions
    assert Provision.objects.filter(label="YB-2003-2").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_flush_after_a_test_leaves_no_caseload_counts_behind():
    """
    The caseload counts are kept by triggers on cases and assignments: a flush that emptied the
    counts before the cases left the deleted cases behind as negative counts, which the next
    test of the worker found on its dashboard (tests/casework/test_caseload_counts.py).
    """
    _flush_ending_a_transactional_test()
    alice = persona("alice")
    case_with_one_member(team=alice.team_memberships.get().team, caseworker=alice)
    assert CaseloadCount.objects.filter(open_cases__gt=0).exists()

    _flush_ending_a_transactional_test()

    assert not CaseloadCount.objects.exists()
    assert caseload_recount(dry_run=True) == {}
