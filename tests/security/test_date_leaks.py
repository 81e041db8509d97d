"""
No plaintext date gives away an encrypted one. A child's "stateless since birth" status used to
keep its start in clear, which was the encrypted date of birth: 26 of the 62 dates of birth of the
demo data could be read off the status table. The check below compares every plaintext date (and
the day of every timestamp) of every model with every encrypted date of the people the row is
about, over the demo caseload.
"""

import datetime
import importlib
from collections import defaultdict

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models

from casework import services
from casework.choices import Country, LegalStatus, StatusSource
from casework.models import LegalStatusRecord, Person
from vault.fields import EncryptedDateField

from ..factories import CaseMemberFactory, PersonFactory

pytestmark = pytest.mark.django_db

DATE_TYPES = (models.DateField, models.DateTimeField)


def _person_paths(model) -> list[str]:
    """Lookups from `model` to the pk of a person it is about: direct, or through one relation."""
    paths = []
    for field in model._meta.get_fields():
        if not (field.is_relation and field.concrete) or field.related_model is None:
            continue
        if field.related_model is Person:
            paths.append(field.name)
        elif field.many_to_one and field.related_model is not model:
            paths += [
                f"{field.name}__{inner.name}"
                for inner in field.related_model._meta.get_fields()
                if inner.is_relation and inner.concrete and inner.related_model is Person
            ]
    return paths


def _plaintext_dates(model) -> list[str]:
    return [
        field.attname
        for field in model._meta.concrete_fields
        if isinstance(field, DATE_TYPES) and not isinstance(field, EncryptedDateField)
    ]


def _as_day(value):
    return value.date() if isinstance(value, datetime.datetime) else value


def plaintext_dates_equal_to_encrypted_ones() -> list[str]:
    encrypted = [f for f in Person._meta.concrete_fields if isinstance(f, EncryptedDateField)]
    secret_days = defaultdict(set)
    for person in Person.objects.all():
        for field in encrypted:
            if (day := getattr(person, field.attname)) is not None:
                secret_days[person.pk].add(day)
    found = []
    for model in apps.get_models():
        dates, paths = _plaintext_dates(model), _person_paths(model)
        for path in paths:
            for person_pk, *values in model._base_manager.values_list(path, *dates):
                for name, value in zip(dates, values, strict=True):
                    if value is not None and _as_day(value) in secret_days.get(person_pk, ()):
                        found.append(f"{model._meta.label}.{name} (through {path})")
    return found


def test_the_demo_caseload_stores_no_encrypted_date_in_clear():
    call_command("seed_demo", "--people", "60", "--seed", "7", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _person_paths(LegalStatusRecord) and _plaintext_dates(LegalStatusRecord)
    assert plaintext_dates_equal_to_encrypted_ones() == []
    children_since_birth = LegalStatusRecord.objects.filter(since_birth=True)
    assert children_since_birth.exists(), "the demo has children stateless since birth"


def test_the_migration_moves_existing_births_out_of_the_clear():
    """Rows written before the change (bulk, as the demo did) are flagged and their day replaced."""
    born = datetime.date(2015, 6, 14)
    child = PersonFactory(date_of_birth=born, birth_year=2015)
    LegalStatusRecord.objects.bulk_create(
        [LegalStatusRecord(person=child, status=LegalStatus.STATELESS, effective_from=born)]
    )
    LegalStatusRecord.objects.filter(person=child).update(
        recorded_at=datetime.datetime(2015, 6, 14, 9, tzinfo=datetime.UTC)
    )
    assert plaintext_dates_equal_to_encrypted_ones() != []
    migration = importlib.import_module("casework.migrations.0008_legal_status_since_birth")
    migration.store_births_as_since_birth(apps, None)
    assert plaintext_dates_equal_to_encrypted_ones() == []
    stored = LegalStatusRecord.objects.get(person=child)
    assert (stored.since_birth, stored.effective_from) == (True, datetime.date(2014, 12, 31))


def test_a_status_recorded_from_the_day_of_birth_keeps_it_encrypted(alice, north_case):
    """Entered on the birth date, through the service: flagged since birth, the day not stored."""
    born = datetime.date(2015, 6, 14)
    child = PersonFactory(date_of_birth=born, birth_year=2015)
    CaseMemberFactory(case=north_case, person=child)  # alice's case: hers to change
    record = services.legal_status_change(
        person=child,
        status=LegalStatus.STATELESS,
        effective_from=born,
        country=Country.CHINA,
        source=StatusSource.CASEWORKER,
        actor=alice,
    )
    stored = LegalStatusRecord.objects.values("since_birth", "effective_from").get(pk=record.pk)
    assert stored == {"since_birth": True, "effective_from": datetime.date(2014, 12, 31)}
    assert plaintext_dates_equal_to_encrypted_ones() == []
    # The queries that need the start still place the period: it covers every day from birth on.
    later = services.legal_status_change(
        person=child,
        status=LegalStatus.CHILD_REGISTERED,
        effective_from=datetime.date(2016, 1, 1),
        country=Country.CHINA,
        source=StatusSource.CASEWORKER,
        actor=alice,
    )
    record.refresh_from_db()
    assert record.effective_to == later.effective_from
    assert record.since_birth


def test_a_day_after_birth_is_stored_as_it_is(alice, north_case):
    born = datetime.date(2015, 6, 14)
    child = PersonFactory(date_of_birth=born, birth_year=2015)
    CaseMemberFactory(case=north_case, person=child)  # alice's case: hers to change
    record = services.legal_status_change(
        person=child,
        status=LegalStatus.STATELESS,
        effective_from=born + datetime.timedelta(days=3),
        country=Country.CHINA,
        source=StatusSource.CASEWORKER,
        actor=alice,
    )
    record.refresh_from_db()
    assert (record.since_birth, record.effective_from) == (False, datetime.date(2015, 6, 17))
