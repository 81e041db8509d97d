"""The case plan: goals for the case's people, their steps (follow-ups), and its reviews."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import dates, permissions
from ..choices import GoalStatus
from ..models import Case, Goal, Person, PlanReview, Task
from ._common import _audit, _filled, _refuse_non_members, _require, _save, _update
from .records import task_create


def _check_responsible(case: Case, user) -> None:
    if user is not None and not Case.objects.visible_to(user).filter(pk=case.pk).exists():
        raise ValidationError(
            {
                "responsible": _("%(user)s cannot see case %(case)s.")
                % {"user": user.get_username(), "case": case.reference}
            }
        )


def goal_add(
    *,
    case: Case,
    person: Person,
    title: str,
    actor,
    why: str = "",
    target_on: datetime.date | None = None,
    responsible=None,
) -> Goal:
    """A goal of the case plan for one of the case's people; whoever answers for it sees the case."""
    _require(permissions.can_plan(actor, case))
    _refuse_non_members(case, [person], "person")
    responsible = responsible or actor
    _check_responsible(case, responsible)
    if target_on is not None and target_on < case.opened_on:
        raise ValidationError({"target_on": _("A target date cannot be before the case opened.")})
    with transaction.atomic():
        goal = _save(
            Goal(
                case=case,
                person=person,
                title=title,
                why=why,
                target_on=target_on,
                responsible=responsible,
                created_by=actor,
            )
        )
        _audit(
            actor,
            "create",
            goal,
            case=case,
            person=person.reference,
            fields=_filled({"title": title, "why": why, "target_on": target_on}),
        )
    return goal


def goal_end(*, goal: Goal, status: str, actor, expected_version: int | None = None) -> Goal:
    """Mark a goal achieved or dropped (today), or open again; its steps stay as they are."""
    _require(permissions.can_plan(actor, goal.case))
    if status not in GoalStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    ended_on = None if status == GoalStatus.OPEN else dates.today()
    with transaction.atomic():
        changed = _update(goal, {"status": status, "ended_on": ended_on}, expected_version)
        if changed:
            _audit(actor, "update", goal, case=goal.case, fields=changed, status=status)
    return goal


def goal_step_add(
    *,
    goal: Goal,
    title: str,
    actor,
    due_on: datetime.date | None = None,
    assignee=None,
    repeat_every: int | None = None,
    repeat_unit: str | None = None,
    repeat_until: datetime.date | None = None,
    repeat_while: str | None = None,
) -> Task:
    """
    A step towards a goal: a follow-up of the case, linked to the goal, in one transaction. It may
    repeat as any follow-up does (a monthly visit until the child is registered).
    """
    _require(permissions.can_plan(actor, goal.case))
    if goal.status != GoalStatus.OPEN:
        raise ValidationError(_("Steps are added to open goals only."))
    return task_create(
        case=goal.case,
        title=title,
        actor=actor,
        due_on=due_on,
        assignee=assignee,
        goal=goal,
        repeat_every=repeat_every,
        repeat_unit=repeat_unit,
        repeat_until=repeat_until,
        repeat_while=repeat_while,
    )


def plan_review_schedule_set(*, case: Case, actor, every_weeks: int | None) -> Case:
    """Review the plan every `every_weeks` weeks (1 to 52), or on no schedule (None)."""
    _require(permissions.can_plan(actor, case))
    if every_weeks is not None and not 1 <= every_weeks <= 52:
        raise ValidationError({"every_weeks": _("Review every 1 to 52 weeks.")})
    with transaction.atomic():
        changed = _update(case, {"plan_review_weeks": every_weeks}, None)
        if changed:
            _audit(actor, "update", case, fields=changed)
    return case


def plan_review_record(
    *, case: Case, note: str, actor, reviewed_on: datetime.date | None = None
) -> PlanReview:
    """A review of the plan on `reviewed_on` (today if not given), with its note."""
    _require(permissions.can_plan(actor, case))
    reviewed_on = reviewed_on or dates.today()
    dates.check_contact(reviewed_on, case=case, field="reviewed_on")
    if not note.strip():
        raise ValidationError({"note": _("Write what the review found.")})
    with transaction.atomic():
        review = _save(PlanReview(case=case, reviewed_on=reviewed_on, note=note, reviewed_by=actor))
        _audit(actor, "create", review, case=case, fields=["note", "reviewed_on"])
    return review
