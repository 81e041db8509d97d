"""
Access that should end does end: signing out everywhere, a new password (set by the user's own
command or by an administrator), a deactivation and a removal from a team each end every browser
session and every API token of the user at once, and leave an audit event saying why.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import TeamMembership
from audit.models import AuditEvent

from ..conftest import sign_in

pytestmark = pytest.mark.django_db

API_URL = "/api/v1/cases/"


@pytest.fixture
def devices(alice):
    """alice signed in on a browser, and holding two API tokens (a script and a laptop)."""
    browser = sign_in(Client(), alice)
    tokens = [AuthToken.objects.create(alice)[1] for _ in range(2)]
    assert browser.get("/").status_code == 200
    for token in tokens:
        assert _api(token).status_code == 200
    return browser, tokens


def _api(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get(API_URL)


def _assert_everything_ended(devices, alice, because: str):
    browser, tokens = devices
    for token in tokens:
        response = _api(token)
        assert response.status_code == 401, response.content
    assert browser.get("/").status_code == 302
    assert not AuthToken.objects.filter(user=alice).exists()
    event = AuditEvent.objects.filter(action="logout", detail__ended=because).get()
    assert (event.target_type, event.target_id) == ("accounts.user", str(alice.pk))
    assert event.detail["api_tokens"] == 2


def test_signing_out_everywhere_ends_the_api_tokens_too(devices, alice):
    browser, _ = devices
    browser.post(reverse("accounts:logout_everywhere"))
    _assert_everything_ended(devices, alice, "signed_out_everywhere")
    assert AuditEvent.objects.get(detail__ended="signed_out_everywhere").actor == alice


def test_a_new_password_ends_the_api_tokens(devices, alice):
    """The path of `manage.py changepassword` and of any code: set_password, then save."""
    alice.set_password("a new and long passphrase 2026")
    alice.save()
    _assert_everything_ended(devices, alice, "password_changed")


def test_an_administrator_setting_the_password_ends_the_api_tokens(devices, alice, admin_client):
    url = reverse("admin:auth_user_password_change", args=[alice.pk])
    new = "a new and long passphrase 2026"
    response = admin_client.post(
        url, {"password1": new, "password2": new, "usable_password": "true"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    _assert_everything_ended(devices, alice, "password_changed")
    # The administrator's own session is not the one that ended.
    assert admin_client.get(reverse("admin:index")).status_code == 200


def test_deactivating_the_account_ends_the_api_tokens(devices, alice):
    alice.is_active = False
    alice.save()
    _assert_everything_ended(devices, alice, "deactivated")


def test_an_administrator_deactivating_the_account_ends_the_api_tokens(
    devices, alice, admin_client
):
    url = reverse("admin:accounts_user_change", args=[alice.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "is_active": "",
            "date_joined_0": alice.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": alice.date_joined.strftime("%H:%M:%S"),
            "groups": [group.pk for group in alice.groups.all()],
            "team_memberships-TOTAL_FORMS": "1",
            "team_memberships-INITIAL_FORMS": "1",
            "team_memberships-0-id": str(alice.team_memberships.get().pk),
            "team_memberships-0-user": str(alice.pk),
            "team_memberships-0-team": str(alice.team_memberships.get().team_id),
            "team_memberships-0-role": "caseworker",
        }
    )
    data.pop("is_active")
    data = {key: value for key, value in data.items() if key not in ("last_login", "date_joined")}
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert get_user_model().objects.get(pk=alice.pk).is_active is False
    _assert_everything_ended(devices, alice, "deactivated")


def test_removal_from_a_team_ends_the_api_tokens(devices, alice, team_north):
    TeamMembership.objects.get(user=alice, team=team_north).delete()
    _assert_everything_ended(devices, alice, "left_team")
    assert AuditEvent.objects.get(detail__ended="left_team").detail["team"] == team_north.pk


def test_the_changepassword_command_ends_the_api_tokens(devices, alice, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda *args, **kwargs: "another long passphrase 26")
    call_command("changepassword", "alice")
    _assert_everything_ended(devices, alice, "password_changed")


def test_other_saves_of_the_account_end_nothing(devices, alice):
    """A new language, a login's timestamp or a password rehashed at login are no reason."""
    alice.preferred_language = "ko"
    alice.save()
    alice.check_password("wrong")
    alice.save(update_fields=["last_login"])
    browser, tokens = devices
    assert all(_api(token).status_code == 200 for token in tokens)
    assert browser.get("/").status_code == 200
    assert not AuditEvent.objects.filter(action="logout").exists()


def test_deleting_an_account_records_no_ending_for_it(alice):
    """Its memberships go with it; the account's own deletion is no removal from a team."""
    AuthToken.objects.create(alice)
    alice.delete()
    assert not AuditEvent.objects.filter(action="logout").exists()


def test_a_membership_moved_to_another_team_left_the_old_one(
    devices, alice, team_north, team_south
):
    membership = TeamMembership.objects.get(user=alice, team=team_north)
    membership.team = team_south
    membership.save()
    _assert_everything_ended(devices, alice, "left_team")
    assert AuditEvent.objects.get(detail__ended="left_team").detail["team"] == team_north.pk


def test_a_new_role_in_the_same_team_ends_nothing(devices, alice, team_north):
    membership = TeamMembership.objects.get(user=alice, team=team_north)
    membership.role = TeamMembership.Role.SUPERVISOR
    membership.save()
    assert not AuditEvent.objects.filter(action="logout").exists()
