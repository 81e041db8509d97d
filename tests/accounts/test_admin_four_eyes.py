"""
Administrators in the admin, held to break-glass: they run accounts and teams, but no role, flag,
group or password changes at one administrator's hand. A role change is asked for by one
administrator and applied when a second approves it; each step is in the audit trail, read by
the supervisors of the team it concerns. Supervisors and caseworkers cannot reach any of it.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from knox.models import AuthToken

from accounts.models import RoleChangeRequest, Team, TeamMembership
from accounts.roles import RoleGroup
from audit.models import AuditEvent
from casework.models import Case
from casework.services import case_note_add

from ..admin_forms import admin_form_data
from ..conftest import sign_in
from ..factories import TeamFactory, UserFactory


def administrator(username: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=RoleGroup.ADMINISTRATOR))
    return user


@pytest.fixture
def ada(db):
    """An administrator: staff, in the Administrator group, not a superuser."""
    return administrator("ada")


@pytest.fixture
def grace(db):
    """A second administrator."""
    return administrator("grace")


def client_of(client_class, user):
    return sign_in(client_class(), user)


@pytest.fixture
def ada_client(client, ada):
    return sign_in(client, ada)


def user_page(user) -> str:
    return reverse("admin:accounts_user_change", args=[user.pk])


REQUESTS = reverse("admin:accounts_rolechangerequest_changelist")
ASK = reverse("admin:accounts_rolechangerequest_add")


def test_an_administrator_ticking_superuser_groups_or_a_team_on_themself_changes_nothing(
    ada_client, ada, team_north
):
    page = ada_client.get(user_page(ada))
    assert page.status_code == 200
    data = admin_form_data(page)
    data.update(
        is_superuser="on",
        groups=[group.pk for group in Group.objects.all()],
        user_permissions=[],
    )
    # ...and a line in her teams saying she supervises North.
    memberships = page.context["inline_admin_formsets"][0].formset.prefix
    data.update(
        {
            f"{memberships}-TOTAL_FORMS": 1,
            f"{memberships}-0-team": team_north.pk,
            f"{memberships}-0-role": TeamMembership.Role.SUPERVISOR,
        }
    )
    response = ada_client.post(user_page(ada), data)

    assert response.status_code == 302
    ada.refresh_from_db()
    assert not ada.is_superuser
    assert not TeamMembership.objects.filter(user=ada).exists()
    assert set(ada.groups.values_list("name", flat=True)) == {RoleGroup.ADMINISTRATOR}


def test_an_administrator_cannot_join_a_team_through_the_team_page(ada_client, ada, sue):
    team = sue.teams.get()
    page = ada_client.get(reverse("admin:accounts_team_change", args=[team.pk]))
    data = admin_form_data(page)
    prefix = page.context["inline_admin_formsets"][0].formset.prefix
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": 1,
            f"{prefix}-0-user": ada.pk,
            f"{prefix}-0-role": TeamMembership.Role.SUPERVISOR,
        }
    )
    ada_client.post(reverse("admin:accounts_team_change", args=[team.pk]), data)

    assert not TeamMembership.objects.filter(user=ada).exists()


def test_an_administrator_cannot_ask_for_a_role_of_their_own(ada_client, ada, team_north):
    response = ada_client.post(
        ASK,
        {"user": ada.pk, "kind": "team_role", "team": team_north.pk, "role": "supervisor"},
    )

    assert response.status_code == 200
    assert "your own roles" in response.content.decode()
    assert not RoleChangeRequest.objects.exists()


def test_four_eyes_a_team_role_applies_only_when_a_second_administrator_approves(
    client, ada, grace, bob, sue, team_north
):
    """Asked by ada, refused to ada herself, applied on grace's approval; all of it audited."""
    ada_client = client_of(type(client), ada)
    asked = ada_client.post(
        ASK,
        {"user": bob.pk, "kind": "team_role", "team": team_north.pk, "role": "supervisor"},
    )
    assert asked.status_code == 302
    change = RoleChangeRequest.objects.get()
    assert change.status == RoleChangeRequest.Status.PENDING
    assert bob.team_memberships.get().role == TeamMembership.Role.CASEWORKER

    ada_client.post(REQUESTS, {"action": "approve", "_selected_action": [change.pk]})
    change.refresh_from_db()
    assert change.status == RoleChangeRequest.Status.PENDING
    assert bob.team_memberships.get().role == TeamMembership.Role.CASEWORKER

    grace_client = client_of(type(client), grace)
    listing = grace_client.get(REQUESTS).content.decode()
    assert 'value="approve"' in listing and 'value="reject"' in listing
    grace_client.post(REQUESTS, {"action": "approve", "_selected_action": [change.pk]})
    change.refresh_from_db()
    assert change.status == RoleChangeRequest.Status.APPROVED
    assert change.decided_by == grace
    assert bob.team_memberships.get().role == TeamMembership.Role.SUPERVISOR
    assert bob.groups.filter(name=RoleGroup.SUPERVISOR).exists()

    # The team's supervisor reads both steps in the audit trail.
    seen = AuditEvent.objects.visible_to(sue).filter(
        target_type="accounts.rolechangerequest", target_id=str(change.pk)
    )
    assert {(e.actor_username, e.detail["four_eyes"]) for e in seen} == {
        ("ada", "requested"),
        ("grace", "approved"),
    }
    # ...and a supervisor of another team does not.
    charlie_sup = UserFactory(username="southsup")
    from ..factories import MembershipFactory, TeamFactory

    MembershipFactory(user=charlie_sup, team=TeamFactory(name="West"), role="supervisor")
    assert not AuditEvent.objects.visible_to(charlie_sup).filter(
        target_type="accounts.rolechangerequest"
    )


