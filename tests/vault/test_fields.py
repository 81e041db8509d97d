"""Encrypted fields: values round-trip exactly, and no query or write path bypasses encryption."""

import datetime

import pytest
from django.db import connection
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from casework.models import Person, PersonAlias
from tests.factories import PersonFactory
from vault.exceptions import EncryptedLookupError
from vault.fields import EncryptedJSONField, EncryptedWriteError, Sealed

from .conftest import raw_column

FAST = hypothesis_settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
HANGUL = "김순희"
HANZI = "金顺姬"
EMOJI = "👩‍👧‍👦🇰🇵"
VERY_LONG = "가나다라마바사 金顺姬 Kim " * 20_000

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def round_trip(field_name: str, value, *, field=None):
    """Seal a value for one person and unseal it on a fresh instance of the same row."""
    field = field or Person._meta.get_field(field_name)
    writer = Person()
    sealed = field.seal(writer, value)
    reader = Person(id=writer.pk)
    return sealed, field.unseal(reader, Sealed(sealed.token))


def answers_field() -> EncryptedJSONField:
    """An encrypted JSON field bound to Person, as a model would declare one."""
    field = EncryptedJSONField()
    field.set_attributes_from_name("answers")
    field.model = Person
    return field


@FAST
@given(value=st.text())
@example(value="")
@example(value=HANGUL)
@example(value=HANZI)
@example(value=EMOJI)
@example(value=VERY_LONG)
@example(value="\x00 nul and \u200b zero-width")
def test_text_round_trips(field_keys, value):
    """Any text, including Hangul, Hanzi, emoji, the empty string and very long text, comes back."""
    assert round_trip("notes", value)[1] == value


@FAST
@given(value=st.text(max_size=200))
@example(value="")
@example(value=f"{HANGUL} {HANZI} {EMOJI}")
def test_char_round_trips(field_keys, value):
    """Names of any script come back from a char field unchanged."""
    assert round_trip("full_name", value)[1] == value


@FAST
@given(value=st.dates())
def test_date_round_trips(field_keys, value):
    """Every date, from year 1 to 9999, comes back as the same date."""
    back = round_trip("date_of_birth", value)[1]
    assert back == value
    assert type(back) is datetime.date


@FAST
@given(value=json_values)
@example(value=0)
@example(value=False)
@example(value="")
@example(value={})
@example(value=[])
@example(value={"이름": HANGUL, "名字": HANZI, "emoji": EMOJI})
def test_json_round_trips(field_keys, value):
    """JSON values come back equal and of the same type: 0, False, "", {} and [] stay themselves."""
    back = round_trip("answers", value, field=answers_field())[1]
    assert back == value
    assert type(back) is type(value)


def test_encryption_is_randomised(field_keys):
    """The same value encrypted twice gives different ciphertexts, so equal values are not linkable."""
    first, _ = round_trip("full_name", HANGUL)
    second, _ = round_trip("full_name", HANGUL)
    assert first.token != second.token


@pytest.mark.parametrize(
    "values",
    [
        {"full_name": HANGUL, "notes": VERY_LONG, "contact": EMOJI},
        {"full_name": HANZI, "notes": "", "place_of_origin": "", "date_of_birth": None},
        {"full_name": "Kim Sun-hui", "current_location": "延吉 Yanji 연길", "notes": "0"},
    ],
)
def test_values_round_trip_through_the_database(db, values):
    """A person saved and read back from the database has exactly the values written."""
    person = PersonFactory(**values)
    stored = Person.objects.get(pk=person.pk)
    for name, value in values.items():
        assert getattr(stored, name) == value
        assert type(getattr(stored, name)) is type(value)


def test_empty_string_and_none_stay_distinct_in_the_database(db):
    """An empty note reads back as "", a missing date of birth as None."""
    person = PersonFactory(notes="", date_of_birth=None)
    stored = Person.objects.get(pk=person.pk)
    assert stored.notes == ""
    assert stored.date_of_birth is None
    assert raw_column(Person, "notes", person.pk).startswith("v1:k1:")
    assert raw_column(Person, "date_of_birth", person.pk) is None


def test_values_stay_sealed_until_read(db):
    """Loading a person decrypts nothing; reading one attribute decrypts only that one."""
    person = PersonFactory()
    stored = Person.objects.get(pk=person.pk)
    assert isinstance(stored.__dict__["full_name"], Sealed)
    assert stored.full_name == person.full_name
    assert isinstance(stored.__dict__["contact"], Sealed)


def test_values_list_gives_ciphertext_never_plaintext(db):
    """values() and values_list() hand out sealed ciphertext, never the plaintext."""
    PersonFactory(full_name=HANGUL)
    (sealed,) = Person.objects.values_list("full_name", flat=True)
    assert isinstance(sealed, Sealed)
    assert sealed.key_id == "k1"
    assert HANGUL not in repr(sealed)
    assert isinstance(Person.objects.values("full_name").get()["full_name"], Sealed)


