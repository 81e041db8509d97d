"""Reads of the intake, scoped to the user: submissions, their candidates, the queue, imports."""

from django.urls import reverse
from django.utils.translation import gettext

from accounts import roles
from accounts.notifications import Target
from casework.models import Case, Person
from casework.querysets import count_kept

from . import duplicates
from .models import DuplicateCandidate, ImportBatch, ImportedRow, IntakeSubmission


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


def candidates(submission: IntakeSubmission, user) -> tuple[list[dict], bool]:
    """
    The duplicate candidates of an intake that `user` may see by the visibility rule (reference,
    reasons and the person), and whether there are others. Of those others nothing is said — not
    who, how many, nor why: their details go to the supervisors of the team that holds them
    (see `duplicates_in_my_teams_cases`).
    """
    rows = list(submission.duplicates.select_related("person"))
    visible = set(
        Person.objects.visible_to(user)
        .filter(pk__in=[row.person_id for row in rows])
        .values_list("pk", flat=True)
    )
    shown = [
        {
            "subject": row.subject,
            "reference": row.person.reference,
            "reasons": duplicates.reason_labels(row.reasons),
            "codes": row.reasons,
            "person": row.person,
        }
        for row in rows
        if row.person_id in visible
    ]
    return shown, len(shown) < len(rows)


def duplicates_in_my_teams_cases(user, limit: int = 100):
    """
    For a supervisor: the people of their teams' cases whom another team's intake may
    duplicate — the intake's reference and team, the person and why — so that the team that
    holds the record is the one told. Drafts are their author's alone and are never listed.
    """
    return (
        held_by_my_teams(user)
        .select_related("submission__team", "submission__owner", "person", "verdict_by")
        .order_by("-submission__submitted_at", "subject")[:limit]
    )


def held_by_my_teams(user):
    """The candidates `user` decides on: another team's submitted intake may be their person."""
    teams = supervised_teams(user)
    if not teams.exists():
        return DuplicateCandidate.objects.none()
    return (
        DuplicateCandidate.objects.filter(person__in=Person.objects.visible_to(user).values("pk"))
        .exclude(submission__team__in=teams)
        .exclude(submission__status=IntakeSubmission.Status.DRAFT)
    )


def my_imports(user):
    return ImportBatch.objects.visible_to(user).select_related("team", "uploaded_by")


def imported_cases(batch: ImportBatch, user):
    """
    The cases an import opened that `user` sees, by reference: those of the people its rows
    created (a household's members share one case).
    """
    people = ImportedRow.objects.filter(batch=batch, person__isnull=False).values("person")
    return (
        Case.objects.visible_to(user)
        .filter(members__person__in=people)
        .distinct()
        .order_by("reference")
    )


def intake_notification_targets(user, keys) -> dict[str, Target]:
    """What a notification about an intake shows: its reference, while in sight."""
    intakes = IntakeSubmission.objects.visible_to(user).filter(pk__in=keys)
    return {
        str(i.pk): Target(label=i.reference, url=reverse("intake:detail", args=[i.reference]))
        for i in intakes
    }


def import_notification_targets(user, keys) -> dict[str, Target]:
    """What a notification about an import shows: the batch's reference, while in sight."""
    batches = ImportBatch.objects.visible_to(user).filter(pk__in=keys)
    return {
        str(b.pk): Target(
            label=b.reference, url=reverse("intake:import_detail", args=[b.reference])
        )
        for b in batches
    }


def approvals_waiting(user) -> list[tuple[str, int, str]]:
    """For the dashboard (SHIMTEO_DASHBOARD_APPROVALS): the intakes waiting for this supervisor."""
    # Counted from its SQL written once per supervisor (`count_kept`), read afresh each visit.
    waiting = count_kept(user, "intakes awaiting decision", lambda: decision_queue(user))
    if not waiting:
        return []
    return [(gettext("Intakes waiting for a decision"), waiting, reverse("intake:queue"))]
