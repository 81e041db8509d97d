"""
Taking an intake step by step: a draft for a team, each step kept as typed, the whole validated
and sent to the team's supervisors with the people on file it may duplicate, or discarded.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record

from .. import duplicates, permissions
from ..forms import STEPS
from ..models import DuplicateCandidate, IntakeSubmission
from ._common import Action, Status, _history, _lock, _refresh

# Form buttons and the CSRF token are not answers.
NOT_ANSWERS = frozenset({"csrfmiddlewaretoken", "action"})


class IncompleteIntake(ValidationError):
    """A step of the intake does not validate; `step` says which, to send the caseworker back."""

    def __init__(self, step: str):
        self.step = step
        super().__init__(
            _("The step “%(step)s” is incomplete.") % {"step": IntakeSubmission.Step(step).label}
        )


def intake_start(*, actor, team) -> IntakeSubmission:
    """A new draft intake for `team`, taken by `actor`, who must work in the team."""
    if not permissions.can_take_intake(actor, team):
        raise PermissionDenied(_("Only caseworkers and supervisors of the team take intakes."))
    with transaction.atomic():
        submission = IntakeSubmission(team=team, owner=actor)
        submission.full_clean()
        submission.save()
        record(actor, "create", submission)
    return submission


def posted_answers(data) -> dict:
    """What a step's form posted, kept as lists per key, as a QueryDict holds it."""
    return {key: values for key, values in data.lists() if key not in NOT_ANSWERS}


def intake_save_step(*, submission: IntakeSubmission, step: str, data: dict, actor, next_step=None):
    """
    Keep what was typed in `step` (valid or not) in the encrypted draft, and remember where the
    caseworker is, so that the intake can be resumed anywhere.
    """
    if step not in STEPS:
        raise ValueError(f"Unknown intake step {step!r}")
    with transaction.atomic():
        locked = _lock(submission, Status.DRAFT, Status.RETURNED)
        if not permissions.can_change_intake(actor, locked):
            raise PermissionDenied(_("Only the caseworker who took this intake can change it."))
        answers = dict(locked.answers or {})
        answers[step] = data
        locked.answers = answers
        locked.step = next_step or step
        locked.save(update_fields=["answers", "step", "updated_at"])
        record(actor, "update", locked, fields=["answers"], step=step)
    return _refresh(submission, locked)


def step_forms(submission: IntakeSubmission, step: str):
    """The step's forms bound to what the draft holds for it (unbound if never saved)."""
    data = (submission.answers or {}).get(step)
    return STEPS[step](data, answers=submission.answers)


def validated(submission: IntakeSubmission) -> dict:
    """Every step's cleaned data, or IncompleteIntake naming the first step that fails."""
    cleaned = {}
    for step in STEPS:
        forms = step_forms(submission, step)
        if not forms.is_bound or not forms.is_valid():
            raise IncompleteIntake(step)
        cleaned[step] = forms.cleaned()
    return cleaned


def _keep_candidates(locked: IntakeSubmission, found) -> None:
    """
    The duplicate candidates of the answers as they are now. Sent again after corrections, an
    intake keeps the candidates still found (with any verdict another team gave), drops those
    its corrected answers no longer match, and adds the new ones.
    """
    current = {(key, pk): codes for key, pk, codes in found}
    for candidate in locked.duplicates.all():
        codes = current.pop((candidate.subject, candidate.person_id), None)
        if codes is None:
            candidate.delete()
        elif codes != candidate.reasons:
            candidate.reasons = codes
            candidate.save(update_fields=["reasons"])
    DuplicateCandidate.objects.bulk_create(
        DuplicateCandidate(submission=locked, person_id=pk, subject=key, reasons=codes)
        for (key, pk), codes in current.items()
    )


def intake_submit(*, submission: IntakeSubmission, actor) -> IntakeSubmission:
    """
    Send a complete draft (or an intake sent back and corrected) to the team's supervisors,
    with the people on file it may duplicate. The lookup is throttled per user
    (duplicates.LookupThrottled) and audited with counts only.
    """
    if not permissions.can_change_intake(actor, submission):
        raise PermissionDenied(_("Only the caseworker who took this intake can submit it."))
    duplicates.refuse_if_throttled(actor, submission)
    with transaction.atomic():
        locked = _lock(submission, Status.DRAFT, Status.RETURNED)
        if not permissions.can_change_intake(actor, locked):
            raise PermissionDenied(_("Only the caseworker who took this intake can submit it."))
        cleaned = validated(locked)
        found = duplicates.find(duplicates.subjects_of(cleaned))
        _keep_candidates(locked, found)
        again = locked.status == Status.RETURNED
        _history(locked, actor, Action.RESUBMITTED if again else Action.SUBMITTED)
        locked.status = Status.SUBMITTED
        locked.step = IntakeSubmission.Step.REVIEW
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["status", "step", "submitted_at", "updated_at"])
        duplicates.record_lookup(actor, locked, found)
        record(actor, "status_change", locked, status=locked.status, candidates=len(found))
    return _refresh(submission, locked)


def intake_discard(*, submission: IntakeSubmission, actor) -> None:
    """
    The caseworker drops a draft (or an intake sent back or rejected): its answers are gone for
    good.
    """
    with transaction.atomic():
        locked = _lock(submission, Status.DRAFT, Status.RETURNED, Status.REJECTED)
        if not permissions.can_change_intake(actor, locked):
            raise PermissionDenied(_("Only the caseworker who took this intake can discard it."))
        record(actor, "delete", locked, status=locked.status)
        locked.delete()
