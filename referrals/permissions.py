"""
Who may change what in the directory and the referrals; visibility stays with `visible_to`.
The services call these and raise PermissionDenied; pages and the API ask them what to offer.
"""

from accounts import roles
from casework.permissions import can_edit_case


def can_add_provider(user, team) -> bool:
    """A team's directory is kept by its supervisors."""
    return roles.is_supervisor(user, team)


def teams_to_add_providers_in(user):
    """The teams to whose directory `user` may add a provider (see `can_add_provider`)."""
    return roles.supervised_teams(user)


def may_add_providers(user) -> bool:
    """Whether "Add a service provider" leads anywhere for `user`."""
    return roles.supervises_any_team(user)


def can_edit_provider(user, provider) -> bool:
    """Only a supervisor of the provider's own team changes it, shared or not."""
    return roles.is_supervisor(user, provider.team)


def can_refer(user, case) -> bool:
    """Whoever may change a case refers its people: its caseworkers and supervisors."""
    return can_edit_case(user, case)


def can_change_referral(user, referral) -> bool:
    """A referral's status and outcome follow its case's edit rights."""
    return can_edit_case(user, referral.case)


def can_refer_to(user, provider) -> bool:
    """A provider of one's own team, or one another team shared."""
    return provider.active and (provider.shared or roles.works_in(user, provider.team))
