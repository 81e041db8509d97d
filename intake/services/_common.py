"""
What the intake services share: the intake locked in the state a change needs (and the caller's
copy read again after it), its history of decisions, a supervisor's decision written on it, and
the refusal of anyone but a supervisor of its team.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..models import IntakeDecision, IntakeSubmission

Status = IntakeSubmission.Status
Action = IntakeDecision.Action


def _refuse_unless_deciding(actor, submission: IntakeSubmission) -> None:
    if not permissions.can_decide_intake(actor, submission):
        raise PermissionDenied(
            _("Only a supervisor of team %(team)s can decide on this intake.")
            % {"team": submission.team.name}
        )


def _lock(submission: IntakeSubmission, *statuses) -> IntakeSubmission:
    locked = IntakeSubmission.objects.select_for_update().get(pk=submission.pk)
    if locked.status not in statuses:
        raise ValidationError(
            _("This intake is %(status)s: it cannot be changed that way now.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


def _history(locked: IntakeSubmission, actor, action: str, reason: str = "") -> None:
    """One more step in the intake's history of decisions (intake.models.IntakeDecision)."""
    entry = IntakeDecision(submission=locked, actor=actor, action=action, reason=reason)
    entry.full_clean()
    entry.save()


def _refresh(submission: IntakeSubmission, locked: IntakeSubmission) -> IntakeSubmission:
    if locked is not submission:
        submission.refresh_from_db()
    return submission


def _decide(locked: IntakeSubmission, actor, status: str, **fields) -> None:
    locked.status = status
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
