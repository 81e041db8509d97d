"""
The case plan's forms (goals, their steps, reviews and their schedule) and closing and reopening
a case. Each page finds the case through `visible_to`, asks casework.permissions, and calls one
service (casework.services.plans, casework.services.cases).
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from .. import dates, services
from ..choices import CaseStatus
from ..forms.plans import (
    CaseCloseForm,
    CaseReopenForm,
    GoalForm,
    GoalStatusForm,
    PlanReviewForm,
    PlanScheduleForm,
)
from ..forms.records import TaskForm
from ..models import Goal, Person
from ..permissions import can_close_case, can_plan, staff_who_can_see
from ..selectors.plans import open_on_closing
from .common import (
    _case_allowing,
    _case_context,
    _case_url,
    _data,
    _form_page,
    _refuse,
    form_view,
)

CLOSE_TEMPLATE = "casework/forms/case_close.html"


def _plan_url(case) -> str:
    return _case_url(case) + "#plan-heading"


@form_view
def goal_add(request, case_ref):
    case = _case_allowing(request, case_ref, "goal_add", can_plan)
    form = GoalForm(
        _data(request),
        people=Person.objects.filter(memberships__case=case).order_by("reference"),
        staff=staff_who_can_see(case),
    )
    return _form_page(
        request,
        form,
        save=lambda data: services.goal_add(case=case, actor=request.user, **data),
        title=_("Add a goal to the plan"),
        success=_("The goal was added to the plan."),
        next_url=_plan_url(case),
        context=_case_context(case),
    )


def _goal(request, case_ref, goal_id, attempted):
    case = _case_allowing(request, case_ref, attempted, can_plan)
    return case, get_object_or_404(Goal.objects.filter(case=case), pk=goal_id)


@form_view
def goal_status(request, case_ref, goal_id):
    case, goal = _goal(request, case_ref, goal_id, "goal_status")
    form = GoalStatusForm(_data(request), initial={"status": goal.status, "version": goal.version})
    return _form_page(
        request,
        form,
        save=lambda data: services.goal_end(
            goal=goal,
            status=data["status"],
            actor=request.user,
            expected_version=data["version"],
        ),
        title=_("Goal status"),
        heading=_("Goal status: %(goal)s") % {"goal": goal.title},
        success=_("The goal's status was saved."),
        next_url=_plan_url(case),
        context=_case_context(case),
    )


@form_view
def goal_step_add(request, case_ref, goal_id):
    case, goal = _goal(request, case_ref, goal_id, "goal_step_add")
    form = TaskForm(_data(request), staff=staff_who_can_see(case), creator=request.user)
    return _form_page(
        request,
        form,
        save=lambda data: services.goal_step_add(goal=goal, actor=request.user, **data),
        title=_("Add a step"),
        heading=_("Add a step towards: %(goal)s") % {"goal": goal.title},
        success=_("The step was added; it is a follow-up of the case."),
        next_url=_plan_url(case),
        context=_case_context(case),
    )


@form_view
def plan_review_add(request, case_ref):
    case = _case_allowing(request, case_ref, "plan_review_add", can_plan)
    form = PlanReviewForm(_data(request), initial={"reviewed_on": dates.today()})
    return _form_page(
        request,
        form,
        save=lambda data: services.plan_review_record(case=case, actor=request.user, **data),
        title=_("Review the plan"),
        success=_("The review was recorded."),
        next_url=_plan_url(case),
        context=_case_context(case),
    )


@form_view
def plan_schedule(request, case_ref):
    case = _case_allowing(request, case_ref, "plan_schedule", can_plan)
    form = PlanScheduleForm(_data(request), initial={"every_weeks": case.plan_review_weeks})
    return _form_page(
        request,
        form,
        save=lambda data: services.plan_review_schedule_set(
            case=case, actor=request.user, every_weeks=data["every_weeks"]
        ),
        title=_("When the plan is reviewed"),
        success=_("The review schedule was saved."),
        next_url=_plan_url(case),
        context=_case_context(case),
    )


@form_view
def case_close(request, case_ref):
    """Close the case for a reason, resolving or carrying over what is still open on it."""
    case = _case_allowing(request, case_ref, "case_close", can_close_case)
    if case.status == CaseStatus.CLOSED:
        _refuse(request, case, "case_close", case=case)
    still_open = open_on_closing(case)
    form = CaseCloseForm(
        _data(request),
        initial={"version": case.version},
        tasks=case.tasks.filter(completed_at__isnull=True).select_related("case"),
        check_ins=case.check_in_schedules.filter(active=True).select_related("person"),
        others=still_open.others,
    )
    return _form_page(
        request,
        form,
        save=lambda data: services.case_close(
            case=case,
            actor=request.user,
            reason=data["reason"],
            other_reason=data["other_reason"],
            closed_on=data["closed_on"],
            resolve_tasks=data["resolve_tasks"],
            end_check_ins=data["end_check_ins"],
            resolve_others=data.get("resolve_others", ()),
            expected_version=data["version"],
        ),
        title=_("Close the case"),
        success=_("The case was closed."),
        next_url=_case_url(case),
        context={**_case_context(case), "still_open": still_open},
        submit=_("Close the case"),
        template=CLOSE_TEMPLATE,
    )


@form_view
def case_reopen(request, case_ref):
    case = _case_allowing(request, case_ref, "case_reopen", can_close_case)
    form = CaseReopenForm(_data(request), initial={"version": case.version})
    return _form_page(
        request,
        form,
        save=lambda data: services.case_reopen(
            case=case, actor=request.user, expected_version=data["version"]
        ),
        title=_("Reopen the case"),
        success=_("The case was reopened; its closing stays in its history."),
        next_url=_case_url(case),
        context=_case_context(case),
        submit=_("Reopen the case"),
    )
