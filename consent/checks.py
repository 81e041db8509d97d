"""
The one place that answers "may we do this with this person's data?". Every use of a person
that depends on consent — sharing, naming in a document, counting in statistics — asks here,
and asks about the consent in force now, not the one given at intake.
"""

from django.db.models import QuerySet

from .models import Consent, Scope


def current_consent(person) -> Consent | None:
    """The person's consent in force, or None when none was ever recorded."""
    return Consent.objects.filter(person=person).order_by("-recorded_at", "-pk").first()


def allows(person, scope: str) -> bool:
    """Whether the person's consent in force covers `scope`. No record means no."""
    scope = Scope(scope)
    consent = current_consent(person)
    return consent is not None and consent.allows(scope)


def refusing(people, scope: str) -> list:
    """Those of `people` whose consent in force does not cover `scope`."""
    people = list(people)
    granted = set(
        Consent.objects.current()
        .filter(person__in=[person.pk for person in people], **{Scope(scope).value: True})
        .values_list("person_id", flat=True)
    )
    return [person for person in people if person.pk not in granted]


def people_allowing(people: QuerySet, scope: str) -> QuerySet:
    """Narrow a queryset of people to those whose consent in force covers `scope`."""
    granted = Consent.objects.current().filter(**{Scope(scope).value: True})
    return people.filter(pk__in=granted.values("person"))
