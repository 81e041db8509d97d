"""Helpers every casework service shares: permission refusal, validation, versioned updates, audit."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.utils.translation import gettext as _

from audit.exceptions import AuditDetailError
from audit.services import record

from ..exceptions import StaleEditError
from ..models import (
    Case,
    CaseMember,
    Person,
    RecordRevision,
)

PERSON_FIELDS = frozenset(
    {
        "full_name",
        "date_of_birth",
        "place_of_origin",
        "current_location",
        "contact",
        "notes",
        "sex",
        "birth_year",
        "nationality",
        "role",
        "region",
    }
)
CASE_FIELDS = frozenset({"risk_level", "status", "summary", "closed_on", "plan_review_weeks"})
INCIDENT_FIELDS = frozenset({"kind", "occurred_on", "region", "description"})
RELATIONSHIP_FIELDS = frozenset({"kind", "marriage_registered"})
# Sharing a case shows its people to someone outside the team; every member must agree to it.
SHARING_SCOPE = "share_with_advocates"


def _require(allowed: bool, message: str | None = None) -> None:
    """Refuse a write the actor may not make (casework.permissions decided `allowed`)."""
    if not allowed:
        raise PermissionDenied(message or _("You may not change this record."))


def _check_fields(fields: dict, allowed: frozenset, what: str) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown {what} fields: {', '.join(sorted(unknown))}")


def _check_person_fields(fields: dict) -> None:
    _check_fields(fields, PERSON_FIELDS, "person")


def _lock_person(person: Person) -> None:
    """Serialise writes to one person's history (a no-op on SQLite, which locks the database)."""
    Person.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True).get()


def _save(instance):
    instance.full_clean()
    instance.save()
    return instance


def _audit(actor, action: str, target, *, case=None, **detail):
    """
    Append the event of a write, in the write's transaction. Detail holds field names, counts
    and references; should one of them happen to contain a value the record holds (a contact
    "no" inside "notes"), audit refuses it, and the event is kept without its detail.
    """
    try:
        return record(actor, action, target, case=case, **detail)
    except AuditDetailError:
        return record(actor, action, target, case=case, detail_withheld=True)


def _filled(fields: dict) -> list[str]:
    """The names of the fields given a value, for a create event (never the values)."""
    return sorted(name for name, value in fields.items() if value not in (None, "", [], ()))


def _person_case(person: Person, case: Case | None) -> Case | None:
    """
    The case an event about a person belongs to in the audit trail: the one the caller acted
    through, or the person's only case; None when they are in several and none was named.
    """
    if case is not None:
        return case
    cases = list(CaseMember.objects.filter(person=person).values_list("case", flat=True)[:2])
    return Case(pk=cases[0]) if len(cases) == 1 else None


def _update(instance, fields: dict, expected_version: int | None) -> list[str]:
    """
    Apply `fields` to the stored row of `instance` under a row lock and return the names of those
    that changed. The row is read afresh, so fields the caller did not name keep what is stored
    now; `instance` is brought up to date with it. Refused with StaleEditError when the stored
    version is not `expected_version` (None skips the check: last writer wins).
    """
    model = type(instance)
    current = model._default_manager.select_for_update().get(pk=instance.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleEditError()
    changed = sorted(name for name, value in fields.items() if getattr(current, name) != value)
    for name in changed:
        setattr(current, name, fields[name])
    if changed:
        current.full_clean()
        current.version = F("version") + 1
        current.save()
        current.refresh_from_db(fields=["version"])
    _copy_state(current, instance)
    return changed


def _stored_values(instance, names) -> dict:
    """
    The values of `names` as a revision keeps them: plain JSON (a date as ISO text, a related
    record as its id, the people of an incident as their ids).
    """
    values = {}
    for name in names:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(
                str(pk) for pk in getattr(instance, name).values_list("pk", flat=True)
            )
        else:
            value = field.value_from_object(instance)
            values[name] = str(value) if field.is_relation and value is not None else value
    return values


def _keep_revision(instance, *, earlier: dict, action: str, reason: str, actor) -> RecordRevision:
    """
    Keep what `instance` said before a correction or its void, encrypted. Call it before the
    change is saved, with `instance` at the version the earlier values belong to.
    """
    revision = RecordRevision(
        content_type=ContentType.objects.get_for_model(instance),
        object_id=instance.pk,
        number=instance.version,
        action=action,
        fields=sorted(earlier),
        earlier=earlier,
        reason=reason,
        made_by=actor,
    )
    return _save(revision)


def _keep_earlier(instance, fields: dict, *, actor, reason: str = "") -> None:
    """
    Before an update by the older services (incident_update, relationship_update), keep what
    the fields it changes said, as record_correct does: no correction loses the earlier value.
    """
    current = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    changed = []
    for name, value in fields.items():
        if current._meta.get_field(name).many_to_many:
            before = {str(pk) for pk in getattr(current, name).values_list("pk", flat=True)}
            if before != {str(item.pk) for item in value}:
                changed.append(name)
        elif getattr(current, name) != value:
            changed.append(name)
    if changed:
        _keep_revision(
            current,
            earlier=_stored_values(current, changed),
            action=RecordRevision.Action.CORRECTED,
            reason=reason,
            actor=actor,
        )


def _bump_version(instance) -> None:
    """Count a change made outside the row's own fields (its people, its team's staff)."""
    type(instance)._default_manager.filter(pk=instance.pk).update(version=F("version") + 1)
    instance.refresh_from_db(fields=["version"])


def _copy_state(source, target) -> None:
    if source is target:
        return
    # Through the descriptors, so that a changed foreign key drops its cached object.
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, source.__dict__[field.attname])


def _refuse_non_members(case: Case, people: Iterable[Person], field: str) -> None:
    pks = {person.pk for person in people}
    members = set(
        CaseMember.objects.filter(case=case, person__in=pks).values_list("person", flat=True)
    )
    outsiders = [person for person in people if person.pk not in members]
    if outsiders:
        raise ValidationError(
            {
                field: _("Not members of case %(case)s: %(people)s.")
                % {
                    "case": case.reference,
                    "people": ", ".join(sorted(person.reference for person in outsiders)),
                }
            }
        )
