"""
The four roles as Django groups, with the model permissions each needs. Team roles (caseworker,
supervisor, legal advocate) follow a user's team memberships; the administrator group is given by
hand. Which *cases* a user sees is not a permission: that is the visibility rule of
casework.querysets. Permissions say what a user may do to what they can see.
"""

from django.contrib.auth import get_user_model
from django.db.models import Exists, QuerySet, TextChoices, Value
from django.utils.translation import gettext_lazy as _

from .kept_sql import rows_of_shape
from .models import Team, TeamMembership


class RoleGroup(TextChoices):
    CASEWORKER = "Caseworker", _("Caseworker")
    SUPERVISOR = "Supervisor", _("Supervisor")
    LEGAL_ADVOCATE = "Legal advocate", _("Legal advocate")
    ADMINISTRATOR = "Administrator", _("Administrator")


CASE_RECORDS = (
    "casework.person",
    "casework.personalias",
    "casework.relationship",
    "casework.legalstatusrecord",
    "casework.entitlement",
    "casework.incident",
    "casework.case",
    "casework.casemember",
    "casework.casenote",
    "casework.task",
    "casework.attachment",
    "casework.caseflag",
    "consent.consent",
)


def _perms(actions, models):
    return {
        f"{model.split('.')[0]}.{action}_{model.split('.')[1]}"
        for action in actions
        for model in models
    }


_CASEWORKER = _perms(("add", "change", "view"), CASE_RECORDS) | {"casework.view_caseassignment"}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    RoleGroup.CASEWORKER: _CASEWORKER,
    RoleGroup.SUPERVISOR: _CASEWORKER
    | _perms(("add", "change", "delete"), ("casework.caseassignment",))
    | {"audit.view_auditevent"},
    # Advocates read the cases shared with them; their own work (advocacy documents) is added
    # by the legal_aid app's permissions.
    RoleGroup.LEGAL_ADVOCATE: _perms(("view",), CASE_RECORDS)
    | _perms(("add", "view"), ("legal_aid.advocacydocument",)),
    # Administrators run accounts, teams and reference data, and read the audit trail. They see
    # case content only by breaking the glass on one case, with a reason.
    RoleGroup.ADMINISTRATOR: _perms(
        ("add", "change", "view"), ("accounts.user", "accounts.team", "accounts.teammembership")
    )
    | {"audit.view_auditevent"},
}

# A team role gives its group.
MEMBERSHIP_GROUPS = {
    "caseworker": RoleGroup.CASEWORKER,
    "supervisor": RoleGroup.SUPERVISOR,
    "legal_advocate": RoleGroup.LEGAL_ADVOCATE,
}