def test_four_eyes_a_rejected_request_changes_nothing(client, ada, grace, alice, sue):
    ada_client = client_of(type(client), ada)
    ada_client.post(ASK, {"user": alice.pk, "kind": "superuser", "grant": "on"})
    change = RoleChangeRequest.objects.get()

    grace_client = client_of(type(client), grace)
    grace_client.post(REQUESTS, {"action": "reject", "_selected_action": [change.pk]})
    grace_client.post(REQUESTS, {"action": "approve", "_selected_action": [change.pk]})

    change.refresh_from_db()
    alice.refresh_from_db()
    assert change.status == RoleChangeRequest.Status.REJECTED
    assert not alice.is_superuser
    decisions = AuditEvent.objects.visible_to(sue).filter(
        target_type="accounts.rolechangerequest", actor_username="grace"
    )
    assert [event.detail["four_eyes"] for event in decisions] == ["rejected"]


def test_four_eyes_the_person_a_request_concerns_cannot_approve_it(client, ada, grace):
    """ada asks to make grace a superuser: grace cannot approve her own promotion."""
    ada_client = client_of(type(client), ada)
    ada_client.post(ASK, {"user": grace.pk, "kind": "superuser", "grant": "on"})
    change = RoleChangeRequest.objects.get()

    client_of(type(client), grace).post(
        REQUESTS, {"action": "approve", "_selected_action": [change.pk]}
    )

    grace.refresh_from_db()
    change.refresh_from_db()
    assert not grace.is_superuser
    assert change.status == RoleChangeRequest.Status.PENDING


def test_a_superuser_is_held_to_four_eyes_too(admin_client, admin_user, alice, ada):
    page = admin_client.get(user_page(alice))
    data = admin_form_data(page)
    data.update(is_superuser="on", is_staff="on")
    admin_client.post(user_page(alice), data)
    alice.refresh_from_db()
    assert not alice.is_superuser
    assert not alice.is_staff

    admin_client.post(ASK, {"user": alice.pk, "kind": "staff", "grant": "on"})
    change = RoleChangeRequest.objects.get()
    alice.refresh_from_db()
    assert not alice.is_staff
    client_of(type(admin_client), ada).post(
        REQUESTS, {"action": "approve", "_selected_action": [change.pk]}
    )
    alice.refresh_from_db()
    assert alice.is_staff


