"""
Who may do what to staff accounts: every "may this user do X to this account" of accounts is a
named function here, as casework's are in `casework.permissions` (team-role questions, "is she a
supervisor of this team", are `accounts.roles`). The services (accounts.services) call these and
raise PermissionDenied; pages and the admin ask them only what to offer.
"""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from .models import RoleChangeRequest, TeamMembership
from .roles import RoleGroup


def _is_active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_administrator(user) -> bool:
    """Superusers and members of the Administrator group run accounts and teams."""
    if not _is_active(user):
        return False
    return user.is_superuser or user.groups.filter(name=RoleGroup.ADMINISTRATOR).exists()


# Four eyes: a change of someone's roles or flags takes two administrators.


def can_request_role_change(actor, user) -> bool:
    """An administrator asks for a change of someone else's standing, never of her own."""
    return is_administrator(actor) and actor.pk != user.pk


def can_decide_role_change(actor, change: RoleChangeRequest) -> bool:
    """A second administrator, neither the one who asked nor the one it concerns, decides."""
    return is_administrator(actor) and actor.pk not in (change.requested_by_id, change.user_id)


# Teams


def can_delete_team(actor, team) -> bool:
    """
    An administrator deletes a team only once nobody belongs to it: its deletion took its
    members' roles away with it, without the four-eyes request (and its events) that gives and
    takes a role. A team that still holds cases is kept by their foreign key (PROTECT) too.
    """
    return is_administrator(actor) and not team.memberships.exists()


# Lifting a sign-in lockout


def unlockable_users(actor) -> QuerySet:
    """
    The accounts `actor` may unlock: administrators any, a supervisor the members of the teams
    they supervise, nobody else any. Not themselves, and a supervisor no administrator: more
    guesses at the accounts that can do most are for an administrator to allow.
    """
    users = get_user_model().objects.all()
    if not _is_active(actor):
        return users.none()
    if is_administrator(actor):
        return users.exclude(pk=actor.pk)
    supervised = TeamMembership.objects.filter(
        user=actor, role=TeamMembership.Role.SUPERVISOR
    ).values("team")
    return (
        users.filter(team_memberships__team__in=supervised)
        .exclude(pk=actor.pk)
        .exclude(is_superuser=True)
        .exclude(groups__name=RoleGroup.ADMINISTRATOR)
        .distinct()
    )


def may_unlock(actor, user) -> bool:
    return unlockable_users(actor).filter(pk=user.pk).exists()


def may_unlock_anyone(actor) -> bool:
    """Whether `actor` has a locked-accounts page at all (administrators and supervisors)."""
    if is_administrator(actor):
        return True
    return bool(
        actor
        and actor.is_authenticated
        and TeamMembership.objects.filter(user=actor, role=TeamMembership.Role.SUPERVISOR).exists()
    )
