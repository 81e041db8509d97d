"""
Who may do what with intakes and imports: every "may this user do X to this object" of the intake
is a named function here, as casework's are in `casework.permissions`. Visibility stays with
`IntakeSubmission.objects.visible_to`. The services (intake.services, intake.importing) call these
and raise PermissionDenied; pages and the API ask them only what to offer and to refuse early.
"""

from accounts import roles
from casework.permissions import can_supervise

from . import selectors


def can_take_intake(user, team) -> bool:
    """A team's caseworkers and supervisors take its intakes; a legal advocate takes none."""
    return roles.works_in(user, team)


def can_change_intake(user, submission) -> bool:
    """
    A draft (or an intake sent back) is changed, sent and discarded by the caseworker who took
    it alone: they met the family, and the answers are theirs until a supervisor decides.
    """
    return bool(user and user.pk is not None and submission.owner_id == user.pk)


def can_decide_intake(user, submission) -> bool:
    """Approving, merging, rejecting or sending back an intake is for its team's supervisors."""
    return can_supervise(user, submission.team)


def may_decide_intakes(user) -> bool:
    """Whether the decision queue (and the other teams' intakes held here) is for `user`."""
    return roles.supervises_any_team(user)


def can_judge_duplicate(user, candidate) -> bool:
    """
    Whether another team's intake is one of the people a team holds is said by that team's
    supervisors alone: only they see both sides.
    """
    return selectors.held_by_my_teams(user).filter(pk=candidate.pk).exists()


def can_import(user, team) -> bool:
    """A spreadsheet is imported, configured, run, stopped or discarded by the team's supervisors."""
    return can_supervise(user, team)


def teams_to_import_into(user):
    """The teams whose spreadsheets `user` may import (see `can_import`)."""
    return roles.supervised_teams(user)
