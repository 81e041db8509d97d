import pytest
from django.contrib.auth.models import Group

from accounts.models import TeamMembership
from accounts.roles import RoleGroup

from ..factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def perms_of(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_the_migration_creates_the_four_role_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in RoleGroup}


def test_caseworkers_may_record_and_advocates_may_only_read():
    caseworker, advocate = perms_of("Caseworker"), perms_of("Legal advocate")
    assert {"casework.add_person", "casework.change_case", "casework.add_casenote"} <= caseworker
    assert "casework.view_person" in advocate
    assert not {perm for perm in advocate if perm.startswith("casework.") and "view_" not in perm}


def test_only_supervisors_assign_and_read_the_audit_trail():
    assert "casework.add_caseassignment" in perms_of("Supervisor")
    assert "casework.add_caseassignment" not in perms_of("Caseworker")
    assert "audit.view_auditevent" in perms_of("Supervisor")
    assert "audit.view_auditevent" not in perms_of("Caseworker")


def test_administrators_manage_accounts_but_hold_no_case_permission():
    admin = perms_of("Administrator")
    assert {"accounts.add_user", "accounts.change_team"} <= admin
    assert not {perm for perm in admin if perm.startswith(("casework.", "consent."))}


def test_a_team_role_puts_the_user_in_its_group(team_north, team_south):
    user = UserFactory(username="mira")
    membership = MembershipFactory(user=user, team=team_north)
    assert list(user.groups.values_list("name", flat=True)) == ["Caseworker"]
    assert user.has_perm("casework.change_person")

    membership.role = TeamMembership.Role.LEGAL_ADVOCATE
    membership.save()
    user = type(user).objects.get(pk=user.pk)  # permissions are cached per instance
    assert list(user.groups.values_list("name", flat=True)) == ["Legal advocate"]
    assert user.has_perm("casework.view_person")
    assert not user.has_perm("casework.change_person")


def test_a_user_holds_the_roles_of_all_their_teams(team_north, team_south):
    user = UserFactory(username="mira")
    MembershipFactory(user=user, team=team_north, role=TeamMembership.Role.SUPERVISOR)
    south = MembershipFactory(user=user, team=team_south, role=TeamMembership.Role.CASEWORKER)
    assert set(user.groups.values_list("name", flat=True)) == {"Supervisor", "Caseworker"}

    south.delete()
    assert set(user.groups.values_list("name", flat=True)) == {"Supervisor"}


def test_the_administrator_group_is_left_alone_by_team_changes(team_north):
    user = UserFactory(username="root")
    user.groups.add(Group.objects.get(name="Administrator"))
    membership = MembershipFactory(user=user, team=team_north)
    membership.delete()
    assert list(user.groups.values_list("name", flat=True)) == ["Administrator"]


def test_team_role_questions_are_answered_per_team(team_north, team_south):
    """
    One user, caseworker of North and legal advocate of South: she works North's cases only,
    supervises nothing, and counts as an advocate (advocates serve several teams).
    """
    from accounts import roles

    lin = UserFactory(username="lin")
    MembershipFactory(user=lin, team=team_north, role=TeamMembership.Role.CASEWORKER)
    MembershipFactory(user=lin, team=team_south, role=TeamMembership.Role.LEGAL_ADVOCATE)
    assert list(roles.working_teams(lin)) == [team_north]
    assert roles.is_caseworker(lin, team_north) and not roles.is_caseworker(lin, team_south)
    assert roles.works_in(lin, team_north) and not roles.works_in(lin, team_south)
    assert not roles.supervises_any_team(lin) and not roles.is_supervisor(lin, team_north)
    assert roles.is_legal_advocate(lin)
    assert list(roles.caseworkers_of(team_north)) == [lin]
    assert not roles.caseworkers_of(team_south).exists()
    lin.is_active = False
    lin.save()
    assert not roles.working_teams(lin).exists() and not roles.works_in(lin, team_north)
