"""Rules the casework records keep whichever way they are written: in clean() and in the database."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from casework.choices import LegalStatus, RelationshipKind
from casework.models import LegalStatusRecord, Person, Relationship

from ..factories import PersonFactory

PARENT_OF = RelationshipKind.PARENT_OF


@pytest.fixture
def mother(db):
    return PersonFactory(date_of_birth=datetime.date(1980, 3, 1), birth_year=1980)


@pytest.fixture
def child(db):
    return PersonFactory(date_of_birth=datetime.date(2008, 6, 1), birth_year=2008)


def test_person_cannot_be_their_own_parent_in_clean(mother):
    """Validation refuses a tie from a person to themselves."""
    tie = Relationship(from_person=mother, to_person=mother, kind=PARENT_OF)
    with pytest.raises(ValidationError, match="related to themselves"):
        tie.full_clean()


def test_person_cannot_be_their_own_parent_in_the_database(mother):
    """The database refuses a tie to oneself even when validation is skipped."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Relationship.objects.create(from_person=mother, to_person=mother, kind=PARENT_OF)


def test_child_cannot_be_born_before_the_parent(mother, child):
    """A child born before the parent is refused."""
    tie = Relationship(from_person=child, to_person=mother, kind=PARENT_OF)
    with pytest.raises(ValidationError, match="must be after the parent"):
        tie.full_clean()


def test_child_cannot_be_born_on_the_parents_birthday(mother):
    """A child born on the same day as the parent is refused."""
    twin = PersonFactory(date_of_birth=mother.date_of_birth, birth_year=mother.birth_year)
    tie = Relationship(from_person=mother, to_person=twin, kind=PARENT_OF)
    with pytest.raises(ValidationError, match="must be after the parent"):
        tie.full_clean()


def test_parent_born_before_the_child_is_accepted(mother, child):
    """The ordinary case passes validation."""
    Relationship(from_person=mother, to_person=child, kind=PARENT_OF).full_clean()


def test_child_cannot_be_parent_of_its_parent(db):
    """Once A is parent of B, B cannot be recorded as parent of A (dates unknown)."""
    a, b = PersonFactory(date_of_birth=None), PersonFactory(date_of_birth=None)
    Relationship.objects.create(from_person=a, to_person=b, kind=PARENT_OF)
    with pytest.raises(ValidationError, match="parent of their own parent"):
        Relationship(from_person=b, to_person=a, kind=PARENT_OF).full_clean()


def test_grandchild_cannot_be_parent_of_its_grandparent(db):
    """Parenthood never loops back, however many generations apart (dates unknown)."""
    grandmother, mother, child = (PersonFactory(date_of_birth=None) for _ in range(3))
    Relationship.objects.create(from_person=grandmother, to_person=mother, kind=PARENT_OF)
    Relationship.objects.create(from_person=mother, to_person=child, kind=PARENT_OF)
    with pytest.raises(ValidationError, match="own ancestors"):
        Relationship(from_person=child, to_person=grandmother, kind=PARENT_OF).full_clean()


def test_couple_is_recorded_once_whichever_way(db):
    """A partnership entered the other way round is a duplicate."""
    a, b = PersonFactory(), PersonFactory()
    Relationship.objects.create(from_person=a, to_person=b, kind=RelationshipKind.PARTNER_OF)
    with pytest.raises(ValidationError, match="already recorded"):
        Relationship(from_person=b, to_person=a, kind=RelationshipKind.PARTNER_OF).full_clean()


def test_only_a_couple_has_a_registered_marriage(mother, child):
    """`marriage_registered` on a parent tie is refused."""
    tie = Relationship(
        from_person=mother, to_person=child, kind=PARENT_OF, marriage_registered=False
    )
    with pytest.raises(ValidationError) as caught:
        tie.full_clean()
    assert "marriage_registered" in caught.value.message_dict


def test_corrected_birth_date_must_stay_after_the_parents(mother, child):
    """Changing a child's date of birth to before the parent's is refused."""
    Relationship.objects.create(from_person=mother, to_person=child, kind=PARENT_OF)
    child = Person.objects.get(pk=child.pk)
    child.date_of_birth = datetime.date(1979, 1, 1)
    child.birth_year = 1979
    with pytest.raises(ValidationError) as caught:
        child.full_clean()
    assert mother.reference in caught.value.message_dict["date_of_birth"][0]


def test_corrected_birth_date_of_a_parent_must_stay_before_the_childs(mother, child):
    """Changing a parent's date of birth to after the child's is refused."""
    Relationship.objects.create(from_person=mother, to_person=child, kind=PARENT_OF)
    mother = Person.objects.get(pk=mother.pk)
    mother.date_of_birth = datetime.date(2010, 1, 1)
    mother.birth_year = 2010
    with pytest.raises(ValidationError) as caught:
        mother.full_clean()
    assert child.reference in caught.value.message_dict["date_of_birth"][0]


def test_birth_year_must_match_the_date_of_birth(db):
    """A birth year contradicting the date of birth is refused."""
    person = PersonFactory.build(date_of_birth=datetime.date(1990, 1, 1), birth_year=1991)
    with pytest.raises(ValidationError) as caught:
        person.full_clean()
    assert "birth_year" in caught.value.message_dict


def _status(person, start, end=None, status=LegalStatus.UNDOCUMENTED_CN):
    return LegalStatusRecord(person=person, status=status, effective_from=start, effective_to=end)


def test_only_one_open_status_per_person_in_the_database(mother):
    """The database refuses a second open status even when validation is skipped."""
    _status(mother, datetime.date(2010, 1, 1)).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _status(mother, datetime.date(2015, 1, 1), status=LegalStatus.DETAINED_CN).save()


def test_second_open_status_is_refused_by_validation(mother):
    """Validation refuses a second open status before the database has to."""
    _status(mother, datetime.date(2010, 1, 1)).save()
    with pytest.raises(ValidationError):
        _status(mother, datetime.date(2015, 1, 1)).full_clean()


def test_status_must_end_after_it_starts_in_the_database(mother):
    """The database refuses a period ending on or before its start."""
    with pytest.raises(IntegrityError), transaction.atomic():
        _status(mother, datetime.date(2010, 1, 1), datetime.date(2010, 1, 1)).save()


def test_status_periods_cannot_overlap(mother):
    """A closed period overlapping another one is refused."""
    _status(mother, datetime.date(2010, 1, 1), datetime.date(2012, 1, 1)).save()
    with pytest.raises(ValidationError, match="overlap"):
        _status(mother, datetime.date(2011, 6, 1), datetime.date(2013, 1, 1)).full_clean()


def test_adjacent_status_periods_are_accepted(mother):
    """A period may begin the day the previous one ended."""
    _status(mother, datetime.date(2010, 1, 1), datetime.date(2012, 1, 1)).save()
    _status(mother, datetime.date(2012, 1, 1), datetime.date(2013, 1, 1)).full_clean()


def test_status_cannot_begin_before_birth(child):
    """A status dated before the person was born is refused."""
    with pytest.raises(ValidationError) as caught:
        _status(child, datetime.date(2007, 1, 1)).full_clean()
    assert "effective_from" in caught.value.message_dict
