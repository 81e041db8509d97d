"""Recording consent, and withdrawing it, with the erasure that a withdrawal of "store data" means."""

from django.db import transaction
from django.db.models import F

from audit.services import record
from casework.models import Attachment, Entitlement, Incident, LegalStatusRecord, Person
from legal_aid.services import documents_withdraw_naming

from .checks import current_consent
from .models import Consent, ErasureReason, Method, Scope


def consent_record(*, person, actor, method: str, given_on=None, witnessed_by: str = "", scopes):
    """Record what the person agrees to now; it replaces what they agreed to before."""
    scopes = {Scope(scope).value for scope in scopes}
    consent = Consent(
        person=person,
        method=method,
        witnessed_by=witnessed_by,
        recorded_by=actor,
        **{scope.value: scope.value in scopes for scope in Scope},
    )
    if given_on is not None:
        consent.given_on = given_on
    with transaction.atomic():
        consent.full_clean()
        consent.save()
        record(actor, "create", consent, scopes=sorted(scopes))
    return consent


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
    the descriptions of incidents they were part of, and the files about them — and keeps only
    coarse facts (sex, birth year, nationality, role, region, statuses, benefits, incidents).
    All of it, and its audit events, in one transaction.
    """
    withdrawn = {Scope(scope).value for scope in scopes}
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        before = current_consent(locked)
        kept = [scope for scope in (before.scopes if before else []) if scope not in withdrawn]
        consent = consent_record(
            person=locked,
            actor=actor,
            method=method or (before.method if before else Method.VERBAL),
            given_on=given_on,
            witnessed_by=witnessed_by,
            scopes=kept,
        )
        if Scope.STORE_DATA.value in withdrawn:
            person_erase_identifying_details(
                person=locked, actor=actor, because=ErasureReason.CONSENT_WITHDRAWN
            )
    person.refresh_from_db()
    return consent


def person_erase_identifying_details(*, person, actor, because: str) -> None:
    """
    Erase what identifies a person and keep the coarse facts: the name becomes the reference;
    birth date, places, contact, notes, aliases, the notes of their benefits and statuses, the
    descriptions of their incidents and the files about them go, and so does every advocacy
    document that names them or is about them (withdrawn, its PDF and snapshot deleted, see
    legal_aid.services). Call it inside a transaction with the person locked; the files are
    removed once that transaction commits.
    """
    because = ErasureReason(because).value
    # First, while the name is still known: a document may quote it in its text.
    documents = documents_withdraw_naming(
        person=person, actor=actor, because=because, name=person.full_name
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
    aliases = person.aliases.count()
    person.aliases.all().delete()
    entitlements = 0
    for entitlement in Entitlement.objects.filter(person=person):
        if entitlement.note:
            entitlement.note = ""
            entitlement.save(update_fields=["note"])
            entitlements += 1
    statuses = 0
    for status in LegalStatusRecord.objects.filter(person=person):
        if status.note or status.place:
            status.note, status.place = "", ""
            status.save(update_fields=["note", "place"])
            statuses += 1
    incidents = 0
    for incident in Incident.objects.filter(people=person):
        if incident.description:
            incident.description = ""
            incident.save(update_fields=["description"])
            incidents += 1
    files = []
    for attachment in Attachment.objects.filter(person=person):
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
        attachments_deleted=len(files),
        documents_withdrawn=documents,
    )
    transaction.on_commit(lambda: _delete_files(files))


def _delete_files(files) -> None:
    # Only once the erasure is committed: a rolled-back withdrawal keeps the files it would have
    # removed.
    for storage, name in files:
        storage.delete(name)
