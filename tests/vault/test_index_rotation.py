"""
Rotating the blind-index key: the new key in SHIMTEO_INDEX_KEY, the old one in
SHIMTEO_OLD_INDEX_KEYS, `manage.py reindex_blind_indexes` recomputes every stored digest, and exact
search (name, alias, contact; pages and duplicate detection) finds people all the way through.
"""

import io
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from casework.models import Person, PersonAlias
from casework.querysets import NAME_SCOPE
from intake.duplicates import Subject, candidates_for
from tests.factories import PersonFactory
from vault.blind_index import blind_index
from vault.keyring import generate_key, get_keyring, parse_keyring, refuse_shared_keys

from .conftest import FIRST_KEY, INDEX_KEY

pytestmark = pytest.mark.django_db

NEW_INDEX_KEY = generate_key()
NAME, ALIAS, CONTACT = "리순옥", "Ri Sun Ok", "+86 135 0000 1111"


def reindex(*args) -> str:
    out = io.StringIO()
    call_command("reindex_blind_indexes", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def person():
    person = PersonFactory(full_name=NAME, contact=CONTACT)
    PersonAlias.objects.create(person=person, name=ALIAS)
    return person


def stored_digests(person) -> tuple:
    name, contact = Person.objects.values_list("full_name_index", "contact_index").get(pk=person.pk)
    alias = PersonAlias.objects.values_list("name_index", flat=True).get(person=person)
    return name, contact, alias


def found(person) -> dict[str, bool]:
    """Every exact search the application makes, as the user typing `term` would."""
    subject = Subject(key="principal", names=[NAME], contact=CONTACT)
    return {
        "name": Person.objects.matching_name(NAME).filter(pk=person.pk).exists(),
        "alias": Person.objects.matching_name(ALIAS).filter(pk=person.pk).exists(),
        "duplicates": person.pk in candidates_for(subject),
    }


def deploy_new_index_key(settings, *, keep_old=True):
    settings.SHIMTEO_INDEX_KEY = NEW_INDEX_KEY
    settings.SHIMTEO_OLD_INDEX_KEYS = INDEX_KEY if keep_old else ""


def test_searches_work_before_during_and_after_the_rotation(settings, person):
    everywhere = {"name": True, "alias": True, "duplicates": True}
    assert found(person) == everywhere
    old_digests = stored_digests(person)

    deploy_new_index_key(settings)
    assert stored_digests(person) == old_digests, "deploying the key rewrites nothing"
    assert found(person) == everywhere, "old digests are still matched during the rotation"

    output = reindex("--batch-size", "1")
    assert "Remaining under an old index key: 0" in output
    new_digests = stored_digests(person)
    assert set(new_digests).isdisjoint(old_digests)
    assert new_digests[0] == blind_index(NAME_SCOPE, NAME)
    assert found(person) == everywhere

    deploy_new_index_key(settings, keep_old=False)
    assert found(person) == everywhere, "after the rotation the old key is not needed"


def test_without_the_reindex_the_old_key_cannot_be_removed(settings, person):
    """The control: dropping the old key before recomputing loses the search."""
    deploy_new_index_key(settings, keep_old=False)
    assert found(person) == {"name": False, "alias": False, "duplicates": False}


def test_the_reindex_is_resumable_and_counts_what_is_left(settings, person):
    PersonFactory(full_name="박영희", contact="+86 135 0000 2222")
    deploy_new_index_key(settings)
    dry = reindex("--dry-run")
    assert re.search(r"casework\.Person\.full_name_index: 2 stale", dry)
    assert re.search(r"casework\.PersonAlias\.name_index: 1 stale", dry)
    # The name keys of the two people (casework.services.names) are recomputed by their hook.
    assert "casework.services.names.name_keys_reindex: 2 stale" in dry
    # Two names, two contacts, one alias, and the two people's name keys.
    assert "Remaining under an old index key: 7" in dry
    assert stored_digests(person)[0] != blind_index(NAME_SCOPE, NAME)
    assert "Remaining under an old index key: 0" in reindex()
    again = reindex()
    assert re.search(r"casework\.Person\.full_name_index: 0 recomputed", again)


def test_a_save_during_the_rotation_stores_the_new_digest(settings, person):
    deploy_new_index_key(settings)
    stored = Person.objects.get(pk=person.pk)
    stored.full_name = "리순옥"  # the same name, saved again: the digest is recomputed
    stored.save()
    assert stored_digests(person)[0] == blind_index(NAME_SCOPE, NAME)


def test_the_keyring_holds_the_old_index_keys():
    keyring = parse_keyring(f"k1:{FIRST_KEY}", NEW_INDEX_KEY, INDEX_KEY)
    assert len(keyring.index_keys) == 2
    with pytest.raises(ImproperlyConfigured, match="repeats SHIMTEO_INDEX_KEY"):
        parse_keyring(f"k1:{FIRST_KEY}", INDEX_KEY, INDEX_KEY)
    with pytest.raises(ImproperlyConfigured, match="must not also be a field key"):
        parse_keyring(f"k1:{FIRST_KEY}", FIRST_KEY)


SECRET = "s" * 60


@pytest.mark.parametrize(
    ("field_keys", "index_key", "old_index_keys", "backup_key", "secret_key", "message"),
    [
        (f"k1:{FIRST_KEY}", INDEX_KEY, "", FIRST_KEY, SECRET, "SHIMTEO_BACKUP_KEY is the same"),
        (f"k1:{FIRST_KEY}", INDEX_KEY, "", INDEX_KEY, SECRET, "SHIMTEO_BACKUP_KEY is the same"),
        (f"k1:{FIRST_KEY}", NEW_INDEX_KEY, INDEX_KEY, INDEX_KEY, SECRET, "SHIMTEO_BACKUP_KEY"),
        (f"k2:{FIRST_KEY},k1:{FIRST_KEY}", INDEX_KEY, "", "", SECRET, "is the same key as"),
        (f"k1:{FIRST_KEY}", INDEX_KEY, "", "", f"x{FIRST_KEY}x" * 2, "SECRET_KEY contains"),
        (f"k1:{FIRST_KEY}", INDEX_KEY, "", "", INDEX_KEY + "y" * 10, "SECRET_KEY contains"),
    ],
    ids=[
        "backup=field",
        "backup=index",
        "backup=old-index",
        "field=field",
        "secret~field",
        "secret~index",
    ],
)
def test_production_refuses_a_key_used_twice(
    field_keys, index_key, old_index_keys, backup_key, secret_key, message
):
    keyring = parse_keyring(field_keys, index_key, old_index_keys)
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        refuse_shared_keys(keyring, backup_key=backup_key, secret_key=secret_key)


def test_distinct_keys_are_accepted():
    refuse_shared_keys(get_keyring(), backup_key=generate_key(), secret_key=SECRET)


def test_backup_codes_made_before_the_rotation_work_while_the_old_key_is_set(settings, alice):
    """Their digests cannot be recomputed (no plaintext is kept): matched under the old key."""
    from accounts.models import BackupCodeDevice
    from accounts.services import backup_codes_issue

    first, second = backup_codes_issue(user=alice)[:2]
    deploy_new_index_key(settings)
    device = BackupCodeDevice.objects.get(user=alice)
    assert device.verify_token(first)
    deploy_new_index_key(settings, keep_old=False)
    device = BackupCodeDevice.objects.get(user=alice)
    device.throttling_failure_count = 0
    assert not device.verify_token(second)
