"""People, their aliases and the ties between them."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vault.blind_index import blind_index

from .. import dates, permissions
from ..choices import MemberRole
from ..models import (
    Case,
    CaseMember,
    Person,
    PersonAlias,
    Relationship,
)
from ..querysets import NAME_SCOPE
from ._common import (
    RELATIONSHIP_FIELDS,
    _audit,
    _check_fields,
    _check_person_fields,
    _filled,
    _keep_earlier,
    _person_case,
    _require,
    _save,
    _update,
)
from .consents import _consent_save
from .names import _name_keys_refresh

# People


def person_create(
    *,
    actor,
    aliases: Iterable[str] = (),
    case: Case | None = None,
    role_in_case: str = MemberRole.OTHER,
    consent: dict | None = None,
    **fields,
) -> Person:
    """
    Register a person with any other names they are known by, and with `case`, as a member of
    it: someone in no case is in no one's sight. `consent` (the keyword arguments of
    consent.services.consent_record: what they agreed to, or why they could not be asked) is
    recorded in the same transaction.
    """
    _require(permissions.can_register_person(actor, case))
    _check_person_fields(fields)
    aliases = [name for name in aliases if name]
    dob = fields.get("date_of_birth")
    if dob and fields.get("birth_year") is None:
        fields["birth_year"] = dob.year
    dates.check_birth(date_of_birth=dob, birth_year=fields.get("birth_year"))
    with transaction.atomic():
        person = _save(Person(**fields))
        for name in aliases:
            _alias_save(person=person, name=name)
        _name_keys_refresh(person)
        if case is not None:
            _save(CaseMember(case=case, person=person, role=role_in_case))
        _audit(
            actor,
            "create",
            person,
            case=case,
            fields=_filled(fields),
            aliases=len(aliases),
        )
        if consent is not None:
            _consent_save(person=person, actor=actor, case=case, consent=consent)
    return person


def person_update(
    *,
    person: Person,
    actor,
    expected_version: int | None = None,
    case: Case | None = None,
    **fields,
) -> Person:
    """Change a person's details; the coarse birth year follows a changed date of birth."""
    _require(permissions.can_edit_person(actor, person))
    _check_person_fields(fields)
    dob = fields.get("date_of_birth")
    if dob and "birth_year" not in fields:
        fields["birth_year"] = dob.year
    dates.check_birth(date_of_birth=dob, birth_year=fields.get("birth_year"))
    with transaction.atomic():
        if dob or fields.get("birth_year"):
            dates.check_person_facts(person, date_of_birth=dob, birth_year=fields.get("birth_year"))
        changed = _update(person, fields, expected_version)
        if "full_name" in changed:
            _name_keys_refresh(person)
        if changed:
            _audit(actor, "update", person, case=_person_case(person, case), fields=changed)
    return person


def _alias_save(*, person: Person, name: str) -> PersonAlias:
    digest = blind_index(NAME_SCOPE, name)
    _alias_check(
        name,
        digest,
        known=digest is not None
        and Person.objects.filter(pk=person.pk).matching_name(name).exists(),
    )
    return _save(PersonAlias(person=person, name=name))


def _alias_check(name: str, digest, *, known: bool) -> None:
    """
    An alias must fold to a name (its blind index `digest`), and not be a name the person is
    already `known` by. The bulk writer (services.bulk) tells `known` from the digests it holds.
    """
    if name and digest is None:
        raise ValidationError({"name": _("An alias must contain letters or digits.")})
    if known:
        raise ValidationError({"name": _("This person is already known by that name.")})


def person_alias_add(*, person: Person, name: str, actor, case: Case | None = None) -> PersonAlias:
    """Record another name a person is known by."""
    _require(permissions.can_edit_person(actor, person))
    with transaction.atomic():
        alias = _alias_save(person=person, name=name)
        _name_keys_refresh(person)
        _audit(actor, "create", alias, case=_person_case(person, case), fields=["name"])
    return alias


def _lock_people(*people: Person) -> None:
    # In a fixed order, so two clerks entering a tie and its reverse at once cannot both pass
    # validation, nor deadlock.
    for pk in sorted({str(person.pk) for person in people}):
        Person.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True).get()


def relationship_create(
    *,
    from_person: Person,
    to_person: Person,
    kind: str,
    marriage_registered=None,
    actor,
    case: Case | None = None,
) -> Relationship:
    """Record a family tie, read as `from_person` <kind> `to_person`."""
    _require(permissions.can_record_tie(actor, from_person, to_person))
    with transaction.atomic():
        _lock_people(from_person, to_person)
        tie = _save(
            Relationship(
                from_person=from_person,
                to_person=to_person,
                kind=kind,
                marriage_registered=marriage_registered,
            )
        )
        _audit(
            actor,
            "create",
            tie,
            case=_person_case(from_person, case),
            fields=_filled({"kind": kind, "marriage_registered": marriage_registered}),
        )
    return tie


def relationship_update(
    *,
    relationship: Relationship,
    actor,
    expected_version: int | None = None,
    case: Case | None = None,
    reason: str = "",
    **fields,
) -> Relationship:
    """
    Correct a tie: whether a couple is married or partners, whether the marriage is registered.
    Who the tie joins does not change; record another tie instead. `reason`, when given, is kept
    with the earlier values in the tie's history.
    """
    _require(permissions.can_record_tie(actor, relationship.from_person, relationship.to_person))
    _check_fields(fields, RELATIONSHIP_FIELDS, "relationship")
    with transaction.atomic():
        _lock_people(relationship.from_person, relationship.to_person)
        _keep_earlier(relationship, fields, actor=actor, reason=reason)
        changed = _update(relationship, fields, expected_version)
        if changed:
            _audit(
                actor,
                "update",
                relationship,
                case=_person_case(relationship.from_person, case),
                fields=changed,
            )
    return relationship