@pytest.mark.parametrize(
    "lookup",
    [
        {"full_name": HANGUL},
        {"full_name__exact": HANGUL},
        {"full_name__icontains": "김"},
        {"full_name__in": [HANGUL, HANZI]},
        {"full_name__startswith": "김"},
        {"date_of_birth__year": 1984},
        {"date_of_birth__gte": datetime.date(1980, 1, 1)},
        {"full_name": None},
    ],
    ids=lambda lookup: next(iter(lookup)),
)
def test_lookups_on_encrypted_columns_are_refused(db, lookup):
    """Filtering on ciphertext would silently find nothing, so it is refused with a clear error."""
    with pytest.raises(EncryptedLookupError, match=r"encrypted.*only 'isnull'.*blind index"):
        Person.objects.filter(**lookup)
    with pytest.raises(EncryptedLookupError):
        Person.objects.exclude(**lookup)


def test_isnull_lookup_works(db):
    """isnull is the one lookup that means the same on ciphertext."""
    with_date = PersonFactory()
    without_date = PersonFactory(date_of_birth=None)
    assert list(Person.objects.filter(date_of_birth__isnull=True)) == [without_date]
    assert list(Person.objects.filter(date_of_birth__isnull=False)) == [with_date]


@pytest.mark.parametrize(
    "change",
    [
        {"full_name": "박영희"},
        {"notes": ""},
        {"date_of_birth": datetime.date(1990, 1, 1)},
        {"notes": None},
        {"full_name_index": "0" * 32},
    ],
    ids=lambda change: f"{next(iter(change))}={next(iter(change.values()))!r}",
)
def test_update_of_encrypted_columns_is_refused(db, change):
    """update() cannot encrypt per row, so plaintext (or NULL) is refused and nothing changes."""
    person = PersonFactory(full_name=HANGUL)
    before = raw_column(Person, "full_name", person.pk)
    with pytest.raises(EncryptedWriteError, match=r"Model\.save\(\)"):
        Person.objects.filter(pk=person.pk).update(**change)
    assert raw_column(Person, "full_name", person.pk) == before
    assert Person.objects.get(pk=person.pk).full_name == HANGUL


def test_bulk_update_of_encrypted_columns_is_refused(db):
    """bulk_update() with plaintext is refused and leaves the rows as they were."""
    people = [PersonFactory(full_name=HANGUL), PersonFactory(full_name=HANZI)]
    for person in people:
        person.full_name = "박영희"
    with pytest.raises(EncryptedWriteError):
        Person.objects.bulk_update(people, ["full_name"])
    assert {p.full_name for p in Person.objects.all()} == {HANGUL, HANZI}


def test_bulk_update_of_plain_columns_still_works(db):
    """Plain, coarse columns can still be updated in bulk."""
    person = PersonFactory(birth_year=1984)
    Person.objects.filter(pk=person.pk).update(birth_year=1985)
    person.refresh_from_db()
    assert person.birth_year == 1985
    assert person.full_name.startswith("김순희")


def test_blind_index_follows_a_renamed_person(db):
    """After a rename saved with save(), the new name finds the person and the old one does not."""
    person = PersonFactory(full_name=HANGUL)
    stored = Person.objects.get(pk=person.pk)
    stored.full_name = "박영희"
    stored.save()
    assert list(Person.objects.matching_name("박영희")) == [person]
    assert not Person.objects.matching_name(HANGUL).exists()
    digest = Person._meta.get_field("full_name_index").digest("박영희")
    assert Person.objects.get(pk=person.pk).full_name_index == digest


def test_saving_other_fields_keeps_the_blind_index(db):
    """A save that does not touch the name keeps its index, without decrypting the name."""
    person = PersonFactory(full_name=HANGUL)
    stored = Person.objects.get(pk=person.pk)
    stored.birth_year = 1985
    stored.save()
    assert isinstance(stored.__dict__["full_name"], Sealed)
    assert list(Person.objects.matching_name(HANGUL)) == [person]


def test_clearing_a_name_clears_its_index(db):
    """An emptied contact leaves no digest behind that could still be matched."""
    person = PersonFactory(contact="+86 138 0000 1234")
    person.contact = ""
    person.save()
    assert raw_column(Person, "contact_index", person.pk) is None


def test_bulk_create_encrypts_and_indexes(db):
    """bulk_create() stores ciphertext and blind indexes, like save()."""
    names = [HANGUL, HANZI, "Kim Sun-hui"]
    created = Person.objects.bulk_create(
        [Person(full_name=name, role="refugee", contact=f"contact-{name}") for name in names]
    )
    for person, name in zip(created, names, strict=True):
        assert raw_column(Person, "full_name", person.pk).startswith("v1:k1:")
        assert name not in raw_column(Person, "full_name", person.pk)
        assert list(Person.objects.matching_name(name)) == [person]
        assert Person.objects.get(pk=person.pk).full_name == name


def test_aliases_are_searchable_by_name(db):
    """A person is found by any alias typed in another Unicode form."""
    person = PersonFactory(full_name=HANGUL)
    PersonAlias.objects.create(person=person, name="金 順姬")
    assert list(Person.objects.matching_name("金順姬")) == [person]


@pytest.mark.postgres
def test_each_blind_index_column_has_one_index(db):
    """An exact-match btree, and no LIKE index beside it that every insert would also pay for."""
    with connection.cursor() as cursor:
        for model, column in (
            (Person, "full_name_index"),
            (Person, "contact_index"),
            (PersonAlias, "name_index"),
        ):
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
                [model._meta.db_table, f"%({column}%"],
            )
            definitions = [row[0] for row in cursor.fetchall()]
            assert len(definitions) == 1, definitions
            assert "pattern_ops" not in definitions[0]
