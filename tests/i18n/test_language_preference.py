"""
A staff member reads the app in their own language: the login applies their preferred language,
the language switcher keeps their choice for next time, and pages, errors and dates follow it.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import override

from accounts.models import TOTPDevice
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD

COOKIE = settings.LANGUAGE_COOKIE_NAME


def _sign_in_with_password(client, user):
    TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return client.post(
        reverse("accounts:login"), {"username": user.username, "password": DEFAULT_PASSWORD}
    )


def test_login_applies_the_preferred_language(client, alice):
    """After the password, the code step is in the language the staff member prefers."""
    alice.preferred_language = "ko"
    alice.save()
    response = _sign_in_with_password(client, alice)
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "ko"
    page = client.get(reverse("accounts:verify")).content.decode()
    assert '<html lang="ko">' in page
    assert "코드를 입력하세요" in page


def test_a_failed_login_applies_no_language(client, alice):
    """A wrong password sets no language: nothing about the account is told to a stranger."""
    alice.preferred_language = "zh-hans"
    alice.save()
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": "wrong"})
    assert COOKIE not in response.cookies


def test_errors_are_shown_in_the_chosen_language(client, alice):
    """A form's validation error is in Chinese for a reader who chose Chinese."""
    client.cookies[COOKIE] = "zh-hans"
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": "wrong"})
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert "用户名和密码不匹配" in page


def test_the_switcher_keeps_the_choice_of_a_signed_in_user(client, alice):
    """Switching language while signed in saves it as the preferred language and applies it."""
    sign_in(client, alice)
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "zh-hans"
    alice.refresh_from_db()
    assert alice.preferred_language == "zh-hans"
    page = client.get(reverse("casework:dashboard")).content.decode()
    assert "<h1>工作台</h1>" in page


def test_the_switcher_ignores_an_unknown_language(client, alice):
    """A language we do not offer is neither applied nor saved."""
    sign_in(client, alice)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    alice.refresh_from_db()
    assert alice.preferred_language == "en"


def test_the_switcher_works_before_signing_in(client, db):
    """On the login page the switcher changes the language without any account to save it to."""
    response = client.post(reverse("set_language"), {"language": "ko", "next": "/accounts/login/"})
    assert response.cookies[COOKIE].value == "ko"
    assert '<html lang="ko">' in client.get(reverse("accounts:login")).content.decode()


def test_dates_follow_the_language(client, alice, north_case):
    """Dates on the case page are written the way the reader's language writes them."""
    sign_in(client, alice)
    client.cookies[COOKIE] = "zh-hans"
    page = client.get(reverse("casework:case_detail", args=[north_case.reference])).content.decode()
    opened = north_case.opened_on
    assert f">{opened.year}年{opened.month}月{opened.day}日</time>" in page
    with override("en"):
        assert f">{date_format(opened, 'SHORT_DATE_FORMAT')}</time>" not in page
