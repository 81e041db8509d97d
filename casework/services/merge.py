"""
Two records of one person become one: everything recorded about the duplicate moves to the
person kept, and the duplicate is deleted. The apps above casework (the intake's duplicate
candidates and imported rows) move what they hold through `SHIMTEO_MERGE_HOOKS`, functions
named in settings, since casework imports none of them.
"""

from collections import Counter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.formats import date_format
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from consent.models import Consent

from .. import permissions
from ..models import (
    Attachment,
    CaseMember,
    Entitlement,
    Goal,
    Incident,
    LegalStatusRecord,
    NameKey,
    Person,
    PersonAlias,
    Relationship,
)
from ._common import _audit, _require
from .names import _name_keys_refresh

MERGED_FIELDS = ("date_of_birth", "place_of_origin", "current_location", "contact")
COARSE_UNKNOWN = {"sex": "unknown", "nationality": "unknown", "region": "unknown"}


def _lock_people(*people) -> None:
    for pk in sorted(str(person.pk) for person in people):
        Person.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True).get()


def _merge_details(source: Person, target: Person) -> list[str]:
    """
    Fill the target's blank details from the source; a detail both have and that differs is
    kept in the target's notes, so that nothing the source held is lost.
    """
    filled, kept = [], []
    for name in MERGED_FIELDS:
        value, current = getattr(source, name), getattr(target, name)
        if value in (None, "") or value == current:
            continue
        clash = name == "date_of_birth" and target.birth_year not in (None, value.year)
        if current in (None, "") and not clash:
            setattr(target, name, value)
            filled.append(name)
        else:
            label = Person._meta.get_field(name).verbose_name
            shown = value.isoformat() if hasattr(value, "isoformat") else value
            kept.append(f"{label}: {shown}")
    if target.birth_year is None and source.birth_year is not None:
        target.birth_year = source.birth_year
        filled.append("birth_year")
    for name, unknown in COARSE_UNKNOWN.items():
        if getattr(target, name) == unknown and getattr(source, name) != unknown:
            setattr(target, name, getattr(source, name))
            filled.append(name)
    if source.notes:
        kept.append(source.notes)
    if kept:
        heading = _("From the merged record %(reference)s:") % {"reference": source.reference}
        target.notes = "\n\n".join(part for part in [target.notes, heading, *kept] if part)
        filled.append("notes")
    return filled


def _merge_aliases(source: Person, target: Person, moved: Counter) -> None:
    known = {target.full_name_index, *target.aliases.values_list("name_index", flat=True)}
    for alias in PersonAlias.objects.filter(person=source):
        if alias.name_index in known:
            alias.delete()
            moved["aliases_already_known"] += 1
        else:
            PersonAlias.objects.filter(pk=alias.pk).update(person=target)
            known.add(alias.name_index)
            moved["aliases"] += 1
    if source.full_name_index not in known:
        alias = PersonAlias(person=target, name=source.full_name)
        alias.full_clean()
        alias.save()
        moved["names_kept_as_alias"] += 1
    else:
        moved["names_already_known"] += 1


def _merge_ties(source: Person, target: Person, moved: Counter) -> None:
    ties = Relationship.objects.filter(Q(from_person=source) | Q(to_person=source))
    for tie in ties.select_related("from_person", "to_person"):
        from_pk = target.pk if tie.from_person_id == source.pk else tie.from_person_id
        to_pk = target.pk if tie.to_person_id == source.pk else tie.to_person_id
        if from_pk == to_pk:
            # A tie between the two records of one person says nothing once they are one.
            tie.delete()
            moved["ties_between_the_records"] += 1
            continue
        same = Relationship.objects.filter(kind=tie.kind).filter(
            Q(from_person=from_pk, to_person=to_pk)
            | Q(from_person=to_pk, to_person=from_pk, kind__in=["partner_of", "spouse_of"])
        )
        if same.exclude(pk=tie.pk).exists():
            tie.delete()
            moved["ties_already_known"] += 1
            continue
        tie.from_person_id, tie.to_person_id = from_pk, to_pk
        tie.from_person = Person.objects.get(pk=from_pk)
        tie.to_person = Person.objects.get(pk=to_pk)
        tie.full_clean()
        tie.version = F("version") + 1
        tie.save()
        moved["relationships"] += 1


def _merge_voided(source: Person, target: Person, moved: Counter) -> None:
    """Voided records are history of the one person too: they move as they are, unchecked."""
    ties = Relationship.with_voided.voided()
    ties.filter(
        Q(from_person=source, to_person=target) | Q(from_person=target, to_person=source)
    ).delete()
    for model in (PersonAlias, LegalStatusRecord, Entitlement, Attachment):
        moved["voided_records"] += (
            model.with_voided.voided().filter(person=source).update(person=target)
        )
    for side in ("from_person", "to_person"):
        moved["voided_records"] += ties.filter(**{side: source}).update(**{side: target})


