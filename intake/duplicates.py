"""
Finding people already on file, without decrypting anyone: every comparison is between blind
indexes (names and aliases in the "person-name" scope, contacts in "person-contact") and the
plain, coarse birth year. Only the rows whose index matches are read, and none is decrypted.

A name match counts when the birth years are within one year of each other or one is unknown;
a contact match counts alone. Candidates are searched across the whole organisation — the
same woman met by two teams is the case that matters most — but who sees what of them is
decided by the pages: a caseworker sees references and reasons only, a supervisor sees the
details of those they may see by the visibility rule.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Value
from django.utils.translation import gettext_lazy as _

from casework.models import Person, PersonAlias
from casework.querysets import NAME_SCOPE
from vault.blind_index import blind_indexes

CONTACT_SCOPE = "person-contact"
# A common name can match many people; beyond this the list says so instead of growing.
MAX_CANDIDATES_PER_SUBJECT = 20


class Reason(models.TextChoices):
    NAME = "name", _("A name given is their recorded name")
    ALIAS = "alias", _("A name given is one of their other names")
    BIRTH_YEAR = "birth_year", _("Born within a year of each other")
    CONTACT = "contact", _("The same contact")


@dataclass
class Subject:
    """One person of an intake or a spreadsheet row, as far as matching needs."""

    key: str
    names: list[str]
    birth_year: int | None = None
    contact: str = ""
    found: dict = field(default_factory=dict)


def _years_close(a: int | None, b: int | None) -> bool:
    return a is None or b is None or abs(a - b) <= 1


def candidates_for(subject: Subject) -> dict:
    """{person pk: sorted reason codes} for one subject."""
    reasons: dict = defaultdict(set)
    years: dict = {}
    # Every digest under the current and, during an index-key rotation, the old index keys.
    digests = {digest for name in subject.names for digest in blind_indexes(NAME_SCOPE, name)}
    contact = blind_indexes(CONTACT_SCOPE, subject.contact) if subject.contact else []
    # The name, alias and contact matches in one round trip (UNION ALL of three indexed lookups):
    # an import checks every row twice, and each query is a round trip under load.
    lookups = []
    if digests:
        lookups.append(
            Person.objects.filter(full_name_index__in=digests)
            .order_by()
            .values_list("pk", "birth_year", Value(Reason.NAME.value))
        )
        lookups.append(
            PersonAlias.objects.filter(name_index__in=digests)
            .order_by()
            .values_list("person", "person__birth_year", Value(Reason.ALIAS.value))
        )
    if contact:
        lookups.append(
            Person.objects.filter(contact_index__in=contact)
            .order_by()
            .values_list("pk", "birth_year", Value(Reason.CONTACT.value))
        )
    found = list(lookups[0].union(*lookups[1:], all=True)) if lookups else []
    for pk, year, reason in found:
        if reason != Reason.CONTACT.value:
            reasons[pk].add(reason)
            years[pk] = year
    for pk in list(reasons):
        if not _years_close(years[pk], subject.birth_year):
            del reasons[pk]
        elif years[pk] is not None and subject.birth_year is not None:
            reasons[pk].add(Reason.BIRTH_YEAR.value)
    for pk, _year, reason in found:
        if reason == Reason.CONTACT.value:
            reasons[pk].add(reason)
    ranked = sorted(reasons.items(), key=lambda item: (-len(item[1]), str(item[0])))
    return {pk: sorted(codes) for pk, codes in ranked[:MAX_CANDIDATES_PER_SUBJECT]}


def find(subjects: list[Subject]) -> list[tuple[str, object, list[str]]]:
    """(subject key, person pk, reasons) for every candidate of every subject."""
    return [
        (subject.key, pk, codes)
        for subject in subjects
        for pk, codes in candidates_for(subject).items()
    ]


def subjects_of(cleaned: dict) -> list[Subject]:
    """The people of a validated intake (see intake.forms.STEPS), as subjects to match."""
    identity, family = cleaned["identity"], cleaned["family"]
    subjects = [
        Subject(
            key="principal",
            names=[identity["full_name"], *identity["aliases"]],
            birth_year=identity.get("birth_year"),
            contact=identity.get("contact") or "",
        )
    ]
    if family.get("partner_name"):
        subjects.append(
            Subject(
                key="partner",
                names=[family["partner_name"]],
                birth_year=family.get("partner_birth_year"),
            )
        )
    for number, child in enumerate(family.get("children", []), start=1):
        subjects.append(
            Subject(
                key=f"child-{number}", names=[child["full_name"]], birth_year=child["birth_year"]
            )
        )
    return subjects


def reason_labels(codes) -> list[str]:
    return [Reason(code).label for code in codes if code in Reason.values]
