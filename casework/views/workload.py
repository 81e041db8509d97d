"""
The supervisor's view of the team's work: each caseworker's load, and many cases of the case
list reassigned or closed at once, after a preview of what will change.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts import roles
from accounts.form_pages import put_errors_on

from .. import dates, services
from ..choices import AssignmentRole, CaseStatus, RiskLevel
from ..forms.bulk import BulkCasesForm
from ..models import Case, CaseAssignment, CheckInSchedule, Task
from ..permissions import can_see_workload, teams_to_bulk_change_in
from ..selectors.workload import WORKLOAD_ORDERS, workload
from .common import refusal


@never_cache
@login_required
@require_GET
def workload_view(request):
    if not can_see_workload(request.user):
        return refusal(request, None, "workload")
    order = request.GET.get("order", "name")
    order = order if order in WORKLOAD_ORDERS else "name"
    rows = workload(roles.supervised_teams(request.user), today=dates.today(), order=order)
    return render(
        request,
        "casework/workload.html",
        {
            "rows": rows,
            "order": order,
            "risks": [RiskLevel(level).label for level in RiskLevel.gravest_first()],
        },
    )


def _preview(data) -> list[dict]:
    """What confirming will change, case by case, before anything does."""
    cases = list(data["cases"])
    rows = []
    if data["action"] == "reassign":
        working = set(
            CaseAssignment.objects.filter(
                case__in=cases, user=data["from_user"], role=AssignmentRole.CASEWORKER
            ).values_list("case_id", flat=True)
        )
        for case in cases:
            rows.append(
                {
                    "case": case,
                    "changes": case.pk in working,
                    "what": _("from %(a)s to %(b)s")
                    % {"a": data["from_user"].get_username(), "b": data["to_user"].get_username()}
                    if case.pk in working
                    else _("unchanged: %(a)s does not work it")
                    % {"a": data["from_user"].get_username()},
                }
            )
        return rows
    open_tasks = set(
        Task.objects.filter(case__in=cases, completed_at__isnull=True).values_list(
            "case_id", flat=True
        )
    )
    open_check_ins = set(
        CheckInSchedule.objects.filter(case__in=cases, active=True).values_list(
            "case_id", flat=True
        )
    )
    for case in cases:
        closed = case.status == CaseStatus.CLOSED
        carried = case.pk in open_tasks or case.pk in open_check_ins
        rows.append(
            {
                "case": case,
                "changes": not closed,
                "what": _("unchanged: already closed")
                if closed
                else _("closed; open follow-ups and check-ins carried over")
                if carried
                else _("closed"),
            }
        )
    return rows


@never_cache
@login_required
@require_POST
def cases_bulk(request):
    """Posted from the case list: a preview first, then (confirmed) the change, case by case."""
    teams = teams_to_bulk_change_in(request.user)
    if not teams.exists():
        return refusal(request, None, "cases_bulk")
    cases = Case.objects.visible_to(request.user).filter(team__in=teams).select_related("team")
    caseworkers = roles.caseworkers_in(teams).order_by("username")
    form = BulkCasesForm(request.POST, cases=cases, caseworkers=caseworkers)
    if form.is_valid():
        data = form.cleaned_data
        if data["confirm"]:
            try:
                if data["action"] == "reassign":
                    done = services.cases_bulk_reassign(
                        cases=data["cases"],
                        from_user=data["from_user"],
                        to_user=data["to_user"],
                        actor=request.user,
                    )
                else:
                    done = services.cases_bulk_close(
                        cases=data["cases"],
                        reason=data["reason"],
                        other_reason=data["other_reason"],
                        actor=request.user,
                    )
            except PermissionDenied:
                return refusal(request, None, "cases_bulk")
            except ValidationError as error:
                put_errors_on(form, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d case was changed.", "%(count)d cases were changed.", len(done)
                    )
                    % {"count": len(done)},
                )
                return redirect("casework:case_list")
        else:
            return render(
                request,
                "casework/cases_bulk.html",
                {"form": form, "preview": _preview(data), "data": data},
            )
    return render(request, "casework/cases_bulk.html", {"form": form, "preview": None}, status=400)