def install_role_groups(apps) -> None:
    """Create the role groups and give each exactly its permissions (those that exist yet)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        permissions = [
            permission
            for permission in Permission.objects.select_related("content_type")
            if f"{permission.content_type.app_label}.{permission.codename}" in wanted
        ]
        group.permissions.set(permissions)


def sync_role_groups(user) -> None:
    """Put the user in the groups of the team roles they hold, and in no other team-role group."""
    from django.contrib.auth.models import Group

    held = {
        MEMBERSHIP_GROUPS[role] for role in user.team_memberships.values_list("role", flat=True)
    }
    team_groups = Group.objects.filter(
        name__in=[group.value for group in MEMBERSHIP_GROUPS.values()]
    )
    # One statement each way (none when there is nothing to add or remove), not one per group.
    user.groups.add(*(group for group in team_groups if group.name in held))
    user.groups.remove(*(group for group in team_groups if group.name not in held))


# A user's team roles. Every "which teams does this user supervise" and "is this user a
# caseworker of that team" is asked here, so that the answer cannot drift between the places
# that need it (visibility, permissions, intake, reports, the audit trail).

# The roles that work a team's cases: they open cases, take intakes and may be assigned to a
# case. A legal advocate only reads the cases shared with them.
WORKING_ROLES = (TeamMembership.Role.CASEWORKER, TeamMembership.Role.SUPERVISOR)


def _is_active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def teams_where(user, *roles: str) -> QuerySet[Team]:
    """The teams in which `user` holds one of `roles` (one membership per team: no duplicates)."""
    if not _is_active(user):
        return Team.objects.none()
    return Team.objects.filter(memberships__user=user, memberships__role__in=roles)


def supervised_teams(user) -> QuerySet[Team]:
    return teams_where(user, TeamMembership.Role.SUPERVISOR)


def working_teams(user) -> QuerySet[Team]:
    """The teams whose cases `user` works, as caseworker or supervisor."""
    return teams_where(user, *WORKING_ROLES)


def _holds(user, team, *roles: str) -> bool:
    if team is None or not _is_active(user):
        return False
    # The membership probed by SQL compiled once per process for these roles (`kept_sql`): the
    # case page asks whether its reader supervises the case's team, and building and compiling
    # the query each time cost some 1,200 Python calls a request.
    found = rows_of_shape(
        f"team membership in roles {'/'.join(roles)}",
        lambda user_id, team_id: TeamMembership.objects.filter(
            user=user_id, team=team_id, role__in=roles
        ).values("pk")[:1],
        user.pk,
        getattr(team, "pk", team),
    )
    return bool(found)


def is_supervisor(user, team) -> bool:
    return _holds(user, team, TeamMembership.Role.SUPERVISOR)


def supervises_column(user, team):
    """
    `is_supervisor(user, team)` as a column of another query's rows, `team` their team
    (`OuterRef("team")`): answered with those rows rather than by a query of its own.
    """
    if not _is_active(user):
        return Value(False)
    return Exists(
        TeamMembership.objects.filter(
            user=user.pk, team=team, role__in=(TeamMembership.Role.SUPERVISOR,)
        )
    )


def is_caseworker(user, team) -> bool:
    return _holds(user, team, TeamMembership.Role.CASEWORKER)


def works_in(user, team) -> bool:
    """Whether `user` works the cases of `team` (caseworker or supervisor, not advocate)."""
    return _holds(user, team, *WORKING_ROLES)


def supervises_any_team(user) -> bool:
    return supervised_teams(user).exists()


def is_legal_advocate(user) -> bool:
    """Whether `user` is a legal advocate of any team (advocates serve several teams)."""
    if not _is_active(user):
        return False
    return TeamMembership.objects.filter(
        user=user, role=TeamMembership.Role.LEGAL_ADVOCATE
    ).exists()


def members_with_role(team, role: str) -> QuerySet:
    """Active users holding `role` in `team`."""
    return get_user_model().objects.filter(
        is_active=True, team_memberships__team=team, team_memberships__role=role
    )


def working_members(team) -> QuerySet:
    """Users who work the cases of `team` (caseworkers and supervisors, active or not)."""
    return get_user_model().objects.filter(
        team_memberships__team=team, team_memberships__role__in=WORKING_ROLES
    )


def working_in(team_ids) -> set[tuple[int, object]]:
    """(user id, team id) of every active user who works the cases of one of `team_ids`:
    `works_in` for many teams at once, in one query."""
    return set(
        TeamMembership.objects.filter(
            team_id__in=team_ids, role__in=WORKING_ROLES, user__is_active=True
        ).values_list("user_id", "team_id")
    )


def supervisors_by_team(team_ids) -> dict[object, list]:
    """The active supervisors of each of `team_ids`: `supervisors_of` for many teams, one query."""
    found: dict[object, list] = {team_id: [] for team_id in team_ids}
    memberships = TeamMembership.objects.filter(
        team_id__in=team_ids, role=TeamMembership.Role.SUPERVISOR, user__is_active=True
    ).select_related("user")
    for membership in memberships:
        found[membership.team_id].append(membership.user)
    return found


def supervisors_of(team) -> QuerySet:
    return members_with_role(team, TeamMembership.Role.SUPERVISOR)


def caseworkers_of(team) -> QuerySet:
    return members_with_role(team, TeamMembership.Role.CASEWORKER)


def caseworkers_in(teams) -> QuerySet:
    """Active caseworkers of any of `teams` (teams, ids or a queryset of either), each once."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            team_memberships__team__in=teams,
            team_memberships__role=TeamMembership.Role.CASEWORKER,
        )
        .distinct()
    )


def legal_advocates() -> QuerySet:
    """Active users who are legal advocates of some team."""
    return (
        get_user_model()
        .objects.filter(is_active=True, team_memberships__role=TeamMembership.Role.LEGAL_ADVOCATE)
        .distinct()
    )


def role_label(user, team=None) -> str:
    """
    What a document says about who asked for it, instead of their username: their role in
    `team` (a case's team, a report's team), or without a team the highest role they hold.
    """
    roles = TeamMembership.objects.filter(user=user)
    if team is not None:
        roles = roles.filter(team=team)
    held = set(roles.values_list("role", flat=True))
    for role in (
        TeamMembership.Role.SUPERVISOR,
        TeamMembership.Role.CASEWORKER,
        TeamMembership.Role.LEGAL_ADVOCATE,
    ):
        if role in held:
            return str(TeamMembership.Role(role).label)
    return str(_("Staff member"))
