"""Reads of the directory and the referrals, each from `visible_to(user)`."""

from functools import partial

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.kept_sql import rows_of_shape
from casework.choices import GoalStatus
from casework.models import Goal
from casework.selectors.plans import OpenItem, PlanStep

from . import permissions, services
from .choices import Status
from .models import Referral, ServiceProvider

OPEN_STATUSES = (Status.PLANNED, Status.SENT, Status.ACCEPTED)


def providers_for(user) -> list[ServiceProvider]:
    """The directory `user` reads, by kind then name (names are decrypted, so sorted here)."""
    providers = ServiceProvider.objects.visible_to(user).select_related("team")
    return sorted(providers, key=lambda p: (p.kind, not p.active, p.name.casefold()))


def providers_to_refer_to(user) -> QuerySet[ServiceProvider]:
    """The providers `user` may choose for a new referral: in use, their team's or shared."""
    visible = ServiceProvider.objects.visible_to(user).filter(active=True)
    return visible.filter(pk__in=[p.pk for p in visible if permissions.can_refer_to(user, p)])


def case_referrals(case) -> list[Referral]:
    """
    The referrals of a case the caller sees, newest first, with their person and provider: the
    case page's section shows no follow-up and no history (each referral's page does), so
    neither is joined nor read here.
    """
    # Its SQL compiled once per process (accounts.kept_sql): ≈ 3,600 Python calls a case page.
    return rows_of_shape("case referrals", _referrals_of, case.pk)


def _referrals_of(case_id) -> QuerySet[Referral]:
    return Referral.objects.filter(case=case_id).select_related("person", "provider")


def goals_to_step_towards(case) -> QuerySet:
    """The open goals of the case plan a new referral of the case may be a step of."""
    return Goal.objects.filter(case=case, status=GoalStatus.OPEN).select_related("person")


def plan_steps(*, goals) -> dict:
    """
    The referrals that are steps of `goals`, for the case plan (SHIMTEO_PLAN_STEP_HOOKS), in one
    query: each with its status, and over once it is completed, declined or cancelled.
    """
    steps: dict = {}
    referrals = (
        Referral.objects.filter(goal__in=[goal.pk for goal in goals])
        .select_related("person", "provider")
        .order_by("referred_on", "created_at")
    )
    for referral in referrals:
        steps.setdefault(referral.goal_id, []).append(
            PlanStep(
                label=_("Referral of %(person)s for %(service)s (%(kind)s)")
                % {
                    "person": referral.person.reference,
                    "service": referral.get_service_display(),
                    "kind": referral.provider.get_kind_display(),
                },
                status=referral.get_status_display(),
                url=reverse("referrals:referral_detail", args=[referral.pk]),
                done=referral.status not in OPEN_STATUSES,
            )
        )
    return steps


def referral_counts(referrals: QuerySet[Referral]) -> dict[str, list[tuple[str, int]]]:
    """How many of `referrals` per service, per kind of provider and per status (the outcome)."""
    return {
        "service": _counted(referrals, "service"),
        "provider_kind": _counted(referrals, "provider__kind"),
        "status": _counted(referrals, "status"),
    }


def _counted(referrals, field: str) -> list[tuple[str, int]]:
    rows = referrals.order_by().values(field).annotate(n=Count("pk")).order_by(field)
    return [(row[field], row["n"]) for row in rows]


def open_on_closing(*, case) -> list[OpenItem]:
    """
    The case's referrals still open (planned, sent, accepted), for its closing page
    (SHIMTEO_CLOSURE_CHECK_HOOKS): each resolved by cancelling it, or carried over as it is.
    The closer may change the case, so sees all its referrals.
    """
    referrals = (
        Referral.objects.filter(case=case, status__in=OPEN_STATUSES)
        .select_related("person")
        .order_by("referred_on", "created_at")
    )
    items = []
    for referral in referrals:
        what = {
            "person": referral.person.reference,
            "service": referral.get_service_display(),
            "status": referral.get_status_display().lower(),
        }
        items.append(
            OpenItem(
                label=_("Referral of %(person)s for %(service)s (%(status)s)") % what,
                url=reverse("referrals:referral_detail", args=[referral.pk]),
                key=f"referral:{referral.pk}",
                resolve=partial(services.referral_cancel_on_closing, referral=referral),
                resolve_label=_("Cancel the referral of %(person)s for %(service)s (%(status)s)")
                % what,
            )
        )
    return items
