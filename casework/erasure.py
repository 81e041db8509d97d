"""
Erasing a person's identifying details, by a withdrawal of their consent to store data or by
retention (ops.retention). A service module like casework.services: writes, each audited, in
the caller's transaction.

What the apps above casework keep about a person (legal_aid's documents) is erased through
`SHIMTEO_ERASURE_HOOKS`, functions named in settings, since casework imports none of them: each
takes `person`, `actor`, `because` and `name` and returns how many records it withdrew.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils.module_loading import import_string

from audit.services import record
from consent.checks import current_consent
from consent.models import ErasureReason, Kind, Method, Scope
from consent.services import consent_record

from . import permissions
from .models import (
    Attachment,
    CaseClosure,
    Entitlement,
    Goal,
    Incident,
    LegalStatusRecord,
    Person,
    PersonAlias,
    PlanReview,
    RecordRevision,
    Relationship,
)
from .services.names import _name_keys_refresh

# What a withdrawal of "store data" erases: every encrypted detail that could identify the
# person. Their reference stands in for the name, which is required; coarse facts stay.
ERASED_PERSON_FIELDS = (
    "full_name",
    "date_of_birth",
    "place_of_origin",
    "current_location",
    "contact",
    "notes",
)


def consent_withdraw(
    *,
    person,
    scopes,
    actor,
    method: str | None = None,
    given_on=None,
    witnessed_by: str = "",
):
    """
    The person takes back some of what they agreed to: a new consent record without `scopes`
    comes into force. Taking back "store data" also erases their identifying details — name,
    date of birth, places, contact, notes, aliases, the notes on their benefits and statuses,
    the descriptions of incidents they were part of, the texts of the case plan that may name
    them, and the files about them — and keeps only
    coarse facts (sex, birth year, nationality, role, region, statuses, benefits, incidents).
    Taking back "named in documents" revokes every advocacy document that names them. All of
    it, and its audit events, in one transaction.
    """
    if not permissions.can_withdraw_consent(actor, person):
        raise PermissionDenied
    withdrawn = {Scope(scope).value for scope in scopes}
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        before = current_consent(locked)
        kept = [scope for scope in (before.scopes if before else []) if scope not in withdrawn]
        consent = consent_record(
            person=locked,
            actor=actor,
            method=method or (before and before.method) or Method.VERBAL,
            given_on=given_on,
            witnessed_by=witnessed_by,
            scopes=kept,
            kind=Kind.WITHDRAWN,
        )
        if Scope.STORE_DATA.value in withdrawn:
            person_erase_identifying_details(
                person=locked, actor=actor, because=ErasureReason.CONSENT_WITHDRAWN
            )
        unnamed = {Scope.NAMED_IN_DOCUMENTS.value, Scope.STORE_DATA.value}
        if withdrawn & (unnamed | {Scope.IDENTITY_TO_STATE.value}):
            # Every document that names them (or their family beside them) is revoked by the
            # apps above that keep documents (`SHIMTEO_NAMING_WITHDRAWN_HOOKS`); only those that
            # reach the State when only the consent to transmit identity to it is taken back.
            # Erasure (store data) withdrew those about them; this takes those naming the family.
            if withdrawn & unnamed:
                withdrawn |= {Scope.NAMED_IN_DOCUMENTS.value}
            for hook in settings.SHIMTEO_NAMING_WITHDRAWN_HOOKS:
                import_string(hook)(person=locked, actor=actor, scopes=sorted(withdrawn))
    person.refresh_from_db()
    return consent


def person_erase_identifying_details(*, person, actor, because: str) -> None:
    """
    Erase what identifies a person and keep the coarse facts: the name becomes the reference;
    birth date, places, contact, notes, aliases, the notes of their benefits and statuses, the
    descriptions of their incidents, the plan's texts (`_erase_plan_texts`) and the files about
    them go, and so does whatever the
    apps above casework hold about them (`SHIMTEO_ERASURE_HOOKS`: every advocacy document that
    names them or is about them, withdrawn with its PDF and snapshot deleted). Call it inside a
    transaction with the person locked; the files are removed once that transaction commits.
    """
    because = ErasureReason(because).value
    # First, while the name is still known: a document may quote it in its text.
    documents = sum(
        import_string(hook)(person=person, actor=actor, because=because, name=person.full_name)
        for hook in settings.SHIMTEO_ERASURE_HOOKS
    )
    changed = [
        name
        for name in ERASED_PERSON_FIELDS
        if getattr(person, name) not in (None, "", person.reference)
    ]
    person.full_name = person.reference
    person.date_of_birth = None
    person.place_of_origin = person.current_location = person.contact = person.notes = ""
    person.full_clean()
    person.version = F("version") + 1
    person.save()
    # Voided records too (`with_voided`): a void keeps a record's text, and an erasure must not.
    revisions = _erase_revisions(person)
    aliases = PersonAlias.with_voided.filter(person=person).count()
    PersonAlias.with_voided.filter(person=person).delete()
    # No key of a name they no longer have: an erased person is found by reference alone.
    _name_keys_refresh(person)
    entitlements = _blank(Entitlement.with_voided.filter(person=person), note="", void_reason=None)
    statuses = _blank(
        LegalStatusRecord.with_voided.filter(person=person), note="", place="", void_reason=None
    )
    incidents = _blank(Incident.with_voided.filter(people=person), description="", void_reason=None)
    plan = _erase_plan_texts(person)
    files = []
    for attachment in Attachment.with_voided.filter(person=person):
        record(actor, "delete", attachment, case=attachment.case, erased_because=because)
        files.append((attachment.file.storage, attachment.file.name))
        attachment.delete()
    record(
        actor,
        "update",
        person,
        fields=changed + (["aliases"] if aliases else []),
        erased_because=because,
        aliases_deleted=aliases,
        entitlements_blanked=entitlements,
        statuses_blanked=statuses,
        incidents_blanked=incidents,
        goals_blanked=plan["goals"],
        plan_reviews_blanked=plan["reviews"],
        closure_reasons_blanked=plan["closures"],
        attachments_deleted=len(files),
        documents_withdrawn=documents,
        revisions_deleted=revisions,
    )
    transaction.on_commit(lambda: _delete_files(files))


def _erase_plan_texts(person) -> dict[str, int]:
    """
    The typed text of the case plan that may name the person: the goals for them (what and why),
    and, on every case they are on, the notes of the plan's reviews and the words of a closing
    for "other" reasons. Which of those name whom cannot be told, so all of them go; the dates,
    statuses and reasons from the list stay.
    """
    cases = person.memberships.values("case")
    return {
        "goals": _blank(Goal.with_voided.filter(person=person), title="", why="", void_reason=None),
        "reviews": _blank(PlanReview.with_voided.filter(case__in=cases), note="", void_reason=None),
        "closures": _blank(CaseClosure.objects.filter(case__in=cases), other_reason=""),
    }


def _blank(rows, **emptied) -> int:
    """
    Give the `emptied` fields of each of `rows` that holds any of them their empty value (one
    save per row: the fields are encrypted, so no UPDATE can tell which hold text); how many
    rows changed.
    """
    changed = 0
    for row in rows:
        if any(getattr(row, name) for name in emptied):
            for name, empty in emptied.items():
                setattr(row, name, empty)
            row.save(update_fields=list(emptied))
            changed += 1
    return changed


def _erase_revisions(person) -> int:
    """
    The earlier values of the records about the person (their aliases, ties, statuses,
    benefits, files, and the incidents they were part of): a correction may have removed their
    name or place from the record, and its history still holds it.
    """
    records = [
        *PersonAlias.with_voided.filter(person=person),
        *Relationship.with_voided.filter(from_person=person),
        *Relationship.with_voided.filter(to_person=person),
        *LegalStatusRecord.with_voided.filter(person=person),
        *Entitlement.with_voided.filter(person=person),
        *Incident.with_voided.filter(people=person),
        *Attachment.with_voided.filter(person=person),
        *Goal.with_voided.filter(person=person),
        *PlanReview.with_voided.filter(case__in=person.memberships.values("case")),
    ]
    deleted = 0
    for about in records:
        deleted += RecordRevision.objects.filter(
            content_type__app_label=about._meta.app_label,
            content_type__model=about._meta.model_name,
            object_id=about.pk,
        ).delete()[0]
    return deleted


def _delete_files(files) -> None:
    # Only once the erasure is committed: a rolled-back withdrawal keeps the files it would have
    # removed.
    for storage, name in files:
        storage.delete(name)
