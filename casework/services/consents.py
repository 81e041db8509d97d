"""
What each person agreed to: recorded and renewed through consent.services once
casework.permissions allows it, in the caller's transaction when a person is registered or added
to a case. A withdrawal, with the erasure it may mean, is casework.erasure's.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from consent.models import Consent, Scope
from consent.services import consent_record, consent_renew

from .. import dates, permissions
from ..models import Case, CaseMember, Person
from ._common import _lock_person, _person_case, _require


def _require_witness(person: Person, case: Case | None, witness) -> None:
    """A staff witness must be one who may witness in the person's cases (or the case at hand)."""
    if witness is None:
        return
    cases = Case.objects.filter(
        Q(pk__in=CaseMember.objects.filter(person=person).values("case"))
        | Q(pk=case.pk if case is not None else None)
    )
    if not permissions.can_witness_consent(witness, cases):
        raise ValidationError(
            {
                "witnessed_by_user": _(
                    "The witness must be a caseworker or supervisor of this person's case team."
                )
            }
        )


def _consent_save(*, person: Person, actor, case: Case | None, consent: dict) -> Consent:
    """
    Record `consent` (the keyword arguments of consent.services.consent_record) for a person the
    caller has already been allowed to change, inside the caller's transaction.
    """
    if not consent.get("not_asked_reason") and Scope.STORE_DATA.value not in {
        Scope(scope).value for scope in consent.get("scopes", ())
    }:
        # Recording less than "keep on file" would keep details the person refused us: that is
        # a withdrawal, which erases them (casework.erasure.consent_withdraw).
        raise ValidationError(
            {
                "scopes": _(
                    "Without consent to keep their details on file, nothing about this person "
                    "can be recorded. To take it back, withdraw their consent: that erases "
                    "their details."
                )
            }
        )
    _require_witness(person, case, consent.get("witnessed_by_user"))
    guardian = consent.get("guardian")
    if guardian is not None:
        shares_a_case = CaseMember.objects.filter(
            person=guardian, case__in=CaseMember.objects.filter(person=person).values("case")
        ).exists()
        if not shares_a_case or not permissions.can_edit_person(actor, guardian):
            raise ValidationError(
                {"guardian": _("The parent or guardian must be in a case of this person.")}
            )
        refused = dates.guardian_error(guardian, person)
        if refused:
            raise ValidationError({"guardian": refused})
    return consent_record(person=person, actor=actor, case=_person_case(person, case), **consent)


def person_consent_record(*, person: Person, actor, case: Case | None = None, **consent) -> Consent:
    """
    Record what a person agrees to now (or that they could not be asked, and why); it replaces
    what they agreed to before.
    """
    _require(
        permissions.can_record_consent(actor, person),
        _("You may record consent only for people of the cases you work."),
    )
    with transaction.atomic():
        _lock_person(person)
        return _consent_save(person=person, actor=actor, case=case, consent=consent)


def person_consent_renew(*, person: Person, actor, case: Case | None = None, **fields) -> Consent:
    """The person confirms what they agreed to, given again now, with a new date to ask again."""
    _require(
        permissions.can_record_consent(actor, person),
        _("You may record consent only for people of the cases you work."),
    )
    with transaction.atomic():
        _lock_person(person)
        _require_witness(person, case, fields.get("witnessed_by_user"))
        return consent_renew(person=person, actor=actor, case=_person_case(person, case), **fields)
