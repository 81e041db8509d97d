"""
The supervisor's decisions on a submitted intake: approve it (its people and case are created),
reject it, or send it back to its caseworker to correct. Merging it into someone on file is
intake.services.merging.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Notification
from accounts.notifications import notify
from audit.services import record
from casework import services as casework

from ..models import IntakeSubmission
from ._common import (
    Action,
    Status,
    _decide,
    _history,
    _lock,
    _refresh,
    _refuse_unless_deciding,
)
from .drafts import validated
from .households import create_records
from .verdicts import _refuse_while_another_team_checks


def _tell_owner(locked: IntakeSubmission, actor, kind: str) -> None:
    """The caseworker who took the intake learns the decision (its reason is on the intake)."""
    if locked.owner_id != actor.pk:
        notify(recipients=[locked.owner], kind=kind, target=locked)


def intake_approve(*, submission: IntakeSubmission, actor):
    """
    A supervisor of the team takes the intake in: the people and their case are created, the
    caseworker who took it is assigned, and the draft's answers are cleared (the records now
    hold them, and a later withdrawal must find no other copy). Returns the case. It waits while
    another team checks a possible duplicate (`_refuse_while_another_team_checks`).
    """
    _refuse_unless_deciding(actor, submission)
    _refuse_while_another_team_checks(submission, actor)
    with transaction.atomic():
        locked = _lock(submission, Status.SUBMITTED)
        case, _principal = create_records(
            cleaned=validated(locked), team=locked.team, caseworker=locked.owner, actor=actor
        )
        # They met the family and typed what the records say: the records are theirs.
        casework.case_records_credit(case=case, caseworker=locked.owner, actor=actor)
        _decide(locked, actor, Status.APPROVED, case=case, answers={})
        _history(locked, actor, Action.APPROVED)
        record(actor, "status_change", locked, case=case, status=locked.status)
        _tell_owner(locked, actor, Notification.Kind.INTAKE_APPROVED)
    _refresh(submission, locked)
    return case


def intake_reject(*, submission: IntakeSubmission, actor, reason: str) -> IntakeSubmission:
    """A supervisor turns the intake down, saying why; the caseworker sees the reason."""
    _refuse_unless_deciding(actor, submission)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the intake is rejected.")})
    with transaction.atomic():
        locked = _lock(submission, Status.SUBMITTED)
        _decide(locked, actor, Status.REJECTED, rejection_reason=reason.strip())
        _history(locked, actor, Action.REJECTED, reason.strip())
        record(actor, "status_change", locked, status=locked.status, fields=["rejection_reason"])
        _tell_owner(locked, actor, Notification.Kind.INTAKE_REJECTED)
    return _refresh(submission, locked)


def intake_return(*, submission: IntakeSubmission, actor, reason: str) -> IntakeSubmission:
    """
    A supervisor of the team sends the intake back to its caseworker, saying what to correct
    (a wrong date, a missing child): the caseworker edits the steps and submits it again, with
    nothing retyped. Rejection stays for an intake the team will not take in.
    """
    _refuse_unless_deciding(actor, submission)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what the caseworker should correct.")})
    with transaction.atomic():
        locked = _lock(submission, Status.SUBMITTED)
        locked.status = Status.RETURNED
        locked.step = IntakeSubmission.Step.REVIEW
        locked.save(update_fields=["status", "step", "updated_at"])
        _history(locked, actor, Action.RETURNED, reason)
        # The reason is in the encrypted history, never in the audit trail.
        record(actor, "status_change", locked, status=locked.status)
        _tell_owner(locked, actor, Notification.Kind.INTAKE_SENT_BACK)
    return _refresh(submission, locked)
