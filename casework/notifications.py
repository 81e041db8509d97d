"""
What a notification about a case, a follow-up or a break-glass may show its reader, asked by
`accounts.notifications` when the list is read (`SHIMTEO_NOTIFICATION_TARGETS`). Each answers
only for what the reader sees at that moment (`visible_to`): a case handed away since, or a
follow-up of such a case, is left out and its notification shows nothing of it.
"""

from django.urls import reverse

from accounts.notifications import Target

from .models import BreakGlassAccess, Case, Task


def _case_url(case: Case) -> str:
    return reverse("casework:case_detail", args=[case.reference])


def case_targets(user, keys) -> dict[str, Target]:
    cases = Case.objects.visible_to(user).filter(pk__in=keys)
    return {str(c.pk): Target(label=c.reference, url=_case_url(c)) for c in cases}


def follow_up_targets(user, keys) -> dict[str, Target]:
    follow_ups = Task.objects.visible_to(user).filter(pk__in=keys).select_related("case")
    return {
        str(t.pk): Target(label=t.case.reference, url=_case_url(t.case) + "#tasks-heading")
        for t in follow_ups
    }


def break_glass_targets(user, keys) -> dict[str, Target]:
    """The reason is read (decrypted) here, for a supervisor who sees the case, and nowhere else."""
    grants = BreakGlassAccess.objects.filter(
        pk__in=keys, case__in=Case.objects.visible_to(user).values("pk")
    ).select_related("case", "user")
    return {
        str(g.pk): Target(
            label=f"{g.case.reference} · {g.user.get_username()}",
            url=_case_url(g.case),
            detail=g.reason,
        )
        for g in grants
    }