def test_requests_are_never_edited_or_deleted(client, ada, grace, bob, team_north):
    ada_client = client_of(type(client), ada)
    ada_client.post(
        ASK, {"user": bob.pk, "kind": "team_role", "team": team_north.pk, "role": "supervisor"}
    )
    change = RoleChangeRequest.objects.get()
    grace_client = client_of(type(client), grace)
    page = reverse("admin:accounts_rolechangerequest_change", args=[change.pk])

    edit = grace_client.post(page, {"user": grace.pk, "kind": "superuser"})
    delete = grace_client.post(
        reverse("admin:accounts_rolechangerequest_delete", args=[change.pk]), {"post": "yes"}
    )

    change.refresh_from_db()
    assert edit.status_code in (302, 403)
    assert delete.status_code == 403
    assert change.user == bob
    assert change.kind == "team_role"


@pytest.mark.parametrize("persona", ["alice", "sue"])
def test_caseworkers_and_supervisors_reach_no_account_page(client, persona, request, bob):
    """Without staff status the admin answers with the 403 page; with it, they are refused too."""
    user = request.getfixturevalue(persona)
    signed_in = sign_in(client, user)
    urls = [
        ASK,
        REQUESTS,
        user_page(bob),
        reverse("admin:auth_user_password_change", args=[bob.pk]),
    ]
    for url in urls:
        assert signed_in.get(url).status_code == 403, url
    user.is_staff = True
    user.save()
    for url in urls:
        assert signed_in.get(url).status_code == 403, url
    assert (
        signed_in.post(ASK, {"user": user.pk, "kind": "superuser", "grant": "on"}).status_code
        == 403
    )
    assert not RoleChangeRequest.objects.exists()


def test_an_administrator_cannot_reset_a_password(ada_client, alice):
    url = reverse("admin:auth_user_password_change", args=[alice.pk])
    assert ada_client.get(url).status_code == 403
    response = ada_client.post(url, {"password1": "x" * 20, "password2": "x" * 20})
    assert response.status_code == 403
    alice.refresh_from_db()
    assert not alice.check_password("x" * 20)


