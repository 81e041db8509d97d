"""
Every staff member changes their own password from the account page: the current one once, the
new one twice through the password validators. Their other devices and API tokens are signed out
at once, this browser stays in; a wrong current password is refused, audited and counts towards
the lockout. The account page also says how many backup codes are left, never the codes.
"""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from knox.models import AuthToken

from accounts.models import BackupCode
from accounts.services import backup_codes_issue
from audit.models import AuditEvent
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD, AdvocateFactory

PAGE = reverse("accounts:password_change")
NEW = "a long new passphrase for the north office"


@pytest.fixture
def advocate(db):
    return AdvocateFactory(username="dana")


@pytest.fixture(params=["alice", "sue", "advocate", "admin_user"])
def staff(request):
    """Each role: caseworker, supervisor, legal advocate, administrator."""
    return request.getfixturevalue(request.param)


def _change(client, current=DEFAULT_PASSWORD, new=NEW, again=None):
    return client.post(
        PAGE,
        {"old_password": current, "new_password1": new, "new_password2": again or new},
    )


def test_the_account_page_links_to_the_password_change(client, staff):
    sign_in(client, staff)
    page = client.get(reverse("accounts:security")).content.decode()
    assert f'href="{PAGE}"' in page


def test_each_role_changes_their_password_and_only_this_browser_stays_in(client, staff):
    phone = sign_in(Client(), staff)
    AuthToken.objects.create(user=staff)
    sign_in(client, staff)

    response = _change(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:security")
    staff.refresh_from_db()
    assert staff.check_password(NEW)
    assert not staff.check_password(DEFAULT_PASSWORD)
    # This browser is still signed in with both factors; the other device and the token are out.
    page = client.get(reverse("accounts:security"))
    assert page.status_code == 200
    assert "Your password has been changed." in page.content.decode()
    assert phone.get(reverse("casework:dashboard")).status_code == 302
    assert not AuthToken.objects.filter(user=staff).exists()
    changed = AuditEvent.objects.get(
        actor=staff, action="update", detail__credential="password_changed"
    )
    assert NEW not in str(changed.detail)
    assert AuditEvent.objects.filter(
        action="logout", detail__ended="password_changed", target_id=str(staff.pk)
    ).exists()


def test_a_wrong_current_password_changes_nothing_and_counts_towards_the_lockout(client, staff):
    sign_in(client, staff)
    response = _change(client, current="not the password")
    assert response.status_code == 200
    assert "Your current password is not correct." in response.content.decode()
    staff.refresh_from_db()
    assert staff.check_password(DEFAULT_PASSWORD)
    assert AuditEvent.objects.filter(
        actor=staff, action="denied", detail__credential="password_change_refused"
    ).exists()
    assert AccessAttempt.objects.filter(failures_since_start=1).exists()
    # Still signed in: a typo does not throw the user out.
    assert client.get(reverse("accounts:security")).status_code == 200


def test_guessing_the_current_password_locks_the_account(client, alice, settings):
    sign_in(client, alice)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _change(client, current="guess").status_code == 200
    assert _change(client, current="guess").status_code == 429
    alice.refresh_from_db()
    assert alice.check_password(DEFAULT_PASSWORD)


@pytest.mark.parametrize(
    ("new", "again", "message"),
    [
        ("short", None, "This password is too short."),
        ("password1234", None, "This password is too common."),
        ("847362918273645", None, "This password is entirely numeric."),
        (NEW, NEW + "x", "The two password fields didn"),
    ],
)
def test_the_new_password_passes_the_validators_and_is_typed_twice(
    client, alice, new, again, message
):
    sign_in(client, alice)
    response = _change(client, new=new, again=again)
    assert response.status_code == 200
    assert message in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(DEFAULT_PASSWORD)


def test_the_password_page_needs_both_factors(client, alice):
    client.force_login(alice)  # the password alone
    assert _change(client).status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(DEFAULT_PASSWORD)


def test_a_signed_out_visitor_is_sent_to_sign_in(client, db):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_password_page_is_in_korean(client, alice):
    sign_in(client, alice)
    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "비밀번호 변경" in page


# Backup codes left.


def test_the_account_page_says_how_many_backup_codes_are_left_never_the_codes(client, staff):
    codes = backup_codes_issue(user=staff)
    sign_in(client, staff)
    page = client.get(reverse("accounts:security")).content.decode()
    assert "You have 10 unused backup codes left." in page
    assert not any(code in page for code in codes)
    assert 'role="alert"' not in page
    assert reverse("accounts:backup_codes") in page


def test_the_account_page_warns_when_two_or_fewer_codes_are_left(client, alice):
    backup_codes_issue(user=alice)
    keep = BackupCode.objects.filter(device__user=alice).values_list("pk", flat=True)[:2]
    BackupCode.objects.filter(device__user=alice).exclude(pk__in=list(keep)).delete()
    sign_in(client, alice)
    page = client.get(reverse("accounts:security")).content.decode()
    assert "You have 2 unused backup codes left." in page
    assert 'role="alert"' in page
    assert "Make new ones now" in page


def test_a_user_without_backup_codes_is_told_so_and_warned(client, alice):
    sign_in(client, alice)
    page = client.get(reverse("accounts:security"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "사용하지 않은 백업 코드가 0개 남아 있습니다." in page
    assert 'role="alert"' in page