def _merge_statuses(source: Person, target: Person, moved: Counter) -> None:
    """
    Both timelines become one. When both records have a current status, the one that began
    later stays current and the other ends the day it began, as a status change would do; any
    other overlap is refused, to be corrected by a person who knows which is right.
    """
    source_open = LegalStatusRecord.objects.filter(person=source, effective_to__isnull=True).first()
    target_open = LegalStatusRecord.objects.filter(person=target, effective_to__isnull=True).first()
    if source_open and target_open:
        if source_open.effective_from == target_open.effective_from:
            if (source_open.status, source_open.country) != (
                target_open.status,
                target_open.country,
            ):
                raise ValidationError(
                    _(
                        "%(source)s and %(target)s have different current statuses that began "
                        "on the same day (%(day)s). Correct one of them before merging."
                    )
                    % {
                        "source": source.reference,
                        "target": target.reference,
                        "day": date_format(source_open.effective_from),
                    }
                )
            source_open.delete()
            moved["statuses_already_known"] += 1
        else:
            earlier, later = sorted([source_open, target_open], key=lambda r: r.effective_from)
            earlier.effective_to = later.effective_from
            earlier.save(update_fields=["effective_to"])
            moved["statuses_closed"] += 1
    for status in LegalStatusRecord.objects.filter(person=source).order_by("effective_from"):
        status.person = target
        try:
            status.full_clean()
        except ValidationError as error:
            raise ValidationError(
                _(
                    "The status histories of %(source)s and %(target)s overlap around "
                    "%(day)s: %(detail)s"
                )
                % {
                    "source": source.reference,
                    "target": target.reference,
                    "day": date_format(status.effective_from),
                    "detail": " ".join(error.messages),
                }
            ) from None
        status.save()
        moved["statuses"] += 1


def _unaccounted(source: Person) -> list[str]:
    """Every kind of row still pointing at `source`: a merge must have moved them all."""
    left = []
    for relation in Person._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete):
            continue
        if not (relation.one_to_many or relation.one_to_one):
            continue
        model = relation.related_model
        # The base manager: voided records count too (the default one leaves them out).
        if model._base_manager.filter(**{relation.field.name: source.pk}).exists():
            left.append(model._meta.label)
    return left


def person_merge(*, source: Person, target: Person, actor) -> Counter:
    """
    `source` and `target` are one person: everything recorded about `source` — names (its
    name becomes an alias), details, family ties, status history, benefits, incidents, case
    memberships, files and consents, and what the apps above casework hold (`SHIMTEO_MERGE_HOOKS`)
    — moves to `target`, and `source` is deleted. In one transaction, audited; refused if any row
    would be left behind. Returns what moved.
    """
    _require(
        permissions.can_merge_people(actor, source, target),
        _("Only someone who may change both records can merge them."),
    )
    if source.pk == target.pk:
        raise ValidationError(_("A person cannot be merged into themselves."))
    moved: Counter = Counter()
    with transaction.atomic():
        _lock_people(source, target)
        source = Person.objects.get(pk=source.pk)
        target = Person.objects.get(pk=target.pk)
        filled = _merge_details(source, target)
        if filled:
            target.full_clean()
            target.version = F("version") + 1
            target.save()
            target.refresh_from_db(fields=["version"])
        _merge_aliases(source, target, moved)
        _merge_ties(source, target, moved)
        _merge_statuses(source, target, moved)
        _merge_voided(source, target, moved)
        moved["entitlements"] = source.entitlements.update(person=target)
        for incident in Incident.objects.filter(people=source):
            incident.people.remove(source)
            incident.people.add(target)
            moved["incidents"] += 1
        for member in CaseMember.objects.filter(person=source):
            if CaseMember.objects.filter(case=member.case_id, person=target).exists():
                member.delete()
                moved["memberships_already_known"] += 1
            else:
                CaseMember.objects.filter(pk=member.pk).update(person=target)
                moved["memberships"] += 1
        moved["attachments"] = Attachment.objects.filter(person=source).update(person=target)
        moved["goals"] = Goal.with_voided.filter(person=source).update(person=target)
        moved["consents"] = Consent.objects.filter(person=source).update(person=target)
        # The consents they gave for their children stay theirs.
        Consent.objects.filter(guardian=source).update(guardian=target)
        for hook in settings.SHIMTEO_MERGE_HOOKS:
            moved.update(import_string(hook)(source=source, target=target, actor=actor))
        # Its name keys go: the target's are recomputed below from the names it now has.
        NameKey.objects.filter(person=source).delete()
        left = _unaccounted(source)
        if left:
            raise ValidationError(
                _("Cannot merge: records of these kinds would be lost: %(kinds)s.")
                % {"kinds": ", ".join(left)}
            )
        counts = {key: value for key, value in sorted(moved.items()) if value}
        _audit(
            actor,
            "update",
            target,
            fields=sorted({*filled, "aliases"}),
            merged_from=source.reference,
            moved=counts,
        )
        _audit(actor, "delete", source, merged_into=target.reference)
        source.delete()
        # The source's keys went with it; the target is now found by its names too.
        _name_keys_refresh(target)
    return moved
