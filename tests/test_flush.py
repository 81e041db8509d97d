import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from legal_aid.models import Provision


@pytest.mark.django_db(transaction=True)
def test_reference_data_comes_back_after_a_flush():
    """Flushing the database (as transactional tests do) keeps the legal corpus and role groups."""
    call_command("flush", interactive=False, verbosity=0)
    assert Provision.objects.filter(label="YB-2003-2").exists()
    assert Group.objects.filter(name="Caseworker").exists()