def test_a_superuser_resetting_a_password_is_audited_for_the_team(admin_client, alice, sue):
    url = reverse("admin:auth_user_password_change", args=[alice.pk])
    new = "another long passphrase 77"
    response = admin_client.post(
        url, {"password1": new, "password2": new, "usable_password": "true"}
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(new)
    event = AuditEvent.objects.visible_to(sue).get(target_type="accounts.user", action="update")
    assert event.detail["fields"] == ["password"]
    assert event.actor_username == "admin"


def test_account_writes_in_the_admin_are_chained_audit_events(ada_client, alice, sue):
    page = ada_client.get(user_page(alice))
    data = admin_form_data(page)
    data["email"] = "alice@example.org"
    ada_client.post(user_page(alice), data)

    event = AuditEvent.objects.visible_to(sue).get(target_type="accounts.user")
    assert event.actor_username == "ada"
    assert event.detail["fields"] == ["email"]
    assert event.detail["team"] == alice.teams.get().pk


def test_role_groups_are_read_only_even_for_a_superuser(admin_client):
    group = Group.objects.get(name=RoleGroup.ADMINISTRATOR)
    page = reverse("admin:auth_group_change", args=[group.pk])
    before = set(group.permissions.values_list("pk", flat=True))

    assert admin_client.get(page).status_code == 200
    admin_client.post(page, {"name": group.name, "permissions": []})
    assert admin_client.get(reverse("admin:auth_group_add")).status_code == 403

    assert set(group.permissions.values_list("pk", flat=True)) == before


def test_an_administrator_switches_off_an_account_at_once_and_it_is_audited(ada_client, alice, sue):
    page = ada_client.get(user_page(alice))
    data = admin_form_data(page)
    data.pop("is_active")
    assert ada_client.post(user_page(alice), data).status_code == 302

    alice.refresh_from_db()
    assert not alice.is_active
    event = AuditEvent.objects.visible_to(sue).get(target_type="accounts.user")
    assert event.detail["fields"] == ["is_active"]


@pytest.mark.parametrize("persona", ["ada_client", "admin_client"])
def test_an_account_is_switched_off_never_deleted(persona, request, alice, north_case):
    """
    Deleting alice in the admin took her team role away without a second administrator, her
    assignment to her case without its event, and her name off the note she wrote: no
    administrator deletes an account, not even a superuser, neither one by one nor in bulk.
    The account is switched off instead (above).
    """
    browser = request.getfixturevalue(persona)
    note = case_note_add(case=north_case, body="Met at the market", actor=alice)
    assert "/delete/" not in browser.get(user_page(alice)).content.decode()
    delete = reverse("admin:accounts_user_delete", args=[alice.pk])
    refused = browser.get(delete)
    assert refused.status_code == 403
    # The refusal says how to do what was meant: switch the account off on its page.
    assert f'href="{user_page(alice)}#id_is_active"' in refused.content.decode()
    assert browser.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:accounts_user_changelist")
    assert "delete_selected" not in browser.get(changelist).content.decode()
    browser.post(
        changelist, {"action": "delete_selected", "_selected_action": [alice.pk], "post": "yes"}
    )

    alice.refresh_from_db()
    assert alice.team_memberships.exists()
    assert north_case.assignments.filter(user=alice).exists()
    note.refresh_from_db()
    assert note.author == alice
    assert not AuditEvent.objects.filter(target_type="accounts.user", action="delete").exists()


# An administrator acting as someone else


@pytest.mark.parametrize("persona", ["ada_client", "admin_client"])
def test_no_administrator_makes_an_api_token_for_anyone(persona, request, alice):
    """
    A token is issued only by the token endpoint to its own user after both factors: knox's admin
    page, which made a token for any user and showed it, is gone for administrators and superusers.
    """
    browser = request.getfixturevalue(persona)
    before = AuthToken.objects.count()
    for url in ("/admin/knox/authtoken/", "/admin/knox/authtoken/add/"):
        assert browser.get(url).status_code == 404
    response = browser.post("/admin/knox/authtoken/add/", {"user": alice.pk, "expiry": ""})
    assert response.status_code == 404
    assert AuthToken.objects.count() == before
    assert "authtoken" not in browser.get(reverse("admin:index")).content.decode().lower()


def test_no_administrator_opens_a_case_in_the_admin(admin_client, team_north):
    """Cases are opened through the service that checks who may and assigns the caseworker."""
    assert admin_client.get(reverse("admin:casework_case_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:casework_case_add"), {"team": team_north.pk, "status": "open"}
    )
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_a_team_is_deleted_only_once_nobody_belongs_to_it(admin_client, alice, team_north):
    """
    Deleting North in the admin took alice's caseworker role away with it, without the four-eyes
    request that records a role's end: a team with members cannot be deleted, one at a time or
    in bulk. An empty team can, and its deletion is audited.
    """
    delete = reverse("admin:accounts_team_delete", args=[team_north.pk])
    assert admin_client.get(delete).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:accounts_team_changelist")
    assert "delete_selected" not in admin_client.get(changelist).content.decode()
    assert alice.team_memberships.filter(team=team_north).exists()

    empty = TeamFactory(name="Dandong")
    gone = reverse("admin:accounts_team_delete", args=[empty.pk])
    assert admin_client.post(gone, {"post": "yes"}).status_code == 302
    assert not Team.objects.filter(pk=empty.pk).exists()
    assert AuditEvent.objects.filter(target_type="accounts.team", action="delete").count() == 1
