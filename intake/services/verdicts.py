"""
A possible duplicate held by another team: that team's supervisors give their verdict
(`duplicate_verdict`), and until they have, the intake is neither approved nor merged.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from casework.models import Person

from .. import permissions
from ..models import DuplicateCandidate, IntakeSubmission


def _refuse_while_another_team_checks(submission: IntakeSubmission, actor) -> None:
    """
    A match out of the approver's sight is someone another team holds: only that team's
    supervisors can tell whether it is the same person, so the intake waits for their verdict.
    Until then approving would give a hunted person a second record, and a second trail.
    """
    unseen = submission.duplicates.exclude(
        person__in=Person.objects.visible_to(actor).values("pk")
    ).exclude(verdict=DuplicateCandidate.Verdict.DIFFERENT)
    verdicts = set(unseen.values_list("verdict", flat=True))
    if DuplicateCandidate.Verdict.SAME in verdicts:
        raise ValidationError(
            _(
                "The supervisors of the team that holds the record say someone in this intake is "
                "already on file. Reject the intake and agree with them how to bring the person's "
                "case together."
            )
        )
    if verdicts:
        raise ValidationError(
            _(
                "A possible duplicate is still being checked by the supervisors of the team that "
                "holds the record. The intake can be approved once they have answered."
            )
        )


def duplicate_verdict(*, candidate: DuplicateCandidate, verdict: str, actor) -> DuplicateCandidate:
    """
    A supervisor of a team holding the person says whether another team's intake is that person.
    Only they see both sides; the intake's team learns the verdict, never who the person is.
    """
    if not permissions.can_judge_duplicate(actor, candidate):
        raise PermissionDenied(_("Only the supervisors of the team that holds the record decide."))
    if verdict not in (DuplicateCandidate.Verdict.DIFFERENT, DuplicateCandidate.Verdict.SAME):
        raise ValidationError({"verdict": _("Say whether it is the same person.")})
    verdict = DuplicateCandidate.Verdict(verdict)
    with transaction.atomic():
        locked = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
        locked.verdict, locked.verdict_by, locked.verdict_at = verdict, actor, timezone.now()
        locked.save(update_fields=["verdict", "verdict_by", "verdict_at"])
        record(
            actor,
            "update",
            locked.submission,
            duplicate_checked=True,
            verdict=verdict.value,
            subject=locked.subject,
        )
    return locked
