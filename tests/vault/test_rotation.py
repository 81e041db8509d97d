"""Key rotation: everything moves to the new primary key, still decrypts, and old keys can go."""

import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import close_old_connections, connection

from casework.models import Attachment, Case, CaseNote, Person, PersonAlias, Task
from tests.factories import PersonFactory
from vault.crypto import file_key_id
from vault.fields import encrypted_fields
from vault.keyring import generate_key
from vault.rotation import remaining_under_old_keys, rotatable_models

from .conftest import FIRST_KEY, SECRETS, raw_column, write_raw_column

SECOND_KEY = generate_key()


def rotate(*args) -> str:
    out = io.StringIO()
    call_command("rotate_encryption_keys", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def add_primary_key(settings) -> None:
    """Deploy a new primary key `k2`, keeping `k1` readable."""
    settings.SHIMTEO_FIELD_KEYS = f"k2:{SECOND_KEY},k1:{FIRST_KEY}"


def remove_old_key(settings) -> None:
    settings.SHIMTEO_FIELD_KEYS = f"k2:{SECOND_KEY}"


def stored_key_ids() -> set[str]:
    """The key id of every stored encrypted value and file, read without decrypting."""
    ids = set()
    for model in rotatable_models():
        names = [f.attname for f in encrypted_fields(model)]
        for row in model._base_manager.values_list(*names):
            ids.update(value.key_id for value in row if value is not None)
    for attachment in Attachment.objects.all():
        ids.add(file_key_id(attachment.file.storage.read_header(attachment.file.name)))
    return ids


def assert_everything_reads(person: Person) -> None:
    stored = Person.objects.get(pk=person.pk)
    assert stored.full_name == SECRETS["full_name"]
    assert stored.contact == SECRETS["contact"]
    assert stored.notes == SECRETS["notes"]
    assert stored.date_of_birth.isoformat() == SECRETS["date_of_birth"]
    assert PersonAlias.objects.get(person=person).name == SECRETS["alias"]
    assert CaseNote.objects.get().body == SECRETS["note_body"]
    assert Task.objects.get().title == SECRETS["task_title"]
    assert Case.objects.get().summary == SECRETS["case_summary"]
    attachment = Attachment.objects.get()
    assert attachment.original_name == SECRETS["attachment_name"]
    with attachment.file.open() as handle:
        assert handle.read() == SECRETS["file_content"].encode()


def test_rotation_moves_every_value_and_file_to_the_new_key(recorded_person, settings):
    """After rotation every value and file is under k2, reads back, and k1 can be removed."""
    assert stored_key_ids() == {"k1"}
    add_primary_key(settings)

    output = rotate()

    assert "Primary key: k2" in output
    assert "casework.Person.full_name: 1 rotated" in output
    assert "casework.Person.date_of_birth: 1 rotated" in output
    assert "casework.PersonAlias.name: 1 rotated" in output
    assert "casework.CaseNote.body: 1 rotated" in output
    assert "casework.Attachment.file (files): 1 rotated" in output
    assert "Remaining under non-primary keys: 0" in output
    assert stored_key_ids() == {"k2"}
    assert_everything_reads(recorded_person)

    remove_old_key(settings)
    assert_everything_reads(recorded_person)


def test_a_second_run_rotates_nothing(recorded_person, settings):
    """Re-running after a complete rotation touches nothing and says so."""
    add_primary_key(settings)
    rotate()
    before = raw_column(Person, "full_name", recorded_person.pk)

    output = rotate()

    assert "Total rotated: 0" in output
    assert "Remaining under non-primary keys: 0" in output
    assert raw_column(Person, "full_name", recorded_person.pk) == before


def test_rotation_keeps_blind_indexes_valid(recorded_person, settings):
    """Field-key rotation leaves name search working."""
    add_primary_key(settings)
    rotate()
    remove_old_key(settings)
    assert list(Person.objects.matching_name(SECRETS["full_name"])) == [recorded_person]
    assert list(Person.objects.matching_name(SECRETS["alias"])) == [recorded_person]


def test_rotation_works_across_many_batches(db, settings):
    """With a batch size smaller than the table, every row is still rotated exactly once."""
    people = [PersonFactory(full_name=f"이름{i}") for i in range(7)]
    add_primary_key(settings)

    output = rotate("--batch-size", "2")

    assert "casework.Person.full_name: 7 rotated" in output
    assert "Remaining under non-primary keys: 0" in output
    remove_old_key(settings)
    assert sorted(p.full_name for p in Person.objects.all()) == sorted(p.full_name for p in people)


def test_dry_run_counts_and_writes_nothing(recorded_person, settings):
    """--dry-run reports what would be rotated and leaves every value under the old key."""
    add_primary_key(settings)
    before = raw_column(Person, "notes", recorded_person.pk)

    output = rotate("--dry-run")

    assert "casework.Person.notes: 1 would rotate" in output
    assert "casework.Attachment.file (files): 1 would rotate" in output
    assert "Remaining under non-primary keys: 0" not in output
    assert raw_column(Person, "notes", recorded_person.pk) == before
    assert stored_key_ids() == {"k1"}


def test_rotating_one_model_reports_what_remains_elsewhere(recorded_person, settings):
    """--model rotates that model only; the remaining count still covers every model."""
    add_primary_key(settings)

    output = rotate("--model", "casework.Person")

    assert "casework.Person.full_name: 1 rotated" in output
    assert "casework.CaseNote.body" not in output.split("still under")[0]
    assert "casework.CaseNote.body: 1 still under a non-primary key" in output
    assert "Remaining under non-primary keys: 0" not in output
    assert Person.objects.values_list("full_name", flat=True).get().key_id == "k2"
    assert CaseNote.objects.values_list("body", flat=True).get().key_id == "k1"


def test_an_interrupted_rotation_resumes(recorded_person, settings):
    """A run over part of the data, then a full run, leaves everything rotated."""
    add_primary_key(settings)
    rotate("--model", "casework.PersonAlias")

    output = rotate()

    assert "casework.PersonAlias.name: 0 rotated" in output
    assert "casework.Person.full_name: 1 rotated" in output
    assert "Remaining under non-primary keys: 0" in output


@pytest.mark.parametrize("bad_model", ["casework.Nothing", "nothing", "accounts.Team"])
def test_a_model_without_encryption_is_refused(db, bad_model):
    """--model must name a model with encrypted fields or files."""
    with pytest.raises(CommandError):
        rotate("--model", bad_model)


def test_an_unreadable_value_is_reported_and_the_rest_rotated(db, settings):
    """A tampered value cannot be rotated: it is named (by pk), the others are rotated, and
    the command fails so the operator keeps the old key."""
    broken, fine = PersonFactory(), PersonFactory(full_name="박영희")
    token = raw_column(Person, "notes", broken.pk)
    write_raw_column(Person, "notes", broken.pk, token[:-6] + "AAAAA=")
    add_primary_key(settings)
    errors = io.StringIO()

    with pytest.raises(CommandError, match="could not be decrypted"):
        call_command("rotate_encryption_keys", stdout=io.StringIO(), stderr=errors)

    assert f"casework.Person.notes of {broken.pk}" in errors.getvalue()
    assert "failed authentication" in errors.getvalue()
    assert remaining_under_old_keys() == {"casework.Person.notes": 1}
    remove_old_key(settings)
    assert Person.objects.get(pk=fine.pk).full_name == "박영희"


def test_a_save_after_rotation_does_not_bring_the_old_key_back(db, settings):
    """An instance loaded before rotation and saved after it writes only the new key."""
    person = PersonFactory()
    loaded = Person.objects.get(pk=person.pk)
    add_primary_key(settings)
    rotate()

    loaded.birth_year = 1985
    loaded.save()

    assert remaining_under_old_keys() == {}
    remove_old_key(settings)
    assert Person.objects.get(pk=person.pk).contact == person.contact


def test_an_unchanged_value_read_before_rotation_is_saved_under_the_new_key(db, settings):
    """A decrypted value saved unchanged is re-encrypted under the new primary key."""
    person = PersonFactory()
    loaded = Person.objects.get(pk=person.pk)
    assert loaded.full_name == person.full_name
    add_primary_key(settings)

    loaded.save()

    assert Person.objects.values_list("full_name", flat=True).get().key_id == "k2"


def test_generate_encryption_key_prints_usable_keys(db, settings):
    """The printed entry and index key form a key ring the application accepts."""
    out = io.StringIO()
    call_command("generate_encryption_key", "--key-id", "k2027", stdout=out)
    values = dict(
        line.split("=", 1) for line in out.getvalue().splitlines() if not line.startswith("#")
    )
    assert values["SHIMTEO_FIELD_KEYS"].startswith("k2027:")
    settings.SHIMTEO_FIELD_KEYS = values["SHIMTEO_FIELD_KEYS"]
    settings.SHIMTEO_INDEX_KEY = values["SHIMTEO_INDEX_KEY"]
    person = PersonFactory(full_name="김순희")
    assert Person.objects.values_list("full_name", flat=True).get().key_id == "k2027"
    assert Person.objects.get(pk=person.pk).full_name == "김순희"


def test_generate_encryption_key_gives_fresh_keys_each_time():
    """Two runs never print the same key."""
    first, second = io.StringIO(), io.StringIO()
    call_command("generate_encryption_key", stdout=first)
    call_command("generate_encryption_key", stdout=second)
    assert first.getvalue() != second.getvalue()
    with pytest.raises(CommandError):
        call_command("generate_encryption_key", "--key-id", "bad id!", stdout=io.StringIO())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rotation_while_the_application_writes(settings):
    """People renamed while rotation runs keep their latest name, and only the new key remains."""
    people = [PersonFactory(full_name=f"처음{i}") for i in range(120)]
    add_primary_key(settings)
    latest = {p.pk: p.full_name for p in people}
    started, stop = threading.Event(), threading.Event()
    failures, saves = [], []

    def keep_renaming():
        try:
            round_number = 0
            while not stop.is_set() or round_number < 2:
                # Loaded together and saved one by one, like slow requests: many instances
                # are read before rotation reaches their row and saved after it did.
                renamed = list(Person.objects.filter(pk__in=[p.pk for p in people[::3]]))
                for loaded in renamed:
                    loaded.full_name = f"새이름{round_number}-{loaded.pk.hex[:6]}"
                    loaded.save()
                    latest[loaded.pk] = loaded.full_name
                    saves.append(loaded.pk)
                    started.set()
                round_number += 1
        except Exception as exc:  # reported to the main thread below
            failures.append(exc)
            started.set()
        finally:
            connection.close()

    writer = threading.Thread(target=keep_renaming)
    writer.start()
    started.wait(timeout=30)
    try:
        saves_before = len(saves)
        output = rotate("--batch-size", "7")
        saves_during = len(saves) - saves_before
    finally:
        stop.set()
        writer.join(timeout=60)
    close_old_connections()

    assert not failures
    assert saves_during > 0
    assert "Remaining under non-primary keys: 0" in output
    remove_old_key(settings)
    for person in Person.objects.all():
        assert person.full_name == latest[person.pk]
        assert person.contact.startswith("+86 138")
        assert person.place_of_origin == "Hoeryong, North Hamgyong"
    assert remaining_under_old_keys() == {}
