"""
Recording what a person agrees to. Withdrawing it, with the erasure a withdrawal of "store data"
means, is casework's (casework.erasure): it changes the person's records. Who may record is
casework's rule too (casework.permissions): the casework services ask it, then call these, in
their transaction.

Audit events carry the scopes, the kind and the reason code, never the witness's name or the
documented reason: those are encrypted on the record.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import record

from .checks import current_consent
from .models import Consent, Kind, Scope


def consent_record(
    *,
    person,
    actor,
    method: str = "",
    given_on=None,
    witnessed_by: str = "",
    scopes=(),
    witnessed_by_user=None,
    guardian=None,
    renew_by=None,
    not_asked_reason: str = "",
    explanation: str = "",
    kind: str | None = None,
    case=None,
):
    """
    Record what the person agrees to now; it replaces what they agreed to before. With a
    `not_asked_reason` (and its `explanation`) the record says instead that they could not be
    asked, and agrees to nothing. `guardian` is the parent or guardian who answered for a child.
    `case` is only where the audit trail files the event.
    """
    consent, detail = consent_built(
        person=person,
        actor=actor,
        method=method,
        given_on=given_on,
        witnessed_by=witnessed_by,
        scopes=scopes,
        witnessed_by_user=witnessed_by_user,
        guardian=guardian,
        renew_by=renew_by,
        not_asked_reason=not_asked_reason,
        explanation=explanation,
        kind=kind,
    )
    with transaction.atomic():
        consent.full_clean()
        consent.save()
        record(actor, "create", consent, case=case, **detail)
    return consent


def consent_built(
    *,
    person,
    actor,
    method: str = "",
    given_on=None,
    witnessed_by: str = "",
    scopes=(),
    witnessed_by_user=None,
    guardian=None,
    renew_by=None,
    not_asked_reason: str = "",
    explanation: str = "",
    kind: str | None = None,
) -> tuple[Consent, dict]:
    """
    The record `consent_record` saves, unsaved and not yet validated, with the detail of its
    audit event: for the bulk writer of an import (casework.services.bulk), which validates,
    inserts and records many at once.
    """
    scopes = {Scope(scope).value for scope in scopes}
    if kind is None:
        kind = Kind.NOT_ASKED if not_asked_reason else Kind.GIVEN
    consent = Consent(
        person=person,
        kind=Kind(kind).value,
        method=method or "",
        witnessed_by=witnessed_by or "",
        witnessed_by_user=witnessed_by_user,
        guardian=guardian,
        renew_by=renew_by,
        not_asked_reason=not_asked_reason or "",
        explanation=explanation or "",
        recorded_by=actor,
        **{scope.value: scope.value in scopes for scope in Scope},
    )
    if given_on is not None:
        consent.given_on = given_on
    detail = {"scopes": sorted(scopes), "kind": consent.kind}
    if consent.not_asked_reason:
        detail["not_asked_because"] = consent.not_asked_reason
    if guardian is not None:
        detail["guardian"] = guardian.reference
    return consent, detail


def consent_renew(
    *,
    person,
    actor,
    method: str,
    given_on=None,
    witnessed_by: str = "",
    witnessed_by_user=None,
    renew_by=None,
    case=None,
):
    """
    The person confirms what they agreed to: the same scopes, given again now, with a new date
    to ask again. Nothing to renew when nothing was agreed (no record, or not asked).
    """
    with transaction.atomic():
        before = current_consent(person)
        if before is None or not before.is_asked or not before.scopes:
            raise ValidationError(_("There is no consent to renew: record their consent instead."))
        return consent_record(
            person=person,
            actor=actor,
            method=method,
            given_on=given_on,
            witnessed_by=witnessed_by,
            witnessed_by_user=witnessed_by_user,
            guardian=before.guardian,
            renew_by=renew_by,
            scopes=before.scopes,
            kind=Kind.RENEWED,
            case=case,
        )
