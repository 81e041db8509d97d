"""
The forms by which a case changes hands: assigning a caseworker, sharing with a legal advocate,
transferring to another team, and handing over all the cases of a caseworker who leaves.
"""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import roles
from accounts.models import Team
from consent.checks import refusing
from consent.models import Scope

from .. import dates, services
from ..choices import AssignmentRole
from ..forms.common import person_label
from ..forms.handover import CaseAssignForm, ShareForm, TeamReassignForm, TransferForm
from ..models import Case, CaseAssignment
from ..permissions import (
    assignable_caseworkers,
    can_assign,
    can_share,
    can_transfer,
    teams_to_hand_over_in,
)
from ..selectors.workload import workload
from .common import (
    SHARE_TEMPLATE,
    _case_allowing,
    _case_context,
    _case_url,
    _consent_url,
    _data,
    _form_page,
    _refuse,
    form_view,
)

User = get_user_model()


def _caseworkers_of(case: Case):
    return User.objects.filter(
        case_assignments__case=case, case_assignments__role=AssignmentRole.CASEWORKER
    ).order_by("username")


def _show_workloads(form, names, teams) -> None:
    """The numbers of the workload view beside each caseworker's name in a supervisor's form."""
    loads = {row.user.pk: row for row in workload(teams, today=dates.today())}
    for name in names:
        form.fields[name].workloads = loads


@form_view
def case_assign(request, case_ref):
    """A supervisor gives the case to a caseworker of the team, in addition or instead."""
    case = _case_allowing(request, case_ref, "case_assign", can_assign)
    assigned = _caseworkers_of(case)
    caseworkers = (
        assignable_caseworkers(case).exclude(pk__in=assigned.values("pk")).order_by("username")
    )
    form = CaseAssignForm(_data(request), caseworkers=caseworkers, assigned=assigned)
    _show_workloads(form, ("caseworker", "replaces"), Team.objects.filter(pk=case.team_id))

    def save(data):
        if data["replaces"] is None:
            services.case_assign(
                case=case,
                user=data["caseworker"],
                role=AssignmentRole.CASEWORKER,
                actor=request.user,
            )
        else:
            services.case_reassign(
                case=case,
                from_user=data["replaces"],
                to_user=data["caseworker"],
                actor=request.user,
            )

    return _form_page(
        request,
        form,
        save=save,
        title=_("Assign a caseworker"),
        success=_("The case was assigned."),
        next_url=_case_url(case),
        context={**_case_context(case), "assigned": assigned},
        rename={"user": "caseworker", "to_user": "caseworker", "from_user": "replaces"},
        submit=_("Assign"),
    )


def _staff_name(user) -> str:
    """A member of staff as a message names them: their full name and username, or the username."""
    name = user.get_full_name()
    return f"{name} ({user.get_username()})" if name else user.get_username()


@form_view
def case_share(request, case_ref):
    """A supervisor shares the case with a legal advocate, when every member consents to it."""
    case = _case_allowing(request, case_ref, "case_share", can_share)
    shared = CaseAssignment.objects.filter(case=case, role=AssignmentRole.LEGAL_ADVOCATE)
    advocates = roles.legal_advocates().exclude(pk__in=shared.values("user")).order_by("username")
    form = ShareForm(_data(request), advocates=advocates)
    return _form_page(
        request,
        form,
        save=lambda data: services.case_share(
            case=case, advocate=data["advocate"], actor=request.user
        ),
        title=_("Share the case with a legal advocate"),
        success=lambda _saved: (
            _("The case was shared with %(advocate)s.")
            % {"advocate": _staff_name(form.cleaned_data["advocate"])}
        ),
        next_url=_case_url(case),
        context={**_case_context(case), "without_consent": _without_consent(case)},
        rename={"user": "advocate"},
        submit=_("Share"),
        template=SHARE_TEMPLATE,
    )


def _without_consent(case: Case) -> list[tuple[str, str]]:
    """
    The members whose consent in force does not allow sharing, by name and reference, each with
    a link to the consent section of their page: what the supervisor must have recorded before
    the case goes beyond its team. Those who may share see the case and so its people.
    """
    people = case.people.order_by("reference")
    return [
        (person_label(person), _consent_url(person))
        for person in refusing(people, Scope.SHARE_WITH_ADVOCATES)
    ]


@form_view
def case_transfer(request, case_ref):
    """A supervisor hands the case to another team, when every member consents to it."""
    case = _case_allowing(request, case_ref, "case_transfer", can_transfer)
    form = TransferForm(_data(request), teams=Team.objects.exclude(pk=case.team_id))

    def next_url(transferred):
        # A supervisor of the old team no longer sees the case: its page would answer 404.
        if Case.objects.visible_to(request.user).filter(pk=transferred.pk).exists():
            return _case_url(transferred)
        return reverse("casework:dashboard")

    return _form_page(
        request,
        form,
        save=lambda data: services.case_transfer(
            case=case, to_team=data["to_team"], actor=request.user
        ),
        title=_("Transfer the case to another team"),
        success=_("The case was transferred."),
        next_url=next_url,
        cancel_url=_case_url(case),
        context={**_case_context(case), "without_consent": _without_consent(case)},
        submit=_("Transfer"),
        template=SHARE_TEMPLATE,
    )


@form_view
def team_reassign(request):
    """A supervisor hands all the cases of a caseworker who leaves to another, at once."""
    teams = teams_to_hand_over_in(request.user)
    if not teams.exists():
        _refuse(request, None, "team_reassign")
    form = TeamReassignForm(_data(request), teams=teams)
    _show_workloads(form, ("from_user", "to_user"), teams)

    def save(data):
        return services.caseworker_reassign_all(
            from_user=data["from_user"],
            to_user=data["to_user"],
            team=data["team"],
            actor=request.user,
        )

    def success(cases):
        return ngettext(
            "%(count)d case was handed over.", "%(count)d cases were handed over.", len(cases)
        ) % {"count": len(cases)}

    return _form_page(
        request,
        form,
        save=save,
        title=_("Hand over a caseworker's cases"),
        success=success,
        next_url=reverse("casework:dashboard"),
        rename={"user": "to_user"},
        submit=_("Hand over"),
    )
