"""
The case plan (goals with their steps, reviews) and closing a case (what is still open, the
closings).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch
from django.utils.module_loading import import_string

from ..choices import CaseStatus
from ..models import Case, CheckInSchedule, Goal, PlanReview, Task


@dataclass
class Plan:
    goals: list
    reviews: list
    every_weeks: int | None
    next_review_on: datetime.date | None
    review_overdue: bool


def plan_of(case: Case, *, today: datetime.date, present: frozenset[str] | None = None) -> Plan:
    """
    The case plan in three queries whatever its size (and one per app above casework): the goals
    (open first) with their steps (follow-ups, done or not, and the steps the apps above keep,
    such as referrals), the reviews, and when the next review is due (every N weeks
    from the last review, or from the day the case opened). `present`: the case's lists known
    to have rows (`case_lists_present`); the goals and reviews are read only if named there.
    """
    goals = []
    if present is None or "goals" in present:
        steps = Task.objects.select_related("assignee").order_by(
            "completed_at", "due_on", "created_at"
        )
        goals = list(
            Goal.objects.filter(case=case)
            .select_related("person", "responsible")
            .prefetch_related(Prefetch("steps", queryset=steps, to_attr="plan_steps"))
        )
    other_steps = other_plan_steps(goals)
    for goal in goals:
        goal.other_steps = other_steps.get(goal.pk, [])
    reviews = []
    if present is None or "plan reviews" in present:
        reviews = list(PlanReview.objects.filter(case=case).select_related("reviewed_by")[:5])
    every = case.plan_review_weeks
    next_on = None
    if every:
        since = reviews[0].reviewed_on if reviews else case.opened_on
        next_on = since + datetime.timedelta(weeks=every)
    return Plan(
        goals=goals,
        reviews=reviews,
        every_weeks=every,
        next_review_on=next_on,
        review_overdue=bool(next_on and next_on < today and case.status != CaseStatus.CLOSED),
    )


@dataclass(frozen=True)
class PlanStep:
    """
    A step of a goal that an app above casework keeps (a referral): what it is, its status in
    words, its page, and whether it is over.
    """

    label: str
    status: str
    url: str
    done: bool


def other_plan_steps(goals: list) -> dict:
    """
    The steps the apps above casework keep for `goals` (`SHIMTEO_PLAN_STEP_HOOKS`: each takes
    the goals and returns `{goal id: [PlanStep]}` in one query), merged by goal.
    """
    merged: dict = {}
    if not goals:
        return merged
    for hook in settings.SHIMTEO_PLAN_STEP_HOOKS:
        for goal_id, steps in import_string(hook)(goals=goals).items():
            merged.setdefault(goal_id, []).extend(steps)
    return merged


@dataclass(frozen=True)
class OpenItem:
    """
    Something else still open on a case being closed (from an app above casework). With `key`
    (unique on the case) and `resolve` (called as `resolve(actor=…)` inside the closing's
    transaction, through the owning app's own service), it may be resolved from the closing
    page (ticked under `resolve_label`, which says what resolving does); without, it is resolved
    on its own page or carried over.
    """

    label: str
    url: str = ""
    key: str = ""
    resolve: Callable[..., object] | None = None
    resolve_label: str = ""

    @property
    def resolvable(self) -> bool:
        return bool(self.key and self.resolve)


@dataclass
class OpenOnClosing:
    tasks: list
    check_ins: list
    others: list


def open_on_closing(case: Case) -> OpenOnClosing:
    """
    What is still open on a case about to close: its follow-ups, its active check-in schedules,
    and what the apps above casework hold open (`SHIMTEO_CLOSURE_CHECK_HOOKS`: each takes the
    case and returns `OpenItem`s, resolved on their own pages or carried over).
    """
    others = other_open_items(case)
    return OpenOnClosing(
        tasks=list(
            Task.objects.filter(case=case, completed_at__isnull=True)
            .select_related("assignee")
            .order_by("due_on", "created_at")
        ),
        check_ins=list(
            CheckInSchedule.objects.filter(case=case, active=True)
            .select_related("person")
            .order_by("person__reference")
        ),
        others=others,
    )


def other_open_items(case: Case) -> list[OpenItem]:
    """What the apps above casework hold open on `case` (`SHIMTEO_CLOSURE_CHECK_HOOKS`)."""
    return [
        item
        for hook in settings.SHIMTEO_CLOSURE_CHECK_HOOKS
        for item in import_string(hook)(case=case)
    ]


def case_closures(case: Case) -> list:
    """
    Every closing of the case, the latest first. Who closed and who reopened it are not read:
    the case page, which lists them, names neither (two user joins cost more to compile than
    the query took to run, for a case most often never closed).
    """
    return list(case.closures.all())
