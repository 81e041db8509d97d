"""Reads of the intake, scoped to the user: submissions, their candidates, the queue, imports."""

from accounts import roles
from casework.models import Person

from . import duplicates
from .models import ImportBatch, IntakeSubmission


def intake_teams(user):
    """The teams in which `user` takes intakes (as caseworker or supervisor)."""
    return roles.working_teams(user)


def supervised_teams(user):
    return roles.supervised_teams(user)


def my_intakes(user):
    return IntakeSubmission.objects.visible_to(user).filter(owner=user).select_related("team")


def decision_queue(user):
    """Submitted intakes waiting for a decision by a supervisor of their team: oldest first."""
    return (
        IntakeSubmission.objects.visible_to(user)
        .awaiting_decision()
        .filter(team__in=supervised_teams(user))
        .select_related("team", "owner")
        .order_by("submitted_at")
    )


def candidates(submission: IntakeSubmission, user) -> list[dict]:
    """
    The duplicate candidates of an intake as `user` may see them: the reference and reasons
    always; the person (to show their details) only when `user` can see them by the visibility
    rule.
    """
    rows = list(submission.duplicates.select_related("person"))
    visible = set(
        Person.objects.visible_to(user)
        .filter(pk__in=[row.person_id for row in rows])
        .values_list("pk", flat=True)
    )
    return [
        {
            "subject": row.subject,
            "reference": row.person.reference,
            "reasons": duplicates.reason_labels(row.reasons),
            "codes": row.reasons,
            "person": row.person if row.person_id in visible else None,
        }
        for row in rows
    ]


def my_imports(user):
    return ImportBatch.objects.visible_to(user).select_related("team", "uploaded_by")
