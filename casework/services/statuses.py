"""Legal status history and the benefits each person sought."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .. import dates, permissions
from ..models import (
    Case,
    Entitlement,
    LegalStatusRecord,
    Person,
)
from ._common import (
    _audit,
    _filled,
    _lock_person,
    _person_case,
    _require,
    _save,
)

# Legal status history: the only place that opens and closes status records.


def legal_status_change(
    *,
    person: Person,
    status: str,
    effective_from,
    actor,
    country: str,
    place: str = "",
    source: str,
    note: str = "",
    case: Case | None = None,
) -> LegalStatusRecord:
    """
    The person's legal situation changed on `effective_from`: the current status ends that day
    and the new one becomes current.
    """
    _require(permissions.can_record_legal_status(actor, person))
    dates.check_period(
        person, start=effective_from, start_field="effective_from", end_field="effective_to"
    )
    with transaction.atomic():
        _lock_person(person)
        current = LegalStatusRecord.objects.filter(person=person, effective_to__isnull=True).first()
        if current is not None:
            if effective_from <= current.effective_from:
                raise ValidationError(
                    {
                        "effective_from": _(
                            "The new status must begin after the current status “%(status)s”, "
                            "which began on %(start)s."
                        )
                        % {
                            "status": current.get_status_display(),
                            "start": _("birth")
                            if current.since_birth
                            else date_format(current.effective_from),
                        }
                    }
                )
            current.effective_to = effective_from
            _save(current)
        new = _save(
            LegalStatusRecord(
                person=person,
                status=status,
                effective_from=effective_from,
                country=country,
                place=place,
                source=source,
                note=note,
                recorded_by=actor,
            )
        )
        _audit(
            actor,
            "status_change",
            new,
            case=_person_case(person, case),
            fields=_filled(
                {
                    "status": status,
                    "effective_from": effective_from,
                    "country": country,
                    "place": place,
                    "source": source,
                    "note": note,
                }
            ),
            closed_previous=current is not None,
        )
    return new


def legal_status_record_add(
    *,
    person: Person,
    status: str,
    effective_from,
    effective_to,
    actor,
    country: str,
    place: str = "",
    source: str,
    note: str = "",
    case: Case | None = None,
) -> LegalStatusRecord:
    """Fill in a past period of the timeline; it may not overlap any other record."""
    _require(permissions.can_record_legal_status(actor, person))
    if effective_to is None:
        raise ValidationError(
            {
                "effective_to": _(
                    "A past period needs the day it ended; record a current status as a change."
                )
            }
        )
    dates.check_period(
        person,
        start=effective_from,
        end=effective_to,
        start_field="effective_from",
        end_field="effective_to",
    )
    with transaction.atomic():
        _lock_person(person)
        period = _save(
            LegalStatusRecord(
                person=person,
                status=status,
                effective_from=effective_from,
                effective_to=effective_to,
                country=country,
                place=place,
                source=source,
                note=note,
                recorded_by=actor,
            )
        )
        _audit(
            actor,
            "create",
            period,
            case=_person_case(person, case),
            fields=_filled(
                {
                    "status": status,
                    "effective_from": effective_from,
                    "effective_to": effective_to,
                    "country": country,
                    "place": place,
                    "source": source,
                    "note": note,
                }
            ),
        )
    return period


def entitlement_record(
    *,
    person: Person,
    kind: str,
    status: str,
    as_of,
    note: str = "",
    actor,
    case: Case | None = None,
) -> Entitlement:
    """Record what happened when the person sought a benefit; earlier records stay as history."""
    _require(permissions.can_edit_person(actor, person))
    dates.check_event(as_of, field="as_of", people=[person])
    with transaction.atomic():
        entitlement = _save(
            Entitlement(
                person=person, kind=kind, status=status, as_of=as_of, note=note, recorded_by=actor
            )
        )
        _audit(
            actor,
            "create",
            entitlement,
            case=_person_case(person, case),
            fields=_filled({"kind": kind, "status": status, "as_of": as_of, "note": note}),
        )
    return entitlement
