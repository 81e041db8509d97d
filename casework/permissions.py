"""
Who may change what. Visibility is decided by `visible_to(user)` (casework.querysets) alone; these
checks come after it and only narrow it: a user who can see a case may still be refused a change.
They take no request, so the web views and the API share them.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from accounts.models import TeamMembership
from accounts.roles import RoleGroup

from .choices import AssignmentRole
from .models import Case, CaseAssignment, Person


def _is_active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def editable_cases(user) -> QuerySet[Case]:
    """
    The cases `user` may change: assigned to them as caseworker, owned by them, or of a team they
    supervise. Legal advocates read the cases shared with them but change none; a superuser is
    not included by right (reaching case content is the audited break-glass action).
    """
    if not _is_active(user):
        return Case.objects.none()
    return Case.objects.visible_to(user).worked_by(user, assignment_role=AssignmentRole.CASEWORKER)


def can_edit_case(user, case: Case) -> bool:
    """Whether `user` may change the records of `case` (see `editable_cases`)."""
    return editable_cases(user).filter(pk=case.pk).exists()


def editable_cases_of_person(user, person: Person) -> QuerySet[Case]:
    """The cases of `person` that `user` may change; a person is editable through any of them."""
    return editable_cases(user).filter(members__person=person).order_by("-opened_on", "reference")


def can_edit_person(user, person: Person) -> bool:
    return editable_cases_of_person(user, person).exists()


def can_supervise(user, team) -> bool:
    """Whether `user` supervises `team`: assigns its caseworkers and moves its cases."""
    if not _is_active(user) or team is None:
        return False
    return TeamMembership.objects.filter(
        user=user, team=team, role=TeamMembership.Role.SUPERVISOR
    ).exists()


def staff_who_can_see(case: Case):
    """
    Active staff who can see `case` by the visibility rule without breaking the glass: its
    assigned staff and its owner while they are members of its team, the supervisors of its team,
    and the advocates it is shared with while they are advocates (casework.querysets._worked_by).
    A follow-up goes to one of them.
    """
    memberships = TeamMembership.objects.filter(team=case.team_id)
    members = memberships.values("user")
    supervisors = memberships.filter(role=TeamMembership.Role.SUPERVISOR).values("user")
    advocates = TeamMembership.objects.filter(role=TeamMembership.Role.LEGAL_ADVOCATE)
    assigned = CaseAssignment.objects.filter(case=case)
    shared = assigned.filter(role=AssignmentRole.LEGAL_ADVOCATE).values("user")
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            (Q(pk__in=assigned.values("user")) | Q(pk=case.owner_id)) & Q(pk__in=members)
            | Q(pk__in=supervisors)
            | Q(pk__in=shared) & Q(pk__in=advocates.values("user"))
        )
        .order_by("username")
    )


def can_break_glass(user) -> bool:
    """Administrators (and superusers) may ask to see one case's content, with a reason."""
    if not _is_active(user):
        return False
    return user.is_superuser or user.groups.filter(name=RoleGroup.ADMINISTRATOR).exists()
