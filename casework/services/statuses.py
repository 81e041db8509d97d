"""Legal status history and the benefits each person sought."""

from typing import NamedTuple

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


# Corrections of the timeline (the services are casework.services.corrections'): a period that
# followed on from another still does once its dates are corrected, and voiding the current
# status makes current again the one it had ended.


class NeighbourMove(NamedTuple):
    record: LegalStatusRecord
    fields: dict
    # Moved before the corrected period when it shrinks, after it when it grows, so that no two
    # periods overlap on the way.
    first: bool


def _status_display(period: LegalStatusRecord) -> dict:
    start = _("birth") if period.since_birth else period.effective_from.isoformat()
    return {"status": period.get_status_display(), "start": start}


def _status_correction_effects(period: LegalStatusRecord, fields: dict) -> list[NeighbourMove]:
    """
    Check a correction of `period` (the person locked) and say which neighbours move with it:
    the period that ended the day it began ends on its new first day, the one that began the
    day it ended begins on its new last day. The dates stay inside the person's life; an
    overlap with any other period is refused by the model.
    """
    person = period.person
    if period.since_birth and fields.get("effective_from") == person.date_of_birth:
        del fields["effective_from"]  # still since birth: the date of birth, stored as such
    dates.check_period(
        person,
        start=fields.get("effective_from"),
        end=fields.get("effective_to"),
        start_field="effective_from",
        end_field="effective_to",
    )
    in_force = LegalStatusRecord.objects.filter(person=person).exclude(pk=period.pk)
    moves = []
    start = fields.get("effective_from", period.effective_from)
    if start != period.effective_from:
        previous = in_force.filter(effective_to=period.effective_from).first()
        if previous is not None:
            if start <= previous.effective_from:
                raise ValidationError(
                    {
                        "effective_from": _(
                            "The status before it, “%(status)s”, began on %(start)s: correct or "
                            "void that one first."
                        )
                        % _status_display(previous)
                    }
                )
            moves.append(
                NeighbourMove(previous, {"effective_to": start}, start < period.effective_from)
            )
    end = fields.get("effective_to", period.effective_to)
    if period.effective_to is not None and end is not None and end != period.effective_to:
        following = in_force.filter(effective_from=period.effective_to).first()
        if following is not None:
            if following.effective_to is not None and end >= following.effective_to:
                raise ValidationError(
                    {
                        "effective_to": _(
                            "The status after it, “%(status)s”, began on %(start)s and has "
                            "ended since: correct or void that one first."
                        )
                        % _status_display(following)
                    }
                )
            moves.append(
                NeighbourMove(following, {"effective_from": end}, end > period.effective_to)
            )
    return moves


def _status_void_effects(period: LegalStatusRecord) -> list[NeighbourMove]:
    """A voided current status: the one it ended (the day it began) is current again."""
    if period.effective_to is not None or period.since_birth:
        return []
    previous = LegalStatusRecord.objects.filter(
        person=period.person_id, effective_to=period.effective_from
    ).first()
    return [NeighbourMove(previous, {"effective_to": None}, False)] if previous else []
